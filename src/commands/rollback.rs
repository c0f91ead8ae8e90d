//! `rel rollback R --to E --reason T`: back to an earlier environment.

use crate::context::Context;
use crate::model::action::Action;
use crate::outcome::Outcome;
use crate::rules::actions::may_rollback;
use crate::rules::moves;
use crate::rules::occupancy::Asker;
use crate::rules::register::effects::Stamp;
use crate::store::{change_for, CommitMessage};

use super::shared::args::{environment, Id, Reason};
use super::shared::promotion_facts::occupants;
use super::shared::{refuse, release_to_change, write, Decision, ReleaseOutcome};

pub fn run(ctx: &Context, release_id: &str, to: &str, reason: &str) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    let reason = Reason::required(reason, "the release goes back")?;
    write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        // Its environments are those of its own pipeline.
        let pipeline = pipeline.lane_of(&release);
        let index = environment(&pipeline, to)?;
        let target = pipeline.environments[index].name.clone();
        let occupants = occupants(ws, &pipeline, index, Asker::from(&release))?;
        let verdict = may_rollback(&pipeline, &release, index, &occupants);
        if !verdict.allowed() {
            return Err(refuse(
                Action::Rollback,
                Some(&release.id),
                &format!("{} cannot roll back to {target}", release.id),
                &verdict,
            ));
        }
        let by = actor.to_string();
        let from = release.environment.clone();
        moves::rollback(
            &mut release,
            &target,
            reason.as_str(),
            Stamp {
                at: ctx.now,
                by: &by,
            },
        );

        let mut message =
            CommitMessage::new(Action::Rollback, &format!("{} to {target}", release.id));
        message.body.push(format!(
            "{}: {from} -> {target}, a new stay at revision {}; approvals, ticks and health reports from before no longer count",
            release.id, release.revision
        ));
        message.release = Some(release.id.clone());
        message.env = Some(target.clone());
        message.reason = Some(reason.as_str().to_string());
        let done = format!("{} rolled back {from} -> {target}", release.id);
        Ok(Decision::commit(
            vec![change_for(&release)?],
            message,
            ReleaseOutcome::done(release, done),
        ))
    })?
    .print(ctx)
}
