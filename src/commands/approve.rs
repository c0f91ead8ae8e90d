//! `rel approve R --env E --role ROLE`: record the actor's approval.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::outcome::Outcome;
use crate::rules::actions::may_approve;
use crate::rules::approvals::still_valid;
use crate::rules::moves;
use crate::rules::register::effects::Stamp;
use crate::store::CommitMessage;

use super::shared::args::{environment, Id};
use super::shared::{refuse, release_to_change, write, Decision, ReleaseOutcome};

pub fn run(ctx: &Context, release_id: &str, env: &str, role: &str) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    let role = Id::role(role)?;
    let outcome = write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        // Its environments are those of its own pipeline.
        let pipeline = pipeline.lane_of(&release);
        let index = environment(&pipeline, env)?;
        let target = &pipeline.environments[index];
        // The pipeline's spelling of the role, so the record matches it.
        let Some(role) = target
            .approvals
            .iter()
            .find(|r| r.eq_ignore_ascii_case(role.as_str()))
            .map(String::as_str)
        else {
            return Err(invalid(format!(
                "{} does not ask for approval as `{role}` (it asks for: {})",
                target.name,
                if target.approvals.is_empty() {
                    "none".to_string()
                } else {
                    target.approvals.join(", ")
                }
            )));
        };
        let verdict = may_approve(&pipeline, &release, index, role, &actor.email);
        if !verdict.allowed() {
            return Err(refuse(
                Action::Approve,
                Some(&release.id),
                &format!("{actor} cannot approve {} as {role}", release.id),
                &verdict,
            ));
        }
        let already = release.current_approvals(&target.name).any(|a| {
            a.role == role
                && a.email.eq_ignore_ascii_case(&actor.email)
                && still_valid(&pipeline, target, a, ctx.now)
        });
        if already {
            return Ok(Decision::nothing(
                format!(
                    "{actor} already approved {} entering {} as {role}; nothing to record",
                    release.id, target.name
                ),
                (ReleaseOutcome::unchanged(release), None),
            ));
        }
        let by = actor.to_string();
        let stamp = Stamp {
            at: ctx.now,
            by: &by,
        };
        moves::approve(&mut release, &target.name, role, &actor.email, stamp);

        let made = super::shared::zero_touch::zero_touch(
            ctx,
            ws,
            &pipeline,
            &mut release,
            &actor.to_string(),
        )?;
        let mut message = CommitMessage::new(
            Action::Approve,
            &format!("{} for {} as {role}", release.id, target.name),
        );
        message.release = Some(release.id.clone());
        message.env = Some(target.name.clone());
        let done = format!(
            "{} approved for {} as {role} by {actor}",
            release.id, target.name
        );
        let by = actor.to_string();
        super::shared::zero_touch::zero_touch_commit(release, message, done, made, by)
    })?;
    super::shared::zero_touch::finish_zero_touch(ctx, outcome)
}
