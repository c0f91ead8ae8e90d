//! `rel hold R --reason T` / `rel resume R [--reason T]`: stop and allow a
//! release's movement (rule `held`, never overridable). Schedules stay in
//! place while it is held; `rel due` reports them blocked.

use crate::context::Context;
use crate::error::usage;
use crate::model::action::Action;
use crate::outcome::Outcome;
use crate::rules::moves;
use crate::rules::promotion::finished;
use crate::rules::register::effects::Stamp;
use crate::rules::verdict::Verdict;
use crate::store::{change_for, CommitMessage};

use super::shared::notify::Event;
use super::shared::{refuse, release_to_change, write, Decision, ReleaseOutcome};

pub fn hold(ctx: &Context, release_id: &str, reason: &str) -> anyhow::Result<Outcome> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(usage("--reason needs text: say why the release is held"));
    }
    change(ctx, release_id, Action::Hold, Some(reason))
}

pub fn resume(ctx: &Context, release_id: &str, reason: Option<&str>) -> anyhow::Result<Outcome> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    change(ctx, release_id, Action::Resume, reason)
}

fn change(
    ctx: &Context,
    release_id: &str,
    action: Action,
    reason: Option<&str>,
) -> anyhow::Result<Outcome> {
    let outcome = write(ctx, |ws, actor| {
        let p = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, release_id)?;
        // Its environments are those of its own pipeline.
        let p = p.lane_of(&release);
        if let Some(state) = finished(&release) {
            return Err(refuse(
                action,
                Some(&release.id),
                &format!("cannot {action} {}", release.id),
                &Verdict {
                    violations: vec![state],
                },
            ));
        }
        let holding = action == Action::Hold;
        if release.held.is_some() == holding {
            let what = if holding {
                "already on hold"
            } else {
                "not on hold"
            };
            return Ok(Decision::nothing(
                format!("{} is {what}; nothing to record", release.id),
                (ReleaseOutcome::unchanged(release), Vec::new()),
            ));
        }
        let by = actor.to_string();
        // The same effect the audit replays.
        moves::set_hold(
            &mut release,
            holding,
            reason,
            Stamp {
                at: ctx.now,
                by: &by,
            },
        );
        // Resumed, it may be eligible again for zero-touch schedules.
        let made = if holding {
            Vec::new()
        } else {
            super::shared::schedule_facts::zero_touch(ws, &p, &mut release, &by, ctx.now)?
        };
        let mut message = CommitMessage::new(action, &release.id);
        message.release = Some(release.id.clone());
        message.reason = reason.map(str::to_string);
        let word = if holding { "held" } else { "resumed" };
        let mut events = vec![Event::new(&p, word, &release, None, ctx.now, &by).because(reason)];
        events.extend(super::shared::zero_touch::scheduled_events_pub(
            &p, &release, &made, &by,
        ));
        let line = format!("{} {word}", release.id);
        Ok(Decision::commit(
            vec![change_for(&release)?],
            message,
            (ReleaseOutcome::done(release, line), events),
        ))
    })?;
    super::shared::zero_touch::finish_told(ctx, outcome)
}
