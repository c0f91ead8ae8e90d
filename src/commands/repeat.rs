//! `rel repeat R --reason T`: another round in a `repeatable` environment
//! (a dry run again). A new stay: its exit ticks, health report and soak
//! start afresh (see `rules::stays`).

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::outcome::Outcome;
use crate::rules::register::effects::Stamp;
use crate::rules::stays::{may_repeat, repeat, round_starts_after};
use crate::store::CommitMessage;

use super::shared::args::{Id, Reason};
use super::shared::{refuse, release_to_change, write};

pub fn run(ctx: &Context, release_id: &str, reason: &str) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    let reason = Reason::required(reason, "the round is repeated")?;
    let outcome = write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        // Its environments are those of its own pipeline.
        let pipeline = pipeline.lane_of(&release);
        let verdict = may_repeat(&pipeline, &release);
        if !verdict.allowed() {
            return Err(refuse(
                Action::Repeat,
                Some(&release.id),
                &format!(
                    "{} cannot go another round in {}",
                    release.id, release.environment
                ),
                &verdict,
            ));
        }
        round_starts_after(&release, ctx.now).map_err(invalid)?;
        let by = actor.to_string();
        let stamp = Stamp {
            at: ctx.now,
            by: &by,
        };
        repeat(&mut release, reason.as_str(), stamp);
        let made = super::shared::zero_touch::zero_touch(ctx, ws, &pipeline, &mut release, &by)?;

        let env = release.environment.clone();
        let mut message = CommitMessage::new(Action::Repeat, &format!("{} in {env}", release.id));
        message.body.push(format!(
            "{}: a new round in {env}; its exit items, health report and soak count from now",
            release.id
        ));
        message.release = Some(release.id.clone());
        message.env = Some(env.clone());
        message.reason = Some(reason.as_str().to_string());
        let done = format!(
            "{} goes another round in {env}: exit items, health report and soak start again",
            release.id
        );
        super::shared::zero_touch::zero_touch_commit(release, message, done, made, by)
    })?;
    super::shared::zero_touch::finish_zero_touch(ctx, outcome)
}
