//! `rel depend R --on R2 [--reached ENV] [--before ENV] [--off --reason T]`
//! (contract 11.4): R waits for R2. The facts (the releases in progress,
//! and R2 wherever it is) gathered, `rules::decide::depend` asked, its
//! effect committed.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::rules::decide::depend::{depend, Ask};
use crate::rules::decide::Refusal;
use crate::rules::register::effects::Stamp;
use crate::store::{change_for, CommitMessage};

use super::shared::args::{Id, Reason};
use super::shared::{refuse, release_to_change, write, Decision, ReleaseOutcome};

/// What `rel depend` was given.
pub struct DependArgs<'a> {
    pub release: &'a str,
    pub on: &'a str,
    pub reached: Option<&'a str>,
    pub before: Option<&'a str>,
    pub off: bool,
    pub reason: Option<&'a str>,
}

pub fn run(ctx: &Context, a: &DependArgs) -> anyhow::Result<Outcome> {
    let id = Id::release(a.release)?;
    let on = Id::release(a.on)?;
    let reason = if a.off {
        Some(Reason::required(
            a.reason.unwrap_or(""),
            "the dependency is dropped",
        )?)
    } else {
        if a.reason.is_some() {
            return Err(crate::error::usage(
                "--reason goes with --off: say why a dependency is dropped",
            ));
        }
        None
    };
    if a.off && (a.reached.is_some() || a.before.is_some()) {
        return Err(crate::error::usage(
            "--off drops the dependency on the release named; --reached and --before do not go with it",
        ));
    }
    write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let release = release_to_change(ctx, ws, id.as_str())?;
        // Its environments are those of its own pipeline.
        let pipeline = pipeline.lane_of(&release);
        let mut others = super::shared::schedule_facts::in_progress(ws)?;
        if !others
            .iter()
            .any(|r| r.id.eq_ignore_ascii_case(on.as_str()))
        {
            // A finished release (or none: exit 2 naming it).
            others.push(super::shared::suggest::load_past::<Release>(
                ws,
                on.as_str(),
            )?);
        }
        let by = actor.to_string();
        let stamp = Stamp {
            at: ctx.now,
            by: &by,
        };
        let ask = Ask {
            on: on.as_str(),
            reached: a.reached,
            before: a.before,
            off: a.off,
            reason: reason.as_ref().map(Reason::as_str),
        };
        let after = match depend(&pipeline, &release, ask, &others, stamp) {
            Ok(Some(after)) => after,
            Ok(None) => {
                return Ok(Decision::nothing(
                    format!(
                        "{} already waits for {} so; nothing to record",
                        release.id,
                        on.as_str()
                    ),
                    ReleaseOutcome::unchanged(release),
                ))
            }
            Err(Refusal::Invalid(m)) => return Err(invalid(m)),
            Err(Refusal::Refused { summary, verdict }) => {
                return Err(refuse(
                    Action::Depend,
                    Some(&release.id),
                    &summary,
                    &verdict,
                ))
            }
        };
        let detail = after
            .history
            .last()
            .and_then(|e| e.detail.clone())
            .unwrap_or_default();
        let mut message =
            CommitMessage::new(Action::Depend, &format!("{} on {}", after.id, on.as_str()));
        message.body.push(format!("{}: {detail}", after.id));
        message.release = Some(after.id.clone());
        message.reason = reason.as_ref().map(|r| r.as_str().to_string());
        let done = format!("{} {detail}", after.id);
        Ok(Decision::commit(
            vec![change_for(&after)?],
            message,
            ReleaseOutcome::done(after, done),
        ))
    })?
    .print(ctx)
}
