//! `rel group R ID...` and `rel ungroup R ID...`: add or remove incidents,
//! all or none. The release manifest and every incident file change in one
//! commit, so the release's `incidents` and each incident's `release` agree.

use std::collections::HashMap;

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::ids::id_key;
use crate::model::incident::Incident;
use crate::outcome::Outcome;
use crate::rules::history::incident_time_moves_forward;
use crate::rules::register::effects::{self, Stamp};
use crate::rules::register::{is_live, lists, may_group, may_ungroup, Candidate, Holder};
use crate::store::{change_for, CommitMessage, Workspace};

use super::shared::args::{incident_ids, Id};
use super::shared::paths::redecide;
use super::shared::register::{count, holder_of, resolve_incidents, subject};
use super::shared::{refuse, release_to_change, write, Decision, ReleaseOutcome};

pub fn group(ctx: &Context, release_id: &str, wanted: &[String]) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    let wanted = incident_ids(wanted)?;
    write(ctx, |ws, actor| {
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        let ids = resolve_incidents(ws, &wanted)?;
        let incidents: Vec<Incident> = ids
            .iter()
            .map(|id| ws.load::<Incident>(id))
            .collect::<anyhow::Result<_>>()?;
        for i in &incidents {
            incident_time_moves_forward(i, ctx.now).map_err(invalid)?;
        }
        let holders = holders(ws, &incidents)?;
        let candidates: Vec<Candidate> = incidents
            .iter()
            .zip(holders)
            .map(|(incident, holder)| Candidate { incident, holder })
            .collect();
        let live = is_live(&ws.pipeline()?, &release);
        let verdict = may_group(&release, live, &candidates);
        if !verdict.allowed() {
            return Err(refuse(
                Action::Group,
                Some(&release.id),
                &format!("cannot group {} into {}", ids.join(", "), release.id),
                &verdict,
            ));
        }

        let (already, mut new): (Vec<Incident>, Vec<Incident>) =
            incidents.into_iter().partition(|i| lists(&release, &i.id));
        if new.is_empty() {
            return Ok(Decision::nothing(
                format!(
                    "nothing to change: {} already in {}",
                    ids.join(", "),
                    release.id
                ),
                ReleaseOutcome::unchanged(release),
            ));
        }
        let by = actor.to_string();
        effects::group(
            &mut release,
            &mut new,
            Stamp {
                at: ctx.now,
                by: &by,
            },
        );
        // Its content changed: the update path is decided again.
        redecide(ws, &ws.pipeline()?, &mut release, &new, ctx.now, &by)?;

        let added: Vec<String> = new.iter().map(|i| i.id.clone()).collect();
        let mut changes = vec![change_for(&release)?];
        for i in &new {
            changes.push(change_for(i)?);
        }
        let mut message = CommitMessage::new(Action::Group, &subject(&release.id, &added));
        message.body.push(format!(
            "Grouped into {} (revision {}): {}",
            release.id,
            release.revision,
            added.join(", ")
        ));
        message.release = Some(release.id.clone());
        let done = format!(
            "grouped {} into {} (revision {}, {})",
            added.join(", "),
            release.id,
            release.revision,
            count(release.incidents.len())
        );
        let note = (!already.is_empty()).then(|| {
            let names: Vec<&str> = already.iter().map(|i| i.id.as_str()).collect();
            format!("already in {}: {}", release.id, names.join(", "))
        });
        let decision = Decision::commit(changes, message, ReleaseOutcome::done(release, done));
        Ok(match note {
            Some(line) => decision.note(line),
            None => decision,
        })
    })?
    .print(ctx)
}

/// The holder of each incident, in order. Each holder is read once, however
/// many incidents it holds; only the holders are read, never the whole set
/// of releases.
fn holders(ws: &Workspace, incidents: &[Incident]) -> anyhow::Result<Vec<Option<Holder>>> {
    let mut seen: HashMap<String, Option<Holder>> = HashMap::new();
    let mut found = Vec::with_capacity(incidents.len());
    for incident in incidents {
        let key = incident.release.as_deref().map(id_key).unwrap_or_default();
        let holder = match seen.get(&key) {
            Some(h) => h.clone(),
            None => {
                let h = holder_of(ws, incident)?;
                seen.insert(key, h.clone());
                h
            }
        };
        found.push(holder);
    }
    Ok(found)
}

pub fn ungroup(ctx: &Context, release_id: &str, wanted: &[String]) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    let wanted = incident_ids(wanted)?;
    write(ctx, |ws, actor| {
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        // Each id as the release lists it; one it does not list is bad input.
        let mut ids: Vec<String> = Vec::new();
        let mut strangers: Vec<String> = Vec::new();
        for w in &wanted {
            match release.incidents.iter().find(|i| i.eq_ignore_ascii_case(w)) {
                Some(listed) if !ids.iter().any(|i| i == listed) => ids.push(listed.to_string()),
                Some(_) => {}
                None => strangers.push(w.clone()),
            }
        }
        if !strangers.is_empty() {
            return Err(invalid(format!(
                "not in release {}: {}; it holds {}",
                release.id,
                strangers.join(", "),
                if release.incidents.is_empty() {
                    "no incidents".to_string()
                } else {
                    release.incidents.join(", ")
                }
            )));
        }
        let verdict = may_ungroup(&release, is_live(&ws.pipeline()?, &release));
        if !verdict.allowed() {
            return Err(refuse(
                Action::Ungroup,
                Some(&release.id),
                &format!("cannot ungroup {} from {}", ids.join(", "), release.id),
                &verdict,
            ));
        }
        // The files of the listed incidents; one deleted by hand is only
        // dropped from the list.
        let mut incidents: Vec<Incident> = Vec::new();
        for id in &ids {
            if let Ok(stored) = ws.resolve::<Incident>(id) {
                let i: Incident = ws.load(&stored)?;
                incident_time_moves_forward(&i, ctx.now).map_err(invalid)?;
                incidents.push(i);
            }
        }
        let by = actor.to_string();
        effects::ungroup(
            &mut release,
            &ids,
            &mut incidents,
            Stamp {
                at: ctx.now,
                by: &by,
            },
        );
        redecide(ws, &ws.pipeline()?, &mut release, &incidents, ctx.now, &by)?;

        let mut changes = vec![change_for(&release)?];
        for i in &incidents {
            changes.push(change_for(i)?);
        }
        let mut message = CommitMessage::new(Action::Ungroup, &subject(&release.id, &ids));
        message.body.push(format!(
            "Removed from {} (revision {}): {}",
            release.id,
            release.revision,
            ids.join(", ")
        ));
        message.release = Some(release.id.clone());
        let done = format!(
            "ungrouped {} from {} (revision {}, {})",
            ids.join(", "),
            release.id,
            release.revision,
            count(release.incidents.len())
        );
        Ok(Decision::commit(
            changes,
            message,
            ReleaseOutcome::done(release, done),
        ))
    })?
    .print(ctx)
}
