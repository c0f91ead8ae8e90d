//! Examples of the forecast: who goes first in a queue, why a release
//! waits, a window across a change to summer time, a dependency, a
//! schedule, `--strict`.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::model::calendar::Calendar;
use crate::model::pipeline::{Environment, Pipeline, Soak};
use crate::model::release::{Dependency, Kind, Release, State};
use crate::model::rule::RuleCode;
use crate::model::schedule::Schedule;
use crate::model::window::parse_window;
use crate::rules::moves::{self, NewRelease};
use crate::rules::register::effects::Stamp;

use super::{forecast, Forecast, Request, WaitKind};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("an instant")
        .with_timezone(&Utc)
}

/// dev, uat (soak 2 minor), staging (exclusive, soak 1), production.
fn pipeline(tz: chrono_tz::Tz) -> Pipeline {
    let env = |name: &str, soak: u32, exclusive: bool| {
        let mut e = Environment::named(name);
        e.soak = Soak {
            major: soak,
            minor: soak,
            patch: soak,
        };
        e.exclusive = exclusive;
        e
    };
    Pipeline {
        pipelines: Default::default(),
        updates: Default::default(),
        override_by: None,
        notify_on: None,
        calendar: Calendar {
            timezone: tz,
            ..Calendar::default()
        },
        roles: Default::default(),
        environments: vec![
            env("dev", 0, false),
            env("uat", 2, false),
            env("staging", 1, true),
            env("production", 0, false),
        ],
        require_incidents: true,
        sync: None,
        notify: Vec::new(),
        simple_max_hop: Default::default(),
        paths_table: false,
        installations: Default::default(),
        audit: Default::default(),
    }
}

/// A frozen minor release `id` in `env` since `since`.
fn release(id: &str, env: &str, since: &str) -> Release {
    let v = semver::Version::new(1, 1, 0);
    let mut r = moves::create(
        &NewRelease {
            pipeline: None,
            id,
            title: "t",
            version: &v,
            kind: Kind::Minor,
            target: None,
            first: "dev",
            installation: None,
            from_version: None,
            path: None,
        },
        Stamp {
            at: utc(since),
            by: "Ana <ana@x.example>",
        },
    );
    r.environment = env.to_string();
    r.state = State::Frozen;
    r
}

fn run(p: &Pipeline, rs: &[Release], now: &str, strict: bool) -> Forecast {
    let now = utc(now);
    forecast(
        p,
        rs,
        Request {
            now,
            until: now + Duration::days(365),
            strict,
        },
    )
}

fn enter(f: &Forecast, id: &str, env: &str) -> Option<DateTime<Utc>> {
    f.releases
        .iter()
        .find(|r| r.release == id)?
        .steps
        .iter()
        .skip(1)
        .find(|s| s.env == env)
        .map(|s| s.enter)
}

#[test]
fn the_queue_serves_the_release_ready_first_and_says_who_is_ahead() {
    let p = pipeline(chrono_tz::Tz::UTC);
    // Mon 2026-11-02: A is in staging; B was ready to leave uat before C.
    let a = release("A", "staging", "2026-11-02T09:00:00Z");
    let b = release("B", "uat", "2026-10-27T09:00:00Z");
    let mut c = release("C", "uat", "2026-10-28T09:00:00Z");
    c.target = NaiveDate::from_ymd_opt(2026, 11, 3);
    let f = run(&p, &[c, b, a], "2026-11-02T10:00:00Z", false);
    // A leaves staging Tue 09:00; B (ready since Thu) goes first, though C
    // has a target date; C follows when B leaves a business day later.
    assert_eq!(
        enter(&f, "A", "production"),
        Some(utc("2026-11-03T09:00:00Z"))
    );
    assert_eq!(enter(&f, "B", "staging"), Some(utc("2026-11-03T09:00:00Z")));
    assert_eq!(enter(&f, "C", "staging"), Some(utc("2026-11-04T09:00:00Z")));
    let c = f.releases.iter().find(|r| r.release == "C").expect("C");
    let waits = &c.steps[1].waits;
    assert_eq!(waits[0].kind, WaitKind::Rule(RuleCode::Exclusive));
    assert_eq!(waits[0].behind.as_deref(), Some("A"));
    assert_eq!(waits[0].until, Some(utc("2026-11-03T09:00:00Z")));
    assert_eq!(waits[1].behind.as_deref(), Some("B"));
    assert_eq!(waits[1].until, Some(utc("2026-11-04T09:00:00Z")));
    assert_eq!(f.moves.len(), 5);
}

#[test]
fn ready_at_once_the_target_date_then_the_id_decide() {
    let p = pipeline(chrono_tz::Tz::UTC);
    let a = release("A", "staging", "2026-11-02T09:00:00Z");
    let mut z = release("Z", "uat", "2026-10-27T09:00:00Z");
    let y = release("Y", "uat", "2026-10-27T09:00:00Z");
    let x = release("X", "uat", "2026-10-27T09:00:00Z");
    z.target = NaiveDate::from_ymd_opt(2026, 12, 1);
    let f = run(&p, &[a, x, y, z], "2026-11-02T10:00:00Z", false);
    let z_in = enter(&f, "Z", "staging").expect("Z");
    let x_in = enter(&f, "X", "staging").expect("X");
    let y_in = enter(&f, "Y", "staging").expect("Y");
    assert!(z_in < x_in && x_in < y_in, "{z_in} {x_in} {y_in}");
}

#[test]
fn a_window_is_exact_across_the_change_to_summer_time() {
    let mut p = pipeline(chrono_tz::Tz::Europe__London);
    p.environments[3].windows = vec![parse_window("tue-thu 09:00-17:00").expect("window")];
    // Leaves staging Fri 2026-03-27 12:00 UTC; summer time begins Sunday:
    // Tuesday 09:00 in London is 08:00 UTC.
    let r = release("R", "staging", "2026-03-26T12:00:00Z");
    let f = run(&p, &[r], "2026-03-26T13:00:00Z", false);
    assert_eq!(
        enter(&f, "R", "production"),
        Some(utc("2026-03-31T08:00:00Z"))
    );
    let waits = &f.releases[0].steps[1].waits;
    let codes: Vec<&str> = waits.iter().map(|w| w.kind.as_str()).collect();
    assert_eq!(codes, ["soak", "window"]);
    assert_eq!(waits[1].until, Some(utc("2026-03-31T08:00:00Z")));
    assert_eq!(f.releases[0].done_at, Some(utc("2026-03-31T08:00:00Z")));
}

#[test]
fn a_dependency_waits_for_the_other_release_to_get_there() {
    let p = pipeline(chrono_tz::Tz::UTC);
    let a = release("A", "uat", "2026-11-02T10:00:00Z");
    let mut b = release("B", "staging", "2026-10-01T10:00:00Z");
    b.depends.push(Dependency {
        release: "A".into(),
        reached: Some("production".into()),
        before: Some("production".into()),
    });
    let f = run(&p, &[a, b], "2026-11-02T10:00:00Z", false);
    // A: uat 2 days (Wed 10:00), waits for B to leave staging... which
    // waits for A in production: neither ever moves.
    assert_eq!(enter(&f, "B", "production"), None);
    let b = f.releases.iter().find(|r| r.release == "B").expect("B");
    assert_eq!(b.waiting[0].kind, WaitKind::Rule(RuleCode::Depends));
    assert_eq!(b.waiting[0].behind.as_deref(), Some("A"));
    let a = f.releases.iter().find(|r| r.release == "A").expect("A");
    let codes: Vec<&str> = a.waiting.iter().map(|w| w.kind.as_str()).collect();
    // Its soak ended long before the forecast does: only B still holds it.
    assert_eq!(codes, ["exclusive"]);
    assert_eq!(a.waiting[0].behind.as_deref(), Some("B"));
    assert_eq!(a.waiting[0].until, None);
}

#[test]
fn a_dependency_lets_go_when_the_other_release_arrives() {
    let p = pipeline(chrono_tz::Tz::UTC);
    let a = release("A", "staging", "2026-11-02T10:00:00Z");
    let mut b = release("B", "uat", "2026-10-01T10:00:00Z");
    b.depends.push(Dependency {
        release: "A".into(),
        reached: Some("production".into()),
        before: None,
    });
    let f = run(&p, &[a, b], "2026-11-02T10:00:00Z", false);
    let a_done = enter(&f, "A", "production").expect("A gets there");
    assert_eq!(a_done, utc("2026-11-03T10:00:00Z"));
    assert_eq!(enter(&f, "B", "staging"), Some(a_done));
    let b = f.releases.iter().find(|r| r.release == "B").expect("B");
    assert_eq!(b.steps[1].waits[0].behind.as_deref(), Some("A"));
}

#[test]
fn a_schedule_is_kept_and_a_hold_stops() {
    let p = pipeline(chrono_tz::Tz::UTC);
    let mut a = release("A", "uat", "2026-10-01T10:00:00Z");
    a.schedules.push(Schedule {
        env: "staging".into(),
        at: utc("2026-11-07T02:00:00Z"),
        slot: None,
        by: "Ana <ana@x.example>".into(),
        made_at: utc("2026-11-01T10:00:00Z"),
        auto: false,
        note: None,
    });
    let mut h = release("H", "uat", "2026-10-01T10:00:00Z");
    h.held = Some(crate::model::schedule::Hold {
        by: "Ana".into(),
        at: utc("2026-11-01T10:00:00Z"),
        reason: "client asked".into(),
    });
    let f = run(&p, &[a, h], "2026-11-02T10:00:00Z", false);
    assert_eq!(enter(&f, "A", "staging"), Some(utc("2026-11-07T02:00:00Z")));
    assert!(f.moves.iter().any(|m| m.release == "A" && m.scheduled));
    let h = f.releases.iter().find(|r| r.release == "H").expect("H");
    assert_eq!(h.steps.len(), 1);
    assert_eq!(h.stopped.as_ref().map(|s| s.rule.as_str()), Some("held"));
}

#[test]
fn strict_stops_at_the_first_person_step_and_names_who() {
    let mut p = pipeline(chrono_tz::Tz::UTC);
    p.environments[3].approvals = vec!["client".into()];
    p.roles
        .insert("client".into(), vec!["carla@client.example".into()]);
    let r = release("R", "staging", "2026-11-02T10:00:00Z");
    let loose = run(&p, std::slice::from_ref(&r), "2026-11-02T10:00:00Z", false);
    assert_eq!(
        enter(&loose, "R", "production"),
        Some(utc("2026-11-03T10:00:00Z"))
    );
    let strict = run(&p, &[r], "2026-11-02T10:00:00Z", true);
    let stop = strict.releases[0].stopped.clone().expect("stops");
    assert_eq!(stop.rule, "approval");
    assert_eq!(stop.env, "production");
    assert_eq!(stop.who, ["client: carla@client.example"]);
    // It stops when it would otherwise go (its soak in staging over), not
    // now: that is when the approval must be there.
    assert_eq!(stop.at, utc("2026-11-03T10:00:00Z"));
    assert!(strict.moves.is_empty());
}

#[test]
fn a_queue_is_named_only_once_nothing_else_holds_the_release() {
    let p = pipeline(chrono_tz::Tz::UTC);
    // Mon 2026-11-02 10:00: A is in staging until Tue 10:00; C, ready,
    // follows it until Wed 10:00; B soaks in uat until Wed 09:00.
    let a = release("A", "staging", "2026-11-02T10:00:00Z");
    let b = release("B", "uat", "2026-11-02T09:00:00Z");
    let c = release("C", "uat", "2026-10-28T09:00:00Z");
    let f = run(&p, &[a, b, c], "2026-11-02T10:00:00Z", false);
    assert_eq!(enter(&f, "C", "staging"), Some(utc("2026-11-03T10:00:00Z")));
    assert_eq!(enter(&f, "B", "staging"), Some(utc("2026-11-04T10:00:00Z")));
    let b = f.releases.iter().find(|r| r.release == "B").expect("B");
    let waits: Vec<_> = b.steps[1]
        .waits
        .iter()
        .map(|w| (w.kind, w.behind.clone(), w.until))
        .collect();
    // A left staging while B still soaked: A never held B back.
    assert_eq!(
        waits,
        [
            (
                WaitKind::Rule(RuleCode::Soak),
                None,
                Some(utc("2026-11-04T09:00:00Z"))
            ),
            (
                WaitKind::Rule(RuleCode::Exclusive),
                Some("C".to_string()),
                Some(utc("2026-11-04T10:00:00Z"))
            ),
        ]
    );
}

#[test]
fn what_it_still_waits_for_at_the_end_leaves_out_what_passed_before() {
    let p = pipeline(chrono_tz::Tz::UTC);
    // A is held in staging; B soaks in uat until Wed 09:00, then waits
    // behind A. The forecast ends Thu: B no longer waits for its soak.
    let mut a = release("A", "staging", "2026-11-02T09:00:00Z");
    a.held = Some(crate::model::schedule::Hold {
        by: "Ana".into(),
        at: utc("2026-11-01T10:00:00Z"),
        reason: "client asked".into(),
    });
    let b = release("B", "uat", "2026-11-02T09:00:00Z");
    let now = utc("2026-11-02T10:00:00Z");
    let f = forecast(
        &p,
        &[a, b],
        Request {
            now,
            until: utc("2026-11-05T09:00:00Z"),
            strict: false,
        },
    );
    let b = f.releases.iter().find(|r| r.release == "B").expect("B");
    let waiting: Vec<_> = b
        .waiting
        .iter()
        .map(|w| (w.kind, w.behind.clone(), w.until))
        .collect();
    assert_eq!(
        waiting,
        [(
            WaitKind::Rule(RuleCode::Exclusive),
            Some("A".to_string()),
            None
        )]
    );
}

#[test]
fn a_release_awaited_in_production_is_closed_unless_held() {
    let p = pipeline(chrono_tz::Tz::UTC);
    let a = release("A", "production", "2026-11-02T10:00:00Z");
    let mut b = release("B", "uat", "2026-10-01T10:00:00Z");
    b.depends.push(Dependency {
        release: "A".into(),
        reached: None,
        before: None,
    });
    let now = "2026-11-03T10:00:00Z";
    let f = run(&p, &[a.clone(), b.clone()], now, false);
    let fa = f.releases.iter().find(|r| r.release == "A").expect("A");
    // Already there: done when it entered, closed now.
    assert_eq!(fa.done_at, Some(utc("2026-11-02T10:00:00Z")));
    assert_eq!(fa.closed_at, Some(utc(now)));
    assert!(f.moves.iter().any(|m| m.release == "A" && m.closes));
    assert_eq!(enter(&f, "B", "staging"), Some(utc(now)));

    // Held, it is not closed: B waits to the end, on A.
    let mut held = a;
    held.held = Some(crate::model::schedule::Hold {
        by: "Ana".into(),
        at: utc("2026-11-02T11:00:00Z"),
        reason: "incident open".into(),
    });
    let f = run(&p, &[held, b], now, false);
    let fa = f.releases.iter().find(|r| r.release == "A").expect("A");
    assert_eq!(fa.closed_at, None);
    assert!(f.moves.is_empty(), "{:?}", f.moves);
    let fb = f.releases.iter().find(|r| r.release == "B").expect("B");
    assert_eq!(fb.done_at, None);
    assert_eq!(fb.waiting[0].kind, WaitKind::Rule(RuleCode::Depends));
    assert_eq!(fb.waiting[0].behind.as_deref(), Some("A"));
}
