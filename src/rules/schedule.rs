//! Schedules, decided by the promotion rules themselves (contract section
//! 7): a schedule into E at T is `check_promotion` at T on the release as it
//! would be then, each earlier scheduled step having happened at its own
//! time. Time rules (and `state`, `order`) that fail then refuse it; the
//! other rules are what must be done by then. No second copy of a rule.

use chrono::{DateTime, Utc};

use crate::model::pipeline::Pipeline;
use crate::model::release::{Release, ReleaseHead};
use crate::model::rule::RuleCode;
use crate::model::schedule::Schedule;

use super::moves;
use super::promotion::{check_promotion, PromotionInput, PromotionVerdict};
use super::register::effects::Stamp;
use super::verdict::{when, Verdict, Violation};

/// The facts about other releases a schedule is decided with.
pub struct Others<'a> {
    /// `occupants[i]`: releases in progress in environment i now.
    pub occupants: &'a [Vec<String>],
    /// Schedules of other releases in progress: (release id, schedule).
    pub schedules: &'a [(String, Schedule)],
    /// Where every release given stands, for dependencies (11.4).
    pub standings: &'a [ReleaseHead],
}

/// Occupants per environment and every schedule of releases in progress
/// other than `except`.
pub struct Facts {
    pub occupants: Vec<Vec<String>>,
    pub schedules: Vec<(String, Schedule)>,
    pub standings: Vec<ReleaseHead>,
}

impl Facts {
    pub fn of(p: &Pipeline, releases: &[Release], except: &str) -> Facts {
        Facts::of_all(p, releases.iter(), except)
    }

    /// `of` over any releases (the audit's state holds them in a map).
    pub fn of_all<'a>(
        p: &Pipeline,
        releases: impl Iterator<Item = &'a Release> + Clone,
        except: &str,
    ) -> Facts {
        let others = || {
            releases
                .clone()
                .filter(move |r| r.state.in_progress() && r.id != except)
        };
        // Occupants as `exclusive` counts them everywhere: an update's
        // environments are its installation's own.
        let asker = releases.clone().find(|r| r.id.eq_ignore_ascii_case(except));
        let lane = asker.map(|r| p.lane_of(r));
        let p = lane.as_deref().unwrap_or(p);
        let installation = asker.and_then(|r| r.installation.clone());
        let pipeline = asker.map_or(p.pipeline_name(), |r| r.pipeline_name());
        let asker = super::occupancy::Asker {
            id: except,
            installation: installation.as_deref(),
            pipeline,
        };
        Facts {
            occupants: p
                .environments
                .iter()
                .map(|e| super::occupancy::occupants_among(releases.clone(), &e.name, asker))
                .collect(),
            // Only schedules that could share an exclusive environment.
            schedules: others()
                .filter(|r| {
                    r.pipeline_name().eq_ignore_ascii_case(pipeline)
                        && crate::model::installation::same_installation(
                            r.installation.as_deref(),
                            installation.as_deref(),
                        )
                })
                .flat_map(|r| r.schedules.iter().map(|s| (r.id.clone(), s.clone())))
                .collect(),
            standings: releases.map(ReleaseHead::from).collect(),
        }
    }

    pub fn others(&self) -> Others<'_> {
        Others {
            occupants: &self.occupants,
            schedules: &self.schedules,
            standings: &self.standings,
        }
    }
}

#[cfg(test)]
impl Others<'_> {
    pub const NONE: Others<'static> = Others {
        occupants: &[],
        schedules: &[],
        standings: &[],
    };
}

/// The release's schedules in pipeline order (unknown environments last).
pub fn in_pipeline_order<'a>(p: &Pipeline, r: &'a Release) -> Vec<&'a Schedule> {
    let mut all: Vec<&Schedule> = r.schedules.iter().collect();
    all.sort_by_key(|s| (p.position(&s.env).unwrap_or(usize::MAX), s.at));
    all
}

/// Keeps the manifest's schedules in pipeline order (canonical: the same
/// plan is always written the same way).
pub fn sort_in_pipeline_order(p: &Pipeline, r: &mut Release) {
    r.schedules
        .sort_by_key(|s| (p.position(&s.env).unwrap_or(usize::MAX), s.at));
}

/// The release as it would be just before entering environment `target`:
/// every schedule of `r` into an environment between its current one and
/// `target` has happened at its own time.
pub fn simulated(p: &Pipeline, r: &Release, target: usize) -> Release {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let mut sim = r.clone();
    let Some(current) = p.position(&r.environment) else {
        return sim;
    };
    for s in in_pipeline_order(p, r) {
        match p.position(&s.env) {
            Some(i) if i > current && i < target => moves::promote(
                &mut sim,
                &p.environments[i].name,
                &[],
                None,
                Stamp {
                    at: s.at,
                    by: &s.by,
                },
            ),
            _ => {}
        }
    }
    sim
}

/// The promotion verdict for entering `target` at `at`, supposing each
/// earlier scheduled step of `r` happened at its own time.
pub fn verdict_at(
    p: &Pipeline,
    r: &Release,
    target: usize,
    others: &Others,
    at: DateTime<Utc>,
) -> PromotionVerdict {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let sim = simulated(p, r, target);
    let none = Vec::new();
    let dependencies = super::depends::facts(r, others.standings);
    check_promotion(&PromotionInput {
        pipeline: p,
        release: &sim,
        target,
        occupants: others.occupants.get(target).unwrap_or(&none),
        dependencies: &dependencies,
        now: at,
    })
}

/// Rules that refuse a schedule: those no action can clear by then.
fn refuses_schedule(code: RuleCode) -> bool {
    code.is_time_rule() || matches!(code, RuleCode::State | RuleCode::Order)
}

/// What deciding one schedule found.
#[derive(Debug, Clone)]
pub struct Decided {
    pub env: String,
    pub at: DateTime<Utc>,
    /// Time, state, order and conflict violations: the schedule is refused.
    pub refusals: Vec<Violation>,
    /// Other rules unmet now: what must be done by then.
    pub to_do: Vec<Violation>,
}

/// Decides every schedule of `r` (its schedules as they would be after the
/// change) in pipeline order: each must lie ahead of the release, in time
/// order with the one before it, pass the time rules at its instant and
/// not overlap another release's slot in an exclusive environment.
pub fn decide_all(p: &Pipeline, r: &Release, others: &Others) -> Vec<Decided> {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let mut previous: Option<&Schedule> = None;
    let mut out = Vec::new();
    for s in in_pipeline_order(p, r) {
        let Some(target) = p.position(&s.env) else {
            continue; // validated by the caller; an unknown env is exit 2
        };
        let verdict = verdict_at(p, r, target, others, s.at);
        // The step before is scheduled after this one: the release would
        // not yet be in the environment it soaks in, so a soak (even of 0
        // days) measured from that later entry is no reason of its own;
        // the `order` refusal below is the real one.
        let entered_later = previous.is_some_and(|b| b.at > s.at);
        let mut refusals: Vec<Violation> = verdict
            .verdict
            .violations
            .iter()
            .filter(|v| refuses_schedule(v.rule))
            .filter(|v| !(entered_later && v.rule == RuleCode::Soak))
            .cloned()
            .map(|mut v| {
                if v.rule.is_time_rule() {
                    v.message = format!("at {}: {}", when(&p.calendar, s.at), v.message);
                }
                v
            })
            .collect();
        if let Some(before) = previous.filter(|b| b.at > s.at) {
            refusals.push(Violation::new(
                RuleCode::Order,
                format!(
                    "{} is scheduled into {} at {}, after {}; schedules follow the pipeline in time",
                    r.id,
                    before.env,
                    when(&p.calendar, before.at),
                    when(&p.calendar, s.at)
                ),
            ));
        }
        if p.environments[target].exclusive {
            refusals.extend(conflicts(p, r, s, others));
        }
        let to_do = verdict
            .verdict
            .violations
            .iter()
            .filter(|v| !refuses_schedule(v.rule))
            .cloned()
            .collect();
        out.push(Decided {
            env: p.environments[target].name.clone(),
            at: s.at,
            refusals,
            to_do,
        });
        previous = Some(s);
    }
    out
}

/// `conflict`: other releases' schedules into the same exclusive
/// environment whose slots overlap this one's.
fn conflicts(p: &Pipeline, r: &Release, s: &Schedule, others: &Others) -> Vec<Violation> {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    others
        .schedules
        .iter()
        .filter(|(id, o)| *id != r.id && o.env.eq_ignore_ascii_case(&s.env) && o.overlaps(s))
        .map(|(id, o)| {
            Violation::new(
                RuleCode::Conflict,
                format!(
                    "{} holds one release at a time and {id} is booked there from {} to {}",
                    s.env,
                    when(&p.calendar, o.at),
                    when(&p.calendar, o.until())
                ),
            )
        })
        .collect()
}

/// Schedules that can never be applied: into an environment the release
/// has already reached or passed (it was promoted by hand or rolled
/// forward meanwhile), or one the pipeline no longer has. Dropped whenever
/// the release's schedules are changed.
pub fn is_stale(p: &Pipeline, r: &Release, s: &Schedule) -> bool {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    match (p.position(&r.environment), p.position(&s.env)) {
        (Some(current), Some(target)) => target <= current,
        _ => true,
    }
}

/// The refusals of the decisions, as one verdict.
pub fn refusals(decided: &[Decided]) -> Verdict {
    Verdict {
        violations: decided
            .iter()
            .flat_map(|d| d.refusals.iter().cloned())
            .collect(),
    }
}

/// The earliest instant at or after `not_before` (and after the schedule
/// into the environment before, if any) at which the time rules let `r`
/// enter `target` and no other release's slot there overlaps `slot`
/// booked from then. None when time never passes.
pub fn earliest(
    p: &Pipeline,
    r: &Release,
    target: usize,
    template: &Schedule,
    others: &Others,
    not_before: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let previous = in_pipeline_order(p, r)
        .into_iter()
        .filter(|s| p.position(&s.env).is_some_and(|i| i < target))
        .map(|s| s.at)
        .max();
    let mut from = previous.map_or(not_before, |t| t.max(not_before));
    // Each round jumps past one overlapping slot; a bounded number of
    // rounds keeps this total on any input.
    for _ in 0..64 {
        let t = verdict_at(p, r, target, others, from).time_ready_at?;
        let mut candidate = template.clone();
        candidate.at = t;
        let blocking_end = others
            .schedules
            .iter()
            .filter(|(id, o)| {
                *id != r.id && o.env.eq_ignore_ascii_case(&candidate.env) && o.overlaps(&candidate)
            })
            .map(|(_, o)| o.until())
            .max();
        match blocking_end {
            Some(end) if p.environments[target].exclusive => from = end,
            _ => return Some(t),
        }
    }
    None
}

/// `notice`: a schedule into an environment with `schedule_notice` may not
/// be moved or cancelled later than that before its time.
pub fn notice(p: &Pipeline, s: &Schedule, now: DateTime<Utc>, what: &str) -> Option<Violation> {
    let env = p.env(&s.env)?;
    let span = env.schedule_notice?;
    let secs = i64::try_from(span.as_std().as_secs()).ok()?;
    let deadline =
        s.at.checked_sub_signed(chrono::Duration::try_seconds(secs)?)?;
    (now > deadline).then(|| {
        Violation::new(
            RuleCode::Notice,
            format!(
                "the schedule into {} at {} can only be {what} up to {span} before it (until {}); \
                 override with --override notice --reason",
                env.name,
                when(&p.calendar, s.at),
                when(&p.calendar, deadline)
            ),
        )
    })
}

/// What `rel unschedule` of environment `target` does to `r`'s schedules.
#[derive(Debug, Clone, PartialEq)]
pub struct Unscheduled {
    /// The schedule into `target` and every later one (they suppose it
    /// happens): they go. Stale ones are not counted: they go anyway.
    pub cancelled: Vec<Schedule>,
    /// The schedules before `target`, which stay (the stale ones dropped,
    /// as every change of the schedules drops them).
    pub kept: Vec<Schedule>,
    /// The `notice` violations of cancelling `cancelled` at `now`.
    pub late: Vec<Violation>,
}

/// `rel unschedule` of `target` at `now`, as the command does it and the
/// audit replays it.
pub fn unschedule(p: &Pipeline, r: &Release, target: usize, now: DateTime<Utc>) -> Unscheduled {
    let (cancelled, kept): (Vec<Schedule>, Vec<Schedule>) = r
        .schedules
        .iter()
        .filter(|s| !is_stale(p, r, s))
        .cloned()
        .partition(|s| p.position(&s.env).is_none_or(|i| i >= target));
    let late = cancelled
        .iter()
        .filter_map(|s| notice(p, s, now, "cancelled"))
        .collect();
    Unscheduled {
        cancelled,
        kept,
        late,
    }
}

#[cfg(test)]
#[path = "tests/schedule_props.rs"]
mod props;
