//! What the writing commands that may schedule zero-touch (contract
//! section 7) or tell events share: adding the schedules a change makes
//! eligible, the runner's decision that carries them, and telling about
//! them once the commit is made.

use crate::context::Context;
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::store::Workspace;

use super::{notify, schedule_facts};

/// Zero-touch (contract section 7): call where a writing command has built
/// the release it is about to commit; adds the schedules its change makes
/// eligible (and drops schedules it can no longer carry out), and returns
/// the new ones for `notify_scheduled` after the commit.
pub fn zero_touch(
    ctx: &Context,
    ws: &Workspace,
    pipeline: &crate::model::pipeline::Pipeline,
    release: &mut Release,
    by: &str,
) -> anyhow::Result<Vec<crate::model::schedule::Schedule>> {
    let stale: Vec<_> = release
        .schedules
        .iter()
        .filter(|s| crate::rules::schedule::is_stale(pipeline, release, s))
        .cloned()
        .collect();
    release.schedules.retain(|s| !stale.contains(s));
    schedule_facts::zero_touch(ws, pipeline, release, by, ctx.now)
}

/// Tells about zero-touch schedules once their commit is made.
pub fn notify_scheduled(
    ctx: &Context,
    ws: &Workspace,
    pipeline: &crate::model::pipeline::Pipeline,
    release: &Release,
    made: &[crate::model::schedule::Schedule],
    by: &str,
) {
    let events = scheduled_events(pipeline, release, made, by);
    notify::send(ctx, ws, events, notify::head_commit(ws));
}

/// `notify_scheduled` after a runner's commit (the runner's workspace is
/// gone by then): reads the state again to tell about `made`. A failure to
/// tell is a warning; the change is made.
pub fn notify_made(
    ctx: &Context,
    release: &Release,
    made: &[crate::model::schedule::Schedule],
    by: &str,
) {
    if made.is_empty() || ctx.dry_run {
        return;
    }
    let told = super::open::reading(&ctx.start_dir, false).and_then(|ws| {
        let pipeline = ws.pipeline()?;
        notify_scheduled(ctx, &ws, &pipeline, release, made, by);
        Ok(())
    });
    if let Err(e) = told {
        crate::errln!("warning: the schedules made were not told: {e}");
    }
}

/// What a command that may schedule zero-touch returns from its runner:
/// its outcome, and the release with the schedules made and who made them.
pub type ZeroTouchOutcome = (
    super::ReleaseOutcome,
    Option<(Release, Vec<crate::model::schedule::Schedule>, String)>,
);

/// The runner's decision for a change to `release` that may have made
/// zero-touch schedules (`made`): one commit of its manifest.
pub fn zero_touch_commit(
    release: Release,
    message: crate::store::CommitMessage,
    done: String,
    made: Vec<crate::model::schedule::Schedule>,
    by: String,
) -> anyhow::Result<super::Decision<ZeroTouchOutcome>> {
    Ok(super::Decision::commit(
        vec![crate::store::change_for(&release)?],
        message,
        (
            super::ReleaseOutcome::done(release.clone(), done),
            Some((release, made, by)),
        ),
    ))
}

/// Prints the outcome, then tells about the schedules the commit made.
pub fn finish_zero_touch(
    ctx: &Context,
    (outcome, made): ZeroTouchOutcome,
) -> anyhow::Result<Outcome> {
    let printed = outcome.print(ctx)?;
    if let Some((release, made, by)) = made {
        notify_made(ctx, &release, &made, &by);
    }
    Ok(printed)
}

/// What a schedule command returns from its runner: its outcome, and the
/// events to tell once the commit is made (none when nothing changed).
pub type ToldOutcome = (super::ReleaseOutcome, Vec<notify::Event>);

/// Prints the outcome, then tells its events (the runner's workspace is
/// gone by then: the state is read again, for the commit and the config).
pub fn finish_told(ctx: &Context, (outcome, events): ToldOutcome) -> anyhow::Result<Outcome> {
    let printed = outcome.print(ctx)?;
    if !events.is_empty() && !ctx.dry_run {
        match super::open::reading(&ctx.start_dir, false) {
            Ok(ws) => notify::send(ctx, &ws, events, notify::head_commit(&ws)),
            Err(e) => crate::errln!("warning: nobody was told: {e}"),
        }
    }
    Ok(printed)
}

pub(crate) fn scheduled_events_pub(
    pipeline: &crate::model::pipeline::Pipeline,
    release: &Release,
    made: &[crate::model::schedule::Schedule],
    by: &str,
) -> Vec<notify::Event> {
    scheduled_events(pipeline, release, made, by)
}

fn scheduled_events(
    pipeline: &crate::model::pipeline::Pipeline,
    release: &Release,
    made: &[crate::model::schedule::Schedule],
    by: &str,
) -> Vec<notify::Event> {
    made.iter()
        .map(|s| notify::Event::new(pipeline, "scheduled", release, Some(&s.env), s.at, by))
        .collect()
}
