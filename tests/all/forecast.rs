//! `rel forecast` (contract 11.8) end to end: the JSON, the waits it names,
//! a window across the change to summer time, agreement with `rel plan`
//! for a release alone, following the forecast is never refused (and a
//! minute sooner is), `--strict`, `--release`, bad input.

use serde_json::Value;

use crate::common::git::one_commit;
use crate::common::releases::{group_ready_incident, new_release};
use crate::common::Env;

/// New York changes to summer time on Sun 2026-03-08.
const PIPELINE: &str = r#"
[calendar]
timezone = "America/New_York"

[roles]
client = ["carla@client.example"]

[[environments]]
name = "dev"

[[environments]]
name = "uat"
soak = { major = 2, minor = 1, patch = 0 }

[[environments]]
name = "staging"
soak = { major = 1, minor = 1, patch = 1 }
exclusive = true
requires_frozen = true

[[environments]]
name = "production"
windows = ["tue-thu 09:00-17:00"]
approvals = ["client"]
"#;

/// Thu 2026-03-05 10:00 in New York.
const THU: &str = "2026-03-05T15:00:00Z";

/// Two minor releases with their content, both in uat since Thursday: A
/// (R-2026-001), B.
fn two_in_uat() -> (Env, String, String) {
    let mut env = Env::with_pipeline(PIPELINE);
    env.now = THU.to_string();
    let a = new_release(&env, "1.1.0");
    let b = new_release(&env, "1.2.0");
    group_ready_incident(&env, &a, "INC-A");
    group_ready_incident(&env, &b, "INC-B");
    one_commit(&env, &["promote", &a, "--yes"]);
    one_commit(&env, &["promote", &b, "--yes"]);
    (env, a, b)
}

fn forecast_json(env: &Env, args: &[&str]) -> Value {
    let mut all = vec!["--json", "forecast"];
    all.extend_from_slice(args);
    env.rel(&all).ok().json()
}

fn release<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .find(|r| r["release"] == id)
        .unwrap_or_else(|| panic!("{id} in {doc:#}"))
}

/// (env, enter) of each step after the stay it is in now.
fn entries(r: &Value) -> Vec<(String, String)> {
    r["steps"].as_array().expect("steps")[1..]
        .iter()
        .map(|s| {
            (
                s["env"].as_str().expect("env").to_string(),
                s["enter"].as_str().expect("enter").to_string(),
            )
        })
        .collect()
}

fn waits(step: &Value) -> Vec<(String, Value, Value)> {
    step["waits"]
        .as_array()
        .expect("waits")
        .iter()
        .map(|w| {
            (
                w["rule"].as_str().expect("rule").to_string(),
                w["until"].clone(),
                w["behind"].clone(),
            )
        })
        .collect()
}

#[test]
fn the_forecast_queues_for_staging_and_says_why_each_wait_happens() {
    let (env, a, b) = two_in_uat();
    let doc = forecast_json(&env, &[]);
    assert_eq!(doc["at"], THU);
    let ra = release(&doc, &a);
    let rb = release(&doc, &b);
    assert_eq!(ra["pipeline"], "default");
    // A leaves uat Fri 10:00 EST; staging for a business day, across the
    // change: Mon 10:00 EDT (14:00Z); production's window Tue 09:00 EDT.
    assert_eq!(
        entries(ra),
        [
            ("staging".into(), "2026-03-06T15:00:00Z".into()),
            ("production".into(), "2026-03-10T13:00:00Z".into())
        ]
    );
    assert_eq!(
        waits(&ra["steps"][2]),
        [
            ("soak".into(), "2026-03-09T14:00:00Z".into(), Value::Null),
            ("window".into(), "2026-03-10T13:00:00Z".into(), Value::Null)
        ]
    );
    assert_eq!(ra["done_at"], "2026-03-10T13:00:00Z");
    // B was ready for staging as soon as A: it waits behind A, then soaks.
    assert_eq!(
        entries(rb),
        [
            ("staging".into(), "2026-03-10T13:00:00Z".into()),
            ("production".into(), "2026-03-11T13:00:00Z".into())
        ]
    );
    assert_eq!(
        waits(&rb["steps"][1]),
        [
            ("soak".into(), "2026-03-06T15:00:00Z".into(), Value::Null),
            (
                "exclusive".into(),
                "2026-03-10T13:00:00Z".into(),
                Value::from(a.as_str())
            )
        ]
    );
    assert_eq!(rb["steps"][0]["leave"], "2026-03-10T13:00:00Z");
    assert_eq!(rb["steps"][2]["leave"], Value::Null);
    // Every release is done: the forecast ends with the last of them.
    assert_eq!(doc["until"], "2026-03-11T13:00:00Z");

    // Text: one line per step, naming who is ahead.
    let text = env.rel(&["forecast"]).ok().stdout.clone();
    let line = text
        .lines()
        .find(|l| l.starts_with(&b) && l.contains("staging") && l.contains("enters"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(&format!("exclusive behind {a}")), "{line}");
    assert!(line.contains("Tue 2026-03-10 09:00 EDT"), "{line}");
    assert_eq!(text.lines().count(), 1 + 3 + 3, "{text}");
}

#[test]
fn following_the_forecast_is_never_refused_and_a_minute_sooner_is() {
    let (mut env, a, b) = two_in_uat();
    let doc = forecast_json(&env, &[]);
    // Moves in time order; at one instant, a release leaving for a later
    // environment goes first (it frees the one behind).
    let order = ["dev", "uat", "staging", "production"];
    let mut moves: Vec<(String, String, String)> = Vec::new();
    for id in [&a, &b] {
        for (e, at) in entries(release(&doc, id)) {
            moves.push((at, e, id.clone()));
        }
    }
    moves.sort_by(|x, y| {
        x.0.cmp(&y.0).then_with(|| {
            let pos = |e: &str| order.iter().position(|o| *o == e);
            pos(&y.1).cmp(&pos(&x.1))
        })
    });
    assert_eq!(moves.len(), 4);
    let mut previous = String::new();
    for (at, e, id) in moves {
        let instant = chrono::DateTime::parse_from_rfc3339(&at).expect("an instant");
        let sooner = (instant - chrono::Duration::minutes(1))
            .to_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        // The person steps, done beforehand.
        env.now = sooner.clone();
        if e == "staging" {
            one_commit(&env, &["freeze", &id]);
        }
        if e == "production" {
            env.rel_env(
                &["approve", &id, "--env", "production", "--role", "client"],
                &[("REL_ACTOR", "Carla Client <carla@client.example>")],
            )
            .ok();
        }
        // A minute sooner it may not (unless a move at that very instant
        // made room: that one is done already).
        if previous != at {
            let early = env.rel(&["check", &id, "--to", &e]);
            assert_eq!(
                early.code, 1,
                "{id} into {e} at {sooner}:\n{}",
                early.stdout
            );
        }
        previous = at.clone();
        env.now = at.clone();
        let run = env.rel(&["promote", &id, "--to", &e, "--yes"]);
        assert_eq!(run.code, 0, "{id} into {e} at {at}:\n{}", run.stderr);
    }
}

#[test]
fn for_a_release_alone_the_forecast_is_the_plan() {
    let mut env = Env::new();
    env.now = "2026-10-20T11:00:00Z".to_string();
    let id = new_release(&env, "2.1.0");
    one_commit(&env, &["promote", &id, "--yes"]);
    let plan = env.rel(&["--json", "plan", &id]).ok().json();
    let planned: Vec<(String, String)> = plan["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                s["env"].as_str().expect("env").to_string(),
                s["earliest"].as_str().expect("earliest").to_string(),
            )
        })
        .collect();
    let doc = forecast_json(&env, &["--release", &id]);
    assert_eq!(entries(release(&doc, &id)), planned);
    assert_eq!(planned.len(), 2);
}

#[test]
fn strict_stops_where_a_person_must_act_and_names_them() {
    let (env, a, _b) = two_in_uat();
    one_commit(&env, &["freeze", &a]);
    let doc = forecast_json(&env, &["--strict", "--release", &a]);
    assert_eq!(doc["releases"].as_array().map(Vec::len), Some(1));
    let ra = release(&doc, &a);
    assert_eq!(entries(ra).len(), 1, "{ra:#}");
    assert_eq!(ra["done_at"], Value::Null);
    assert_eq!(ra["stopped"]["rule"], "approval");
    assert_eq!(ra["stopped"]["env"], "production");
    assert_eq!(ra["stopped"]["who"][0], "client: carla@client.example");
    let text = env.rel(&["forecast", "--strict"]).ok().stdout.clone();
    assert!(
        text.contains(&format!("{a}  stops before production"))
            && text.contains("carla@client.example"),
        "{text}"
    );
}

#[test]
fn until_ends_the_forecast_and_bad_input_is_exit_2() {
    let (env, a, b) = two_in_uat();
    let doc = forecast_json(&env, &["--until", "2026-03-09T00:00:00Z"]);
    assert_eq!(doc["until"], "2026-03-09T00:00:00Z");
    assert_eq!(entries(release(&doc, &a)).len(), 1);
    let rb = release(&doc, &b);
    assert_eq!(rb["done_at"], Value::Null);
    // What B still waits for on Monday: A in staging, not its soak in uat
    // (over since Friday).
    let waiting = waits(&serde_json::json!({"waits": rb["waiting"]}));
    assert_eq!(
        waiting,
        [("exclusive".into(), Value::Null, Value::from(a.as_str()))]
    );

    let run = env.rel(&["--json", "forecast", "--until", "soon"]);
    run.code(2);
    assert_eq!(run.json()["error"]["kind"], "invalid");
    assert!(run.stderr.contains("--until"), "{}", run.stderr);
    env.rel(&["forecast", "--until", "2026-03-01T00:00:00Z"])
        .code(2);
    let run = env.rel(&["forecast", "--release", "R-2026-09"]);
    run.code(2);
    assert!(run.stderr.contains("R-2026-09"), "{}", run.stderr);
}

/// Contract 11.4 and 11.8: `rel depend` without `--reached` waits for the
/// other release to be *released* (`rel close`); the forecast takes that
/// close as a person step.
const DEPENDS: &str = r#"
[calendar]
timezone = "Europe/Paris"

[[environments]]
name = "dev"

[[environments]]
name = "test"
soak = { major = 2, minor = 2, patch = 2 }

[[environments]]
name = "live"
exit_checklist = ["smoke tests pass"]
"#;

/// Mon 2026-11-02 10:00 in Paris: db (1.0.1) and app (2.0.1) in dev, app
/// depending on db's release.
fn app_on_db(extra: &[&str]) -> (Env, String, String) {
    let mut env = Env::with_pipeline(DEPENDS);
    env.now = "2026-11-02T09:00:00Z".to_string();
    let db = new_release(&env, "1.0.1");
    let app = new_release(&env, "2.0.1");
    let mut args = vec!["depend", app.as_str(), "--on", db.as_str()];
    args.extend_from_slice(extra);
    one_commit(&env, &args);
    (env, db, app)
}

/// Each step's `waits` as (rule, on).
fn depends_waits(step: &Value) -> Vec<Value> {
    step["waits"]
        .as_array()
        .expect("waits")
        .iter()
        .filter(|w| w["rule"] == "depends")
        .map(|w| w["on"].clone())
        .collect()
}

#[test]
fn a_release_waiting_for_anothers_release_goes_once_the_forecast_closes_it() {
    let (mut env, db, app) = app_on_db(&[]);
    let doc = forecast_json(&env, &[]);
    let rdb = release(&doc, &db);
    let rapp = release(&doc, &app);
    // db: test Mon 10:00, soaks 2 business days, live Wed 10:00 (Paris),
    // closed then: a person step, taken as done.
    let wed = "2026-11-04T09:00:00Z";
    assert_eq!(
        entries(rdb),
        [
            ("test".into(), "2026-11-02T09:00:00Z".into()),
            ("live".into(), wed.into())
        ]
    );
    assert_eq!(rdb["done_at"], wed);
    assert_eq!(rdb["closed_at"], wed, "{rdb:#}");
    // app: its wait ends with db's close, not with the forecast.
    assert_eq!(
        entries(rapp),
        [
            ("test".into(), wed.into()),
            ("live".into(), "2026-11-06T09:00:00Z".into())
        ],
        "{rapp:#}"
    );
    assert_eq!(rapp["done_at"], "2026-11-06T09:00:00Z");
    assert_eq!(rapp["closed_at"], Value::Null, "nobody waits for app");
    let step = &rapp["steps"][1];
    assert_eq!(depends_waits(step), [Value::from(db.clone())]);
    assert_eq!(step["waits"][0]["until"], wed);
    assert_eq!(
        doc["until"], "2026-11-06T09:00:00Z",
        "the forecast ends when both are done"
    );
    let text = env.rel(&["forecast"]).ok().stdout.clone();
    assert!(
        text.contains(&format!(
            "{db}  live  enters Wed 2026-11-04 10:00 CET, done, closed Wed 2026-11-04 10:00 CET (rel close)"
        )) && text.contains(&format!("waited for depends on {db} until Wed 2026-11-04 10:00 CET")),
        "{text}"
    );

    // Following it is never refused: db's moves and close at their
    // times (its exit checklist ticked beforehand), then app's entry;
    // before db's close, app may not go.
    env.now = "2026-11-02T09:00:00Z".into();
    one_commit(&env, &["promote", &db, "--to", "test", "--yes"]);
    env.now = wed.into();
    one_commit(&env, &["promote", &db, "--to", "live", "--yes"]);
    let early = env.rel(&["check", &app, "--to", "test"]);
    assert_eq!(early.code, 1, "{}", early.stdout);
    one_commit(&env, &["tick", &db, "--env", "live", "1"]);
    one_commit(&env, &["close", &db]);
    one_commit(&env, &["promote", &app, "--to", "test", "--yes"]);
    env.now = "2026-11-06T09:00:00Z".into();
    one_commit(&env, &["promote", &app, "--to", "live", "--yes"]);
}

#[test]
fn strict_leaves_the_close_to_a_person_and_the_release_waits_behind_it() {
    let (env, db, app) = app_on_db(&[]);
    let doc = forecast_json(&env, &["--strict"]);
    let rdb = release(&doc, &db);
    let wed = "2026-11-04T09:00:00Z";
    // db gets to live and stops there, open: the close is a person's.
    assert_eq!(rdb["done_at"], wed);
    assert_eq!(rdb["closed_at"], Value::Null);
    assert_eq!(rdb["stopped"]["rule"], "close", "{rdb:#}");
    assert_eq!(rdb["stopped"]["env"], "live");
    assert_eq!(rdb["stopped"]["at"], wed);
    assert_eq!(rdb["stopped"]["who"][0], format!("anyone: rel close {db}"));
    let message = rdb["stopped"]["message"].as_str().expect("message");
    assert!(
        message.contains("smoke tests pass") && message.contains(&app),
        "{message}"
    );
    // app waits behind it to the end of the forecast, naming the rule and db.
    let rapp = release(&doc, &app);
    assert_eq!(entries(rapp), []);
    assert_eq!(rapp["done_at"], Value::Null);
    assert_eq!(rapp["stopped"], Value::Null);
    assert_eq!(rapp["waiting"][0]["rule"], "depends", "{rapp:#}");
    assert_eq!(rapp["waiting"][0]["on"], db.as_str());
    let text = env.rel(&["forecast", "--strict"]).ok().stdout.clone();
    assert!(
        text.contains(&format!(
            "{db}  stops in live at Wed 2026-11-04 10:00 CET: close: "
        )) && text.contains(&format!("(who: anyone: rel close {db})"))
            && text.contains(&format!("{app}  not done by "))
            && text.contains(&format!("waiting for depends on {db}")),
        "{text}"
    );
}

#[test]
fn a_cancelled_release_is_never_waited_past_and_reached_is_unchanged() {
    // Cancelled: can never pass, with or without --strict.
    let (env, db, app) = app_on_db(&[]);
    one_commit(&env, &["cancel", &db, "--reason", "superseded"]);
    for strict in [false, true] {
        let args: &[&str] = if strict { &["--strict"] } else { &[] };
        let doc = forecast_json(&env, args);
        let rapp = release(&doc, &app);
        assert_eq!(rapp["done_at"], Value::Null, "{rapp:#}");
        assert_eq!(rapp["stopped"]["rule"], "depends");
        let message = rapp["stopped"]["message"].as_str().expect("message");
        assert!(message.contains("can never pass"), "{message}");
        assert_eq!(doc["releases"].as_array().map(Vec::len), Some(1));
    }

    // `--reached test`: app goes when db enters test; db is not closed.
    let (env, db, app) = app_on_db(&["--reached", "test"]);
    let doc = forecast_json(&env, &[]);
    let rdb = release(&doc, &db);
    assert_eq!(rdb["closed_at"], Value::Null, "{rdb:#}");
    assert_eq!(rdb["stopped"], Value::Null);
    let rapp = release(&doc, &app);
    assert_eq!(
        entries(rapp),
        [
            ("test".into(), "2026-11-02T09:00:00Z".into()),
            ("live".into(), "2026-11-04T09:00:00Z".into())
        ],
        "{rapp:#}"
    );
    let strict = forecast_json(&env, &["--strict"]);
    assert_eq!(release(&strict, &db)["stopped"], Value::Null);
    assert_eq!(release(&strict, &app)["done_at"], "2026-11-04T09:00:00Z");
}
