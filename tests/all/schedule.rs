//! `rel schedule`, `reschedule`, `unschedule` (contract section 7): decided
//! with the time rules at the scheduled instant (across a daylight-saving
//! change), `conflict` between slots, `notice`, what must be done by then.

use serde_json::Value;

use crate::common::git::{one_commit, refused};
use crate::common::releases::{manifest, new_release};
use crate::common::Env;

/// London time; staging exclusive with a 2-day soak and a day's notice.
pub const PIPELINE: &str = r#"
[calendar]
timezone = "Europe/London"

[[environments]]
name = "dev"

[[environments]]
name = "staging"
exclusive = true
soak = { major = 2, minor = 2, patch = 2 }
schedule_notice = "24h"

[[environments]]
name = "live"
"#;

fn pipeline() -> String {
    PIPELINE.to_string()
}

fn refusal_codes(run: &crate::common::Run) -> Vec<String> {
    let v: Value = run.json();
    v["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|x| x["rule"].as_str().expect("rule").to_string())
        .collect()
}

/// Fri 2026-10-23 11:00 BST: R enters staging; its 2-day soak ends on
/// Tuesday 11:00 local, which is 11:00Z after the clocks went back on
/// Sunday (48 hours would say 10:00Z).
fn in_staging_before_dst_ends() -> (Env, String) {
    let mut env = Env::with_pipeline(&pipeline());
    env.now = "2026-10-23T10:00:00Z".into();
    let id = new_release(&env, "1.0.1");
    one_commit(&env, &["promote", &id]);
    (env, id)
}

#[test]
fn a_schedule_across_a_daylight_saving_change_uses_local_business_days() {
    let (env, id) = in_staging_before_dst_ends();
    // 10:30 local on Tuesday is before the soak ends: refused, with when.
    let run = refused(
        &env,
        &["--json", "schedule", &id, "--at", "2026-10-27 10:30"],
        1,
    );
    assert_eq!(refusal_codes(&run), ["soak"]);
    let v = run.json();
    assert_eq!(v["refused"], true);
    assert_eq!(v["action"], "schedule");
    assert_eq!(v["violations"][0]["ready_at"], "2026-10-27T11:00:00Z");
    // 11:00 local is accepted and written as the UTC instant.
    let run = one_commit(
        &env,
        &["--json", "schedule", &id, "--at", "2026-10-27 11:00"],
    );
    let v = run.json();
    assert_eq!(v["schedules"][0]["env"], "live");
    assert_eq!(v["schedules"][0]["at"], "2026-10-27T11:00:00Z");
    assert_eq!(v["schedules"][0]["auto"], false);
    assert_eq!(v["held"], Value::Null);
    let msg = env.last_message();
    assert!(msg.starts_with("rel: schedule"), "{msg}");
    assert!(msg.contains("Rel-Action: schedule"), "{msg}");
    assert!(msg.contains("Rel-Env: live"), "{msg}");
    let text = env.read(&format!("releases/{id}.toml"));
    assert!(
        text.contains("[[schedules]]\nenv = \"live\"\nat = \"2026-10-27T11:00:00Z\""),
        "{text}"
    );
}

#[test]
fn earliest_is_the_first_instant_the_time_rules_allow() {
    let (env, id) = in_staging_before_dst_ends();
    let v = one_commit(&env, &["--json", "schedule", &id, "--at", "earliest"]).json();
    assert_eq!(v["schedules"][0]["at"], "2026-10-27T11:00:00Z");
}

#[test]
fn a_local_time_that_happens_twice_or_never_is_invalid_input() {
    let (env, id) = in_staging_before_dst_ends();
    let run = refused(&env, &["schedule", &id, "--at", "2026-10-25 01:30"], 2);
    assert!(run.stderr.contains("happens twice"), "{}", run.stderr);
    let run = refused(&env, &["schedule", &id, "--at", "2027-03-28 01:30"], 2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    let run = refused(&env, &["schedule", &id, "--at", "2026-10-22T10:00:00Z"], 2);
    assert!(run.stderr.contains("in the past"), "{}", run.stderr);
    let run = refused(&env, &["schedule", &id, "--at", "tomorrow"], 2);
    assert!(
        run.stderr.contains("expected an RFC 3339"),
        "{}",
        run.stderr
    );
}

#[test]
fn other_rules_are_listed_as_what_must_be_done_by_then() {
    let env = Env::new(); // default pipeline: staging requires frozen
    let id = new_release(&env, "1.0.1"); // patch: no soak in uat
    one_commit(&env, &["promote", &id]);
    let run = one_commit(&env, &["schedule", &id, "--at", "2026-11-23T09:00:00Z"]);
    assert!(run.stderr.contains("to be done before"), "{}", run.stderr);
    assert!(run.stderr.contains("[frozen]"), "{}", run.stderr);
    // Scheduling the same environment twice is a usage mistake.
    refused(&env, &["schedule", &id, "--at", "2026-11-24T09:00:00Z"], 2);
}

#[test]
fn overlapping_slots_in_an_exclusive_environment_conflict() {
    let env = Env::with_pipeline(&pipeline());
    let a = new_release(&env, "1.0.1");
    let b = new_release(&env, "1.0.2");
    one_commit(
        &env,
        &[
            "schedule",
            &a,
            "--at",
            "2026-11-21T02:00:00Z",
            "--slot",
            "2h",
        ],
    );
    let run = refused(
        &env,
        &[
            "--json",
            "schedule",
            &b,
            "--at",
            "2026-11-21T03:59:00Z",
            "--slot",
            "1h",
        ],
        1,
    );
    assert_eq!(refusal_codes(&run), ["conflict"]);
    assert!(run.stderr.contains(&a), "{}", run.stderr);
    // The slot is half-open: from its end it is free.
    let v = one_commit(
        &env,
        &[
            "--json",
            "schedule",
            &b,
            "--at",
            "2026-11-21T04:00:00Z",
            "--slot",
            "1h",
        ],
    )
    .json();
    assert_eq!(v["schedules"][0]["slot"], "1h");
}

#[test]
fn a_late_cancel_is_refused_and_can_be_overridden_with_a_reason() {
    let env = Env::with_pipeline(&pipeline());
    let id = new_release(&env, "1.0.1");
    // Now is Fri 15:00; the schedule is 10 hours away, notice is 24h.
    one_commit(&env, &["schedule", &id, "--at", "2026-11-21T01:00:00Z"]);
    let run = refused(
        &env,
        &["--json", "unschedule", &id, "--reason", "client asked"],
        1,
    );
    assert_eq!(refusal_codes(&run), ["notice"]);
    let run = refused(
        &env,
        &[
            "reschedule",
            &id,
            "--at",
            "2026-11-22T01:00:00Z",
            "--reason",
            "later",
        ],
        1,
    );
    assert!(run.stderr.contains("notice"), "{}", run.stderr);
    // notice is the only rule these commands set aside.
    refused(
        &env,
        &["unschedule", &id, "--reason", "x", "--override", "soak"],
        2,
    );
    let v = one_commit(
        &env,
        &[
            "--json",
            "unschedule",
            &id,
            "--reason",
            "client asked",
            "--override",
            "notice",
        ],
    )
    .json();
    assert_eq!(v["schedules"], Value::Array(Vec::new()));
    let msg = env.last_message();
    assert!(msg.contains("Rel-Override: notice"), "{msg}");
    assert!(msg.contains("Rel-Reason: client asked"), "{msg}");
}

#[test]
fn reschedule_moves_in_time_and_unschedule_takes_the_later_ones_along() {
    let env = Env::with_pipeline(&pipeline());
    let id = new_release(&env, "1.0.1");
    one_commit(&env, &["schedule", &id, "--at", "2026-11-25T02:00:00Z"]);
    // live waits for staging's 2-day soak: Fri 2026-11-27 02:00 at the earliest.
    let run = refused(
        &env,
        &[
            "--json",
            "schedule",
            &id,
            "--to",
            "live",
            "--at",
            "2026-11-26T02:00:00Z",
        ],
        1,
    );
    assert_eq!(refusal_codes(&run), ["soak"]);
    one_commit(
        &env,
        &[
            "schedule",
            &id,
            "--to",
            "live",
            "--at",
            "2026-11-27T02:00:00Z",
        ],
    );
    // Moving staging later would break live's soak: refused, naming it.
    let run = refused(
        &env,
        &[
            "--json",
            "reschedule",
            &id,
            "--at",
            "2026-11-26T02:00:00Z",
            "--reason",
            "r",
        ],
        1,
    );
    assert_eq!(refusal_codes(&run), ["soak"]);
    let v = one_commit(
        &env,
        &[
            "--json",
            "reschedule",
            &id,
            "--at",
            "2026-11-24T02:00:00Z",
            "--reason",
            "earlier",
        ],
    )
    .json();
    assert_eq!(v["schedules"][0]["at"], "2026-11-24T02:00:00Z");
    assert!(env.last_message().contains("Rel-Action: reschedule"));
    let v = one_commit(
        &env,
        &["--json", "unschedule", &id, "--reason", "postponed"],
    )
    .json();
    assert_eq!(v["schedules"], Value::Array(Vec::new()));
    let history = manifest(&env, &id)["history"].clone();
    let last = &history.as_array().expect("history")[history.as_array().unwrap().len() - 1];
    assert_eq!(last["action"], "unschedule");
    assert!(last["detail"].as_str().unwrap().contains("live"));
}
