//! Schedules and holds (contract section 7) decided again: `hold` and
//! `resume` through the effect the command applies; `schedule`,
//! `reschedule` and `unschedule` by the rules the commands ask (the release
//! in progress, the schedule there or not, the notice a late change needs
//! unless overridden, and every schedule the commit leaves decided again by
//! `decide_all` against the other releases of the parent commit). The
//! instant a schedule is booked at is the commit's choice (a person typed
//! it, or `rel` found the earliest): the schedules written are judged, not
//! recomputed.

use crate::model::action::{Action, Trailers};
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::model::rule::RuleCode;
use crate::rules::moves;
use crate::rules::promotion::finished;
use crate::rules::register::effects::Stamp;
use crate::rules::schedule::{decide_all, notice, refusals, unschedule, Facts};
use crate::rules::Verdict;

use super::replay::{check, Altered, Refused, Stop};
use super::World;

/// `rel hold` / `rel resume` replayed on `r`.
pub(super) fn replay_hold(r: &mut Release, t: &Trailers, stamp: Stamp) -> Result<(), Stop> {
    if let Some(v) = finished(r) {
        return Err(Refused(v.message));
    }
    let holding = t.action == Action::Hold;
    if r.held.is_some() == holding {
        return Err(Altered(format!(
            "{} is {} already: rel records nothing for this {}",
            r.id,
            if holding { "on hold" } else { "not on hold" },
            t.action
        )));
    }
    let reason = t.reason.as_deref().map(str::trim).filter(|x| !x.is_empty());
    if holding && reason.is_none() {
        return Err(Altered("hold without Rel-Reason: rel asks why".to_string()));
    }
    moves::set_hold(r, holding, reason, stamp);
    Ok(())
}

/// `rel schedule`, `reschedule` or `unschedule` replayed on `r` (the
/// parent's release), `after` being what the commit wrote.
pub(super) fn replay_schedule(
    p: &Pipeline,
    world: &World,
    t: &Trailers,
    after: &Release,
    r: &mut Release,
    at: chrono::DateTime<chrono::Utc>,
    email: &str,
) -> Result<(), Stop> {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    if let Some(v) = finished(r) {
        return Err(Refused(v.message));
    }
    let name = t
        .env
        .as_deref()
        .ok_or_else(|| Altered(format!("{} without Rel-Env", t.action)))?;
    let target = p.find(name).map_err(Refused)?;
    let env = p.environments[target].name.clone();
    let existing = r.schedule_for(&env).cloned();
    let late: Vec<_> = match (t.action, &existing) {
        (Action::Schedule, Some(_)) => {
            return Err(Refused(format!("{} is already scheduled into {env}", r.id)))
        }
        (Action::Schedule, None) => Vec::new(),
        (_, None) => return Err(Refused(format!("{} is not scheduled into {env}", r.id))),
        (Action::Reschedule, Some(old)) => notice(p, old, at, "moved").into_iter().collect(),
        (_, Some(_)) => unschedule(p, r, target, at).late,
    };
    let overridden = t.overrides.contains(&RuleCode::Notice);
    if !overridden {
        check(Verdict { violations: late })?;
    }
    // Who may set `notice` aside: as `rel reschedule/unschedule` asks.
    check(crate::rules::overrides::may_override(
        &p.for_release(r),
        &p.environments[target],
        &t.overrides,
        email,
    ))?;
    if t.action != Action::Unschedule {
        // Every schedule the commit leaves, decided as the command decides
        // it: against the other releases in progress in the parent commit.
        let mut proposed = r.clone();
        proposed.schedules = after.schedules.clone();
        let facts = Facts::of_all(p, world.releases.values(), &r.id);
        check(refusals(&decide_all(p, &proposed, &facts.others())))?;
        if proposed.schedule_for(&env).is_none() {
            return Err(Altered(format!(
                "{} records no schedule into {env}",
                t.action
            )));
        }
    } else if after.schedule_for(&env).is_some() {
        return Err(Altered(format!(
            "unschedule leaves the schedule into {env} in place"
        )));
    }
    // The effect: the schedules written, and the command's event (its
    // words, the instant and the reason as recorded; who and when are
    // compared with the commit by the caller).
    r.schedules = after.schedules.clone();
    match after.history.last() {
        Some(e) if e.action == t.action.name() => r.history.push(e.clone()),
        _ => {
            return Err(Altered(format!(
                "{}'s newest history event is not the commit's `{}`",
                r.id, t.action
            )))
        }
    }
    Ok(())
}
