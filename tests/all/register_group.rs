//! Grouping incidents into releases, freezing, unfreezing and cancelling
//! (issue 3): every rule code, all or none, the revision, cancel and regroup.

use serde_json::Value;

use crate::common::releases::new_release;
use crate::common::Env;

const R1: &str = "R-2026-001";
const R2: &str = "R-2026-002";

/// An incident that may be grouped: resolved and authorised; tested too
/// when `tested`.
fn incident(env: &Env, id: &str, tested: bool) {
    env.rel(&["incident", "new", id, "--title", &format!("Title of {id}")])
        .ok();
    env.rel(&["incident", "resolve", id]).ok();
    env.rel(&["incident", "authorise", id, "--by", "Bob Client"])
        .ok();
    if tested {
        env.rel(&[
            "incident",
            "test",
            id,
            "--evidence",
            &format!("docs/{id}.pdf"),
        ])
        .ok();
    }
}

/// A release R-2026-001 with the default pipeline and no incidents.
fn setup() -> Env {
    let env = Env::new();
    assert_eq!(new_release(&env, "1.4.0"), R1);
    env
}

fn release(env: &Env, id: &str) -> Value {
    env.rel(&["--json", "show", id]).ok().json()
}

fn holder(env: &Env, incident: &str) -> Value {
    env.rel(&["--json", "incident", "show", incident])
        .ok()
        .json()["release"]
        .clone()
}

fn last_files(env: &Env) -> Vec<String> {
    let mut files: Vec<String> = env
        .git(&["show", "--name-only", "--format=", "HEAD"])
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    files.sort();
    files
}

/// The rule codes of a refusal, from its --json output.
fn codes(env: &Env, args: &[&str]) -> Vec<String> {
    let mut full = vec!["--json"];
    full.extend_from_slice(args);
    let mut out = Vec::new();
    env.assert_unchanged(|| {
        let run = env.rel(&full);
        run.code(1);
        let v = run.json();
        assert_eq!(v["ok"], false);
        out = v["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .map(|x| x["rule"].as_str().unwrap_or("").to_string())
            .collect();
    });
    out
}

#[test]
fn group_writes_the_release_and_every_incident_in_one_commit() {
    let env = setup();
    incident(&env, "INC-1", false);
    incident(&env, "INC-2", false);
    let before = env.commit_count();
    let run = env.rel(&["group", R1, "INC-1", "inc-2"]);
    run.ok();
    assert!(run.stdout.contains("grouped INC-1, INC-2 into R-2026-001"));
    assert_eq!(env.commit_count(), before + 1);
    assert_eq!(
        last_files(&env),
        [
            "releases/R-2026-001.toml",
            "releases/incidents/INC-1.toml",
            "releases/incidents/INC-2.toml"
        ]
    );
    let msg = env.last_message();
    assert!(
        msg.starts_with("rel: group R-2026-001 INC-1, INC-2"),
        "{msg}"
    );
    assert!(
        msg.contains("Rel-Action: group\nRel-Release: R-2026-001"),
        "{msg}"
    );

    let r = release(&env, R1);
    assert_eq!(r["incidents"], serde_json::json!(["INC-1", "INC-2"]));
    assert_eq!(r["revision"], 2);
    let last = r["history"].as_array().and_then(|h| h.last()).cloned();
    let last = last.expect("history");
    assert_eq!(last["action"], "group");
    assert_eq!(last["by"], "Ana Smith <ana@example.com>");
    assert_eq!(last["at"], "2026-11-20T15:00:00Z");
    assert_eq!(holder(&env, "INC-1"), R1);
    assert_eq!(holder(&env, "INC-2"), R1);
}

#[test]
fn group_is_all_or_none_and_names_the_bad_incident() {
    let env = setup();
    incident(&env, "INC-1", false);
    incident(&env, "INC-2", false);
    env.rel(&["incident", "new", "INC-3", "--title", "Not resolved"])
        .ok();
    env.rel(&["incident", "authorise", "INC-3"]).ok();
    env.assert_unchanged(|| {
        let run = env.rel(&["group", R1, "INC-1", "INC-3", "INC-2"]);
        run.code(1);
        assert!(
            run.stderr.contains("[unresolved] incident INC-3"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("incident INC-1 "), "{}", run.stderr);
        assert!(!run.stderr.contains("incident INC-2 "), "{}", run.stderr);
    });
    assert_eq!(release(&env, R1)["incidents"], serde_json::json!([]));
    assert_eq!(holder(&env, "INC-1"), Value::Null);
}

#[test]
fn a_refusal_lists_every_violation_of_every_incident_at_once() {
    let env = setup();
    new_release(&env, "1.5.0");
    incident(&env, "TAKEN", false);
    env.rel(&["group", R2, "TAKEN"]).ok();
    env.rel(&["incident", "new", "RAW", "--title", "t"]).ok();
    env.rel(&["incident", "new", "UNAUTH", "--title", "t"]).ok();
    env.rel(&["incident", "resolve", "UNAUTH"]).ok();
    assert_eq!(
        codes(&env, &["group", R1, "RAW", "UNAUTH", "TAKEN"]),
        ["unresolved", "unauthorised", "unauthorised", "grouped"]
    );
    let run = env.rel(&["group", R1, "TAKEN"]);
    assert!(run
        .stderr
        .contains("[grouped] incident TAKEN is already in release R-2026-002"));
    // The release frozen too: `state` joins the others.
    incident(&env, "OK", true);
    env.rel(&["group", R1, "OK"]).ok();
    env.rel(&["freeze", R1]).ok();
    assert_eq!(
        codes(&env, &["group", R1, "RAW", "TAKEN"]),
        ["state", "unresolved", "unauthorised", "grouped"]
    );
}

#[test]
fn unknown_releases_and_incidents_exit_2_naming_each() {
    let env = setup();
    incident(&env, "INC-1", true);
    env.assert_unchanged(|| {
        let run = env.rel(&["group", R1, "INC-1", "NOPE", "GONE"]);
        run.code(2);
        assert!(run.stderr.contains("NOPE, GONE"), "{}", run.stderr);
        env.rel(&["group", "R-2099-001", "INC-1"]).code(2);
        env.rel(&["group", R1, "../etc"]).code(2);
        env.rel(&["group", R1]).code(2);
        env.rel(&["ungroup", "R-2099-001", "INC-1"]).code(2);
        env.rel(&["freeze", "R-2099-001"]).code(2);
        env.rel(&["unfreeze", "R-2099-001", "--reason", "x"])
            .code(2);
        env.rel(&["cancel", "R-2099-001", "--reason", "x"]).code(2);
        env.rel(&["cancel", R1]).code(2);
        env.rel(&["cancel", R1, "--reason", " "]).code(2);
        env.rel(&["unfreeze", R1]).code(2);
    });
}

#[test]
fn grouping_again_what_is_already_there_changes_nothing() {
    let env = setup();
    incident(&env, "INC-1", false);
    env.rel(&["group", R1, "INC-1"]).ok();
    env.assert_unchanged(|| {
        let run = env.rel(&["group", R1, "inc-1", "INC-1"]);
        run.ok();
        assert!(run.stderr.contains("nothing to change"), "{}", run.stderr);
    });
    assert_eq!(release(&env, R1)["revision"], 2);
}

#[test]
fn ungroup_clears_both_sides_and_refuses_strangers_with_exit_2() {
    let env = setup();
    incident(&env, "INC-1", false);
    incident(&env, "INC-2", false);
    incident(&env, "INC-3", false);
    env.rel(&["group", R1, "INC-1", "INC-2"]).ok();
    env.assert_unchanged(|| {
        let run = env.rel(&["ungroup", R1, "INC-1", "INC-3"]);
        run.code(2);
        assert!(
            run.stderr.contains("not in release R-2026-001: INC-3"),
            "{}",
            run.stderr
        );
    });
    let run = env.rel(&["ungroup", R1, "inc-1"]);
    run.ok();
    assert!(run
        .stdout
        .contains("ungrouped INC-1 from R-2026-001 (revision 3"));
    let r = release(&env, R1);
    assert_eq!(r["incidents"], serde_json::json!(["INC-2"]));
    assert_eq!(r["revision"], 3);
    assert_eq!(holder(&env, "INC-1"), Value::Null);
    assert_eq!(holder(&env, "INC-2"), R1);
    assert!(env.last_message().contains("Rel-Action: ungroup"));
    assert_eq!(
        last_files(&env),
        ["releases/R-2026-001.toml", "releases/incidents/INC-1.toml"]
    );
}

#[test]
fn freeze_needs_incidents_each_resolved_and_tested() {
    let env = setup();
    assert_eq!(codes(&env, &["freeze", R1]), ["empty"]);
    incident(&env, "INC-1", false);
    incident(&env, "INC-2", true);
    env.rel(&["group", R1, "INC-1", "INC-2"]).ok();
    let run = env.rel(&["freeze", R1]);
    run.code(1);
    assert!(
        run.stderr.contains("[untested] incident INC-1"),
        "{}",
        run.stderr
    );
    assert_eq!(codes(&env, &["freeze", R1]), ["untested"]);

    // An incident reopened by a hand edit (rel refuses to reopen it).
    let path = "releases/incidents/INC-2.toml";
    env.write(
        path,
        &env.read(path)
            .replace("status = \"resolved\"", "status = \"open\""),
    );
    env.git(&["commit", "-q", "-am", "hand edit"]);
    // Incident by incident: INC-1 untested, INC-2 unresolved.
    assert_eq!(codes(&env, &["freeze", R1]), ["untested", "unresolved"]);
    // Each change to an incident of the open release is a new revision.
    env.rel(&["incident", "resolve", "INC-2"]).ok();
    env.rel(&["incident", "test", "INC-1", "--evidence", "t.pdf"])
        .ok();

    let run = env.rel(&["freeze", R1]);
    run.ok();
    assert!(run.stdout.contains("R-2026-001 frozen at revision 4"));
    let r = release(&env, R1);
    assert_eq!(r["state"], "frozen");
    assert_eq!(r["frozen"], true);
    assert_eq!(r["revision"], 4);
    assert!(env
        .last_message()
        .contains("Rel-Action: freeze\nRel-Release: R-2026-001"));
    assert_eq!(last_files(&env), ["releases/R-2026-001.toml"]);
    // Frozen: no second freeze, no content change.
    assert_eq!(codes(&env, &["freeze", R1]), ["state"]);
    assert_eq!(codes(&env, &["ungroup", R1, "INC-1"]), ["state"]);
    incident(&env, "INC-3", true);
    assert_eq!(codes(&env, &["group", R1, "INC-3"]), ["state"]);
}

#[test]
fn unfreeze_records_the_reason_and_starts_a_new_revision() {
    let env = setup();
    incident(&env, "INC-1", true);
    env.rel(&["group", R1, "INC-1"]).ok();
    assert_eq!(codes(&env, &["unfreeze", R1, "--reason", "x"]), ["state"]);
    env.rel(&["freeze", R1]).ok();
    let run = env.rel(&["unfreeze", R1, "--reason", "INC-1 needs a late fix"]);
    run.ok();
    assert!(run.stdout.contains("revision 3"), "{}", run.stdout);
    let r = release(&env, R1);
    assert_eq!(r["state"], "open");
    assert_eq!(r["frozen"], false);
    assert_eq!(r["revision"], 3);
    let last = r["history"].as_array().and_then(|h| h.last()).cloned();
    assert_eq!(last.expect("history")["reason"], "INC-1 needs a late fix");
    let msg = env.last_message();
    assert!(msg.contains("Rel-Action: unfreeze"), "{msg}");
    assert!(msg.contains("Rel-Reason: INC-1 needs a late fix"), "{msg}");
}

#[test]
fn group_ungroup_and_unfreeze_bump_the_revision_freeze_does_not() {
    let env = setup();
    incident(&env, "INC-1", true);
    incident(&env, "INC-2", true);
    let rev = |env: &Env| release(env, R1)["revision"].as_u64();
    assert_eq!(rev(&env), Some(1));
    env.rel(&["group", R1, "INC-1", "INC-2"]).ok();
    assert_eq!(rev(&env), Some(2));
    env.rel(&["ungroup", R1, "INC-2"]).ok();
    assert_eq!(rev(&env), Some(3));
    env.rel(&["freeze", R1]).ok();
    assert_eq!(rev(&env), Some(3));
    env.rel(&["unfreeze", R1, "--reason", "more"]).ok();
    assert_eq!(rev(&env), Some(4));
}

#[test]
fn a_tick_for_earlier_content_goes_stale_when_the_content_changes() {
    let env = Env::new();
    // Major: uat has an entry item for major releases.
    let r = new_release(&env, "2.0.0");
    env.rel(&["tick", &r, "--env", "uat", "1"]).ok();
    incident(&env, "INC-1", false);
    env.rel(&["group", &r, "INC-1"]).ok();
    let v = release(&env, &r);
    assert_eq!(v["revision"], 2);
    assert_eq!(v["ticks"][0]["revision"], 1);
    let text = env.rel(&["show", &r]).ok().stdout.clone();
    assert!(text.contains("(stale)"), "{text}");
}

#[test]
fn reopen_is_refused_while_grouped_in_a_release_in_progress() {
    let env = setup();
    incident(&env, "INC-1", true);
    env.rel(&["group", R1, "INC-1"]).ok();
    env.assert_unchanged(|| {
        let run = env.rel(&["incident", "reopen", "INC-1"]);
        run.code(1);
        assert!(
            run.stderr
                .contains("[state] incident INC-1 is grouped in release R-2026-001"),
            "{}",
            run.stderr
        );
    });
    env.rel(&["ungroup", R1, "INC-1"]).ok();
    env.rel(&["incident", "reopen", "INC-1"]).ok();
}

#[test]
fn cancel_frees_the_incidents_to_be_grouped_again() {
    let env = setup();
    new_release(&env, "1.5.0");
    incident(&env, "INC-1", true);
    incident(&env, "INC-2", true);
    env.rel(&["group", R1, "INC-1", "INC-2"]).ok();
    env.rel(&["freeze", R1]).ok();
    assert_eq!(codes(&env, &["group", R2, "INC-1"]), ["grouped"]);

    let run = env.rel(&["cancel", R1, "--reason", "Client withdrew the change"]);
    run.ok();
    assert!(run.stdout.contains("2 incidents free to group again"));
    let msg = env.last_message();
    assert!(
        msg.contains("Rel-Action: cancel\nRel-Release: R-2026-001"),
        "{msg}"
    );
    assert!(
        msg.contains("Rel-Reason: Client withdrew the change"),
        "{msg}"
    );
    assert_eq!(
        last_files(&env),
        [
            "releases/archive/2026/R-2026-001.toml",
            "releases/incidents/INC-1.toml",
            "releases/incidents/INC-2.toml"
        ]
    );
    let r = release(&env, R1);
    assert_eq!(r["state"], "cancelled");
    // The cancelled release keeps its content as a record.
    assert_eq!(r["incidents"], serde_json::json!(["INC-1", "INC-2"]));
    assert_eq!(holder(&env, "INC-1"), Value::Null);

    env.rel(&["group", R2, "INC-1", "INC-2"]).ok();
    assert_eq!(holder(&env, "INC-1"), R2);
    assert_eq!(
        release(&env, R2)["incidents"],
        serde_json::json!(["INC-1", "INC-2"])
    );
}

#[test]
fn a_cancelled_release_refuses_every_further_change() {
    let env = setup();
    incident(&env, "INC-1", true);
    incident(&env, "INC-2", true);
    env.rel(&["group", R1, "INC-1"]).ok();
    env.rel(&["cancel", R1, "--reason", "stop"]).ok();
    assert_eq!(codes(&env, &["group", R1, "INC-2"]), ["state"]);
    assert_eq!(codes(&env, &["ungroup", R1, "INC-1"]), ["state"]);
    assert_eq!(codes(&env, &["freeze", R1]), ["state"]);
    assert_eq!(codes(&env, &["unfreeze", R1, "--reason", "x"]), ["state"]);
    assert_eq!(codes(&env, &["cancel", R1, "--reason", "again"]), ["state"]);
}

#[test]
fn dry_run_of_each_register_command_writes_nothing() {
    let env = setup();
    incident(&env, "INC-1", true);
    env.assert_unchanged(|| {
        let run = env.rel(&["--dry-run", "group", R1, "INC-1"]);
        run.ok();
        assert!(run
            .stderr
            .contains("would write releases/incidents/INC-1.toml"));
        env.rel(&["--dry-run", "cancel", R1, "--reason", "x"]).ok();
    });
    env.rel(&["group", R1, "INC-1"]).ok();
    env.assert_unchanged(|| {
        env.rel(&["--dry-run", "ungroup", R1, "INC-1"]).ok();
        env.rel(&["--dry-run", "freeze", R1]).ok();
    });
    env.rel(&["freeze", R1]).ok();
    env.assert_unchanged(|| {
        let run = env.rel(&["--json", "--dry-run", "unfreeze", R1, "--reason", "x"]);
        run.ok();
        // JSON shows the release as it would be.
        assert_eq!(run.json()["revision"], 3);
    });
}

#[test]
fn json_output_of_the_writes_is_the_release() {
    let env = setup();
    incident(&env, "INC-1", true);
    let v = env.rel(&["--json", "group", R1, "INC-1"]).ok().json();
    assert_eq!(v["id"], R1);
    assert_eq!(v["incidents"], serde_json::json!(["INC-1"]));
    let v = env.rel(&["--json", "freeze", R1]).ok().json();
    assert_eq!(v["state"], "frozen");
    let v = env
        .rel(&["--json", "cancel", R1, "--reason", "x"])
        .ok()
        .json();
    assert_eq!(v["state"], "cancelled");
}

#[test]
fn show_and_status_count_the_release_content() {
    let env = setup();
    incident(&env, "INC-1", false);
    incident(&env, "INC-2", false);
    env.rel(&["group", R1, "INC-1", "INC-2"]).ok();
    let text = env.rel(&["show", R1]).ok().stdout.clone();
    assert!(text.contains("Incidents (2):"), "{text}");
    assert!(
        text.contains("INC-1") && text.contains("resolved"),
        "{text}"
    );
    let status = env.rel(&["--json", "status"]).ok().json();
    assert_eq!(status[0]["incidents"].as_array().map(Vec::len), Some(2));
}

#[test]
fn hand_edits_a_dangling_holder_and_a_missing_incident_file() {
    let env = setup();
    incident(&env, "INC-1", true);
    incident(&env, "INC-2", true);
    env.rel(&["group", R1, "INC-1", "INC-2"]).ok();
    // INC-1 names a release that does not exist: it holds nothing.
    let path = "releases/incidents/INC-1.toml";
    env.write(
        path,
        &env.read(path)
            .replace("release = \"R-2026-001\"", "release = \"R-GONE\""),
    );
    // INC-2's file is deleted by hand while R1 still lists it.
    env.git(&["rm", "-q", "releases/incidents/INC-2.toml"]);
    env.git(&["commit", "-q", "-am", "hand edits"]);

    env.assert_unchanged(|| {
        let run = env.rel(&["freeze", R1]);
        run.code(2);
        assert!(run.stderr.contains("INC-2"), "{}", run.stderr);
    });
    // Ungroup drops the missing one from the list.
    env.rel(&["ungroup", R1, "INC-2"]).ok();
    assert_eq!(release(&env, R1)["incidents"], serde_json::json!(["INC-1"]));
    // The dangling reference does not stop grouping elsewhere.
    new_release(&env, "1.5.0");
    env.rel(&["group", R2, "INC-1"]).ok();
    assert_eq!(holder(&env, "INC-1"), R2);
}
