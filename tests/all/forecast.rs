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
