//! Zero-touch updates and notifications (contract section 7): a passing
//! verify schedules the `auto_schedule` environments in its own commit,
//! chained at their earliest; a failed one schedules nothing; the notifier
//! from `git config rel.notify` gets each event's JSON on stdin.

use serde_json::Value;

use crate::common::git::one_commit;
use crate::common::notify::events;
use crate::common::releases::{freeze, manifest, new_release};
use crate::common::{Env, ACTOR};

/// A copy of the live system where the update is checked, then staging
/// and live scheduled by rel; live only inside its maintenance window.
const PIPELINE: &str = r#"
notify = ["admins"]

[roles]
admins = ["it@acme.example", "ops@acme.example"]

[[environments]]
name = "copy"

[[environments]]
name = "staging"
auto_schedule = true

[[environments]]
name = "live"
auto_schedule = true
requires_frozen = true
windows = ["sat 01:00-03:00"]
notify = ["admins"]
"#;

fn in_copy() -> (Env, String) {
    let env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "5.3.1");
    freeze(&env, &id);
    (env, id)
}

/// The notifier writes each event, one line each, outside the repository.
fn with_notifier(env: &Env, script: &str) -> std::path::PathBuf {
    let log = env.tmp.path().join("events.jsonl");
    env.git(&[
        "config",
        "rel.notify",
        &script.replace("LOG", &log.to_string_lossy()),
    ]);
    log
}

#[test]
fn a_failed_health_report_schedules_nothing_and_a_passing_one_schedules_the_chain() {
    let (env, id) = in_copy();
    let log = with_notifier(&env, "cat >> LOG");
    let run = env.rel(&["verify", &id, "--passed", "3", "--failed", "1"]);
    run.code(1);
    assert_eq!(manifest(&env, &id)["schedules"], Value::Array(Vec::new()));
    // Told that it was verified (11.6), and nothing scheduled.
    let told: Vec<Value> = events(&log);
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["event"], "verified");
    std::fs::remove_file(&log).expect("log");
    let status = env.rel(&["status"]).ok().stdout.clone();
    assert!(status.contains("waits for a person"), "{status}");

    let before = env.commit_count();
    env.rel(&["verify", &id, "--passed", "4", "--failed", "0"])
        .ok();
    assert_eq!(
        env.commit_count(),
        before + 1,
        "the schedules go in the verify commit"
    );
    let m = manifest(&env, &id);
    let s = m["schedules"].as_array().expect("schedules");
    assert_eq!(s.len(), 2);
    // Now is Fri 2026-11-20 15:00Z: staging at once, live at the next
    // window opening (Sat 01:00).
    assert_eq!(s[0]["env"], "staging");
    assert_eq!(s[0]["at"], "2026-11-20T15:00:00Z");
    assert_eq!(s[0]["auto"], true);
    assert_eq!(s[1]["env"], "live");
    assert_eq!(s[1]["at"], "2026-11-21T01:00:00Z");
    assert!(env.last_message().contains("Rel-Action: verify"));

    // The change told first (`verified`), then one `scheduled` event per
    // schedule it made, checked field by field.
    let head = env.head();
    let ev = events(&log);
    assert_eq!(ev.len(), 3, "{ev:?}");
    assert_eq!(ev[0]["event"], "verified");
    let ev = &ev[1..];
    let e = &ev[1];
    assert_eq!(e["event"], "scheduled");
    assert_eq!(e["release"], id.as_str());
    assert_eq!(e["version"], "5.3.1");
    assert_eq!(e["env"], "live");
    assert_eq!(e["at"], "2026-11-21T01:00:00Z");
    assert_eq!(e["by"], ACTOR);
    assert_eq!(
        e["recipients"],
        serde_json::json!(["it@acme.example", "ops@acme.example"])
    );
    assert_eq!(e["commit"], head.as_str());
    assert_eq!(e["reason"], Value::Null);
}

#[test]
fn due_applies_the_zero_touch_chain_and_tells_each_promotion() {
    let (mut env, id) = in_copy();
    env.rel(&["verify", &id, "--passed", "4", "--failed", "0"])
        .ok();
    let log = with_notifier(&env, "cat >> LOG");
    env.now = "2026-11-21T01:30:00Z".into();
    let before = env.commit_count();
    env.rel(&["due", "--apply"]).ok();
    assert_eq!(env.commit_count(), before + 2);
    assert_eq!(manifest(&env, &id)["environment"], "live");
    let ev = events(&log);
    let kinds: Vec<&str> = ev.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["promoted", "promoted"]);
    assert_eq!(ev[1]["commit"], env.head().as_str());
    assert_eq!(ev[0]["env"], "staging");
}

#[test]
fn a_hold_is_told_and_a_failing_notifier_only_warns() {
    let (env, id) = in_copy();
    let log = with_notifier(&env, "cat >> LOG");
    one_commit(&env, &["hold", &id, "--reason", "client audit"]);
    let ev = events(&log);
    assert_eq!(ev[0]["event"], "held");
    assert_eq!(ev[0]["reason"], "client audit");
    assert_eq!(ev[0]["env"], Value::Null);

    env.git(&["config", "rel.notify", "exit 7"]);
    let run = one_commit(&env, &["resume", &id, "--reason", "audit done"]);
    assert!(
        run.stderr.contains("warning: the notifier"),
        "{}",
        run.stderr
    );
    assert_eq!(manifest(&env, &id)["held"], Value::Null);
}

#[test]
fn a_notifier_in_the_repository_files_is_never_run() {
    // Only git's configuration names a notifier; a committed file that
    // looks like one does nothing.
    let (env, id) = in_copy();
    env.write(".relnotify", "touch SHOULD-NOT-EXIST\n");
    env.commit_all("a notifier in the repository");
    one_commit(&env, &["schedule", &id, "--at", "2026-11-23T09:00:00Z"]);
    assert!(!env.path("SHOULD-NOT-EXIST").exists());
}
