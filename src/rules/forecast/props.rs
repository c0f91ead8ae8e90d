//! The forecast agrees with the rest of rel (contract 11.8), over random
//! pipelines and releases: windows and blackouts in calendars whose time
//! zones change to and from summer time within the forecast, holidays,
//! exclusive environments (per installation), schedules, holds and
//! dependencies.
//!
//! - Following it is never refused: each forecast move, replayed in order
//!   through `decide::promote::promote` (the decision `rel promote` and
//!   `rel due --apply` make) with the person steps done just before, is
//!   allowed; with `--strict`, without doing any person step. A forecast
//!   close (of a release another waits to see released) goes through
//!   `rel close`'s decision the same way; `--strict` closes nothing.
//! - Two releases never overlap in an exclusive environment, in the
//!   replayed world (as `occupancy` counts) nor in the forecast's steps.
//! - For a release alone, its entries are `rel plan`'s earliest.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use crate::model::calendar::{Blackout, BlackoutBound, Calendar, WeekdaySet};
use crate::model::pipeline::{ChecklistItem, Environment, Pipeline, Soak};
use crate::model::release::{ChecklistKind, Dependency, Kind, Release, State};
use crate::model::schedule::{Hold, Schedule};
use crate::model::window::parse_window;
use crate::rules::actions::may_close;
use crate::rules::checklists::items;
use crate::rules::decide::promote::{promote, Ask};
use crate::rules::moves::{self, CheckResult, NewRelease};
use crate::rules::occupancy::Occupancy;
use crate::rules::plan::plan;
use crate::rules::register::effects::{self, Stamp};

use super::{forecast, Forecast, Request};

const ENVS: usize = 4;
const CASES: u32 = 256;
const ROLES: [&str; 2] = ["client", "rm"];
const APPROVERS: [&str; 2] = ["ana@x.example", "bo@x.example"];
const WINDOWS: [&str; 5] = [
    "workdays 09:00-17:00",
    "tue-thu 10:00-12:00",
    "daily 22:00-02:00",
    "sat 01:00-03:00",
    "mon,wed,fri 01:30-02:30",
];
/// Starts a few weeks before summer time begins or ends in Europe and in
/// America (and Sydney's the other way round), so the forecast crosses it.
const STARTS: [(i32, u32, u32); 4] = [(2026, 3, 2), (2026, 3, 20), (2026, 10, 12), (2026, 10, 26)];
const ZONES: [Tz; 4] = [
    Tz::UTC,
    Tz::Europe__London,
    Tz::America__New_York,
    Tz::Australia__Sydney,
];

/// An environment, and its blackout as (first day from the start, days).
fn env_strategy() -> impl Strategy<Value = (Environment, Option<(i64, i64)>)> {
    (
        (
            0u32..3,
            prop::bool::weighted(0.4),
            prop::bool::weighted(0.3),
        ),
        prop::option::weighted(0.35, 0..WINDOWS.len()),
        prop::option::weighted(0.25, (0i64..40, 0i64..6)),
        prop::sample::subsequence(ROLES.to_vec(), 0..=2),
        (
            prop::bool::weighted(0.3),
            prop::bool::weighted(0.3),
            prop::bool::weighted(0.3),
            prop::bool::weighted(0.3),
            prop::bool::weighted(0.3),
        ),
    )
        .prop_map(
            |(
                (soak, exclusive, frozen),
                window,
                blackout,
                approvals,
                (entry, exit, health, confirm, distinct),
            )| {
                let mut e = Environment::named("x");
                e.soak = Soak {
                    major: soak + 1,
                    minor: soak,
                    patch: soak.saturating_sub(1),
                };
                e.exclusive = exclusive;
                e.requires_frozen = frozen;
                e.windows = window
                    .map(|w| vec![parse_window(WINDOWS[w]).expect("a valid window")])
                    .unwrap_or_default();
                e.approvals = approvals.into_iter().map(str::to_string).collect();
                e.distinct_approvers = distinct;
                let item = |text: &str| ChecklistItem {
                    item: text.to_string(),
                    kinds: Vec::new(),
                };
                if entry {
                    e.entry_checklist = vec![item("ready")];
                }
                if exit {
                    e.exit_checklist = vec![item("done")];
                }
                e.requires_health = health;
                e.confirm = confirm;
                (e, blackout)
            },
        )
}

/// A pipeline of `ENVS` environments (the first never exclusive: every
/// release may start there) in a calendar with holidays, and the start.
fn pipeline() -> impl Strategy<Value = (Pipeline, DateTime<Utc>)> {
    (
        prop::collection::vec(env_strategy(), ENVS),
        0..ZONES.len(),
        0..STARTS.len(),
        0i64..(7 * 24 * 60),
        prop::collection::btree_set(0i64..60, 0..5),
    )
        .prop_map(|(envs, zone, start, minutes, holidays)| {
            let (y, m, d) = STARTS[start];
            let day0 = NaiveDate::from_ymd_opt(y, m, d).expect("a date");
            let now = Utc
                .with_ymd_and_hms(y, m, d, 0, 0, 0)
                .single()
                .expect("an instant")
                + Duration::minutes(minutes);
            let environments = envs
                .into_iter()
                .enumerate()
                .map(|(n, (mut e, blackout))| {
                    e.name = format!("e{n}");
                    e.exclusive &= n > 0;
                    if let Some((from, len)) = blackout {
                        let from = day0 + Duration::days(from);
                        e.blackouts = vec![Blackout {
                            from: BlackoutBound::Date(from),
                            to: BlackoutBound::Date(from + Duration::days(len)),
                            reason: Some("freeze".into()),
                        }];
                    }
                    e
                })
                .collect();
            let calendar = Calendar {
                timezone: ZONES[zone],
                workdays: WeekdaySet::MON_FRI,
                holidays: holidays
                    .into_iter()
                    .map(|k| day0 + Duration::days(k))
                    .collect(),
            };
            let p = Pipeline {
                pipelines: Default::default(),
                updates: Default::default(),
                override_by: None,
                notify_on: None,
                calendar,
                roles: Default::default(),
                environments,
                require_incidents: true,
                sync: None,
                notify: Vec::new(),
                simple_max_hop: Default::default(),
                paths_table: false,
                installations: Default::default(),
                audit: Default::default(),
            };
            (p, now)
        })
}

/// What one release is drawn as.
#[derive(Debug, Clone)]
struct Draw {
    env: usize,
    kind: Kind,
    days_ago: i64,
    frozen: bool,
    held: bool,
    installation: Option<usize>,
    target: Option<i64>,
    depends: Option<(usize, Option<usize>, Option<usize>)>,
    schedule: Option<(i64, bool)>,
}

fn draw() -> impl Strategy<Value = Draw> {
    (
        (
            0..ENVS,
            prop::sample::select(vec![Kind::Major, Kind::Minor, Kind::Patch]),
            0i64..(10 * 24 * 60),
            prop::bool::weighted(0.5),
            prop::bool::weighted(0.1),
        ),
        prop::option::weighted(0.3, 0usize..2),
        prop::option::weighted(0.4, 0i64..60),
        prop::option::weighted(
            0.2,
            (
                0usize..8,
                prop::option::of(0..ENVS),
                prop::option::of(1..ENVS),
            ),
        ),
        prop::option::weighted(0.2, (0i64..(20 * 24), prop::bool::ANY)),
    )
        .prop_map(
            |((env, kind, days_ago, frozen, held), installation, target, depends, schedule)| Draw {
                env,
                kind,
                days_ago,
                frozen,
                held,
                installation,
                target,
                depends,
                schedule,
            },
        )
}

/// The releases drawn, placed so that no exclusive environment holds two
/// releases of one installation to begin with.
fn releases(p: &Pipeline, now: DateTime<Utc>, draws: &[Draw]) -> Vec<Release> {
    let mut out: Vec<Release> = Vec::new();
    for (n, d) in draws.iter().enumerate() {
        let id = format!("R{n}");
        let entered = now - Duration::minutes(d.days_ago);
        let version = semver::Version::new(1, n as u64, 0);
        let installation = d.installation.map(|i| format!("inst{i}"));
        let mut r = moves::create(
            &NewRelease {
                pipeline: None,
                id: &id,
                title: "t",
                version: &version,
                kind: d.kind,
                target: d.target.map(|k| now.date_naive() + Duration::days(k)),
                first: &p.environments[0].name,
                installation: installation.as_deref(),
                from_version: None,
                path: None,
            },
            Stamp {
                at: entered,
                by: "Ana <ana@x.example>",
            },
        );
        let mut env = d.env;
        let e = &p.environments[env];
        if e.exclusive
            && !out[..]
                .occupants(
                    &e.name,
                    crate::rules::occupancy::Asker {
                        id: &id,
                        installation: installation.as_deref(),
                        pipeline: crate::model::named_pipelines::DEFAULT_PIPELINE,
                    },
                )
                .is_empty()
        {
            env = 0;
        }
        r.environment = p.environments[env].name.clone();
        if d.frozen {
            r.state = State::Frozen;
        }
        if d.held {
            r.held = Some(Hold {
                by: "Ana".into(),
                at: entered,
                reason: "wait".into(),
            });
        }
        if let Some((on, reached, before)) = d.depends {
            let on = on % draws.len();
            if on != n {
                r.depends.push(Dependency {
                    release: format!("R{on}"),
                    reached: reached.map(|k| p.environments[k].name.clone()),
                    before: before.map(|k| p.environments[k].name.clone()),
                });
            }
        }
        if let (Some((hours, auto)), true) = (d.schedule, env + 1 < ENVS) {
            r.schedules.push(Schedule {
                env: p.environments[env + 1].name.clone(),
                at: now + Duration::hours(hours),
                slot: None,
                by: "Ana <ana@x.example>".into(),
                made_at: entered,
                auto,
                note: None,
            });
        }
        out.push(r);
    }
    out
}

/// Does the person steps of entering `env` (freeze, approvals by distinct
/// people, ticks, a passing health report) on `r` at `at`.
fn person_steps(p: &Pipeline, r: &mut Release, env: &str, at: DateTime<Utc>) {
    let s = Stamp {
        at,
        by: "Bo <bo@x.example>",
    };
    let target = p
        .env(env)
        .expect("a forecast names environments of the pipeline");
    let current = p
        .env(&r.environment)
        .expect("the release is in the pipeline");
    if target.requires_frozen && !r.is_frozen() {
        effects::freeze(r, s);
    }
    for (k, role) in target.approvals.iter().enumerate() {
        moves::approve(r, env, role, APPROVERS[k % APPROVERS.len()], s);
    }
    let entry: Vec<String> = items(target, r, ChecklistKind::Entry)
        .iter()
        .map(|i| i.text.to_string())
        .collect();
    for text in entry {
        moves::tick(r, env, ChecklistKind::Entry, &text, s);
    }
    let exit: Vec<String> = items(current, r, ChecklistKind::Exit)
        .iter()
        .map(|i| i.text.to_string())
        .collect();
    for text in exit {
        moves::tick(r, &current.name, ChecklistKind::Exit, &text, s);
    }
    if target.requires_health {
        let check = CheckResult {
            env: r.environment.clone(),
            revision: r.revision,
            passed: true,
            duration_ms: None,
            tests_passed: None,
            tests_failed: None,
            report: None,
            command: None,
            detail: None,
            log: None,
        };
        moves::record_health(r, &check, s);
    }
}

/// Replays the forecast's moves, in its order, through the promotion
/// decision; after each, no exclusive environment holds two releases.
fn replay(
    p: &Pipeline,
    mut world: Vec<Release>,
    f: &Forecast,
    do_person_steps: bool,
) -> Result<(), TestCaseError> {
    let mut last = f.at;
    for m in &f.moves {
        prop_assert!(m.at >= last, "moves run backwards at {}", m.at);
        last = m.at;
        let i = world
            .iter()
            .position(|r| r.id == m.release)
            .expect("a forecast moves releases it was given");
        let mut r = world[i].clone();
        if m.closes {
            close_as_told(p, &mut r, m, do_person_steps)?;
            world[i] = r;
            continue;
        }
        if do_person_steps {
            person_steps(p, &mut r, &m.env, m.at);
        }
        let to = p.find(&m.env).expect("an environment of the pipeline");
        let ask = match r.schedule_for(&m.env) {
            Some(s) if m.scheduled => Ask::Schedule { to, at: s.at },
            _ => Ask::Person {
                to: Some(to),
                overrides: &[],
                reason: None,
            },
        };
        let carried_out = matches!(ask, Ask::Schedule { .. });
        prop_assert_eq!(m.scheduled, carried_out);
        world[i] = r.clone();
        let stamp = Stamp {
            at: m.at,
            by: "Bo <bo@x.example>",
        };
        match promote(p, &world[..], &r, ask, "bo@x.example", stamp) {
            Ok(done) => world[i] = done.release,
            Err(refusal) => prop_assert!(
                false,
                "{} into {} at {} refused: {}",
                m.release,
                m.env,
                m.at,
                refusal.reasons()
            ),
        }
        for e in p.environments.iter().filter(|e| e.exclusive) {
            // A released release holds no environment (`occupancy`).
            for r in world
                .iter()
                .filter(|r| r.environment == e.name && r.state.in_progress())
            {
                let others = world[..].occupants(&e.name, r.into());
                prop_assert!(others.is_empty(), "{} and {others:?} in {}", r.id, e.name);
            }
        }
    }
    Ok(())
}

/// A forecast close, replayed through `rel close`'s decision with the
/// exit checklist ticked just before (unless `--strict`, which closes
/// nothing).
fn close_as_told(
    p: &Pipeline,
    r: &mut Release,
    m: &super::Move,
    do_person_steps: bool,
) -> Result<(), TestCaseError> {
    prop_assert!(do_person_steps, "--strict closed {}", r.id);
    prop_assert_eq!(&r.environment, &m.env);
    let s = Stamp {
        at: m.at,
        by: "Bo <bo@x.example>",
    };
    let last = p.env(&m.env).expect("the release is in the pipeline");
    let exit: Vec<String> = items(last, r, ChecklistKind::Exit)
        .iter()
        .map(|i| i.text.to_string())
        .collect();
    for text in exit {
        moves::tick(r, &m.env, ChecklistKind::Exit, &text, s);
    }
    let verdict = may_close(p, r);
    prop_assert!(
        verdict.allowed(),
        "closing {} at {} refused: {:?}",
        r.id,
        m.at,
        verdict
    );
    moves::close(r, &mut [], s);
    Ok(())
}

/// A stay: installation, enter, leave, release.
type Stay<'a> = (
    &'a Option<String>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    &'a str,
);

/// No two stays of one installation's releases overlap in an exclusive
/// environment, as the forecast draws them (a stay of no time holds none).
fn no_overlap(p: &Pipeline, f: &Forecast) -> Result<(), TestCaseError> {
    for e in p.environments.iter().filter(|e| e.exclusive) {
        let stays: Vec<Stay> = f
            .releases
            .iter()
            .flat_map(|r| {
                // A release the forecast closes holds its last
                // environment until then.
                let last = r.steps.len() - 1;
                r.steps
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.env == e.name && s.leave != Some(s.enter))
                    .map(move |(n, s)| {
                        let leave = if n == last {
                            s.leave.or(r.closed_at)
                        } else {
                            s.leave
                        };
                        (&r.installation, s.enter, leave, r.release.as_str())
                    })
            })
            .collect();
        for (a, b) in stays
            .iter()
            .enumerate()
            .flat_map(|(n, a)| stays[n + 1..].iter().map(move |b| (a, b)))
        {
            if a.0 != b.0 {
                continue;
            }
            let apart = a.2.is_some_and(|l| l <= b.1) || b.2.is_some_and(|l| l <= a.1);
            prop_assert!(apart, "{} and {} overlap in {}", a.3, b.3, e.name);
        }
    }
    Ok(())
}

fn request(now: DateTime<Utc>, strict: bool) -> Request {
    Request {
        now,
        until: now + Duration::days(120),
        strict,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn following_the_forecast_is_never_refused(
        (p, now) in pipeline(),
        draws in prop::collection::vec(draw(), 1..7),
    ) {
        let world = releases(&p, now, &draws);
        let f = forecast(&p, &world, request(now, false));
        replay(&p, world.clone(), &f, true)?;
        no_overlap(&p, &f)?;
        // Held releases never move.
        for r in world.iter().filter(|r| r.held.is_some()) {
            prop_assert!(f.moves.iter().all(|m| m.release != r.id), "{} is held", r.id);
        }
        // A release another (still open then) waits to see released is
        // closed the moment it is done, unless held (a close is a person
        // step, contract 11.8); no other release is closed.
        for r in &f.releases {
            let given = world.iter().find(|w| w.id == r.release).expect("given");
            // (Already there: closed now.)
            let done = r.done_at.map(|d| d.max(f.at));
            let closed_by = |id: &str| {
                f.releases
                    .iter()
                    .find(|x| x.release == id)
                    .and_then(|x| x.closed_at)
            };
            let waiters: Vec<Option<DateTime<Utc>>> = world
                .iter()
                .filter(|w| {
                    w.state.in_progress()
                        && w.depends.iter().any(|d| d.release == r.release && d.reached.is_none())
                })
                .map(|w| closed_by(&w.id))
                .collect();
            let open_then = waiters.iter().any(|c| c.is_none() || *c > done);
            // A waiter closed at that same instant: either order is right.
            let ambiguous = waiters.iter().any(|c| c.is_some() && *c == done);
            if given.held.is_none() && open_then && done.is_some() {
                prop_assert_eq!(r.closed_at, done, "{} is awaited", &r.release);
            } else if !ambiguous {
                prop_assert_eq!(r.closed_at, None, "{} closed", &r.release);
            }
        }
        // Under --strict, no move needs a person.
        let strict = forecast(&p, &world, request(now, true));
        replay(&p, world, &strict, false)?;
    }

    #[test]
    fn a_release_alone_enters_when_plan_says(
        (p, now) in pipeline(),
        mut d in draw(),
    ) {
        d.held = false;
        d.depends = None;
        d.schedule = None;
        let world = releases(&p, now, &[d]);
        let r = &world[0];
        let f = forecast(&p, &world, request(now, false));
        let planned = plan(&p, r, &[], &[], now);
        let steps = &f.releases[0].steps[1..];
        for (k, step) in steps.iter().enumerate() {
            prop_assert_eq!(&planned[k].env, &step.env);
            prop_assert_eq!(planned[k].earliest, Some(step.enter), "into {}", step.env);
        }
        // Where the forecast stops short, plan finds no time either.
        if f.releases[0].done_at.is_none() && f.releases[0].stopped.is_some() {
            prop_assert_eq!(planned[steps.len()].earliest, None);
        }
    }
}
