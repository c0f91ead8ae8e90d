//! The one way a command writes: either show what would change (`--dry-run`)
//! or commit it, then say so on stderr.

use crate::context::Context;
use crate::model::actor::Actor;
use crate::render::output::errln;
use crate::render::text::shown;
use crate::store::remote::sync::{self, Pushed, RemoteMoved};
use crate::store::{Change, CommitMessage, Workspace};

/// Commits `changes` (or, with --dry-run, prints what would be committed).
pub fn apply(
    ctx: &Context,
    ws: &Workspace,
    actor: &Actor,
    changes: &[Change],
    message: &CommitMessage,
) -> anyhow::Result<()> {
    if ctx.dry_run {
        ws.preflight(changes, ctx.now)?;
        errln(&format!(
            "dry run: nothing written. Would commit as {actor}:"
        ));
        for line in message.render().lines() {
            errln(&format!("    {line}"));
        }
        for c in changes {
            let verb = if c.removed { "remove" } else { "write" };
            errln(&format!("  would {verb} {}", c.path));
        }
        return Ok(());
    }
    let committed = match &ws.shared {
        None => ws.commit(changes, message, actor, ctx.now)?,
        Some(shared) => {
            // The commit is pushed before the local branch takes it, and
            // reported only once the remote has it (contract section 6): a
            // push that fails leaves branch, index and work tree untouched.
            let prepared = ws.prepare(changes, message, actor, ctx.now)?;
            match sync::push(ws.workdir(), shared, prepared.id) {
                Ok(Pushed::Done) => ws.land(prepared)?,
                Ok(Pushed::Moved) => {
                    ws.abandon(prepared);
                    return Err(RemoteMoved(shared.clone()).into());
                }
                Ok(Pushed::Refused(why)) => {
                    ws.abandon(prepared);
                    return Err(sync::refused(shared, &why));
                }
                Err(e) => {
                    ws.abandon(prepared);
                    return Err(e);
                }
            }
        }
    };
    let short = committed.id.to_string();
    errln(&format!(
        "committed {} rel: {} {}",
        &short[..short.len().min(10)],
        message.action,
        shown(&message.subject)
    ));
    if let Some(warning) = committed.index_warning {
        errln(&format!("warning: {warning}"));
    }
    Ok(())
}
