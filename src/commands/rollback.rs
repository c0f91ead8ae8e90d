//! `rel rollback R --to E --reason T`: back to an earlier environment.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::quote::cut;
use crate::model::release::{Event, Release};
use crate::rules::actions::may_rollback;
use crate::store::{change_for, CommitMessage, Workspace};

pub fn run(ctx: &Context, release_id: &str, to: &str, reason: &str) -> anyhow::Result<i32> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(invalid("--reason must say why the release goes back"));
    }
    let ws = Workspace::open_for_write(&ctx.start_dir)?;
    let pipeline = ws.pipeline()?;
    let mut release: Release = ws.load(release_id)?;
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
    let from = release.environment.clone();
    let mut event = Event::new(ctx.now, &actor.to_string(), Action::Rollback);
    event.env = Some(target.clone());
    event.from = Some(from.clone());
    event.reason = Some(reason.to_string());
    release.environment = target.clone();
    // The soak starts again from now.
    release.entered_at = ctx.now;
    release.history.push(event);

    let mut message = CommitMessage::new(Action::Rollback, &format!("{} to {target}", release.id));
    message
        .body
        .push(format!("{}: {from} -> {target}", release.id));
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
