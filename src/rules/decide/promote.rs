//! The promotion decision: `rel promote`, a due schedule carried out by
//! `rel due --apply`, the audit's replay of either, and the sequence
//! properties all come here.

use chrono::{DateTime, Utc};

use crate::model::pipeline::{Environment, Pipeline};
use crate::model::release::Release;
use crate::model::rule::RuleCode;
use crate::model::schedule::Schedule;
use crate::rules::due;
use crate::rules::moves;
use crate::rules::occupancy::Asker;
use crate::rules::occupancy::Occupancy;
use crate::rules::overrides::{may_override, permitted_overrides, Overridden};
use crate::rules::promotion::{
    check_promotion, finished_verdict, resolve_target, PromotionInput, PromotionVerdict,
};
use crate::rules::register::effects::Stamp;

use super::Refusal;

/// What is asked.
#[derive(Debug, Clone, Copy)]
pub enum Ask<'a> {
    /// `rel promote`: a person moves the release into `to` (an index in
    /// the pipeline; None: the next environment on its path), setting
    /// `overrides` aside for `reason`.
    Person {
        to: Option<usize>,
        overrides: &'a [RuleCode],
        reason: Option<&'a str>,
    },
    /// `rel due --apply`: the schedule into `to` booked for `at` carried
    /// out (it must be booked, and due).
    Schedule { to: usize, at: DateTime<Utc> },
}

/// An allowed promotion: the release as it is after it, and what the
/// command says and records.
#[derive(Debug, Clone)]
pub struct Promotion {
    pub release: Release,
    pub from: String,
    pub to: String,
    /// Overrides that set a failing rule aside (recorded).
    pub used: Vec<RuleCode>,
    /// Overrides asked for whose rule passes anyway (not recorded).
    pub unused: Vec<RuleCode>,
    /// The target asks for a confirmation (`confirm`); a schedule made by
    /// a person already counts as one.
    pub confirm: bool,
}

/// The verdict on moving `release` into `to` (None: next) at `now`: what
/// `rel check` shows and what `promote` decides on. Err: the target is not
/// one the release can be asked about (exit 2).
pub fn verdict(
    p: &Pipeline,
    others: &(impl Occupancy + ?Sized),
    release: &Release,
    to: Option<usize>,
    now: DateTime<Utc>,
) -> Result<PromotionVerdict, String> {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(release);
    let named = to.and_then(|i| p.environments.get(i));
    if let Some(over) = finished_verdict(release, named, now) {
        return Ok(over);
    }
    let target = resolve_target(p, release, named.map(|e| e.name.as_str()))?;
    Ok(verdict_into(p, others, release, target, now))
}

/// The verdict on moving `release` into environment `target` (an index)
/// at `now`, with the occupants of `target` when it is exclusive.
pub fn verdict_into(
    p: &Pipeline,
    others: &(impl Occupancy + ?Sized),
    release: &Release,
    target: usize,
    now: DateTime<Utc>,
) -> PromotionVerdict {
    let p = &*p.lane_of(release);
    let occupants = match p.environments.get(target) {
        Some(e) if e.exclusive => others.occupants(&e.name, Asker::from(release)),
        _ => Vec::new(),
    };
    let dependencies = crate::rules::depends::facts(release, others);
    check_promotion(&PromotionInput {
        pipeline: p,
        release,
        target,
        occupants: &occupants,
        dependencies: &dependencies,
        now,
    })
}

/// May `release` be promoted as `ask` says, by `email` at `stamp`? The
/// effect applied, or why not.
pub fn promote(
    p: &Pipeline,
    others: &(impl Occupancy + ?Sized),
    release: &Release,
    ask: Ask,
    email: &str,
    stamp: Stamp,
) -> Result<Promotion, Refusal> {
    let p = &*p.lane_of(release);
    let now = stamp.at;
    let (to, asked) = match ask {
        Ask::Person { to, overrides, .. } => (to, overrides),
        Ask::Schedule { to, .. } => (Some(to), &[][..]),
    };
    let v = verdict(p, others, release, to, now).map_err(Refusal::Invalid)?;
    // No target only for a release that is over: its `state` refuses.
    let Some(target) = v.to.as_deref().and_then(|to| p.env(to)) else {
        // An override that can never be used is still bad input: asked
        // of an environment that allows every overridable rule.
        permitted_overrides(&Environment::named(&v.from), asked).map_err(Refusal::Invalid)?;
        return Err(Refusal::Refused {
            summary: format!("{} cannot move on from {}", release.id, v.from),
            verdict: v.verdict,
        });
    };
    let overrides = permitted_overrides(target, asked).map_err(Refusal::Invalid)?;
    let Overridden {
        mut remaining,
        used,
        unused,
    } = v.overridden(&overrides);
    remaining
        .violations
        .extend(may_override(&p.for_release(release), target, &used, email).violations);
    if !remaining.allowed() {
        return Err(Refusal::Refused {
            summary: format!("{} cannot move {} -> {}", release.id, v.from, target.name),
            verdict: remaining,
        });
    }
    let mut after = release.clone();
    let by_schedule = match ask {
        Ask::Person { reason, .. } => {
            moves::promote(&mut after, &target.name, &used, reason, stamp);
            false
        }
        Ask::Schedule { at, .. } => {
            let s = carried_out(release, &target.name, at, now)?;
            due::apply(&mut after, &s, stamp);
            true
        }
    };
    Ok(Promotion {
        release: after,
        from: v.from,
        to: target.name.clone(),
        used,
        unused,
        confirm: target.confirm && !by_schedule,
    })
}

/// The schedule into `env` a due promotion carries out: booked for `at`,
/// and due by `now`.
fn carried_out(
    r: &Release,
    env: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Schedule, Refusal> {
    let when = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let refused = |m: String| Refusal::Refused {
        summary: m.clone(),
        verdict: crate::rules::Verdict {
            violations: vec![crate::rules::Violation::new(RuleCode::Order, m)],
        },
    };
    let s = r
        .schedule_for(env)
        .ok_or_else(|| refused(format!("{} is not scheduled into {env}", r.id)))?;
    if s.at != at {
        return Err(refused(format!(
            "{} is scheduled into {env} at {}, not at {}",
            r.id,
            when(s.at),
            when(at)
        )));
    }
    if s.at > now {
        return Err(refused(format!(
            "{}'s schedule into {env} at {} is not due yet",
            r.id,
            when(at)
        )));
    }
    Ok(s.clone())
}
