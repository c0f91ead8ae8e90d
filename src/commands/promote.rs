//! `rel promote R [--to E] [--override RULE... --reason T]`.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::pipeline::Environment;
use crate::model::rule::RuleCode;
use crate::rules::moves;
use crate::rules::overrides::{permitted_overrides, Overridden};
use crate::rules::register::effects::Stamp;
use crate::store::{change_for, CommitMessage};

use super::shared::args::{Id, Reason};
use super::shared::promotion_facts::evaluate;
use super::shared::{refuse, release_to_change, write, Confirmation, Decision, ReleaseOutcome};

pub fn run(
    ctx: &Context,
    release_id: &str,
    to: Option<&str>,
    overrides: &[RuleCode],
    reason: Option<&str>,
) -> anyhow::Result<i32> {
    let id = Id::release(release_id)?;
    let reason = Reason::for_overrides(reason, !overrides.is_empty())?;
    let reason = reason.as_ref().map(Reason::as_str);
    let outcome = write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        let verdict = evaluate(ws, &pipeline, &release, to, ctx.now)?;
        // No target only for a release that is over: its `state` refuses.
        let Some(target) = verdict.to.as_deref().and_then(|to| pipeline.env(to)) else {
            // An override that can never be used is still bad input (exit
            // 2): asked of an environment that allows every overridable rule.
            permitted_overrides(&Environment::named(&verdict.from), overrides).map_err(invalid)?;
            return Err(refuse(
                Action::Promote,
                Some(&release.id),
                &format!("{} cannot move on from {}", release.id, verdict.from),
                &verdict.verdict,
            ));
        };
        let overrides = permitted_overrides(target, overrides).map_err(invalid)?;
        let Overridden {
            remaining,
            used,
            unused,
        } = verdict.overridden(&overrides);
        if !remaining.allowed() {
            return Err(refuse(
                Action::Promote,
                Some(&release.id),
                &format!(
                    "{} cannot move {} -> {}",
                    release.id, verdict.from, target.name
                ),
                &remaining,
            ));
        }

        let by = actor.to_string();
        let stamp = Stamp {
            at: ctx.now,
            by: &by,
        };
        moves::promote(&mut release, &target.name, &used, reason, stamp);
        let made = super::zero_touch(ctx, ws, &pipeline, &mut release, &by)?;
        let mut message = CommitMessage::new(
            Action::Promote,
            &format!("{} to {}", release.id, target.name),
        );
        message.body.push(format!(
            "{} {}: {} -> {}",
            release.id, release.version, verdict.from, target.name
        ));
        message.release = Some(release.id.clone());
        message.env = Some(target.name.clone());
        message.overrides = used;
        message.reason = reason.map(str::to_string);
        let question = format!(
            "Promote {} {} from {} to {}?",
            release.id, release.version, verdict.from, target.name
        );
        let done = format!(
            "{} promoted {} -> {}",
            release.id, verdict.from, target.name
        );
        let mut decision = Decision::commit(
            vec![change_for(&release)?],
            message,
            (
                ReleaseOutcome::done(release.clone(), done),
                Some((release, made, by.clone())),
            ),
        );
        for o in unused {
            decision = decision.note(format!(
                "note: --override {o}: that rule passes; nothing to set aside"
            ));
        }
        if target.confirm {
            decision = decision.confirm(Confirmation {
                what: format!("promoting to {}", target.name),
                question,
            });
        }
        Ok(decision)
    })?;
    super::finish_zero_touch(ctx, outcome)
}
