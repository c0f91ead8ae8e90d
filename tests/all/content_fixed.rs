//! Contract 11.5, "After go-live the content is fixed": a release that has
//! entered the last environment of its pipeline cannot unfreeze, group or
//! ungroup (`state`), so nothing reaches the notes as shipped without having
//! passed the last gate; and recording what an incident touched (components,
//! test evidence) works on a frozen or live release without making any
//! approval, tick or health report stale.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{freeze, group_ready_incident, manifest};
use crate::common::Env;

const PIPELINE: &str = r#"
[[environments]]
name = "dev"

[[environments]]
name = "uat"

[[environments]]
name = "live"
requires_frozen = true
approvals = ["client"]
exit_checklist = ["Smoke tests passed"]
"#;

/// A frozen release with one incident (`INC-<id>`), promoted into `live`.
fn live() -> (Env, String) {
    let env = Env::with_pipeline(PIPELINE);
    let id = crate::common::releases::new_release(&env, "1.4.1");
    freeze(&env, &id);
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["approve", &id, "--env", "live", "--role", "client"]);
    one_commit(&env, &["promote", &id]);
    assert_eq!(manifest(&env, &id)["environment"], "live");
    (env, id)
}

#[test]
fn a_live_release_cannot_be_unfrozen_and_nothing_new_ships_through_it() {
    let (env, id) = live();
    // The issue's path: unfreeze, group an unapproved incident, freeze, close.
    let run = refused(&env, &["unfreeze", &id, "--reason", "one more fix"], 1);
    assert!(run.stderr.contains("[state]"), "{}", run.stderr);
    assert!(run.stderr.contains("live"), "{}", run.stderr);
    assert!(run.stderr.contains("rel rollback"), "{}", run.stderr);
    let json = refused(
        &env,
        &["--json", "unfreeze", &id, "--reason", "one more fix"],
        1,
    )
    .json();
    assert_eq!(json["violations"][0]["rule"], "state");
    assert_eq!(json["refused"], true);
    // Nothing else was grouped: the notes list only what passed the gate.
    let notes = env.rel(&["notes", &id]).ok().stdout.clone();
    assert!(notes.contains(&format!("INC-{id}")), "{notes}");
}

#[test]
fn group_and_ungroup_are_refused_on_a_live_release_even_when_it_is_open() {
    // An open release can be live where the last environment does not ask
    // for frozen content.
    let env = Env::with_pipeline(
        r#"
[[environments]]
name = "dev"

[[environments]]
name = "live"
"#,
    );
    let id = crate::common::releases::new_release(&env, "1.4.1");
    group_ready_incident(&env, &id, "INC-1");
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["incident", "new", "INC-2", "--title", "Late"]);
    one_commit(&env, &["incident", "resolve", "INC-2"]);
    one_commit(&env, &["incident", "authorise", "INC-2", "--by", "C"]);
    for args in [&["group", &id, "INC-2"][..], &["ungroup", &id, "INC-1"]] {
        let run = refused(&env, args, 1);
        assert!(run.stderr.contains("[state]"), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("content is fixed"), "{}", run.stderr);
    }
}

#[test]
fn after_a_rollback_the_content_may_change_again() {
    let (env, id) = live();
    one_commit(
        &env,
        &["rollback", &id, "--to", "uat", "--reason", "found a bug"],
    );
    one_commit(&env, &["unfreeze", &id, "--reason", "the fix joins"]);
    assert_eq!(manifest(&env, &id)["state"], "open");
}

#[test]
fn components_and_evidence_are_recorded_on_a_live_release_without_staleness() {
    let (env, id) = live();
    let inc = format!("INC-{id}");
    let before = manifest(&env, &id);
    one_commit(&env, &["incident", "component", &inc, "dll:Billing.dll"]);
    one_commit(
        &env,
        &["incident", "test", &inc, "--evidence", "prod-smoke.pdf"],
    );
    let after = manifest(&env, &id);
    // The release itself did not change: same revision, approvals stand.
    assert_eq!(after["revision"], before["revision"]);
    assert_eq!(after["approvals"], before["approvals"]);
    let shown = env.rel(&["--json", "incident", "show", &inc]).ok().json();
    assert_eq!(shown["components"][0]["name"], "Billing.dll");
    // The exit item is ticked and the release closes: nothing went stale.
    one_commit(&env, &["tick", &id, "--env", "live", "1"]);
    one_commit(&env, &["close", &id]);
    // And the audit finds every one of these commits lawful.
    env.rel(&["audit"]).ok();
}

#[test]
fn a_frozen_release_before_go_live_takes_components_and_evidence_too() {
    let env = Env::with_pipeline(PIPELINE);
    let id = crate::common::releases::new_release(&env, "1.4.1");
    freeze(&env, &id);
    let inc = format!("INC-{id}");
    let before = manifest(&env, &id)["revision"].clone();
    one_commit(&env, &["incident", "component", &inc, "param:Timeout"]);
    one_commit(&env, &["incident", "test", &inc, "--evidence", "uat.pdf"]);
    assert_eq!(manifest(&env, &id)["revision"], before);
    // But the content itself still does not change while frozen.
    let run = refused(&env, &["incident", "authorise", &inc, "--by", "X"], 1);
    assert!(run.stderr.contains("[state]"), "{}", run.stderr);
    env.rel(&["audit"]).ok();
}
