//! The gates a person or a script opens besides approvals: checklists
//! (entry items by kind, exit items, `rel tick`) and health (`rel verify`,
//! reports from CI), each stale once the content changes.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes, group_ready_incident, manifest, new_release};
use crate::common::Env;

// ---- checklist ----

#[test]
fn checklist_entry_item_for_major_releases_only() {
    let env = Env::new(); // uat: "UAT data refreshed from production", major only
    let major = new_release(&env, "2.0.0");
    let minor = new_release(&env, "1.5.0");
    let (code, v) = check(&env, &[&major]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["checklist"]);
    assert!(v.to_string().contains("UAT data refreshed"), "{v}");
    // No time rule waits (earliest is now), but someone must tick.
    assert_eq!(v["earliest"], v["at"]);
    assert_eq!(v["ready_at"], serde_json::Value::Null);
    refused(&env, &["promote", &major], 1);
    assert_eq!(check(&env, &[&minor]).0, 0);
    // A minor release has no entry item to tick in uat.
    refused(&env, &["tick", &minor, "--env", "uat", "1"], 2);

    one_commit(
        &env,
        &[
            "tick",
            &major,
            "--env",
            "uat",
            "UAT data refreshed from production",
        ],
    );
    let msg = env.last_message();
    assert!(
        msg.starts_with(&format!("rel: tick {major} uat entry: UAT data")),
        "{msg}"
    );
    assert!(
        msg.contains("Rel-Action: tick\n") && msg.contains("Rel-Env: uat\n"),
        "{msg}"
    );
    assert_eq!(check(&env, &[&major]).0, 0);
    one_commit(&env, &["promote", &major]);
}

#[test]
fn tick_by_number_or_text_and_unknown_items_are_exit_2() {
    let env = Env::new();
    let id = new_release(&env, "1.5.1");
    let (_, v) = check(&env, &[&id, "--to", "production"]);
    assert_eq!(
        codes(&v),
        ["order", "frozen", "checklist", "checklist", "checklist"]
    );

    one_commit(&env, &["tick", &id, "--env", "production", "2"]);
    let ticks = &manifest(&env, &id)["ticks"];
    assert_eq!(
        ticks[0]["item"], "Web service configuration changes reviewed",
        "{ticks}"
    );
    assert_eq!(ticks[0]["checklist"], "entry");
    one_commit(
        &env,
        &[
            "tick",
            &id,
            "--env",
            "production",
            "access permissions REVIEWED",
        ],
    );
    let (_, v) = check(&env, &[&id, "--to", "production"]);
    assert_eq!(codes(&v), ["order", "frozen", "checklist"]);
    assert!(v.to_string().contains("Database structures"), "{v}");

    for bad in ["0", "4", "Coffee made"] {
        let run = refused(&env, &["tick", &id, "--env", "production", bad], 2);
        assert!(
            run.stderr.contains("1. Database structures"),
            "{bad}: {}",
            run.stderr
        );
    }
    refused(&env, &["tick", &id, "--env", "nowhere", "1"], 2);
    // Ticking again is not an error and records nothing.
    env.assert_unchanged(|| {
        env.rel(&["tick", &id, "--env", "production", "2"]).ok();
    });
}

#[test]
fn checklist_exit_items_of_the_current_environment_hold_the_release() {
    let env = Env::with_pipeline(
        r#"
[[environments]]
name = "dev"
exit_checklist = ["Smoke tests signed off", { item = "Migration rehearsed", kinds = ["major"] }]
[[environments]]
name = "live"
"#,
    );
    let id = new_release(&env, "1.5.1");
    let (code, v) = check(&env, &[&id]);
    assert_eq!((code, codes(&v)), (1, vec!["checklist".to_string()]));
    assert!(v.to_string().contains("exit item of dev"), "{v}");
    refused(&env, &["promote", &id], 1);
    // Only the exit list of the environment it is in, not entry items of it.
    one_commit(&env, &["tick", &id, "--env", "dev", "1"]);
    assert_eq!(manifest(&env, &id)["ticks"][0]["checklist"], "exit");
    assert_eq!(check(&env, &[&id]).0, 0);
    one_commit(&env, &["promote", &id]);
    // Behind it now: nothing of dev can be ticked.
    let run = refused(&env, &["tick", &id, "--env", "dev", "1"], 1);
    assert!(run.stderr.contains("[order]"), "{}", run.stderr);
}

#[test]
fn checklist_ticks_go_stale_with_the_content_and_can_be_overridden() {
    let env = Env::new();
    let id = new_release(&env, "2.0.0");
    one_commit(&env, &["tick", &id, "--env", "uat", "1"]);
    assert_eq!(check(&env, &[&id]).0, 0);
    group_ready_incident(&env, &id, "INC-1");
    let (_, v) = check(&env, &[&id]);
    assert_eq!(codes(&v), ["checklist"]);
    one_commit(
        &env,
        &[
            "promote",
            &id,
            "--override",
            "checklist",
            "--reason",
            "Data refreshed last week",
        ],
    );
    assert!(env.last_message().contains("Rel-Override: checklist\n"));
}

// ---- health ----

/// dev -> test (health check writing its environment to `seen`, passing
/// when `pass` exists) -> live (requires_health).
fn health_env() -> (Env, String, std::path::PathBuf, std::path::PathBuf) {
    let env = Env::new();
    let seen = env.tmp.path().join("seen.txt");
    let pass = env.tmp.path().join("pass");
    env.write(
        "environments.toml",
        &format!(
            r#"
[[environments]]
name = "dev"
[[environments]]
name = "test"
health_check = '''echo "$REL_RELEASE $REL_VERSION $REL_ENV" > "{}"; pwd >> "{0}"; echo checking; test -e "{}"'''
[[environments]]
name = "live"
requires_health = true
"#,
            seen.display(),
            pass.display()
        ),
    );
    env.git(&["commit", "-q", "-am", "test pipeline"]);
    let id = new_release(&env, "2.1.3");
    one_commit(&env, &["promote", &id]);
    (env, id, seen, pass)
}

#[test]
fn health_is_needed_and_verify_records_failing_and_passing_reports() {
    let (env, id, seen, pass) = health_env();
    let (code, v) = check(&env, &[&id]);
    assert_eq!((code, codes(&v)), (1, vec!["health".to_string()]));
    assert!(v.to_string().contains("rel verify"), "{v}");
    refused(&env, &["promote", &id], 1);

    // A failing check: exit 1, and the report is recorded all the same.
    let before = env.commit_count();
    let run = env.rel(&["verify", &id]);
    run.code(1);
    assert_eq!(env.commit_count(), before + 1);
    assert!(
        run.stdout.contains("checking"),
        "the check's output is shown: {}",
        run.stdout
    );
    assert_eq!(seen_by_check(&seen).0, format!("{id} 2.1.3 test"));
    let msg = env.last_message();
    assert!(
        msg.starts_with(&format!("rel: verify {id} in test: failed")),
        "{msg}"
    );
    let report = &manifest(&env, &id)["health"][0];
    assert_eq!(report["passed"], false, "{report}");
    assert_eq!(report["env"], "test");
    assert!(report["command"].as_str().unwrap().contains("REL_RELEASE"));
    let (code, v) = check(&env, &[&id]);
    assert_eq!((code, codes(&v)), (1, vec!["health".to_string()]));
    assert!(v.to_string().contains("failed"), "{v}");

    std::fs::write(&pass, "").unwrap();
    one_commit(&env, &["verify", &id]);
    assert_eq!(manifest(&env, &id)["health"][1]["passed"], true);
    assert_eq!(check(&env, &[&id]).0, 0);
    one_commit(&env, &["promote", &id]);
}

#[test]
fn health_recorded_from_elsewhere_with_passed_and_failed() {
    let (env, id, seen, _) = health_env();
    let before = env.commit_count();
    env.rel(&[
        "verify",
        &id,
        "--passed",
        "9",
        "--failed",
        "1",
        "--report",
        "ci/run-7.xml",
    ])
    .code(1);
    assert_eq!(env.commit_count(), before + 1);
    assert!(!seen.exists(), "an external result runs no health check");
    let report = &manifest(&env, &id)["health"][0];
    assert_eq!(report["passed"], false, "{report}");
    assert_eq!(report["tests_passed"], 9);
    assert_eq!(report["tests_failed"], 1);
    assert_eq!(report["report"], "ci/run-7.xml");
    assert_eq!(check(&env, &[&id]).0, 1);

    one_commit(&env, &["verify", &id, "--passed", "10", "--failed", "0"]);
    assert!(
        env.last_message().contains(": passed"),
        "{}",
        env.last_message()
    );
    assert_eq!(check(&env, &[&id]).0, 0);
}

#[test]
fn verify_exit_codes_follow_the_external_result() {
    let (env, id, _, _) = health_env();
    let before = env.commit_count();
    env.rel(&["verify", &id, "--passed", "3", "--failed", "2"])
        .code(1);
    assert_eq!(
        env.commit_count(),
        before + 1,
        "a failed report is evidence: recorded"
    );
    env.rel(&["verify", &id, "--passed", "3", "--failed", "0"])
        .code(0);
}

#[test]
fn health_goes_stale_with_the_content_and_can_be_overridden() {
    let (env, id, _, _) = health_env();
    one_commit(&env, &["verify", &id, "--passed", "10", "--failed", "0"]);
    group_ready_incident(&env, &id, "INC-1");
    let (_, v) = check(&env, &[&id]);
    assert_eq!(codes(&v), ["health"]);
    assert!(v.to_string().contains("revision"), "{v}");
    one_commit(
        &env,
        &[
            "promote",
            &id,
            "--override",
            "health",
            "--reason",
            "Checked by hand",
        ],
    );
    assert!(env.last_message().contains("Rel-Override: health\n"));
}

#[test]
fn a_rollback_into_the_environment_needs_a_new_health_report() {
    let (env, id, _, _) = health_env();
    one_commit(&env, &["verify", &id, "--passed", "10", "--failed", "0"]);
    assert_eq!(check(&env, &[&id]).0, 0);
    // Back to dev and into test again, later: the report of the first stay
    // no longer counts.
    env.rel_env(
        &["rollback", &id, "--to", "dev", "--reason", "Wrong build"],
        &[("REL_NOW", "2026-11-23T10:00:00Z")],
    )
    .ok();
    env.rel_env(&["promote", &id], &[("REL_NOW", "2026-11-23T11:00:00Z")])
        .ok();
    let run = env.rel_env(
        &["--json", "check", &id],
        &[("REL_NOW", "2026-11-23T12:00:00Z")],
    );
    run.code(1);
    let v = run.json();
    assert_eq!(codes(&v), ["health"]);
    assert!(v.to_string().contains("since the release entered"), "{v}");
    env.rel_env(
        &["verify", &id, "--passed", "10", "--failed", "0"],
        &[("REL_NOW", "2026-11-23T12:00:00Z")],
    )
    .ok();
    let run = env.rel_env(&["check", &id], &[("REL_NOW", "2026-11-23T12:00:00Z")]);
    run.ok();
}

#[test]
fn verify_without_a_health_check_or_for_a_cancelled_release_writes_nothing() {
    let (env, id, _, _) = health_env();
    let other = new_release(&env, "2.1.4"); // in dev: no health_check there
    refused(&env, &["verify", &other], 2);
    one_commit(&env, &["cancel", &id, "--reason", "Withdrawn"]);
    let run = refused(&env, &["verify", &id], 1);
    assert!(run.stderr.contains("[state]"), "{}", run.stderr);
}

/// The first line the health check wrote, and the folder it ran in.
fn seen_by_check(seen: &std::path::Path) -> (String, std::path::PathBuf) {
    let text = std::fs::read_to_string(seen).unwrap();
    let mut lines = text.lines();
    let vars = lines.next().unwrap().to_string();
    let dir = std::fs::canonicalize(lines.next().unwrap().trim()).unwrap();
    (vars, dir)
}

#[test]
fn verify_runs_the_check_in_the_repository_root_from_any_folder() {
    let (env, id, seen, _) = health_env();
    std::fs::create_dir_all(env.path("deep/er")).unwrap();
    env.rel_in("deep/er", &["verify", &id]).code(1);
    let (vars, dir) = seen_by_check(&seen);
    assert_eq!(vars, format!("{id} 2.1.3 test"));
    assert_eq!(dir, std::fs::canonicalize(&env.dir).unwrap());
}

#[test]
fn verify_json_keeps_the_check_output_off_stdout() {
    let (env, id, _, pass) = health_env();
    std::fs::write(&pass, "").unwrap();
    let run = env.rel(&["--json", "verify", &id]);
    run.ok();
    let v = run.json();
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["health"][0]["passed"], true);
    assert!(run.stderr.contains("checking"), "{}", run.stderr);
}

#[test]
fn verify_dry_run_runs_nothing_and_writes_nothing() {
    let (env, id, seen, _) = health_env();
    env.assert_unchanged(|| {
        env.rel(&["--dry-run", "verify", &id]).ok();
        env.rel(&["--dry-run", "verify", &id, "--passed", "1", "--failed", "0"])
            .ok();
    });
    assert!(!seen.exists(), "a dry run does not run the health check");
}

#[test]
fn verify_refuses_a_release_in_an_environment_the_pipeline_no_longer_has() {
    let (env, id, _, _) = health_env();
    let path = format!("releases/{id}.toml");
    let text = env
        .read(&path)
        .replace("environment = \"test\"", "environment = \"gone\"");
    env.write(&path, &text);
    env.git(&["commit", "-q", "-am", "hand edit: environment removed"]);
    let run = refused(&env, &["verify", &id, "--passed", "1", "--failed", "0"], 1);
    assert!(run.stderr.contains("[order]"), "{}", run.stderr);
    assert!(run.stderr.contains("gone"), "{}", run.stderr);
}
