//! Contract 11.4, dependencies between releases: `rel depend R --on R2
//! [--reached ENV] [--before ENV] [--off --reason T]`; rule `depends` in
//! check, promote, plan and status; bad input refused with exit 2 and
//! nothing written; the audit replays it.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes, new_release};
use crate::common::Env;

const PIPELINE: &str = r#"
[[environments]]
name = "dev"

[[environments]]
name = "test"

[[environments]]
name = "live"
"#;

fn two() -> (Env, String, String) {
    let env = Env::with_pipeline(PIPELINE);
    let db = new_release(&env, "1.0.1");
    let app = new_release(&env, "2.0.1");
    (env, db, app)
}

#[test]
fn a_release_waits_until_the_one_it_depends_on_is_released() {
    let (env, db, app) = two();
    let run = one_commit(&env, &["depend", &app, "--on", &db]);
    assert!(run.stdout.contains(&db), "{}", run.stdout);
    let (code, v) = check(&env, &[&app]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["depends"], "{v}");
    assert!(v["ready_at"].is_null(), "{v}");
    let message = v["violations"][0]["message"].as_str().unwrap();
    assert!(
        message.contains(&db) && message.contains("dev"),
        "{message}"
    );
    let run = refused(&env, &["promote", &app], 1);
    assert!(run.stderr.contains("[depends]"), "{}", run.stderr);
    // plan and status say so too.
    let plan = env.rel(&["--json", "plan", &app]).ok().json();
    assert!(
        plan["steps"][0]["blocked_by"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "depends"),
        "{plan}"
    );
    let status = env.rel(&["status"]).ok().stdout.clone();
    assert!(status.contains("depends"), "{status}");
    // Once the database release is out, the application may go.
    one_commit(&env, &["promote", &db]);
    one_commit(&env, &["promote", &db]);
    one_commit(&env, &["close", &db]);
    let (code, _) = check(&env, &[&app]);
    assert_eq!(code, 0);
    one_commit(&env, &["promote", &app]);
    env.rel(&["audit"]).ok();
}

#[test]
fn reached_and_before_narrow_the_wait() {
    let (env, db, app) = two();
    one_commit(
        &env,
        &[
            "depend",
            &app,
            "--on",
            &db,
            "--reached",
            "test",
            "--before",
            "live",
        ],
    );
    one_commit(&env, &["promote", &app]); // into test: not guarded
    let run = refused(&env, &["promote", &app], 1);
    assert!(run.stderr.contains("[depends]"), "{}", run.stderr);
    assert!(run.stderr.contains("test"), "{}", run.stderr);
    one_commit(&env, &["promote", &db]); // db reaches test
    one_commit(&env, &["promote", &app]);
    let show = env.rel(&["--json", "show", &app]).ok().json();
    assert_eq!(show["environment"], "live");
    assert_eq!(show["depends"][0]["release"], db.as_str());
    assert_eq!(show["depends"][0]["reached"], "test");
    env.rel(&["audit"]).ok();
}

#[test]
fn a_cancelled_dependency_can_never_pass_until_dropped() {
    let (env, db, app) = two();
    one_commit(&env, &["depend", &app, "--on", &db]);
    one_commit(&env, &["cancel", &db, "--reason", "not needed"]);
    let (_, v) = check(&env, &[&app]);
    let message = v["violations"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("cancelled") && message.contains("never"),
        "{message}"
    );
    // --off needs a reason.
    refused(&env, &["depend", &app, "--on", &db, "--off"], 2);
    one_commit(
        &env,
        &[
            "depend",
            &app,
            "--on",
            &db,
            "--off",
            "--reason",
            "db work dropped",
        ],
    );
    let (code, _) = check(&env, &[&app]);
    assert_eq!(code, 0);
    assert!(env.last_message().contains("db work dropped"));
    env.rel(&["audit"]).ok();
}

#[test]
fn bad_dependencies_are_exit_2_and_nothing_is_written() {
    let (env, db, app) = two();
    for args in [
        &["depend", &app, "--on", "R-2099-001"][..],
        &["depend", &app, "--on", &app],
        &["depend", &app, "--on", &db, "--reached", "nowhere"],
        &["depend", &app, "--on", &db, "--before", "nowhere"],
        &["depend", &app, "--on", &db, "--off", "--reason", "x"],
        &["depend", &app, "--on", "../etc"],
    ] {
        refused(&env, args, 2);
    }
    // A cycle, direct or through a third release.
    one_commit(&env, &["depend", &app, "--on", &db]);
    let run = refused(&env, &["depend", &db, "--on", &app], 2);
    assert!(run.stderr.contains("waits for"), "{}", run.stderr);
    let third = new_release(&env, "3.0.1");
    one_commit(&env, &["depend", &third, "--on", &app]);
    refused(&env, &["depend", &db, "--on", &third], 2);
    // The same dependency again changes nothing.
    let before = env.commit_count();
    env.rel(&["depend", &app, "--on", &db]).ok();
    assert_eq!(env.commit_count(), before);
}

#[test]
fn depends_can_be_overridden_where_overridable_allows_and_the_audit_agrees() {
    let (env, db, app) = two();
    one_commit(&env, &["depend", &app, "--on", &db]);
    one_commit(
        &env,
        &[
            "promote",
            &app,
            "--override",
            "depends",
            "--reason",
            "hotfix",
        ],
    );
    assert!(env.last_message().contains("Rel-Override: depends"));
    env.rel(&["audit"]).ok();
    // A dependency dropped by hand is the audit's to find.
    let path = format!("releases/{app}.toml");
    let text = env.read(&path);
    let cut = text.find("[[depends]]").expect("depends table");
    let end = text[cut..].find("\n\n").map_or(text.len(), |e| cut + e + 1);
    env.write(&path, &format!("{}{}", &text[..cut], &text[end..]));
    env.commit_all("drop it quietly");
    let run = env.rel(&["audit"]);
    run.code(1);
    assert!(run.stdout.contains("hand-edit"), "{}", run.stdout);
}
