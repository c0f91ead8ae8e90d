//! Zero-touch (contract section 7): after a change (a passing verify, an
//! approval, a tick, a promotion, or time passing), every `auto_schedule`
//! environment ahead whose non-time rules now pass is scheduled at its
//! earliest, chained one after another, in the same commit.

use chrono::{DateTime, Utc};

use crate::model::action::Action;
use crate::model::pipeline::Pipeline;
use crate::model::release::{Event, Release};
use crate::model::schedule::Schedule;

use super::schedule::{earliest, is_stale, verdict_at, Others};

/// The schedules to add to `release` (as it is after the change) at `now`;
/// `by` is who made the change. Empty when the release is not in progress,
/// is held, or its latest health report in this stay failed (it waits for a
/// person then).
pub fn after_change(
    p: &Pipeline,
    release: &Release,
    others: &Others,
    now: DateTime<Utc>,
    by: &str,
) -> Vec<Schedule> {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(release);
    let mut made = Vec::new();
    if !release.state.in_progress() || release.held.is_some() {
        return made;
    }
    let effective = p.for_release(release);
    let p: &Pipeline = &effective;
    let Some(current) = p.position(&release.environment) else {
        return made;
    };
    let failed = release
        .latest_health(&release.environment)
        .filter(|h| h.at >= release.entered_at)
        .is_some_and(|h| !h.passed);
    if failed {
        return made;
    }
    let mut proposed = release.clone();
    proposed.schedules.retain(|s| !is_stale(p, release, s));
    for target in current + 1..p.environments.len() {
        let env = &p.environments[target];
        if proposed.schedule_for(&env.name).is_some() || env.off_path {
            continue; // the chain goes on from a schedule already made
        }
        if !env.auto_schedule {
            break;
        }
        // A schedule a person cancelled stays cancelled (contract 11.6).
        if cancelled_by_person(release, &env.name).is_some() {
            break;
        }
        let mut schedule = Schedule {
            env: env.name.clone(),
            at: now,
            slot: None,
            by: by.to_string(),
            made_at: now,
            auto: true,
            note: None,
        };
        let Some(at) = earliest(p, &proposed, target, &schedule, others, now) else {
            break; // time never lets it in
        };
        let verdict = verdict_at(p, &proposed, target, others, at);
        if !verdict.blocking_codes().is_empty() || !verdict.ready() {
            break; // someone must act first
        }
        schedule.at = at;
        proposed.schedules.push(schedule.clone());
        made.push(schedule);
    }
    made
}

/// The `rel unschedule` of R's promotion into `env` that still stands: a
/// person cancelled it and nobody has scheduled R there since (`rel
/// schedule` or `rel reschedule`). Zero-touch does not schedule R into
/// `env` again while there is one.
pub fn cancelled_by_person<'a>(release: &'a Release, env: &str) -> Option<&'a Event> {
    release
        .history
        .iter()
        .rev()
        .filter(|e| {
            e.env
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(env))
        })
        .find(|e| {
            matches!(
                e.action.as_str(),
                a if a == Action::Unschedule.name()
                    || a == Action::Schedule.name()
                    || a == Action::Reschedule.name()
            )
        })
        .filter(|e| e.action == Action::Unschedule.name())
}

/// Every environment whose schedule a person cancelled and that stays so,
/// with the cancelling event, in pipeline order of the events.
pub fn cancelled_schedules(release: &Release) -> Vec<(&str, &Event)> {
    let mut out: Vec<(&str, &Event)> = Vec::new();
    for e in &release.history {
        if let Some(env) = e.env.as_deref() {
            if out.iter().any(|(x, _)| x.eq_ignore_ascii_case(env)) {
                continue;
            }
            if let Some(ev) = cancelled_by_person(release, env) {
                out.push((env, ev));
            }
        }
    }
    out
}
