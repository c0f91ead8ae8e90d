//! `rel due`: the schedules whose time has come, each with the full
//! promotion verdict now, in the order `--apply` takes them: time order,
//! and for one release pipeline order.

use chrono::{DateTime, Utc};

use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::model::schedule::Schedule;

use super::decide::promote::verdict_into;
use super::moves;
use super::promotion::PromotionVerdict;
use super::register::effects::Stamp;

#[derive(Debug, Clone)]
pub struct DueItem {
    /// Index into the releases given.
    pub release: usize,
    pub schedule: Schedule,
    pub verdict: PromotionVerdict,
}

/// Every schedule of a release in progress due at `now` (its instant has
/// come), with its verdict now. `releases`: every release in progress (the
/// occupants of exclusive environments are found among them).
pub fn due(p: &Pipeline, releases: &[Release], now: DateTime<Utc>) -> Vec<DueItem> {
    let mut items: Vec<(usize, usize, Schedule)> = Vec::new();
    for (i, r) in releases.iter().enumerate() {
        if !r.state.in_progress() {
            continue;
        }
        for s in r.schedules.iter().filter(|s| s.at <= now) {
            // Positions in the release's own pipeline, where the
            // promotion decision reads them (contract 11.2).
            let position = p.lane_of(r).position(&s.env).unwrap_or(usize::MAX);
            items.push((i, position, s.clone()));
        }
    }
    // Releases in the order their first due schedule came; within one
    // release, pipeline order.
    items.sort_by_key(|(i, position, _)| {
        let first_at = items_first_at(releases, *i, now);
        (first_at, releases[*i].id.clone(), *position)
    });
    items
        .into_iter()
        .map(|(i, position, schedule)| {
            let r = &releases[i];
            // The verdict the promotion decision decides on.
            let verdict = match p.lane_of(r).environments.get(position) {
                Some(_) => verdict_into(p, releases, r, position, now),
                None => unknown_env(r, &schedule, now),
            };
            DueItem {
                release: i,
                schedule,
                verdict,
            }
        })
        .collect()
}

/// The earliest due instant of a release: its schedules are taken together
/// from then, in pipeline order.
fn items_first_at(releases: &[Release], i: usize, now: DateTime<Utc>) -> DateTime<Utc> {
    releases[i]
        .schedules
        .iter()
        .filter(|s| s.at <= now)
        .map(|s| s.at)
        .min()
        .unwrap_or(now)
}

/// A schedule into an environment the pipeline no longer has: `order`.
fn unknown_env(r: &Release, s: &Schedule, now: DateTime<Utc>) -> PromotionVerdict {
    let mut verdict = super::Verdict::default();
    verdict.push(super::Violation::new(
        crate::model::rule::RuleCode::Order,
        format!(
            "{} is scheduled into `{}`, which is not in the pipeline; unschedule it",
            r.id, s.env
        ),
    ));
    PromotionVerdict {
        from: r.environment.clone(),
        to: Some(s.env.clone()),
        at: now,
        verdict,
        time_ready_at: None,
        window_closes_at: None,
    }
}

/// The effect of applying a due schedule: the promotion, recorded with the
/// schedule it carries out, and the schedule consumed.
pub fn apply(release: &mut Release, schedule: &Schedule, stamp: Stamp) {
    let env = schedule.env.clone();
    moves::promote(release, &env, &[], None, stamp);
    if let Some(event) = release.history.last_mut() {
        event.detail = Some(format!(
            "scheduled at {}{}",
            schedule
                .at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            if schedule.auto { " (zero-touch)" } else { "" }
        ));
    }
    release
        .schedules
        .retain(|s| !s.env.eq_ignore_ascii_case(&env));
}
