//! What the commands share: the one way they write (`spine`), arguments
//! checked once (`args`), and the helpers named for what they do.

pub mod apply;
pub mod args;
pub mod audit;
pub mod audit_findings;
pub mod audit_index;
pub mod audit_state;
pub mod carries;
pub mod evidence_walk;
pub mod fleet;
pub mod in_order;
pub mod installation_filter;
pub mod notes;
pub mod notify;
pub mod open;
pub mod paths;
pub mod pipeline_filter;
pub mod promotion_facts;
pub mod readiness;
pub mod refuse;
pub mod register;
pub mod report;
pub mod schedule_facts;
pub mod spine;
pub mod suggest;
pub mod update;
pub mod zero_touch;

use crate::context::Context;
use crate::error::invalid;
use crate::model::release::Release;
use crate::rules::history::time_moves_forward;
use crate::store::Workspace;

pub use refuse::refuse;
pub use report::ReleaseOutcome;
pub use spine::{write, Confirmation, Decision};

/// Opens the release repository for a reading command: HEAD's tree, or the
/// work tree with `--worktree`. Says in one line when rel's files have
/// uncommitted edits that the answer does not count.
pub fn open_reading(ctx: &Context) -> anyhow::Result<Reading> {
    let mut ws = open::reading(&ctx.start_dir, ctx.worktree)?;
    // Reads that fetch first (contract 11.7): `--fetch`, or `[sync]
    // fetch_on_read` unless `--no-fetch`.
    let wanted = match ctx.fetch {
        Some(f) => f,
        None => ws
            .pipeline()
            .ok()
            .and_then(|p| p.sync)
            .is_some_and(|s| s.fetch_on_read),
    };
    if wanted {
        drop(ws);
        open::before_reading(ctx, ctx.fetch == Some(true))?;
        ws = open::reading(&ctx.start_dir, ctx.worktree)?;
    }
    if !ctx.worktree {
        ws.record_reads();
    }
    Ok(Reading {
        ws,
        note: !ctx.worktree,
    })
}

/// A workspace a reading command reads; when the command is done with it,
/// says which uncommitted edits the answer did not count (of the files it
/// used: see `store::repo::reads`).
pub struct Reading {
    ws: Workspace,
    note: bool,
}

impl std::ops::Deref for Reading {
    type Target = Workspace;
    fn deref(&self) -> &Workspace {
        &self.ws
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        if !self.note {
            return;
        }
        if let Ok(dirty) = self.ws.uncounted_edits() {
            if !dirty.is_empty() {
                crate::errln!(
                    "note: uncommitted edits to {} are not counted (rel reads the last commit); \
                     commit them, or pass --worktree to evaluate them",
                    crate::store::repo::uncommitted::shown_list(&dirty)
                );
            }
        }
    }
}

/// Says once on stderr how many finished releases a repository made
/// before revision 3 keeps outside the archive, given how many releases
/// are in progress (known already to `status` and `list`, so no release
/// is read for it).
pub fn note_unarchived(ws: &Workspace, in_progress: usize) {
    if let Ok(n @ 1..) = ws.finished_outside_archive(in_progress) {
        crate::render::output::errln(&format!(
            "note: {n} finished release(s) lie in releases/ outside the archive; \
             run `rel archive` to move them there"
        ));
    }
}

/// The release `id`, loaded to be changed now: every writing command that
/// changes a manifest loads it here, so that time moves forward for all of
/// them (a "now" before the release's last event is exit 2, nothing written).
///
/// A finished release is found in the archive too, so that the refusal
/// says it is released or cancelled (exit 1, `state`) rather than unknown;
/// nothing about work in progress is decided on it, and no rule lets a
/// finished release change.
pub fn release_to_change(ctx: &Context, ws: &Workspace, id: &str) -> anyhow::Result<Release> {
    let release: Release = suggest::load_past(ws, id)?;
    time_moves_forward(&release, ctx.now).map_err(invalid)?;
    Ok(release)
}
