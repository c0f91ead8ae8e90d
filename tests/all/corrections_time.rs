//! Contract rev 2, section 4: time moves forward. A write whose "now" is
//! earlier than the last event recorded in the release it changes is
//! invalid input: exit 2 naming both instants, nothing written.

use crate::common::git::one_commit;
use crate::common::releases::{group_ready_incident, manifest, new_release};
use crate::common::Env;

const PIPELINE: &str = r#"
[[environments]]
name = "dev"

[[environments]]
name = "test"

[[environments]]
name = "live"
approvals = ["client"]
entry_checklist = ["Backup taken"]
"#;

/// The last event of the releases set up below.
const LAST: &str = "2026-11-23T10:00:00Z";
/// A clock a day behind it (and after the releases were created).
const EARLY: &str = "2026-11-22T10:00:00Z";

/// Runs `args` with REL_NOW = EARLY: exit 2 naming both instants, and the
/// repository byte-for-byte unchanged.
fn backwards(env: &Env, args: &[&str]) {
    env.assert_unchanged(|| {
        let run = env.rel_env(args, &[("REL_NOW", EARLY)]);
        run.code(2);
        assert!(
            run.stderr.contains(EARLY) && run.stderr.contains(LAST),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("history never runs backwards"),
            "{}",
            run.stderr
        );
    });
}

#[test]
fn every_write_to_a_release_before_its_last_event_is_exit_2() {
    let mut env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "1.4.1"); // Fri 2026-11-20
    env.now = LAST.into();
    group_ready_incident(&env, &id, "INC-1"); // the group is the last event
    for step in [
        &["incident", "new", "INC-2", "--title", "Two"][..],
        &["incident", "resolve", "INC-2"],
        &["incident", "authorise", "INC-2", "--by", "Carla"],
    ] {
        one_commit(&env, step);
    }
    // Each of these is allowed at LAST (revision 1 also took it at EARLY,
    // recording history out of order).
    for args in [
        &["group", &id, "INC-2"][..],
        &["ungroup", &id, "INC-1"],
        &["freeze", &id],
        &["promote", &id],
        &["approve", &id, "--env", "live", "--role", "client"],
        &["tick", &id, "--env", "live", "1"],
        &["verify", &id, "--passed", "3", "--failed", "0"],
        &["cancel", &id, "--reason", "Withdrawn"],
        // An incident of an open release: the release changes with it.
        &["incident", "test", "INC-1", "--evidence", "again.pdf"],
        &["incident", "component", "INC-1", "dll:Extra.dll"],
    ] {
        backwards(&env, args);
    }
    // --dry-run and --json are no way around it.
    backwards(&env, &["--dry-run", "freeze", &id]);
    env.assert_unchanged(|| {
        let run = env.rel_env(&["--json", "freeze", &id], &[("REL_NOW", EARLY)]);
        run.code(2);
    });
    // The same instant as the last event is not backwards.
    one_commit(&env, &["promote", &id]);
}

#[test]
fn rollback_close_and_unfreeze_before_the_last_event_are_exit_2() {
    let mut env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "1.4.1");
    group_ready_incident(&env, &id, "INC-1");
    one_commit(&env, &["freeze", &id]);
    one_commit(&env, &["promote", &id]); // test
    one_commit(&env, &["approve", &id, "--env", "live", "--role", "client"]);
    one_commit(&env, &["tick", &id, "--env", "live", "1"]);
    env.now = LAST.into();
    one_commit(&env, &["promote", &id]); // live, the last event
    for args in [
        &["rollback", &id, "--to", "test", "--reason", "Broken"][..],
        &["close", &id],
        &["unfreeze", &id, "--reason", "Hotfix"],
    ] {
        backwards(&env, args);
    }
    one_commit(&env, &["close", &id]);
    assert_eq!(manifest(&env, &id)["state"], "released");
}

#[test]
fn changes_to_incidents_outside_a_release_are_held_back_by_their_own_history() {
    let env = Env::with_pipeline(PIPELINE);
    env.rel_env(
        &["incident", "new", "INC-9", "--title", "Nine"],
        &[("REL_NOW", LAST)],
    )
    .ok();
    // No release records anything about INC-9, but its own history does:
    // a change dated before it would make the register run backwards.
    backwards(&env, &["incident", "resolve", "INC-9"]);
    env.rel_env(&["incident", "resolve", "INC-9"], &[("REL_NOW", LAST)])
        .ok();
    let id = env
        .rel_env(
            &["new", "--version", "1.0.0", "--title", "T"],
            &[("REL_NOW", LAST)],
        )
        .ok()
        .stdout
        .trim()
        .to_string();
    backwards(&env, &["group", &id, "INC-9"]);
}
