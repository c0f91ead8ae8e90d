//! `rel due [--apply]` and `rel hold`/`resume` (contract section 7): time
//! order, pipeline order within a release, one commit per promotion with
//! `Rel-Schedule`, a second run doing nothing, held releases reported.

use serde_json::Value;

use crate::common::git::{one_commit, refused};
use crate::common::releases::{freeze, manifest, new_release};
use crate::common::Env;

/// dev -> staging (exclusive) -> live (frozen only, confirm).
const PIPELINE: &str = r#"
[[environments]]
name = "dev"

[[environments]]
name = "staging"
exclusive = true

[[environments]]
name = "live"
requires_frozen = true
confirm = true
"#;

const AT: &str = "2026-11-21T02:00:00Z";

/// A frozen release in dev with staging and live both scheduled at AT.
fn chained() -> (Env, String) {
    let env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "1.0.1");
    freeze(&env, &id);
    one_commit(&env, &["schedule", &id, "--at", AT, "--slot", "2h"]);
    one_commit(&env, &["schedule", &id, "--to", "live", "--at", AT]);
    (env, id)
}

#[test]
fn due_lists_nothing_before_the_time_and_writes_nothing() {
    let (env, _) = chained();
    let run = refused(&env, &["--json", "due"], 0);
    assert_eq!(run.json(), Value::Array(Vec::new()));
    refused(&env, &["due", "--apply"], 0);
}

#[test]
fn a_chained_staging_and_live_schedule_is_applied_in_one_run() {
    let (mut env, id) = chained();
    env.now = "2026-11-21T02:05:00Z".into();
    // Without --apply: both due; live waits for staging (order).
    let run = refused(&env, &["--json", "due"], 1);
    let rows = run.json();
    assert_eq!(rows[0]["env"], "staging");
    assert_eq!(rows[0]["ready"], true);
    assert_eq!(rows[0]["applied"], false);
    assert_eq!(rows[1]["env"], "live");
    assert_eq!(rows[1]["violations"][0]["rule"], "order");

    let before = env.commit_count();
    // No terminal and no --yes: the person's schedule is the confirmation.
    let run = env.rel(&["--json", "due", "--apply"]);
    run.ok();
    assert_eq!(env.commit_count(), before + 2, "{}", run.stderr);
    let rows = run.json();
    for (row, target) in rows
        .as_array()
        .expect("rows")
        .iter()
        .zip(["staging", "live"])
    {
        assert_eq!(row["env"], target);
        assert_eq!(row["applied"], true);
        assert_eq!(row["ready"], true);
        assert_eq!(row["at"], AT);
        assert_eq!(row["violations"], Value::Array(Vec::new()));
    }
    let msg = env.last_message();
    assert!(msg.contains("Rel-Action: promote"), "{msg}");
    assert!(msg.contains("Rel-Env: live"), "{msg}");
    assert!(msg.contains(&format!("Rel-Schedule: {AT}")), "{msg}");
    let m = manifest(&env, &id);
    assert_eq!(m["environment"], "live");
    assert_eq!(m["schedules"], Value::Array(Vec::new()));
    let log = env.rel(&["--json", "log", &id]).ok().json();
    let promotes = log
        .as_array()
        .expect("log")
        .iter()
        .filter(|e| e["action"] == "promote")
        .count();
    assert_eq!(promotes, 2);

    // A second run at once does nothing.
    let run = refused(&env, &["--json", "due", "--apply"], 0);
    assert_eq!(run.json(), Value::Array(Vec::new()));
}

#[test]
fn a_held_release_is_skipped_and_reported() {
    let (mut env, id) = chained();
    one_commit(&env, &["hold", &id, "--reason", "client audit"]);
    let m = manifest(&env, &id);
    assert_eq!(m["held"]["reason"], "client audit");
    assert_eq!(m["held"]["by"], crate::common::ACTOR);
    // Holding twice records nothing.
    refused(&env, &["hold", &id, "--reason", "again"], 0);
    env.now = "2026-11-21T02:05:00Z".into();
    let run = refused(&env, &["--json", "due", "--apply"], 1);
    let rows = run.json();
    assert_eq!(rows[0]["release"], id.as_str());
    assert_eq!(rows[0]["applied"], false);
    let codes: Vec<&str> = rows[0]["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["rule"].as_str().expect("rule"))
        .collect();
    assert!(codes.contains(&"held"), "{codes:?}");
    // Nor by hand, and `held` is never overridable.
    refused(&env, &["promote", &id], 1);
    refused(
        &env,
        &["promote", &id, "--override", "held", "--reason", "x"],
        2,
    );
    one_commit(&env, &["resume", &id]);
    assert_eq!(manifest(&env, &id)["held"], Value::Null);
    let before = env.commit_count();
    env.rel(&["due", "--apply"]).ok();
    assert_eq!(env.commit_count(), before + 2);
}

#[test]
fn a_blocked_schedule_stays_and_says_when_it_could_be() {
    let env = Env::with_pipeline(PIPELINE);
    let a = new_release(&env, "1.0.1");
    let b = new_release(&env, "1.0.2");
    // a is in staging (exclusive) already; b's schedule there is blocked.
    one_commit(&env, &["promote", &a]);
    one_commit(&env, &["schedule", &b, "--at", "2026-11-20T15:00:00Z"]);
    let run = refused(&env, &["--json", "due", "--apply"], 1);
    let rows = run.json();
    assert_eq!(rows[0]["release"], b.as_str());
    assert_eq!(rows[0]["violations"][0]["rule"], "exclusive");
    // Someone must act (a leaves staging): no instant makes it ready.
    assert_eq!(rows[0]["ready_at"], Value::Null);
    assert_eq!(manifest(&env, &b)["schedules"][0]["env"], "staging");
}
