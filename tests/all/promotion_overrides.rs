//! `--override` (only the rules the contract allows, within the target's
//! `overridable`, always with a reason, recorded) and `confirm`.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, freeze, manifest, new_release};
use crate::common::Env;
use crate::promotion::SIMPLE;

// ---- overrides ----

#[test]
fn override_soak_with_a_reason_is_recorded_in_manifest_and_trailers() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id]);
    refused(&env, &["promote", &id], 1);
    one_commit(
        &env,
        &[
            "promote",
            &id,
            "--override",
            "soak",
            "--reason",
            "Hotfix for the client",
        ],
    );
    let msg = env.last_message();
    assert!(msg.contains("Rel-Override: soak\n"), "{msg}");
    assert!(msg.contains("Rel-Reason: Hotfix for the client"), "{msg}");
    let m = manifest(&env, &id);
    assert_eq!(m["environment"], "live");
    let last = m["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "promote");
    assert_eq!(last["overrides"], serde_json::json!(["soak"]));
    assert_eq!(last["reason"], "Hotfix for the client");
    let toml = env.read(&format!("releases/{id}.toml"));
    assert!(toml.contains("overrides = [\"soak\"]"), "{toml}");
}

#[test]
fn override_sets_aside_only_the_named_rules() {
    let env = Env::new();
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id]);
    // soak and frozen fail; overriding soak leaves frozen.
    let run = refused(
        &env,
        &["promote", &id, "--override", "soak", "--reason", "x"],
        1,
    );
    assert!(
        run.stderr.contains("[frozen]") && !run.stderr.contains("[soak]"),
        "{}",
        run.stderr
    );
}

#[test]
fn override_needs_a_reason_and_an_overridable_rule() {
    let env = Env::with_pipeline(
        r#"
[[environments]]
name = "dev"
[[environments]]
name = "test"
soak = { patch = 2 }
[[environments]]
name = "live"
windows = ["mon 09:00-10:00"]
overridable = ["window"]
"#,
    );
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id]);
    refused(&env, &["promote", &id, "--override", "soak"], 2);
    refused(
        &env,
        &["promote", &id, "--override", "soak", "--reason", "  "],
        2,
    );
    for never in ["frozen", "order", "state", "role"] {
        refused(
            &env,
            &["promote", &id, "--override", never, "--reason", "x"],
            2,
        );
    }
    refused(
        &env,
        &["promote", &id, "--override", "nonsense", "--reason", "x"],
        2,
    );
    // soak is overridable in general, but not into `live`.
    let run = refused(
        &env,
        &["promote", &id, "--override", "soak", "--reason", "x"],
        2,
    );
    assert!(run.stderr.contains("window"), "{}", run.stderr);
    let run = refused(
        &env,
        &["promote", &id, "--override", "window", "--reason", "x"],
        1,
    );
    assert!(run.stderr.contains("[soak]"), "{}", run.stderr);
}

// ---- confirm ----

#[test]
fn confirm_without_a_terminal_or_yes_is_exit_3_and_writes_nothing() {
    let env = Env::new();
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id]);
    freeze(&env, &id);
    one_commit(&env, &["promote", &id]);
    for n in 1..=3 {
        one_commit(&env, &["tick", &id, "--env", "production", &n.to_string()]);
    }
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 0, "{v}");
    let run = refused(&env, &["promote", &id], 3);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    one_commit(&env, &["promote", &id, "--yes"]);
    assert!(env
        .last_message()
        .starts_with(&format!("rel: promote {id} to production\n")));
}

#[test]
fn override_named_twice_is_recorded_once() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id]);
    one_commit(
        &env,
        &[
            "promote",
            &id,
            "--override",
            "soak",
            "soak",
            "--override",
            "soak",
            "--reason",
            "Hotfix",
        ],
    );
    let msg = env.last_message();
    assert_eq!(msg.matches("Rel-Override: soak").count(), 1, "{msg}");
    let last = manifest(&env, &id)["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["overrides"], serde_json::json!(["soak"]));
}

#[test]
fn override_of_a_rule_that_passes_is_not_recorded() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.0");
    let run = one_commit(
        &env,
        &[
            "promote",
            &id,
            "--override",
            "window",
            "--reason",
            "Just in case",
        ],
    );
    assert!(
        run.stderr.contains("nothing to set aside"),
        "{}",
        run.stderr
    );
    assert!(
        !env.last_message().contains("Rel-Override"),
        "{}",
        env.last_message()
    );
}
