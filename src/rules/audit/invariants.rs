//! What must hold after every commit, whoever made it: one release at a
//! time in an exclusive environment (unless it entered with an `exclusive`
//! override), an incident in one release in progress at most, no open
//! incident in a released release. Only the releases and incidents a
//! commit touched are asked about, so a break is named once, where it
//! happened, and the walk stays linear.

use std::collections::HashMap;

use crate::model::action::Action;
use crate::model::incident::IncidentStatus;
use crate::model::pipeline::Pipeline;
use crate::model::release::{Release, State};
use crate::model::rule::RuleCode;

use super::{FindingKind, Found, World};

/// Whether `r`'s latest entry into `env` set the exclusive rule aside.
fn entered_overriding(r: &Release, env: &str) -> bool {
    r.history
        .iter()
        .rev()
        .find(|e| {
            e.env
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(env))
                && [Action::Promote, Action::Rollback, Action::New]
                    .iter()
                    .any(|a| a.name() == e.action)
        })
        .is_some_and(|e| e.overrides.contains(&RuleCode::Exclusive))
}

/// The invariants broken by the releases and incidents named (after the
/// commit, in `world`).
pub fn inconsistencies<'a>(
    world: &World,
    pipeline: Option<&Pipeline>,
    releases: &[&str],
    incidents: impl IntoIterator<Item = &'a str>,
) -> Vec<Found> {
    let mut found = Vec::new();
    // Asked once per incident below: a set, not a scan of the list (a
    // commit may touch 100,000 releases and a million incidents).
    let touched: std::collections::HashSet<&str> = releases.iter().copied().collect();
    let mut holders = None;
    for id in releases {
        let Some(r) = world.release(id) else {
            continue;
        };
        if r.state.in_progress() {
            exclusive(world, pipeline, r, &mut found);
            let holders = holders.get_or_insert_with(|| in_progress_holders(world));
            shared_incidents(holders, r, &mut found);
        }
        if r.state == State::Released {
            for i in &r.incidents {
                open_in_released(world, r, i, &mut found);
            }
        }
    }
    for id in incidents {
        let Some((id, i)) = world.held_as(id) else {
            continue;
        };
        if let Some(r) = i.release().and_then(|h| world.release(h)) {
            if r.state == State::Released && !touched.contains(r.id.as_str()) {
                open_in_released(world, r, id, &mut found);
            }
        }
    }
    found
}

fn exclusive(world: &World, pipeline: Option<&Pipeline>, r: &Release, found: &mut Vec<Found>) {
    let lane = pipeline.map(|p| p.lane_of(r));
    let Some(env) = lane.as_deref().and_then(|p| p.env(&r.environment)) else {
        return;
    };
    if !env.exclusive || entered_overriding(r, &env.name) {
        return;
    }
    // Counted as the `exclusive` rule counts (one rule, `occupancy`).
    let others: Vec<String> = crate::rules::occupancy::occupants_among(
        world.releases.values(),
        &env.name,
        crate::rules::occupancy::Asker::from(r),
    )
    .into_iter()
    .filter(|o| {
        world
            .release(o)
            .is_none_or(|o| !entered_overriding(o, &env.name))
    })
    .collect();
    if !others.is_empty() {
        found.push(Found::new(
            FindingKind::Inconsistent,
            Some(&r.id),
            format!(
                "{} is in {}, which holds one release at a time, with {} (no exclusive override recorded)",
                r.id,
                env.name,
                others.join(", ")
            ),
        ));
    }
}

/// The releases in progress holding each incident (by id in upper case),
/// in the order of the world: built once per commit, only when a release
/// in progress was touched.
fn in_progress_holders(world: &World) -> HashMap<String, Vec<&str>> {
    let mut holders: HashMap<String, Vec<&str>> = HashMap::new();
    for o in world.releases.values().filter(|o| o.state.in_progress()) {
        for i in &o.incidents {
            let ids = holders.entry(i.to_ascii_uppercase().into()).or_default();
            if !ids.contains(&o.id.as_str()) {
                ids.push(&o.id);
            }
        }
    }
    holders
}

fn shared_incidents(holders: &HashMap<String, Vec<&str>>, r: &Release, found: &mut Vec<Found>) {
    for i in &r.incidents {
        let others: Vec<&str> = holders
            .get(i.to_ascii_uppercase().as_str())
            .into_iter()
            .flatten()
            .copied()
            .filter(|o| *o != r.id)
            .collect();
        if !others.is_empty() {
            found.push(Found::new(
                FindingKind::Inconsistent,
                Some(&r.id),
                format!(
                    "incident {i} is in {} and in {}, both in progress",
                    r.id,
                    others.join(", ")
                ),
            ));
        }
    }
}

fn open_in_released(world: &World, r: &Release, incident: &str, found: &mut Vec<Found>) {
    // The id its file is filed under is the one the file holds.
    if let Some((id, i)) = world.held_as(incident) {
        if i.status() != IncidentStatus::Closed {
            found.push(Found::new(
                FindingKind::Inconsistent,
                Some(&r.id),
                format!(
                    "{} is released but its incident {} is {}",
                    r.id,
                    id,
                    i.status().as_str()
                ),
            ));
        }
    }
}
