//! Property: a schedule accepted at T is never refused by the time rules
//! when applied at T, provided each earlier scheduled step happened at its
//! own scheduled time (contract section 7).

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use super::*;
use crate::model::release::State;
use crate::rules::promotion::props::{minute, pipeline, release};

/// A pipeline, a release in progress in it, and `now`.
fn case() -> impl Strategy<Value = (Pipeline, Release, DateTime<Utc>)> {
    (0i64..1_000_000)
        .prop_flat_map(|m| {
            let now = minute(m);
            (Just(now), pipeline(now))
        })
        .prop_flat_map(|(now, p)| {
            let n = p.environments.len();
            (Just(p), release(n, now), Just(now))
        })
        .prop_filter("in progress", |(_, r, _)| r.state.in_progress())
}

fn schedule(env: &str, at: DateTime<Utc>) -> Schedule {
    Schedule {
        env: env.to_string(),
        at,
        slot: None,
        by: "P <p@x.example>".into(),
        made_at: at,
        auto: false,
        note: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Schedules are made one after another into each environment ahead,
    /// each at a random instant (kept when accepted) or at `earliest`; then
    /// the release is promoted at each schedule's own time, and the time
    /// rules of the real check never refuse.
    #[test]
    fn an_accepted_schedule_passes_the_time_rules_when_applied_on_time(
        (p, r, now) in case(),
        offsets in prop::collection::vec((any::<bool>(), 0i64..20_000), 5),
    ) {
        let mut proposed = r.clone();
        let current = p.position(&r.environment).unwrap();
        for (target, (at_earliest, minutes)) in (current + 1..p.environments.len()).zip(offsets) {
            let name = p.environments[target].name.clone();
            let template = schedule(&name, now);
            let at = if at_earliest {
                match earliest(&p, &proposed, target, &template, &Others::NONE, now) {
                    Some(t) => t,
                    None => break,
                }
            } else {
                now + Duration::minutes(minutes)
            };
            let mut candidate = proposed.clone();
            candidate.schedules.push(schedule(&name, at));
            let accepted = refusals(&decide_all(&p, &candidate, &Others::NONE)).allowed();
            if at_earliest {
                // `earliest` is an instant the rules accept, unless the
                // environment cannot be reached (order, passing over one).
                let order = decide_all(&p, &candidate, &Others::NONE)
                    .iter()
                    .any(|d| d.refusals.iter().any(|v| v.rule == RuleCode::Order));
                prop_assert!(accepted || order, "earliest {at} refused");
            }
            if accepted {
                proposed = candidate;
            }
        }
        // Apply each schedule at its own time, as `rel due` would.
        let mut real = r.clone();
        prop_assume!(real.state == State::Open || real.state == State::Frozen);
        for s in in_pipeline_order(&p, &proposed) {
            let target = p.position(&s.env).unwrap();
            let v = check_promotion(&PromotionInput {
                pipeline: &p,
                dependencies: &[],
                release: &real,
                target,
                occupants: &[],
                now: s.at,
            });
            let time: Vec<_> = v.verdict.violations.iter().filter(|x| x.rule.is_time_rule()).collect();
            prop_assert!(time.is_empty(), "{} at {}: {:?}", s.env, s.at, time);
            moves::promote(&mut real, &s.env, &[], None, Stamp { at: s.at, by: &s.by });
        }
    }

    /// Zero-touch schedules are accepted schedules too.
    #[test]
    fn auto_schedules_are_accepted(
        (mut p, r, now) in case(),
        auto in prop::collection::vec(any::<bool>(), 5),
    ) {
        for (e, a) in p.environments.iter_mut().zip(auto) {
            e.auto_schedule = a;
        }
        let made = crate::rules::auto_schedule::after_change(&p, &r, &Others::NONE, now, "rel");
        let mut proposed = r.clone();
        proposed.schedules.extend(made);
        prop_assert!(refusals(&decide_all(&p, &proposed, &Others::NONE)).allowed());
    }

    /// `unschedule` of an environment cancels the schedule into it and
    /// every later one and keeps the earlier ones, dropping stale ones from
    /// both; only a cancelled schedule can be late, and late means `notice`.
    #[test]
    fn unschedule_cancels_from_the_target_on(
        (mut p, mut r, now) in case(),
        into in prop::collection::vec((0usize..8, 0i64..20_000), 0..6),
        target in 0usize..8,
        notice_minutes in 0u64..30_000,
    ) {
        let n = p.environments.len();
        let target = target % n;
        for e in &mut p.environments {
            e.schedule_notice = Some(crate::model::span::Span::from_secs(notice_minutes * 60));
        }
        r.schedules = into
            .iter()
            .map(|(e, m)| schedule(&p.environments[e % n].name, now + Duration::minutes(*m)))
            .collect();
        let u = unschedule(&p, &r, target, now);
        let fresh: Vec<&Schedule> = r.schedules.iter().filter(|s| !is_stale(&p, &r, s)).collect();
        prop_assert_eq!(u.cancelled.len() + u.kept.len(), fresh.len());
        for s in &u.cancelled {
            prop_assert!(p.position(&s.env).is_some_and(|i| i >= target));
        }
        for s in &u.kept {
            prop_assert!(p.position(&s.env).is_some_and(|i| i < target));
        }
        prop_assert!(u.late.len() <= u.cancelled.len());
        prop_assert!(u.late.iter().all(|v| v.rule == RuleCode::Notice));
        let due_soon = u
            .cancelled
            .iter()
            .filter(|s| s.at - now < Duration::minutes(notice_minutes as i64))
            .count();
        prop_assert_eq!(u.late.len(), due_soon);
    }
}
