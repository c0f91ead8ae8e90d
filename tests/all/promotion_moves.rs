//! Moving a release other than forwards, and the views of the engine:
//! rollback, close, plan and status; a release walked from `new` to `close`
//! through the default pipeline.

use serde_json::{json, Value};

use crate::common::Env;
use crate::promotion::{
    check, codes, freeze, manifest, new_release, one_commit, refused, FRI, SIMPLE,
};

// ---- rollback ----

#[test]
fn rollback_resets_the_entry_time_so_the_soak_starts_again() {
    let mut env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id]); // test, Fri 20 15:00
    env.now = "2026-11-25T15:00:00Z".into();
    one_commit(&env, &["promote", &id]); // live
    env.now = "2026-11-26T10:00:00Z".into();
    one_commit(
        &env,
        &[
            "rollback",
            &id,
            "--to",
            "test",
            "--reason",
            "Login broken in live",
        ],
    );
    let msg = env.last_message();
    assert!(
        msg.starts_with(&format!("rel: rollback {id} to test\n")),
        "{msg}"
    );
    assert!(msg.contains("Rel-Action: rollback\n"), "{msg}");
    assert!(msg.contains(&format!("Rel-Release: {id}\n")), "{msg}");
    assert!(msg.contains("Rel-Env: test\n"), "{msg}");
    assert!(msg.contains("Rel-Reason: Login broken in live"), "{msg}");
    let m = manifest(&env, &id);
    assert_eq!(m["environment"], "test");
    assert_eq!(m["entered_at"], "2026-11-26T10:00:00Z");
    let last = m["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "rollback");
    assert_eq!(last["from"], "live");
    assert_eq!(last["reason"], "Login broken in live");

    // Three business days from Thu 26 10:00: Tue 1 Dec 10:00.
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["soak"]);
    assert_eq!(v["ready_at"], "2026-12-01T10:00:00Z");
}

#[test]
fn rollback_only_goes_back_and_always_with_a_reason() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id]); // in test
    for to in ["live", "test"] {
        let run = refused(&env, &["rollback", &id, "--to", to, "--reason", "x"], 1);
        assert!(run.stderr.contains("[order]"), "{to}: {}", run.stderr);
    }
    refused(&env, &["rollback", &id, "--to", "dev"], 2);
    refused(&env, &["rollback", &id, "--to", "dev", "--reason", " "], 2);
    refused(
        &env,
        &["rollback", &id, "--to", "nowhere", "--reason", "x"],
        2,
    );
    one_commit(&env, &["cancel", &id, "--reason", "Withdrawn"]);
    let run = refused(&env, &["rollback", &id, "--to", "dev", "--reason", "x"], 1);
    assert!(run.stderr.contains("[state]"), "{}", run.stderr);
}

// ---- close ----

#[test]
fn close_outside_the_last_environment_is_refused_with_order() {
    let env = Env::new();
    let id = new_release(&env, "1.4.1");
    let run = refused(&env, &["close", &id], 1);
    assert!(run.stderr.contains("[order]"), "{}", run.stderr);
}

#[test]
fn close_needs_the_exit_checklist_then_releases_and_closes_incidents() {
    let env = Env::new();
    let id = new_release(&env, "1.4.1");
    crate::promotion::group_ready_incident(&env, &id, "INC-7");
    freeze(&env, &id); // groups a second incident
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["promote", &id]);
    for n in ["1", "2", "3"] {
        one_commit(&env, &["tick", &id, "--env", "production", n]);
    }
    one_commit(&env, &["promote", &id, "--yes"]);
    let run = refused(&env, &["close", &id], 1);
    assert!(run.stderr.contains("[checklist]"), "{}", run.stderr);
    assert!(run.stderr.contains("Post-release tests"), "{}", run.stderr);

    one_commit(
        &env,
        &[
            "tick",
            &id,
            "--env",
            "production",
            "Post-release tests passed on production",
        ],
    );
    one_commit(&env, &["close", &id]);
    let msg = env.last_message();
    assert!(msg.starts_with(&format!("rel: close {id}\n")), "{msg}");
    assert!(
        msg.contains("Rel-Action: close\n") && msg.contains("Rel-Env: production\n"),
        "{msg}"
    );
    let mut files = env.last_commit_files();
    files.sort();
    let mut expected = vec![
        format!("releases/incidents/INC-{id}.toml"),
        "releases/incidents/INC-7.toml".to_string(),
        format!("releases/{id}.toml"),
    ];
    expected.sort();
    assert_eq!(files, expected);
    assert_eq!(manifest(&env, &id)["state"], "released");
    for inc in ["INC-7".to_string(), format!("INC-{id}")] {
        let v = env.rel(&["--json", "incident", "show", &inc]).ok().json();
        assert_eq!(v["status"], "closed", "{inc}: {v}");
        assert_eq!(v["release"], id.as_str());
    }
    // Released: nothing moves it any more.
    let run = refused(&env, &["close", &id], 1);
    assert!(run.stderr.contains("[state]"), "{}", run.stderr);
    refused(
        &env,
        &["rollback", &id, "--to", "staging", "--reason", "x"],
        1,
    );
}

#[test]
fn close_of_a_release_without_incidents_writes_only_its_manifest() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["close", &id]);
    assert_eq!(env.last_commit_files(), [format!("releases/{id}.toml")]);
}

// ---- plan ----

#[test]
fn plan_json_gives_each_remaining_environment_and_what_still_blocks() {
    let env = Env::new();
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id]); // uat, Fri 20 15:00, not frozen
    let v = env.rel(&["--json", "plan", &id]).ok().json();
    assert_eq!(
        v,
        json!({"release": id, "steps": [
            {"env": "staging", "earliest": "2026-11-25T15:00:00Z", "blocked_by": ["frozen"]},
            {"env": "production", "earliest": "2026-12-02T15:00:00Z", "blocked_by": ["frozen", "checklist"]},
        ]})
    );
    let text = env.rel(&["plan", &id]);
    text.ok();
    assert!(
        text.stdout.contains("Wed 2026-11-25 15:00"),
        "{}",
        text.stdout
    );
}

#[test]
fn plan_earliest_for_the_next_environment_equals_check_ready_at() {
    let mut env = Env::with_pipeline(
        r#"
[calendar]
timezone = "Europe/London"
holidays = [2026-11-23]
[[environments]]
name = "dev"
[[environments]]
name = "test"
soak = { minor = 3 }
[[environments]]
name = "live"
windows = ["tue-thu 09:00-17:00"]
blackouts = [{ from = 2026-11-26, to = 2026-11-26 }]
"#,
    );
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id]);
    for now in [
        FRI,
        "2026-11-24T12:00:00Z",
        "2026-11-26T16:30:00Z",
        "2026-11-27T08:00:00Z",
    ] {
        env.now = now.to_string();
        let (code, v) = check(&env, &[&id]);
        assert_eq!(code, 1, "{now}: {v}");
        let plan = env.rel(&["--json", "plan", &id]).ok().json();
        assert_eq!(
            plan["steps"][0]["earliest"], v["ready_at"],
            "{now}: {plan} vs {v}"
        );
        assert_eq!(plan["steps"][0]["blocked_by"], json!([]), "{now}");
    }
    // Soak ends Thu 26 15:00 (Monday a holiday), the blackout takes Thursday:
    // the window opens again Tue 1 Dec 09:00 GMT.
    env.now = FRI.into();
    assert_eq!(check(&env, &[&id]).1["ready_at"], "2026-12-01T09:00:00Z");
}

#[test]
fn plan_names_an_exclusive_occupant_and_is_empty_in_the_last_environment() {
    let env = Env::new();
    let a = new_release(&env, "1.4.1");
    let b = new_release(&env, "1.4.2");
    for id in [&a, &b] {
        one_commit(&env, &["promote", id]);
        freeze(&env, id);
    }
    one_commit(&env, &["promote", &a]);
    let v = env.rel(&["--json", "plan", &b]).ok().json();
    assert_eq!(v["steps"][0]["env"], "staging");
    assert_eq!(v["steps"][0]["earliest"], FRI);
    assert_eq!(v["steps"][0]["blocked_by"], json!(["exclusive"]));

    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["promote", &id]);
    let v = env.rel(&["--json", "plan", &id]).ok().json();
    assert_eq!(v, json!({"release": id, "steps": []}));
}

// ---- status ----

#[test]
fn status_shows_readiness_ready_blocked_or_ready_at() {
    let env = Env::new();
    let ready = new_release(&env, "1.4.0"); // dev -> uat: nothing blocks
    let waiting = new_release(&env, "1.5.0"); // uat, frozen: only the soak
    let blocked = new_release(&env, "1.6.0"); // uat, not frozen
    let last = new_release(&env, "1.6.1"); // production
    let gone = new_release(&env, "1.6.2"); // cancelled: not listed
    for id in [&waiting, &blocked, &last] {
        one_commit(&env, &["promote", id]);
    }
    freeze(&env, &waiting);
    freeze(&env, &last);
    one_commit(&env, &["promote", &last]);
    for n in ["1", "2", "3"] {
        one_commit(&env, &["tick", &last, "--env", "production", n]);
    }
    one_commit(&env, &["promote", &last, "--yes"]);
    one_commit(&env, &["cancel", &gone, "--reason", "Duplicate"]);

    let table = env.rel(&["status"]);
    table.ok();
    let line = |id: &str| -> String {
        table
            .stdout
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("{id}:\n{}", table.stdout))
            .to_string()
    };
    assert!(
        line(&ready).trim_end().ends_with("ready"),
        "{}",
        table.stdout
    );
    assert!(
        line(&waiting).contains("ready at Wed 2026-11-25 15:00"),
        "{}",
        table.stdout
    );
    assert!(
        line(&blocked).contains("blocked: soak, frozen"),
        "{}",
        table.stdout
    );
    assert!(
        line(&last).contains("last environment: close blocked: checklist"),
        "{}",
        table.stdout
    );
    assert!(!table.stdout.contains(&gone), "{}", table.stdout);

    let v = env.rel(&["--json", "status"]).ok().json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4, "{v}");
    let row = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap().clone();
    for key in [
        "id",
        "title",
        "version",
        "kind",
        "state",
        "environment",
        "entered_at",
        "frozen",
        "incidents",
        "history",
    ] {
        assert!(
            row(&ready).get(key).is_some(),
            "status --json lacks {key}: {v}"
        );
    }
    let r = row(&ready);
    assert_eq!(
        (r["next"].clone(), r["ready"].clone(), r["ready_at"].clone()),
        (json!("uat"), json!(true), json!(FRI))
    );
    assert_eq!(r["blocked_by"], json!([]));
    let w = row(&waiting);
    assert_eq!(
        (w["ready"].clone(), w["ready_at"].clone()),
        (json!(false), json!("2026-11-25T15:00:00Z"))
    );
    assert_eq!(w["blocked_by"], json!(["soak"]));
    let b = row(&blocked);
    assert_eq!(
        (b["ready_at"].clone(), b["blocked_by"].clone()),
        (Value::Null, json!(["soak", "frozen"]))
    );
    let l = row(&last);
    assert_eq!(
        (l["next"].clone(), l["ready"].clone()),
        (Value::Null, Value::Null)
    );
}

// ---- a release from new to close ----

#[test]
fn a_release_walks_the_default_pipeline_from_new_to_close() {
    let mut env = Env::new();
    let id = new_release(&env, "2.0.0"); // major: uat entry item, 10-day soak
    freeze(&env, &id);
    refused(&env, &["promote", &id], 1); // the uat data refresh is not ticked
    one_commit(&env, &["tick", &id, "--env", "uat", "1"]);
    one_commit(&env, &["promote", &id]);
    let (_, v) = check(&env, &[&id]);
    assert_eq!(v["ready_at"], "2026-12-04T15:00:00Z"); // 10 business days
    env.now = "2026-12-04T15:00:00Z".into();
    one_commit(&env, &["promote", &id]);
    env.now = "2026-12-11T15:00:00Z".into(); // 5 business days in staging
    for n in ["1", "2", "3"] {
        one_commit(&env, &["tick", &id, "--env", "production", n]);
    }
    refused(&env, &["promote", &id], 3);
    one_commit(&env, &["promote", &id, "--yes"]);
    one_commit(&env, &["tick", &id, "--env", "production", "1"]);
    one_commit(&env, &["close", &id]);
    let actions: Vec<String> = manifest(&env, &id)["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "new", "group", "freeze", "tick", "promote", "promote", "tick", "tick", "tick",
            "promote", "tick", "close"
        ]
    );
}

#[test]
fn plan_passes_over_an_optional_environment_when_that_is_sooner() {
    // perf is optional with a 4-day soak: live can be entered now, straight
    // from dev, as `check --to live` says; plan must agree.
    let env = Env::with_pipeline(
        r#"
[[environments]]
name = "dev"
[[environments]]
name = "perf"
optional = true
soak = { patch = 4 }
[[environments]]
name = "live"
"#,
    );
    let id = new_release(&env, "1.4.1");
    assert_eq!(check(&env, &[&id, "--to", "live"]).1["ready_at"], FRI);
    let v = env.rel(&["--json", "plan", &id]).ok().json();
    assert_eq!(
        v["steps"],
        json!([
            {"env": "perf", "earliest": FRI, "blocked_by": []},
            {"env": "live", "earliest": FRI, "blocked_by": []},
        ])
    );
}

#[test]
fn status_in_the_last_environment_says_whether_it_can_close() {
    let env = Env::with_pipeline(&format!(
        "{SIMPLE}exit_checklist = [\"Smoke tests passed\"]\n"
    ));
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["promote", &id]);
    let table = env.rel(&["status"]);
    assert!(
        table.ok().stdout.contains("close blocked: checklist"),
        "{}",
        table.stdout
    );
    one_commit(&env, &["tick", &id, "--env", "live", "1"]);
    let table = env.rel(&["status"]);
    assert!(
        table
            .ok()
            .stdout
            .contains("last environment: ready to close"),
        "{}",
        table.stdout
    );
}

#[test]
fn dry_run_of_every_engine_command_writes_nothing() {
    let env = Env::with_pipeline(&format!(
        "{SIMPLE}approvals = [\"client\"]\nentry_checklist = [\"Notes sent\"]\nexit_checklist = [\"Smoke tests passed\"]\n"
    ));
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id]);
    env.assert_unchanged(|| {
        for args in [
            vec!["approve", &id, "--env", "live", "--role", "client"],
            vec!["tick", &id, "--env", "live", "1"],
            vec!["verify", &id, "--passed", "1", "--failed", "0"],
            vec!["rollback", &id, "--to", "dev", "--reason", "x"],
            vec![
                "promote",
                &id,
                "--override",
                "approval",
                "checklist",
                "--reason",
                "x",
            ],
        ] {
            let mut all = vec!["--dry-run"];
            all.extend(args.iter().copied());
            let run = env.rel(&all);
            run.ok();
            assert!(run.stderr.contains("dry run"), "{all:?}: {}", run.stderr);
        }
    });
    one_commit(
        &env,
        &[
            "promote",
            &id,
            "--override",
            "approval",
            "checklist",
            "--reason",
            "x",
        ],
    );
    one_commit(&env, &["tick", &id, "--env", "live", "1"]);
    env.assert_unchanged(|| {
        env.rel(&["--dry-run", "close", &id]).ok();
    });
}
