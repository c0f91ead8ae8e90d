//! Moving a release other than forwards: rollback and close; dry runs of
//! the engine's commands; a release walked from `new` to `close` through the
//! default pipeline. `plan` and `status` are in `promotion_views`.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes, freeze, manifest, new_release};
use crate::common::Env;
use crate::promotion::SIMPLE;

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
    crate::common::releases::group_ready_incident(&env, &id, "INC-7");
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
        format!("releases/archive/2026/incidents/INC-{id}.toml"),
        "releases/archive/2026/incidents/INC-7.toml".to_string(),
        format!("releases/archive/2026/{id}.toml"),
        "releases/archive/index/1.toml".to_string(),
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
    // Moved into the archive (git sees the rename), the index updated.
    assert_eq!(
        env.last_commit_files(),
        [
            format!("releases/archive/2026/{id}.toml"),
            "releases/archive/index/1.toml".to_string()
        ]
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
fn dry_run_of_every_engine_command_writes_nothing() {
    // Ana may set approvals aside (override_by, contract 11.5).
    let env = Env::with_pipeline(&format!(
        "override_by = [\"rm\"]\n[roles]\nrm = [\"ana@example.com\"]\n{SIMPLE}approvals = [\"client\"]\nentry_checklist = [\"Notes sent\"]\nexit_checklist = [\"Smoke tests passed\"]\n"
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
