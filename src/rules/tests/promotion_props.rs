//! Properties of the promotion verdict over random pipelines (2-5
//! environments with random soak, frozen, exclusive, approvals, checklists,
//! health, windows, blackouts, optional), random releases and a random `now`.
//! The time arithmetic itself is property-tested in `time_props`; these are
//! about how the rules compose into one verdict, and how `plan` asks it.

use crate::model::action::Action;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;
use crate::model::calendar::{Blackout, BlackoutBound, Calendar, WeekdaySet};
use crate::model::pipeline::{ChecklistItem, Soak};
use crate::model::release::{Approval, Event, HealthReport, Kind, State, Tick};
use crate::model::window::parse_window;
use crate::rules::plan::plan;
use crate::rules::time::{active_blackout, window_open};

const ZONES: [Tz; 4] = [
    Tz::UTC,
    chrono_tz::Europe::London,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Lord_Howe,
];
const ROLES: [&str; 2] = ["client", "rm"];
const EMAILS: [&str; 3] = ["c@x.example", "r@x.example", "a@x.example"];
const ITEMS: [&str; 3] = ["one", "two", "three"];
const KINDS: [Kind; 3] = [Kind::Major, Kind::Minor, Kind::Patch];
/// 2026-01-01T00:00:00Z; instants are drawn within a couple of years of it.
const EPOCH: i64 = 1_767_225_600;

pub(crate) fn minute(m: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(EPOCH + m * 60, 0).unwrap()
}

fn calendar() -> impl Strategy<Value = Calendar> {
    let zone = prop::sample::select(ZONES.to_vec());
    let workdays = prop_oneof![
        3 => Just(WeekdaySet::MON_FRI),
        1 => (1u8..128).prop_map(|bits| {
            (0..7u8)
                .filter(|i| bits & (1 << i) != 0)
                .filter_map(|i| Weekday::try_from(i).ok())
                .collect::<WeekdaySet>()
        }),
    ];
    let holidays = prop::collection::btree_set(0i64..900, 0..20);
    (zone, workdays, holidays).prop_map(|(timezone, workdays, days)| Calendar {
        timezone,
        workdays,
        holidays: days
            .into_iter()
            .map(|d| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(d))
            .collect::<BTreeSet<_>>(),
    })
}

/// Mostly empty, so that releases are often ready and every path is taken.
fn checklist() -> impl Strategy<Value = Vec<ChecklistItem>> {
    let names = prop_oneof![
        2 => Just(Vec::new()),
        1 => prop::sample::subsequence(ITEMS.to_vec(), 1..=2),
    ];
    names.prop_flat_map(|names| {
        let n = names.len();
        prop::collection::vec(prop::sample::subsequence(KINDS.to_vec(), 0..=2), n).prop_map(
            move |kinds| {
                names
                    .iter()
                    .zip(kinds)
                    .map(|(item, kinds)| ChecklistItem {
                        item: item.to_string(),
                        kinds,
                    })
                    .collect()
            },
        )
    })
}

fn window_text() -> impl Strategy<Value = String> {
    let days = prop::sample::select(vec![
        "workdays",
        "daily",
        "tue-thu",
        "fri",
        "mon,wed,fri",
        "sat,sun",
    ]);
    (days, 0u32..24, 0u32..4, 0u32..24, 0u32..4)
        .prop_filter("not empty", |(_, h1, m1, h2, m2)| (h1, m1) != (h2, m2))
        .prop_map(|(d, h1, m1, h2, m2)| {
            format!("{d} {h1:02}:{:02}-{h2:02}:{:02}", m1 * 15, m2 * 15)
        })
}

/// A blackout around `now` (often overlapping it and each other), as local
/// dates or as instants.
fn blackout(now: DateTime<Utc>) -> impl Strategy<Value = Blackout> {
    (-15_000i64..40_000, 0i64..15_000, any::<bool>()).prop_map(move |(start, len, dates)| {
        let from = now + Duration::minutes(start);
        let to = from + Duration::minutes(len);
        if dates {
            Blackout {
                from: BlackoutBound::Date(from.date_naive()),
                to: BlackoutBound::Date(to.date_naive()),
                reason: None,
            }
        } else {
            Blackout {
                from: BlackoutBound::Instant(from),
                to: BlackoutBound::Instant(to),
                reason: None,
            }
        }
    })
}

fn environment(now: DateTime<Utc>) -> impl Strategy<Value = Environment> {
    let soak = (0u32..4, 0u32..4, 0u32..3).prop_map(|(major, minor, patch)| Soak {
        major,
        minor,
        patch,
    });
    let gates = (
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.15),
        prop_oneof![
            3 => Just(Vec::new()),
            1 => prop::sample::subsequence(ROLES.to_vec(), 1..=2),
        ],
        any::<bool>(),
        prop::bool::weighted(0.3),
    );
    let lists = (checklist(), checklist());
    let time = (
        prop::collection::vec(window_text(), 0..=2),
        prop::collection::vec(blackout(now), 0..=3),
    );
    (soak, gates, lists, time).prop_map(
        |(
            soak,
            (frozen, exclusive, health, approvals, distinct, optional),
            (entry, exit),
            (windows, blackouts),
        )| {
            let mut e = Environment::named("x");
            e.soak = soak;
            e.requires_frozen = frozen;
            e.exclusive = exclusive;
            e.requires_health = health;
            e.approvals = approvals.into_iter().map(str::to_string).collect();
            e.distinct_approvers = distinct;
            e.optional = optional;
            e.entry_checklist = entry;
            e.exit_checklist = exit;
            e.windows = windows.iter().map(|w| parse_window(w).unwrap()).collect();
            e.blackouts = blackouts;
            e
        },
    )
}

pub(crate) fn pipeline(now: DateTime<Utc>) -> impl Strategy<Value = Pipeline> {
    let roles = prop_oneof![
        Just(BTreeMap::new()),
        Just(BTreeMap::from([(
            "client".to_string(),
            vec!["c@x.example".to_string()]
        )])),
    ];
    (
        calendar(),
        roles,
        prop::collection::vec(environment(now), 2..=5),
    )
        .prop_map(|(calendar, roles, envs)| {
            let environments = envs
                .into_iter()
                .enumerate()
                .map(|(i, mut e)| {
                    e.name = format!("e{i}");
                    e
                })
                .collect();
            Pipeline {
                pipelines: Default::default(),
                override_by: None,
                notify_on: None,
                calendar,
                roles,
                environments,
                require_incidents: true,
                sync: None,
                notify: Vec::new(),
                simple_max_hop: Default::default(),
                paths_table: false,
                installations: Default::default(),
                updates: Default::default(),
                audit: Default::default(),
            }
        })
}

/// A release somewhere in a pipeline of `n` environments, with approvals,
/// ticks and health reports for random environments and revisions, entered
/// within about a week before `now`.
pub(crate) fn release(n: usize, now: DateTime<Utc>) -> impl Strategy<Value = Release> {
    let state = prop::sample::select(vec![
        State::Open,
        State::Open,
        State::Open,
        State::Frozen,
        State::Frozen,
        State::Frozen,
        State::Released,
        State::Cancelled,
    ]);
    let approvals = prop::collection::vec((0..n, 0..2usize, 0..3usize, 1u32..=2), 0..5);
    let ticks = prop::collection::vec((0..n, any::<bool>(), 0..3usize, 1u32..=2), 0..8);
    let health = prop::collection::vec((0..n, any::<bool>(), 1u32..=2, 0i64..100), 0..3);
    let head = (0..n, state, prop::sample::select(KINDS.to_vec()), 1u32..=2);
    let when = (0i64..12_000, 0u32..60);
    // Content changes (group, ungroup, unfreeze, or a freeze that is not
    // one), before or after the entry, up to now.
    let changes = prop::collection::vec((0usize..4, 0i64..15_000), 0..3);
    (head, approvals, ticks, health, when, changes).prop_map(
        move |((env, state, kind, revision), approvals, ticks, health, (back, secs), changes)| {
            let entered = now - Duration::minutes(back) + Duration::seconds(i64::from(secs));
            let name = |i: usize| format!("e{i}");
            Release {
                pipeline: None,
                id: "R-1".into(),
                title: "t".into(),
                version: "1.0.0".into(),
                kind,
                state,
                environment: name(env),
                entered_at: entered,
                revision,
                target: None,
                installation: None,
                from_version: None,
                created_at: entered,
                created_by: "a <a@x.example>".into(),
                incidents: Vec::new(),
                approvals: approvals
                    .into_iter()
                    .map(|(e, role, who, revision)| Approval {
                        env: name(e),
                        role: ROLES[role].into(),
                        by: EMAILS[who].into(),
                        email: EMAILS[who].into(),
                        at: entered,
                        revision,
                    })
                    .collect(),
                ticks: ticks
                    .into_iter()
                    .map(|(e, exit, item, revision)| Tick {
                        env: name(e),
                        checklist: if exit {
                            ChecklistKind::Exit
                        } else {
                            ChecklistKind::Entry
                        },
                        item: ITEMS[item].into(),
                        by: "a".into(),
                        at: entered,
                        revision,
                    })
                    .collect(),
                health: health
                    .into_iter()
                    .map(|(e, passed, revision, later)| HealthReport {
                        env: name(e),
                        passed,
                        by: "a".into(),
                        at: entered + Duration::minutes(later),
                        revision,
                        duration_ms: None,
                        tests_passed: None,
                        tests_failed: None,
                        report: None,
                        command: None,
                        detail: None,
                        log: None,
                    })
                    .collect(),
                schedules: Vec::new(),
                held: None,
                path: None,
                history: changes
                    .into_iter()
                    .map(|(action, back)| {
                        let action = [
                            Action::Group,
                            Action::Ungroup,
                            Action::Unfreeze,
                            Action::Freeze,
                        ][action];
                        Event::new(now - Duration::minutes(back), "a", action)
                    })
                    .collect(),
                checklist: Vec::new(),
                depends: Vec::new(),
            }
        },
    )
}

/// A pipeline, a release in it, `now`, a target index and the occupants of
/// the target (sometimes the release itself, which must not count).
fn case() -> impl Strategy<Value = (Pipeline, Release, DateTime<Utc>, usize, Vec<String>)> {
    (0i64..1_000_000)
        .prop_flat_map(|m| {
            let now = minute(m);
            (Just(now), pipeline(now))
        })
        .prop_flat_map(|(now, p)| {
            let n = p.environments.len();
            let occupants = prop::sample::select(vec![
                vec![],
                vec![],
                vec!["R-1".to_string()],
                vec!["O-9".to_string()],
            ]);
            (Just(p), release(n, now), Just(now), occupants)
        })
        .prop_flat_map(|(p, r, now, occupants)| {
            // Mostly the next environment; any one at all now and then.
            let n = p.environments.len();
            let next = p.position(&r.environment).map_or(0, |c| (c + 1).min(n - 1));
            let target = prop_oneof![3 => Just(next), 2 => 0..n];
            (Just(p), Just(r), Just(now), target, Just(occupants))
        })
}

fn verdict_at(
    p: &Pipeline,
    r: &Release,
    target: usize,
    occupants: &[String],
    now: DateTime<Utc>,
) -> PromotionVerdict {
    check_promotion(&PromotionInput {
        pipeline: p,
        dependencies: &[],
        release: r,
        target,
        occupants,
        now,
    })
}

fn time_violation(v: &PromotionVerdict) -> bool {
    v.verdict.violations.iter().any(|x| x.rule.is_time_rule())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// A move the generated inputs plainly forbid is never ready: a role the
    /// target requires with no approval at all of the release's current
    /// revision there (stated here from the inputs, not from the verdict)
    /// blocks it with `approval`, and so does a release that is over or an
    /// exclusive target held by another. Overriding nothing changes nothing;
    /// overriding every overridable rule leaves only state, order and frozen.
    #[test]
    fn plainly_forbidden_moves_are_never_ready_and_overrides_remove_only_their_rules(
        (p, r, now, target, occ) in case(),
    ) {
        let v = verdict_at(&p, &r, target, &occ, now);
        let t = &p.environments[target];
        let unapproved = t.approvals.iter().any(|role| {
            !r.approvals.iter().any(|a| {
                a.env == t.name && a.revision == r.revision && a.role.eq_ignore_ascii_case(role)
            })
        });
        let held = t.exclusive && occ.iter().any(|o| o != "R-1");
        if unapproved && r.state.in_progress() {
            prop_assert!(v.verdict.codes().contains(&RuleCode::Approval));
        }
        if v.ready() {
            prop_assert!(r.state.in_progress() && !unapproved && !held);
        }
        prop_assert_eq!(&v.without(&[]), &v.verdict);
        let left = v.without(&RuleCode::OVERRIDABLE);
        prop_assert!(left.violations.iter().all(|x| matches!(x.rule, RuleCode::State | RuleCode::Order | RuleCode::Frozen)));
        for code in v.verdict.codes() {
            let without = v.without(&[code]);
            prop_assert!(without.violations.iter().all(|x| x.rule != code));
            prop_assert_eq!(without.violations.len() + v.verdict.violations.iter().filter(|x| x.rule == code).count(), v.verdict.violations.len());
        }
        if v.ready() {
            prop_assert_eq!(v.ready_at(), Some(now));
        }
        prop_assert_eq!(&v.from, &r.environment);
        prop_assert_eq!(v.at, now);
        // A release that is over answers `state` alone, with no instant.
        if !r.state.in_progress() {
            prop_assert_eq!(v.verdict.codes(), vec![RuleCode::State]);
            prop_assert_eq!(v.verdict.violations.len(), 1);
            prop_assert!(v.earliest().is_none() && v.ready_at().is_none());
            return Ok(());
        }
        // The release's own id among the occupants never blocks it.
        let exclusive = v.verdict.codes().contains(&RuleCode::Exclusive);
        prop_assert_eq!(exclusive, p.environments[target].exclusive && occ.iter().any(|o| o != "R-1"));
    }

    /// Promotion never skips a required environment, never goes backwards,
    /// and passing over only optional ones is not an `order` violation.
    #[test]
    fn order_is_violated_exactly_when_skipping_a_required_env_or_not_moving_ahead(
        (p, r, now, target, occ) in case(),
    ) {
        prop_assume!(r.state.in_progress());
        let v = verdict_at(&p, &r, target, &occ, now);
        let current = p.position(&r.environment).unwrap();
        let order = v.verdict.codes().contains(&RuleCode::Order);
        let skips_required = target > current + 1
            && p.environments[current + 1..target].iter().any(|e| !e.optional);
        prop_assert_eq!(order, target <= current || skips_required);
    }

    /// `ready_at`, when known, is at or after `now`; at that instant the time
    /// rules pass, and since no other rule depends on the clock, the release
    /// is then ready unless a rule other than time blocks it now. Each time violation's own `ready_at` comes after `now`
    /// and no later than when all time rules pass together.
    #[test]
    fn ready_at_is_when_check_says_ready(
        (p, r, now, target, occ) in case(),
    ) {
        let v = verdict_at(&p, &r, target, &occ, now);
        for x in v.verdict.violations.iter().filter(|x| x.rule.is_time_rule()) {
            if let Some(t) = x.ready_at {
                prop_assert!(t > now, "{:?} ready_at {} <= now {}", x.rule, t, now);
                // At its ready_at, that rule alone passes.
                let then = verdict_at(&p, &r, target, &occ, t);
                prop_assert!(
                    then.verdict.violations.iter().all(|y| y.rule != x.rule),
                    "{:?} still fails at its ready_at {}: {:?}", x.rule, t, then.verdict
                );
                if let Some(all) = v.time_ready_at {
                    prop_assert!(all >= t, "{:?}: {} > all time rules {}", x.rule, t, all);
                }
            }
        }
        let cannot_move = v.verdict.violations.iter().any(|x| matches!(x.rule, RuleCode::State | RuleCode::Order));
        prop_assert_eq!(v.impossible(), cannot_move);
        // `earliest`: the time rules, unless the move is impossible.
        prop_assert_eq!(v.earliest(), if cannot_move { None } else { v.time_ready_at });
        // `ready_at`: only when nobody needs to act.
        let expected = if v.ready() {
            Some(now)
        } else if v.blocking_codes().is_empty() {
            v.time_ready_at
        } else {
            None
        };
        prop_assert_eq!(v.ready_at(), expected);
        if let Some(t) = v.ready_at() {
            prop_assert_eq!(v.earliest(), Some(t));
            prop_assert!(verdict_at(&p, &r, target, &occ, t).ready(), "not ready at its ready_at {}", t);
        }
        if let Some(t) = v.time_ready_at {
            prop_assert!(t >= now);
            let then = verdict_at(&p, &r, target, &occ, t);
            prop_assert!(!time_violation(&then), "time violations at {t}: {:?}", then.verdict);
            prop_assert_eq!(then.time_ready_at, Some(t));
            if v.blocking_codes().is_empty() {
                prop_assert!(then.ready(), "not ready at ready_at {t}: {:?}", then.verdict);
            }
        }
    }

    /// `plan`'s earliest instant for the next environment is the first
    /// instant at which `check` reports no time violation: none then, one a
    /// minute before (when that is not before now), and one at any instant
    /// between now and then.
    #[test]
    fn plan_earliest_for_the_next_env_is_the_first_instant_without_time_violations(
        (p, r, now, _, _) in case(),
        probe in 0.0f64..1.0,
    ) {
        let current = p.position(&r.environment).unwrap();
        let next = current + 1;
        prop_assume!(next < p.environments.len());
        let occupants = vec![Vec::new(); p.environments.len()];
        let steps = plan(&p, &r, &occupants, &[], now);
        prop_assert_eq!(steps.len(), p.environments.len() - next);
        let v = verdict_at(&p, &r, next, &[], now);
        prop_assert_eq!(steps[0].earliest, v.time_ready_at);
        prop_assert_eq!(&steps[0].blocked_by, &v.blocking_codes());
        let Some(earliest) = steps[0].earliest else {
            return Ok(());
        };
        prop_assert!(earliest >= now);
        prop_assert!(!time_violation(&verdict_at(&p, &r, next, &[], earliest)));
        let before = earliest - Duration::minutes(1);
        if before >= now {
            prop_assert!(time_violation(&verdict_at(&p, &r, next, &[], before)), "no time violation at {before}, earliest {earliest}");
        }
        if earliest > now {
            let span = (earliest - now).num_seconds();
            let t = now + Duration::seconds((span as f64 * probe) as i64);
            prop_assert!(t < earliest);
            prop_assert!(time_violation(&verdict_at(&p, &r, next, &[], t)), "no time violation at {t}, earliest {earliest}");
        }
        // Within a day of now, sweep: no instant before `earliest` passes.
        let mut t = now;
        while t < earliest && t - now < Duration::days(1) {
            prop_assert!(time_violation(&verdict_at(&p, &r, next, &[], t)), "no time violation at {t}, earliest {earliest}");
            t += Duration::minutes(7);
        }
        // And directly against the time rules of the target.
        let e = &p.environments[next];
        prop_assert!(window_open(&p.calendar, &e.windows, earliest));
        prop_assert!(active_blackout(&p.calendar, &e.blackouts, earliest).is_none());
    }

    /// The plan never goes back in time: every step is at or after now, and
    /// no environment is entered before a required (non-optional) one before
    /// it, through which every way in passes; past one that is never
    /// reached, nothing is.
    #[test]
    fn plan_steps_are_in_time_order(
        (p, r, now, _, _) in case(),
    ) {
        let occupants = vec![Vec::new(); p.environments.len()];
        let steps = plan(&p, &r, &occupants, &[], now);
        let current = p.position(&r.environment).unwrap();
        let mut gate = Some(now);
        for (k, s) in steps.iter().enumerate() {
            match (gate, s.earliest) {
                (Some(a), Some(b)) => prop_assert!(b >= a, "step {}: {} before {}", k, b, a),
                (None, Some(b)) => prop_assert!(false, "step {}: {} after a required step that never happens", k, b),
                _ => {}
            }
            prop_assert!(s.blocked_by.iter().all(|c| !c.is_time_rule()));
            if !p.environments[current + 1 + k].optional {
                gate = s.earliest;
            }
        }
    }

    /// `plan` agrees with `check --to`: an environment reachable directly
    /// (passing over optional ones only) is planned no later than `check`
    /// says its time rules pass; the next one exactly then.
    #[test]
    fn plan_is_never_later_than_check_to_a_directly_reachable_env(
        (p, r, now, _, _) in case(),
    ) {
        let occupants = vec![Vec::new(); p.environments.len()];
        let steps = plan(&p, &r, &occupants, &[], now);
        let current = p.position(&r.environment).unwrap();
        for (k, s) in steps.iter().enumerate() {
            let target = current + 1 + k;
            let direct = verdict_at(&p, &r, target, &[], now);
            if target == current + 1 {
                prop_assert_eq!(s.earliest, direct.time_ready_at);
            }
            if let Some(d) = direct.time_ready_at {
                prop_assert!(s.earliest.is_some_and(|e| e <= d), "step {}: plan {:?}, check --to {}", k, s.earliest, d);
            }
            if !p.environments[target].optional {
                break;
            }
        }
    }
}

#[path = "promotion_props_soak.rs"]
mod soak;
