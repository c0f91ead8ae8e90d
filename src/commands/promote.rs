//! `rel promote R [--to E] [--override RULE... --reason T]`: the facts
//! gathered, the one promotion decision (`rules::decide::promote`) asked,
//! its effect committed.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::rule::RuleCode;
use crate::outcome::Outcome;
use crate::rules::decide::promote::{promote, Ask};
use crate::rules::decide::Refusal;
use crate::rules::register::effects::Stamp;
use crate::store::{change_for, CommitMessage};

use super::shared::args::{self, Id, Reason};
use super::shared::promotion_facts::with_dependencies;
use super::shared::{refuse, release_to_change, write, Confirmation, Decision, ReleaseOutcome};

pub fn run(
    ctx: &Context,
    release_id: &str,
    to: Option<&str>,
    overrides: &[RuleCode],
    reason: Option<&str>,
) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    let reason = Reason::for_overrides(reason, !overrides.is_empty())?;
    let reason = reason.as_ref().map(Reason::as_str);
    let outcome = write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let release = release_to_change(ctx, ws, id.as_str())?;
        // Its environments are those of its own pipeline.
        let pipeline = pipeline.lane_of(&release);
        let to = to
            .map(|name| args::environment(&pipeline, name))
            .transpose()?;
        let others = with_dependencies(ws, ws.release_heads()?, [&release])?;
        let by = actor.to_string();
        let stamp = Stamp {
            at: ctx.now,
            by: &by,
        };
        let ask = Ask::Person {
            to,
            overrides,
            reason,
        };
        let done = match promote(&pipeline, &others[..], &release, ask, &actor.email, stamp) {
            Ok(done) => done,
            Err(Refusal::Invalid(m)) => return Err(invalid(m)),
            Err(Refusal::Refused { summary, verdict }) => {
                return Err(refuse(
                    Action::Promote,
                    Some(&release.id),
                    &summary,
                    &verdict,
                ))
            }
        };
        let mut release = done.release;
        let made = super::shared::zero_touch::zero_touch(ctx, ws, &pipeline, &mut release, &by)?;
        let mut message =
            CommitMessage::new(Action::Promote, &format!("{} to {}", release.id, done.to));
        message.body.push(format!(
            "{} {}: {} -> {}",
            release.id, release.version, done.from, done.to
        ));
        message.release = Some(release.id.clone());
        message.env = Some(done.to.clone());
        message.overrides = done.used;
        message.reason = reason.map(str::to_string);
        let question = format!(
            "Promote {} {} from {} to {}?",
            release.id, release.version, done.from, done.to
        );
        let said = format!("{} promoted {} -> {}", release.id, done.from, done.to);
        let mut decision = Decision::commit(
            vec![change_for(&release)?],
            message,
            (
                ReleaseOutcome::done(release.clone(), said),
                Some((release, made, by.clone())),
            ),
        );
        for o in done.unused {
            decision = decision.note(format!(
                "note: --override {o}: that rule passes; nothing to set aside"
            ));
        }
        if done.confirm {
            decision = decision.confirm(Confirmation {
                what: format!("promoting to {}", done.to),
                question,
            });
        }
        Ok(decision)
    })?;
    super::shared::zero_touch::finish_zero_touch(ctx, outcome)
}
