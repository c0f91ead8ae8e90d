//! `rel cancel R --reason T`: the release is over without shipping. It keeps
//! its list of incidents as a record, and they are free to be grouped again.

use crate::context::Context;
use crate::model::action::Action;
use crate::model::incident::Incident;
use crate::outcome::Outcome;
use crate::rules::register::effects::{self, Stamp};
use crate::rules::register::may_cancel;
use crate::store::{change_for, CommitMessage};

use super::shared::args::{Id, Reason};
use super::shared::register::count;
use super::shared::{refuse, release_to_change, write, Decision, ReleaseOutcome};

pub fn run(ctx: &Context, release_id: &str, reason: &str) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    let reason = Reason::required(reason, "the release is cancelled")?;
    write(ctx, |ws, actor| {
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        let verdict = may_cancel(&release);
        if !verdict.allowed() {
            return Err(refuse(
                Action::Cancel,
                Some(&release.id),
                &format!("cannot cancel {}", release.id),
                &verdict,
            ));
        }
        // The incidents that name this release as holder; files deleted by
        // hand or naming another release are left as they are.
        let mut held: Vec<Incident> = Vec::new();
        for id in &release.incidents {
            if let Ok(stored) = ws.resolve::<Incident>(id) {
                let incident: Incident = ws.load(&stored)?;
                if incident.is_held_by(&release.id) {
                    held.push(incident);
                }
            }
        }
        let by = actor.to_string();
        effects::cancel(
            &mut release,
            &mut held,
            reason.as_str(),
            Stamp {
                at: ctx.now,
                by: &by,
            },
        );

        // Cancelled: the release and its reports move into the archive;
        // its incidents stay in the register, free again.
        let mut changes = ws.archive_moves(&release, &[])?;
        for i in &held {
            changes.push(change_for(i)?);
        }
        let freed: Vec<&str> = held.iter().map(|i| i.id.as_str()).collect();
        let mut message = CommitMessage::new(Action::Cancel, &release.id);
        message.body.push(if freed.is_empty() {
            format!("{} cancelled", release.id)
        } else {
            format!(
                "{} cancelled; free to group again: {}",
                release.id,
                freed.join(", ")
            )
        });
        message.release = Some(release.id.clone());
        message.reason = Some(reason.as_str().to_string());
        let done = format!(
            "{} cancelled; {} free to group again",
            release.id,
            count(freed.len())
        );
        Ok(Decision::commit(
            changes,
            message,
            ReleaseOutcome::done(release, done),
        ))
    })?
    .print(ctx)
}
