//! `repeatable` environments and `rel repeat` (contract section 8): another
//! round of a dry run is a new stay, whose exit items, health report and
//! soak are asked for again; refused elsewhere with `order`.

use serde_json::Value;

use crate::audit::{audit, findings};
use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes, manifest, new_release};
use crate::common::Env;

/// A dry run that may be repeated, before live: a soak, an exit item, and a
/// health report live asks for.
pub const DRY_RUN: &str = r#"
[[environments]]
name = "dev"

[[environments]]
name = "dryrun"
repeatable = true
soak = { major = 2, minor = 2, patch = 2 }
exit_checklist = ["Go-live checklist verified"]

[[environments]]
name = "live"
requires_health = true
"#;

/// Wed 2026-11-25 16:00 UTC: a 2-day soak from Fri 20 15:00 has passed.
pub const WED: &str = "2026-11-25T16:00:00Z";
/// Fri 2026-11-27 16:00 UTC: a 2-day soak from WED has passed.
pub const FRI2: &str = "2026-11-27T16:00:00Z";

/// A patch release in the dry run since NOW, its exit item ticked and a
/// passing health report recorded: ready to leave once the soak is over.
pub fn ready_dry_run(env: &Env) -> String {
    let id = new_release(env, "1.0.1");
    one_commit(env, &["promote", &id]);
    one_commit(env, &["tick", &id, "--env", "dryrun", "1"]);
    one_commit(env, &["verify", &id, "--passed", "3", "--failed", "0"]);
    id
}

#[test]
fn a_repeated_dry_run_needs_its_exit_items_health_and_soak_again() {
    let mut env = Env::with_pipeline(DRY_RUN);
    let id = ready_dry_run(&env);
    env.now = WED.to_string();
    assert_eq!(check(&env, &[&id]).0, 0, "ready before the repeat");

    let run = one_commit(
        &env,
        &["repeat", &id, "--reason", "the data migration failed"],
    );
    assert!(
        run.stdout.contains("another round in dryrun"),
        "{}",
        run.stdout
    );
    let message = env.last_message();
    assert!(message.starts_with("rel: repeat "), "{message}");
    for trailer in [
        "Rel-Action: repeat",
        &format!("Rel-Release: {id}"),
        "Rel-Env: dryrun",
        "Rel-Reason: the data migration failed",
    ] {
        assert!(message.contains(trailer), "{trailer} in {message}");
    }
    assert_eq!(env.last_commit_files(), [format!("releases/{id}.toml")]);

    // A new stay: entered now, the old round's tick and report on record.
    let m = manifest(&env, &id);
    assert_eq!(m["environment"], "dryrun");
    assert_eq!(m["entered_at"], WED);
    assert_eq!(m["ticks"].as_array().map(Vec::len), Some(1));
    assert_eq!(m["health"].as_array().map(Vec::len), Some(1));
    let last = &m["history"][m["history"].as_array().unwrap().len() - 1];
    assert_eq!(last["action"], "repeat");
    assert_eq!(last["env"], "dryrun");
    assert_eq!(last["reason"], "the data migration failed");
    assert!(
        last["detail"].as_str().unwrap_or("").contains("round 2"),
        "{last}"
    );

    // Exit item, health report and soak are all asked for again.
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["soak", "checklist", "health"], "{v}");
    assert_eq!(v["earliest"], "2026-11-27T16:00:00Z");
    let plan = env.rel(&["--json", "plan", &id]).ok().json();
    assert_eq!(plan["steps"][0]["earliest"], "2026-11-27T16:00:00Z");
    let shown = env.rel(&["show", &id]).ok().stdout.clone();
    assert!(shown.contains("(an earlier round)"), "{shown}");
    let status = env.rel(&["status"]).ok().stdout.clone();
    assert!(status.contains("checklist"), "{status}");

    // Ticking "again" is a new tick, not "already ticked".
    one_commit(&env, &["tick", &id, "--env", "dryrun", "1"]);
    one_commit(&env, &["verify", &id, "--passed", "3", "--failed", "0"]);
    assert_eq!(codes(&check(&env, &[&id]).1), ["soak"]);
    refused(&env, &["promote", &id], 1);

    env.now = FRI2.to_string();
    assert_eq!(check(&env, &[&id]).0, 0);
    one_commit(&env, &["promote", &id]);

    let (code, v) = audit(&env, &[]);
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
}

#[test]
fn a_third_round_is_numbered_and_the_soak_counts_from_the_last_repeat() {
    let mut env = Env::with_pipeline(DRY_RUN);
    let id = ready_dry_run(&env);
    env.now = "2026-11-23T10:00:00Z".to_string();
    one_commit(&env, &["repeat", &id, "--reason", "round two"]);
    env.now = WED.to_string();
    one_commit(&env, &["repeat", &id, "--reason", "round three"]);
    let m = manifest(&env, &id);
    let last = &m["history"][m["history"].as_array().unwrap().len() - 1];
    assert!(
        last["detail"].as_str().unwrap_or("").contains("round 3"),
        "{last}"
    );
    let (_, v) = check(&env, &[&id]);
    assert_eq!(v["violations"][0]["rule"], "soak");
    assert_eq!(v["violations"][0]["ready_at"], FRI2);
    assert_eq!(audit(&env, &[]).0, 0);
}

#[test]
fn repeat_outside_a_repeatable_environment_is_refused_with_order() {
    let env = Env::with_pipeline(DRY_RUN);
    let id = new_release(&env, "1.0.1"); // in dev, not repeatable
    let run = refused(&env, &["--json", "repeat", &id, "--reason", "again"], 1);
    let v: Value = run.json();
    assert_eq!(v["refused"], true, "{v}");
    assert_eq!(v["action"], "repeat");
    assert_eq!(v["release"], id.as_str());
    assert_eq!(v["violations"][0]["rule"], "order", "{v}");
    let message = v["violations"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("repeatable = true"), "{message}");
    // For people: the refusal names the rule on stderr.
    let text = refused(&env, &["repeat", &id, "--reason", "again"], 1);
    assert!(text.stderr.contains("order"), "{}", text.stderr);
}

#[test]
fn repeat_of_a_finished_release_is_refused_with_state() {
    let env = Env::with_pipeline(DRY_RUN);
    let id = new_release(&env, "1.0.1");
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["cancel", &id, "--reason", "dropped"]);
    let run = refused(&env, &["--json", "repeat", &id, "--reason", "again"], 1);
    assert_eq!(codes(&run.json()), ["state"]);
}

#[test]
fn repeat_without_a_reason_or_in_the_same_second_is_bad_input() {
    let mut env = Env::with_pipeline(DRY_RUN);
    let id = ready_dry_run(&env);
    refused(&env, &["repeat", &id], 2);
    refused(&env, &["repeat", &id, "--reason", "  "], 2);
    refused(&env, &["repeat", "not an id", "--reason", "x"], 2);
    refused(&env, &["repeat", "R-404", "--reason", "x"], 2);
    // At the instant of the round's last tick and report, the new round
    // could not be told apart from the old one.
    let run = refused(&env, &["--json", "repeat", &id, "--reason", "x"], 2);
    let v = run.json();
    assert_eq!(v["error"]["exit"], 2, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("a second later"),
        "{v}"
    );
    env.now = "2026-11-20T15:00:01Z".to_string();
    one_commit(&env, &["repeat", &id, "--reason", "x"]);
}

#[test]
fn a_dry_run_repeat_writes_nothing() {
    let mut env = Env::with_pipeline(DRY_RUN);
    let id = ready_dry_run(&env);
    env.now = WED.to_string();
    env.assert_unchanged(|| {
        env.rel(&["--dry-run", "repeat", &id, "--reason", "x"]).ok();
    });
}

#[test]
fn rel_env_shows_repeatable_and_a_bad_value_names_its_line() {
    let env = Env::with_pipeline(DRY_RUN);
    let text = env.rel(&["env"]).ok().stdout.clone();
    assert!(text.contains("repeatable"), "{text}");
    let v = env.rel(&["--json", "env"]).ok().json();
    let repeatable: Vec<bool> = v["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["repeatable"].as_bool().expect("a bool"))
        .collect();
    assert_eq!(repeatable, [false, true, false]);

    let bad = Env::with_pipeline("[[environments]]\nname = \"dev\"\nrepeatable = \"yes\"\n");
    let run = bad.rel(&["env"]);
    run.code(2);
    assert!(
        run.stderr.contains("environments.toml:3:"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_repeat_forged_outside_a_repeatable_environment_is_refused_by_the_audit() {
    let env = Env::with_pipeline(DRY_RUN);
    let id = new_release(&env, "1.0.1"); // in dev, not repeatable
    let path = format!("releases/{id}.toml");
    let text = env.read(&path).replace(
        "entered_at = \"2026-11-20T15:00:00Z\"",
        "entered_at = \"2026-11-21T10:00:00Z\"",
    );
    env.write(
        &path,
        &format!(
            "{text}\n[[history]]\nat = \"2026-11-21T10:00:00Z\"\nby = \"Ana Smith <ana@example.com>\"\n\
             action = \"repeat\"\nenv = \"dev\"\nreason = \"x\"\n\
             detail = \"round 2: exit items, health report and soak start again\"\n"
        ),
    );
    // The shape of a real one (show reads it), with rel's trailers.
    crate::audit::commit_dated(
        &env,
        &format!(
            "rel: repeat {id} in dev\n\nRel-Action: repeat\nRel-Release: {id}\nRel-Env: dev\nRel-Reason: x\n"
        ),
        "2026-11-21T10:00:00Z",
    );
    assert_eq!(manifest(&env, &id)["entered_at"], "2026-11-21T10:00:00Z");
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), [("refused".to_string(), id.clone())], "{v:#}");
    let message = v["findings"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("order"), "{message}");
}

#[test]
fn a_repeat_right_after_a_failed_health_check_is_allowed_in_the_same_second() {
    let mut env = Env::with_pipeline(DRY_RUN);
    let id = new_release(&env, "1.0.1");
    one_commit(&env, &["promote", &id]);
    env.now = WED.to_string();
    // A failed check is recorded (exit 1: it is evidence) ...
    let before = env.commit_count();
    env.rel(&["verify", &id, "--passed", "3", "--failed", "2"])
        .code(1);
    assert_eq!(env.commit_count(), before + 1);
    // ... and the next round starts at once: nothing of that second
    // would count for it.
    one_commit(&env, &["repeat", &id, "--reason", "the checks failed"]);
    let (_, v) = check(&env, &[&id]);
    assert!(codes(&v).contains(&"health".to_string()), "{v}");
    assert_eq!(audit(&env, &[]).0, 0);
}
