//! The register's incident actions replayed: new, resolve, reopen,
//! authorise, test and component, with the open release holding the
//! incident moving to a new revision as the command moves it.

use std::borrow::Cow;

use crate::model::action::{Action, Trailers};
use crate::model::incident::Incident;
use crate::rules::register::effects::{self, Stamp};
use crate::rules::register::{changes_holder, lists, may_change_incident, IncidentChange};

use super::compare::Expected;
use super::replay::{check, holder, Altered, Refused, Replayed, Stop};
use super::{Recorded, World};

/// The incident file the commit changed (incident actions change one).
fn written_incident<'a>(world: &World, rec: &'a Recorded) -> Result<Cow<'a, Incident>, Stop> {
    match rec.incidents.as_slice() {
        [(id, Some(Ok(i)))] => world.value(i).ok_or_else(|| {
            Altered(format!(
                "releases/incidents/{id}.toml could not be read again"
            ))
        }),
        [(id, Some(Err(e)))] => Err(Altered(format!(
            "releases/incidents/{id}.toml does not parse: {e}"
        ))),
        [(id, None)] => Err(Altered(format!("releases/incidents/{id}.toml was deleted"))),
        _ => Err(Altered(format!(
            "an incident action changes exactly one incident file; the commit changed {}",
            rec.incidents.len()
        ))),
    }
}

pub(super) fn replay_incident(
    p: &crate::model::pipeline::Pipeline,
    world: &World,
    rec: &Recorded,
    t: &Trailers,
) -> Result<Replayed, Stop> {
    let after = written_incident(world, rec)?;
    let event = after
        .history
        .last()
        .ok_or_else(|| Altered(format!("incident {} records no history", after.id)))?;
    let (at, by) = (event.at, event.by.clone());
    let stamp = Stamp { at, by: &by };
    let mut expected = Expected::default();
    if t.action == Action::IncidentNew {
        if world.held(&after.id).is_some() {
            return Err(Refused(format!("incident `{}` already exists", after.id)));
        }
        let components: Vec<(String, String)> = after
            .components
            .iter()
            .map(|c| (c.kind.clone(), c.name.clone()))
            .collect();
        expected.incidents.push(effects::new_incident(
            &after.id,
            &after.title,
            after.flags(),
            after.impact.as_deref(),
            &components,
            stamp,
        ));
        return Ok(Replayed {
            expected,
            recorded_at: at,
            recorded_by: by.clone(),
            moved_from: None,
        });
    }
    let before = world
        .incident(&after.id)
        .ok_or_else(|| Refused(format!("unknown incident `{}`", after.id)))?;
    let mut incident = before.into_owned();
    let change = match t.action {
        Action::IncidentResolve => IncidentChange::Resolve,
        Action::IncidentReopen => IncidentChange::Reopen,
        Action::IncidentAuthorise => IncidentChange::Authorise,
        Action::IncidentTest => IncidentChange::Test,
        Action::IncidentFlag => IncidentChange::Flag,
        _ => IncidentChange::Component,
    };
    let holder = holder(world, &incident);
    check(may_change_incident(&incident, change, holder.as_ref()))?;
    match change {
        IncidentChange::Resolve => effects::resolve(&mut incident, stamp),
        IncidentChange::Reopen => effects::reopen(&mut incident, stamp),
        IncidentChange::Authorise => {
            let who = after
                .authorisation
                .as_ref()
                .map(|a| a.by.clone())
                .ok_or_else(|| {
                    Altered(format!("incident {} records no authorisation", after.id))
                })?;
            effects::authorise(&mut incident, &who, stamp);
        }
        IncidentChange::Test => {
            let reference = after
                .evidence
                .last()
                .filter(|_| after.evidence.len() > incident.evidence.len())
                .map(|e| e.reference.clone())
                .ok_or_else(|| Altered(format!("incident {} records no new evidence", after.id)))?;
            effects::add_evidence(&mut incident, &reference, stamp);
        }
        IncidentChange::Flag => {
            effects::set_flags(&mut incident, after.flags(), stamp);
        }
        IncidentChange::Component => {
            let specs: Vec<(String, String)> = after
                .components
                .iter()
                .filter(|c| !incident.has_component(&c.kind, &c.name))
                .map(|c| (c.kind.clone(), c.name.clone()))
                .collect();
            effects::add_components(&mut incident, &specs, stamp);
        }
    }
    let mut moved_from = None;
    if let Some(h) = holder.as_ref().filter(|_| changes_holder(holder.as_ref())) {
        if let Some(r) = world.release(&h.id).filter(|r| lists(r, &incident.id)) {
            let mut changed = r.clone();
            effects::incident_changed(&mut changed, &incident.id, t.action, stamp);
            if t.action == Action::IncidentFlag {
                super::paths::redecide(
                    p,
                    world,
                    &mut changed,
                    std::slice::from_ref(&incident),
                    stamp,
                )?;
            }
            expected.releases.push(changed);
            moved_from = Some(r.clone());
        }
    }
    expected.incidents.push(incident);
    Ok(Replayed {
        expected,
        recorded_at: at,
        recorded_by: by.clone(),
        moved_from,
    })
}
