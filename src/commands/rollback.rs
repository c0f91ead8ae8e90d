//! `rel rollback R --to E --reason T`: back to an earlier environment.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::quote::cut;
use crate::rules::actions::may_rollback;
use crate::rules::moves;
use crate::rules::register::effects::Stamp;
use crate::store::{change_for, CommitMessage, Workspace};

pub fn run(ctx: &Context, release_id: &str, to: &str, reason: &str) -> anyhow::Result<i32> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(invalid("--reason must say why the release goes back"));
    }
    let ws = Workspace::open_for_write(&ctx.start_dir)?;
    let pipeline = ws.pipeline()?;
    let mut release = super::release_to_change(ctx, &ws, release_id)?;
    let index = pipeline
        .position(to)
        .ok_or_else(|| invalid(format!("unknown environment `{}`", cut(to))))?;
    let target = pipeline.environments[index].name.clone();
    let verdict = may_rollback(&pipeline, &release, index);
    if !verdict.allowed() {
        return Err(super::refuse(
            Action::Rollback,
            Some(&release.id),
            &format!("{} cannot roll back to {target}", release.id),
            &verdict,
        ));
    }
    let actor = super::actor(ctx, &ws)?;
    let by = actor.to_string();
    let from = release.environment.clone();
    moves::rollback(
        &mut release,
        &target,
        reason,
        Stamp {
            at: ctx.now,
            by: &by,
        },
    );

    let mut message = CommitMessage::new(Action::Rollback, &format!("{} to {target}", release.id));
    message.body.push(format!(
        "{}: {from} -> {target}, a new stay at revision {}; approvals, ticks and health reports from before no longer count",
        release.id, release.revision
    ));
    message.release = Some(release.id.clone());
    message.env = Some(target.clone());
    message.reason = Some(reason.to_string());
    super::apply(ctx, &ws, &actor, &[change_for(&release)?], &message)?;
    super::release_done(
        ctx,
        &release,
        &format!("{} rolled back {from} -> {target}", release.id),
    )?;
    Ok(0)
}
