//! With `--json`, exactly one JSON document on stdout whatever the outcome
//! (contract section 5, rev 2): a refusal (exit 1), an error of kind usage
//! or invalid (2), conflict (3) or internal (4), with the same message on
//! stderr for people; never a second document after a command's own.

use std::fs::{File, OpenOptions};

use serde_json::Value;

use crate::common::git::refused;
use crate::common::Env;
use crate::robustness::{no_panic, repo, R1};

/// Runs `rel --json ARGS...`, asserts the exit code and returns the one
/// JSON document on stdout (`Run::json` fails on a second one).
#[track_caller]
pub fn json_outcome(env: &Env, args: &[&str], code: i32) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let run = env.rel(&all);
    no_panic(&format!("{args:?}"), &run);
    run.code(code);
    run.json()
}

/// The `error` object of an error document, checked against the contract's
/// shape: exactly exit, kind, message and hint, the message also on stderr.
#[track_caller]
pub fn error_of(env: &Env, args: &[&str], code: i32, kind: &str) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let run = env.rel(&all);
    no_panic(&format!("{args:?}"), &run);
    run.code(code);
    let v = run.json();
    let object = v.as_object().expect("an object");
    assert_eq!(object.keys().collect::<Vec<_>>(), ["error"], "{v}");
    let error = &v["error"];
    let mut keys: Vec<&String> = error.as_object().expect("error object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["exit", "hint", "kind", "message"], "{v}");
    assert_eq!(error["exit"], code, "{v}");
    assert_eq!(error["kind"], kind, "{v}");
    assert!(error["hint"].is_null() || error["hint"].is_string(), "{v}");
    let message = error["message"].as_str().expect("message");
    let first = message.lines().next().unwrap_or("");
    assert!(
        run.stderr.contains(first),
        "stderr lacks the message {first:?}:\n{}",
        run.stderr
    );
    error.clone()
}

#[track_caller]
fn refusal_of(env: &Env, args: &[&str], action: &str, release: Option<&str>) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let run = refused(env, &all, 1);
    assert!(run.stderr.contains("refused: "), "{}", run.stderr);
    let v = run.json();
    assert_eq!(v["refused"], true, "{v}");
    assert_eq!(v["action"], action, "{v}");
    assert_eq!(v["release"].as_str(), release, "{v}");
    for violation in v["violations"].as_array().expect("violations") {
        let rule = violation["rule"].as_str().expect("rule");
        let message = violation["message"].as_str().expect("message");
        assert!(run.stderr.contains(&format!("[{rule}] {message}")), "{v}");
    }
    v
}

fn rules(v: &Value) -> Vec<&str> {
    v["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|x| x["rule"].as_str().unwrap_or(""))
        .collect()
}

#[test]
fn a_refusal_is_one_document_naming_the_action_the_release_and_every_rule() {
    let env = repo();
    // group: INC-2 is neither resolved nor authorised.
    let v = refusal_of(&env, &["group", R1, "INC-2"], "group", Some(R1));
    assert!(rules(&v).contains(&"unresolved"), "{v}");
    // freeze: an empty release.
    env.rel(&["new", "--version", "2.0.0", "--title", "Empty"])
        .ok();
    let v = refusal_of(
        &env,
        &["freeze", "R-2026-002"],
        "freeze",
        Some("R-2026-002"),
    );
    assert_eq!(rules(&v), ["empty"]);
    // promote: just entered uat (soak, with its ready_at) and not frozen.
    env.rel(&["promote", R1]).ok();
    let v = refusal_of(&env, &["promote", R1], "promote", Some(R1));
    assert_eq!(rules(&v), ["soak", "frozen"]);
    assert!(v["violations"][0]["ready_at"].is_string(), "{v}");
    assert!(v["violations"][1].get("ready_at").is_none(), "{v}");
    // An incident's change names the incident's release (here none).
    env.rel(&["incident", "resolve", "INC-2"]).ok();
    let v = refusal_of(
        &env,
        &["incident", "resolve", "INC-2"],
        "incident-resolve",
        None,
    );
    assert_eq!(rules(&v), ["state"]);
}

#[test]
fn invalid_input_is_an_error_document_with_exit_2() {
    let env = repo();
    env.assert_unchanged(|| {
        for args in [
            &["show", "R-2099-001"][..],
            &["promote", "R-2099-001"],
            &["group", R1, "INC-99"],
        ] {
            let error = error_of(&env, args, 2, "invalid");
            let message = error["message"].as_str().unwrap_or("");
            assert!(message.contains("unknown"), "{args:?}: {message}");
        }
        // A flag that needs another: the command line itself is wrong.
        error_of(&env, &["promote", R1, "--override", "soak"], 2, "usage");
    });
}

#[test]
fn a_usage_error_with_json_is_an_error_document_and_help_stays_help() {
    let env = repo();
    for args in [
        &["--frobnicate", "status"][..],
        &["promote"],
        &["list", "--state", "sideways"],
        &[],
    ] {
        let error = error_of(&env, args, 2, "usage");
        assert!(!error["message"].as_str().unwrap_or("").is_empty());
    }
    let error = error_of(&env, &["--frobnicate", "status"], 2, "usage");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("--frobnicate"),
        "{error}"
    );
    // After `--`, "--json" is a value, not the flag: no JSON asked for.
    let run = env.rel(&["show", "--", "--json", "x"]);
    run.code(2);
    assert_eq!(run.stdout, "");
    // Help and version are what they were: text, exit 0.
    let help = env.rel(&["--json", "--help"]);
    help.ok();
    assert!(help.stdout.contains("Exit codes"), "{}", help.stdout);
    let version = env.rel(&["--json", "--version"]);
    version.ok();
    assert!(version.stdout.starts_with("rel "), "{}", version.stdout);
}

/// Holds rel's lock as another process would.
fn hold_lock(env: &Env) -> File {
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(env.path(".git/rel.lock"))
        .expect("lock file");
    lock.try_lock().expect("lock is free");
    lock
}

#[test]
fn a_conflict_is_an_error_document_with_exit_3() {
    let env = repo();
    env.assert_unchanged(|| {
        let lock = hold_lock(&env);
        let run = env.rel_env(
            &["--json", "incident", "resolve", "INC-2"],
            &[("REL_LOCK_TIMEOUT", "0.1")],
        );
        run.code(3);
        let v = run.json();
        assert_eq!(v["error"]["kind"], "conflict", "{v}");
        assert_eq!(v["error"]["exit"], 3, "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("lock"),
            "{v}"
        );
        drop(lock);
    });
    // An uncommitted edit to a file the command changes.
    let file = "releases/incidents/INC-2.toml";
    env.write(file, &format!("{}# a note\n", env.read(file)));
    env.assert_unchanged(|| {
        let error = error_of(&env, &["incident", "resolve", "INC-2"], 3, "conflict");
        let message = error["message"].as_str().unwrap_or("");
        assert!(message.contains("INC-2"), "{message}");
    });
}

#[test]
fn a_corrupt_git_object_is_an_internal_failure_exit_4_not_invalid_input() {
    let env = repo();
    // Every command reads HEAD's commit; its loose object is made garbage
    // (removed first: git writes objects read-only, and this must work
    // whether or not the tests run as root).
    let head = env.head();
    let object = env.path(&format!(".git/objects/{}/{}", &head[..2], &head[2..]));
    assert!(object.is_file(), "HEAD's commit is a loose object");
    std::fs::remove_file(&object).expect("remove");
    std::fs::write(&object, b"this is not a zlib stream").expect("corrupt");
    env.assert_unchanged(|| {
        for args in [
            &["status"][..],
            &["show", R1],
            &["incident", "resolve", "INC-2"],
        ] {
            let error = error_of(&env, args, 4, "internal");
            assert!(error["hint"].is_string(), "{args:?}: {error}");
        }
        let run = env.rel(&["status"]);
        run.code(4);
        assert_eq!(run.stdout, "");
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    });
}

#[test]
fn a_listing_that_fails_half_way_prints_the_error_document_not_half_of_its_own() {
    let env = repo();
    for _ in 0..3 {
        env.rel(&["hold", R1, "--reason", "wait"]).ok();
        env.rel(&["resume", R1]).ok();
    }
    // `log` streams its entries newest first; an older commit is garbage.
    let old = env.git(&["rev-parse", "HEAD~4"]);
    let old = old.trim();
    let object = env.path(&format!(".git/objects/{}/{}", &old[..2], &old[2..]));
    std::fs::remove_file(&object).expect("remove");
    std::fs::write(&object, b"this is not a zlib stream").expect("corrupt");
    let error = error_of(&env, &["log"], 4, "internal");
    assert!(error["hint"].is_string(), "{error}");
}

#[test]
fn a_command_that_printed_its_document_and_fails_prints_no_second() {
    let env = repo();
    env.rel(&["promote", R1]).ok();
    // `check` not ready (soak, frozen): its own object, exit 1.
    let v = json_outcome(&env, &["check", R1], 1);
    assert_eq!(v["ready"], false, "{v}");
    // `verify` recording a failed report: the release, exit 1.
    let v = json_outcome(&env, &["verify", R1, "--passed", "3", "--failed", "1"], 1);
    assert_eq!(v["id"], R1, "{v}");
    // Commands that change nothing still answer with their document.
    let v = json_outcome(&env, &["--dry-run", "verify", R1, "--passed", "1"], 0);
    assert_eq!(v["id"], R1, "{v}");
}

#[test]
fn commands_that_wrote_their_answer_elsewhere_still_print_one_document() {
    let env = Env::empty();
    let v = json_outcome(&env, &["--dry-run", "init"], 0);
    assert_eq!(v["dry_run"], true, "{v}");
    assert!(!env.path("environments.toml").exists());
    let v = json_outcome(&env, &["init"], 0);
    assert_eq!(v["dry_run"], false, "{v}");
    assert!(
        v["root"].as_str().is_some_and(|r| r.ends_with("repo")),
        "{v}"
    );
    // The notes go to the file; stdout says where.
    env.rel(&["new", "--version", "1.0.0", "--title", "T"]).ok();
    let v = json_outcome(&env, &["notes", "R-2026-001", "--output", "notes.json"], 0);
    assert_eq!(v["output"], "notes.json", "{v}");
    let notes: Value = serde_json::from_str(&env.read("notes.json")).expect("notes JSON");
    assert!(notes.is_object(), "{notes}");
}
