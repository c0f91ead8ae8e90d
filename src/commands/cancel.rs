//! `rel cancel R --reason T`: the release is over without shipping. It keeps
//! its list of incidents as a record, and they are free to be grouped again.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::ids::validate_id;
use crate::model::incident::Incident;
use crate::rules::register::effects::{self, Stamp};
use crate::rules::register::may_cancel;
use crate::store::{change_for, CommitMessage, Workspace};

use super::register::count;

pub fn run(ctx: &Context, release_id: &str, reason: &str) -> anyhow::Result<i32> {
    validate_id("release", release_id).map_err(invalid)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(invalid(
            "--reason needs the reason the release is cancelled",
        ));
    }
    let ws = Workspace::open_for_write(&ctx.start_dir)?;
    let mut release = super::release_to_change(ctx, &ws, release_id)?;
    let verdict = may_cancel(&release);
    if !verdict.allowed() {
        return Err(super::refuse(
            Action::Cancel,
            Some(&release.id),
            &format!("cannot cancel {}", release.id),
            &verdict,
        ));
    }
    // The incidents that name this release as holder; files deleted by hand
    // or naming another release are left as they are.
    let mut held: Vec<Incident> = Vec::new();
    for id in &release.incidents {
        if let Ok(stored) = ws.resolve::<Incident>(id) {
            let incident: Incident = ws.load(&stored)?;
            if incident.is_held_by(&release.id) {
                held.push(incident);
            }
        }
    }
    let actor = super::actor(ctx, &ws)?;
    let by = actor.to_string();
    effects::cancel(
        &mut release,
        &mut held,
        reason,
        Stamp {
            at: ctx.now,
            by: &by,
        },
    );

    let mut changes = vec![change_for(&release)?];
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
    message.reason = Some(reason.to_string());
    super::apply(ctx, &ws, &actor, &changes, &message)?;
    super::release_done(
        ctx,
        &release,
        &format!(
            "{} cancelled; {} free to group again",
            release.id,
            count(freed.len())
        ),
    )?;
    Ok(0)
}
