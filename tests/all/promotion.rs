//! The promotion engine end to end: `check` and `promote` agree, every rule
//! code is reported, refusals write nothing; the helpers the other
//! `promotion_*` modules share. Overrides and confirmations are in
//! `promotion_overrides`, time rules in `promotion_time`, approvals in
//! `promotion_approvals`, checklists and health in `promotion_gates`,
//! rollback/close/status/plan in `promotion_moves`.

use serde_json::Value;

use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes, edit_manifest, freeze, manifest, new_release};
use crate::common::Env;

/// Fri 2026-11-20 15:00 UTC: the contract's soak example starts here.
pub const FRI: &str = "2026-11-20T15:00:00Z";

/// A three-stage pipeline without confirmations, for most tests.
pub const SIMPLE: &str = r#"
[[environments]]
name = "dev"

[[environments]]
name = "test"
soak = { major = 5, minor = 3, patch = 0 }

[[environments]]
name = "live"
"#;

// ---- check: the JSON of contract section 5 ----

#[test]
fn check_json_has_the_contract_shape_and_lists_every_violation() {
    let env = Env::new(); // default pipeline; now = FRI
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id]);
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 1);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "release",
            "from",
            "to",
            "at",
            "ready",
            "ready_at",
            "earliest",
            "violations"
        ]
    );
    assert_eq!(v["release"], id.as_str());
    assert_eq!(v["from"], "uat");
    assert_eq!(v["to"], "staging");
    assert_eq!(v["at"], FRI);
    assert_eq!(v["ready"], false);
    assert_eq!(codes(&v), ["soak", "frozen"]);
    assert_eq!(v["violations"][0]["ready_at"], "2026-11-25T15:00:00Z");
    assert!(v["violations"][0]["message"]
        .as_str()
        .unwrap()
        .contains("uat"));
    assert!(v["violations"][1].get("ready_at").is_none());
    // `frozen` needs someone to act: no `ready_at`; the time rules pass
    // at `earliest` (contract rev 2).
    assert_eq!(v["ready_at"], Value::Null);
    assert_eq!(v["earliest"], "2026-11-25T15:00:00Z");

    let text = env.rel(&["check", &id]);
    text.code(1);
    assert!(
        text.stdout.contains("[soak]") && text.stdout.contains("[frozen]"),
        "{}",
        text.stdout
    );
}

#[test]
fn check_ready_exits_0_with_ready_at_now_and_no_violations() {
    let env = Env::new();
    let id = new_release(&env, "1.4.0");
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 0);
    assert_eq!(v["ready"], true);
    assert_eq!(v["ready_at"], FRI);
    assert_eq!(v["violations"], serde_json::json!([]));
    let text = env.rel(&["check", &id]);
    text.ok();
    assert!(text.stdout.contains("ready"), "{}", text.stdout);
}

#[test]
fn check_at_evaluates_another_instant_without_writing() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id]);
    env.assert_unchanged(|| {
        let (code, v) = check(&env, &[&id, "--at", "2026-11-25T14:59:00Z"]);
        assert_eq!(code, 1);
        assert_eq!(v["at"], "2026-11-25T14:59:00Z");
        assert_eq!(codes(&v), ["soak"]);
        assert_eq!(v["ready_at"], "2026-11-25T15:00:00Z");
        let (code, v) = check(&env, &[&id, "--at", "2026-11-25T15:00:00Z"]);
        assert_eq!(code, 0, "{v}");
    });
    refused(&env, &["check", &id, "--at", "next tuesday"], 2);
}

#[test]
fn check_to_names_the_target_and_unknown_ones_are_exit_2() {
    let env = Env::new();
    let id = new_release(&env, "1.4.0");
    let (code, v) = check(&env, &[&id, "--to", "staging"]);
    assert_eq!(code, 1);
    assert_eq!(v["to"], "staging");
    assert_eq!(codes(&v), ["order", "frozen"]);
    refused(&env, &["check", &id, "--to", "nowhere"], 2);
    refused(&env, &["check", "R-2099-999"], 2);
}

// ---- promote ----

#[test]
fn promote_makes_one_commit_with_message_and_trailers() {
    let env = Env::new();
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id]);
    let msg = env.last_message();
    assert!(
        msg.starts_with(&format!("rel: promote {id} to uat\n")),
        "{msg}"
    );
    assert!(msg.contains("Rel-Action: promote\n"), "{msg}");
    assert!(msg.contains(&format!("Rel-Release: {id}\n")), "{msg}");
    assert!(msg.contains("Rel-Env: uat\n"), "{msg}");
    assert!(!msg.contains("Rel-Override"), "{msg}");
    assert_eq!(env.last_commit_files(), [format!("releases/{id}.toml")]);
    let m = manifest(&env, &id);
    assert_eq!(m["environment"], "uat");
    assert_eq!(m["entered_at"], FRI);
    assert_eq!(env.porcelain(), "");
}

#[test]
fn promote_dry_run_writes_nothing() {
    let env = Env::new();
    let id = new_release(&env, "1.4.0");
    env.assert_unchanged(|| {
        env.rel(&["--dry-run", "promote", &id]).ok();
    });
}

// ---- state ----

#[test]
fn state_cancelled_or_released_is_refused_by_check_and_promote() {
    for state in ["cancelled", "released"] {
        let env = Env::with_pipeline(SIMPLE);
        let id = new_release(&env, "1.4.1");
        if state == "cancelled" {
            one_commit(&env, &["cancel", &id, "--reason", "Client withdrew"]);
        } else {
            // Released outside the last environment: only a hand edit does that.
            edit_manifest(&env, &id, "state", "\"released\"");
        }
        let (code, v) = check(&env, &[&id]);
        assert_eq!(code, 1);
        assert_eq!(codes(&v), ["state"], "{state}");
        assert_eq!(v["ready_at"], Value::Null);
        let run = refused(&env, &["promote", &id], 1);
        assert!(run.stderr.contains("[state]"), "{}", run.stderr);
        // `state` can never be overridden.
        refused(
            &env,
            &["promote", &id, "--override", "state", "--reason", "x"],
            2,
        );
    }
}

// ---- order ----

#[test]
fn order_skipping_a_required_environment_is_refused() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.1");
    let (code, v) = check(&env, &[&id, "--to", "live"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["order"]);
    assert!(v["violations"][0]["message"]
        .as_str()
        .unwrap()
        .contains("test"));
    assert_eq!(v["ready_at"], Value::Null);
    refused(&env, &["promote", &id, "--to", "live"], 1);
    refused(
        &env,
        &[
            "promote",
            &id,
            "--to",
            "live",
            "--override",
            "order",
            "--reason",
            "x",
        ],
        2,
    );
}

/// dev -> perf (optional, patch soak 4) -> live.
pub const OPTIONAL_PERF: &str = r#"
[[environments]]
name = "dev"
[[environments]]
name = "perf"
optional = true
soak = { patch = 4 }
[[environments]]
name = "live"
"#;

#[test]
fn order_passing_over_an_optional_environment_is_allowed() {
    let env = Env::with_pipeline(OPTIONAL_PERF);
    let id = new_release(&env, "1.4.1");
    let (code, v) = check(&env, &[&id, "--to", "live"]);
    assert_eq!((code, codes(&v)), (0, vec![]));
    one_commit(&env, &["promote", &id, "--to", "live"]);
    assert!(env
        .last_message()
        .starts_with(&format!("rel: promote {id} to live\n")));
    let m = manifest(&env, &id);
    assert_eq!(m["environment"], "live");
}

#[test]
fn order_backwards_or_to_the_same_environment_is_refused() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id]);
    for to in ["dev", "test"] {
        let (code, v) = check(&env, &[&id, "--to", to]);
        assert_eq!(code, 1);
        assert_eq!(codes(&v), ["order"], "--to {to}");
        let run = refused(&env, &["promote", &id, "--to", to], 1);
        assert!(run.stderr.contains("rollback"), "{}", run.stderr);
    }
}

// ---- frozen ----

#[test]
fn frozen_is_required_by_the_target_and_never_overridable() {
    let env = Env::new();
    let id = new_release(&env, "1.4.1"); // patch: no soak anywhere
    one_commit(&env, &["promote", &id]);
    let (code, v) = check(&env, &[&id]);
    assert_eq!((code, codes(&v)), (1, vec!["frozen".to_string()]));
    refused(&env, &["promote", &id], 1);
    refused(
        &env,
        &["promote", &id, "--override", "frozen", "--reason", "x"],
        2,
    );
    freeze(&env, &id);
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 0, "{v}");
    one_commit(&env, &["promote", &id]);
}

// ---- exclusive ----

#[test]
fn exclusive_target_holds_one_release_at_a_time() {
    let env = Env::new();
    let a = new_release(&env, "1.4.1");
    let b = new_release(&env, "1.4.2");
    for id in [&a, &b] {
        one_commit(&env, &["promote", id]);
        freeze(&env, id);
    }
    one_commit(&env, &["promote", &a]); // a enters staging
    let (code, v) = check(&env, &[&b]);
    assert_eq!((code, codes(&v)), (1, vec!["exclusive".to_string()]));
    assert!(v["violations"][0]["message"].as_str().unwrap().contains(&a));
    // No time rule waits: earliest is now; `exclusive` still blocks, so
    // nothing will make it ready by itself.
    assert_eq!(v["earliest"], v["at"]);
    assert_eq!(v["ready_at"], Value::Null);
    refused(&env, &["promote", &b], 1);

    // Once a has moved on, b may enter.
    for n in ["1", "2", "3"] {
        one_commit(&env, &["tick", &a, "--env", "production", n]);
    }
    one_commit(&env, &["promote", &a, "--yes"]);
    let (code, _) = check(&env, &[&b]);
    assert_eq!(code, 0);
}

#[test]
fn exclusive_ignores_releases_that_are_no_longer_in_progress() {
    let env = Env::new();
    let a = new_release(&env, "1.4.1");
    let b = new_release(&env, "1.4.2");
    for id in [&a, &b] {
        one_commit(&env, &["promote", id]);
        freeze(&env, id);
    }
    one_commit(&env, &["promote", &a]);
    one_commit(&env, &["cancel", &a, "--reason", "Superseded"]);
    let (code, v) = check(&env, &[&b]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn promote_json_prints_the_release_or_every_violation() {
    let env = Env::new();
    let id = new_release(&env, "1.4.0");
    let run = env.rel(&["--json", "promote", &id]);
    let v = run.ok().json();
    assert_eq!(
        (v["id"].as_str(), v["environment"].as_str()),
        (Some(id.as_str()), Some("uat"))
    );
    let run = refused(&env, &["--json", "promote", &id], 1);
    let v = run.json();
    assert_eq!(v["ok"], false);
    let rules: Vec<&str> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["soak", "frozen"]);
}
