//! What an allowed change does to the values: the release manifest and the
//! incident files, kept in step (a release's `incidents` and each incident's
//! `release` change together). Every change records who and when in the
//! history of each value it touches. Pure: the caller passes "now" and the
//! actor, and writes the results.

use crate::model::action::Action;
use chrono::{DateTime, Utc};

use crate::model::incident::{
    Authorisation, Component, Evidence, Flags, Incident, IncidentEvent, IncidentStatus,
};
use crate::model::release::{Event, Release, State};

/// Who does it, and when.
#[derive(Debug, Clone, Copy)]
pub struct Stamp<'a> {
    pub at: DateTime<Utc>,
    pub by: &'a str,
}

impl Stamp<'_> {
    pub fn event(&self, action: Action) -> Event {
        Event::new(self.at, self.by, action)
    }

    fn incident_event(&self, action: &str, detail: Option<String>) -> IncidentEvent {
        IncidentEvent {
            at: self.at,
            by: self.by.to_string(),
            action: action.to_string(),
            detail,
        }
    }
}

/// Adds `incidents` (none of them listed yet) to the release: a new content
/// revision; each incident names the release as its holder.
pub fn group(release: &mut Release, incidents: &mut [Incident], stamp: Stamp) {
    release.revision += 1;
    let mut event = stamp.event(Action::Group);
    for i in incidents.iter_mut() {
        release.incidents.push(i.id.as_str().into());
        event.incidents.push(i.id.as_str().into());
        i.release = Some(release.id.clone());
        i.history
            .push(stamp.incident_event("group", Some(format!("into {}", release.id))));
    }
    event.detail = Some(format!("revision {}", release.revision));
    release.history.push(event);
}

/// Removes `ids` (each listed) from the release: a new content revision.
/// `incidents` are those of `ids` whose files exist; each stops naming the
/// release as its holder (one naming another release is left alone).
pub fn ungroup(release: &mut Release, ids: &[String], incidents: &mut [Incident], stamp: Stamp) {
    release.revision += 1;
    release
        .incidents
        .retain(|kept| !ids.iter().any(|gone| gone.eq_ignore_ascii_case(kept)));
    let mut event = stamp.event(Action::Ungroup);
    event.incidents = ids.iter().map(|i| i.as_str().into()).collect();
    event.detail = Some(format!("revision {}", release.revision));
    release.history.push(event);
    for i in incidents.iter_mut() {
        if i.is_held_by(&release.id) {
            i.release = None;
        }
        i.history
            .push(stamp.incident_event("ungroup", Some(format!("from {}", release.id))));
    }
}

/// Locks the content. The revision stays: what was approved for this content
/// is still about this content.
pub fn freeze(release: &mut Release, stamp: Stamp) {
    release.state = State::Frozen;
    let mut event = stamp.event(Action::Freeze);
    event.detail = Some(format!(
        "revision {}, {} incident{}",
        release.revision,
        release.incidents.len(),
        if release.incidents.len() == 1 {
            ""
        } else {
            "s"
        }
    ));
    release.history.push(event);
}

/// Unlocks the content, for a reason: a new revision, so approvals, ticks and
/// health reports of the frozen content no longer count.
pub fn unfreeze(release: &mut Release, reason: &str, stamp: Stamp) {
    release.state = State::Open;
    release.revision += 1;
    let mut event = stamp.event(Action::Unfreeze);
    event.reason = Some(reason.to_string());
    event.detail = Some(format!("revision {}", release.revision));
    release.history.push(event);
}

/// Cancels the release, for a reason. It keeps its `incidents` as a record;
/// `incidents` (those of its files that exist) stop naming it as holder, so
/// they may be grouped again.
pub fn cancel(release: &mut Release, incidents: &mut [Incident], reason: &str, stamp: Stamp) {
    release.state = State::Cancelled;
    let mut event = stamp.event(Action::Cancel);
    event.reason = Some(reason.to_string());
    release.history.push(event);
    for i in incidents.iter_mut() {
        if i.is_held_by(&release.id) {
            i.release = None;
            i.history.push(stamp.incident_event(
                "cancel",
                Some(format!("{} cancelled: {reason}", release.id)),
            ));
        }
    }
}

/// One of the release's incidents changed (`action`, as the commit names
/// it): a new revision, so approvals, ticks and health reports given for
/// what the incident was no longer count. The soak goes on: the release's
/// incidents are the same ones.
pub fn incident_changed(release: &mut Release, incident: &str, action: Action, stamp: Stamp) {
    release.revision += 1;
    let mut event = stamp.event(action);
    event.incidents = vec![incident.into()];
    event.detail = Some(format!("revision {}", release.revision));
    release.history.push(event);
}

pub fn resolve(incident: &mut Incident, stamp: Stamp) {
    incident.status = IncidentStatus::Resolved;
    incident.history.push(stamp.incident_event("resolve", None));
}

pub fn reopen(incident: &mut Incident, stamp: Stamp) {
    incident.status = IncidentStatus::Open;
    incident.history.push(stamp.incident_event("reopen", None));
}

/// Records the client's authorisation by `by`; a later one replaces it (the
/// history keeps both).
pub fn authorise(incident: &mut Incident, by: &str, stamp: Stamp) {
    incident.authorisation = Some(Authorisation {
        by: by.to_string(),
        at: stamp.at,
        recorded_by: stamp.by.to_string(),
    });
    incident
        .history
        .push(stamp.incident_event("authorise", Some(format!("by {by}"))));
}

/// Appends test evidence; several documents may be recorded.
pub fn add_evidence(incident: &mut Incident, reference: &str, stamp: Stamp) {
    incident.evidence.push(Evidence {
        reference: reference.to_string(),
        by: stamp.by.to_string(),
        at: stamp.at,
    });
    incident
        .history
        .push(stamp.incident_event("test", Some(reference.to_string())));
}

/// Appends the components (kind, name) not recorded yet; returns those added.
pub fn add_components(
    incident: &mut Incident,
    components: &[(String, String)],
    stamp: Stamp,
) -> Vec<String> {
    let mut added = Vec::new();
    for (kind, name) in components {
        if incident.has_component(kind, name) {
            continue;
        }
        incident.components.push(Component {
            kind: kind.clone(),
            name: name.clone(),
            by: stamp.by.to_string(),
            at: stamp.at,
        });
        added.push(format!("{kind}:{name}"));
    }
    if !added.is_empty() {
        incident
            .history
            .push(stamp.incident_event("component", Some(added.join(", "))));
    }
    added
}

/// Sets the incident's path flags to `flags`; the names of those that
/// changed, as `breaking on`, `client-work off`.
pub fn set_flags(incident: &mut Incident, flags: Flags, stamp: Stamp) -> Vec<String> {
    let mut changed = Vec::new();
    for (name, now, field) in [
        ("breaking", flags.breaking, &mut incident.breaking),
        ("compat-work", flags.compat_work, &mut incident.compat_work),
        ("client-work", flags.client_work, &mut incident.client_work),
    ] {
        if *field != now {
            *field = now;
            changed.push(format!("{name} {}", if now { "on" } else { "off" }));
        }
    }
    if !changed.is_empty() {
        incident
            .history
            .push(stamp.incident_event("flag", Some(changed.join(", "))));
    }
    changed
}

/// A new incident of the register, status open, with its components.
pub fn new_incident(
    id: &str,
    title: &str,
    flags: Flags,
    impact: Option<&str>,
    components: &[(String, String)],
    stamp: Stamp,
) -> Incident {
    let mut incident = Incident {
        id: id.to_string(),
        title: title.to_string(),
        status: IncidentStatus::Open,
        breaking: flags.breaking,
        compat_work: flags.compat_work,
        client_work: flags.client_work,
        impact: impact.map(str::to_string),
        release: None,
        created_at: stamp.at,
        created_by: stamp.by.to_string(),
        authorisation: None,
        evidence: Vec::new(),
        components: Vec::new(),
        history: vec![stamp.incident_event("new", None)],
    };
    for (kind, name) in components {
        if !incident.has_component(kind, name) {
            incident.components.push(Component {
                kind: kind.clone(),
                name: name.clone(),
                by: stamp.by.to_string(),
                at: stamp.at,
            });
        }
    }
    incident
}
