//! `rel close R`: released; its incidents closed.

use crate::context::Context;
use crate::model::action::Action;
use crate::model::incident::{Incident, IncidentEvent, IncidentStatus};
use crate::model::release::{Event, State};
use crate::rules::actions::may_close;
use crate::store::{change_for, CommitMessage, Workspace};

pub fn run(ctx: &Context, release_id: &str) -> anyhow::Result<i32> {
    let ws = Workspace::open_for_write(&ctx.start_dir)?;
    let pipeline = ws.pipeline()?;
    let mut release = super::release_to_change(ctx, &ws, release_id)?;
    let verdict = may_close(&pipeline, &release);
    if !verdict.allowed() {
        return Err(super::refuse(
            Action::Close,
            Some(&release.id),
            &format!("{} cannot be closed", release.id),
            &verdict,
        ));
    }
    let actor = super::actor(ctx, &ws)?;
    let mut changes = Vec::new();
    for id in &release.incidents {
        let mut incident: Incident = ws.load(id)?;
        incident.status = IncidentStatus::Closed;
        incident.release = Some(release.id.clone());
        incident.history.push(IncidentEvent {
            at: ctx.now,
            by: actor.to_string(),
            action: "close".into(),
            detail: Some(format!("released in {} {}", release.id, release.version)),
        });
        changes.push(change_for(&incident)?);
    }
    release.state = State::Released;
    let mut event = Event::new(ctx.now, &actor.to_string(), Action::Close);
    event.env = Some(release.environment.clone());
    event.detail = Some(format!("released {}", release.version));
    release.history.push(event);
    changes.insert(0, change_for(&release)?);

    let mut message = CommitMessage::new(Action::Close, &release.id);
    message.body.push(format!(
        "{} {} released; {} incident(s) closed",
        release.id,
        release.version,
        release.incidents.len()
    ));
    message.release = Some(release.id.clone());
    message.env = Some(release.environment.clone());
    super::apply(ctx, &ws, &actor, &changes, &message)?;
    super::release_done(
        ctx,
        &release,
        &format!("{} {} released", release.id, release.version),
    )?;
    Ok(0)
}
