//! Outcomes (contract section 5, rev 2): every exit code, and with `--json`
//! exactly one JSON document on stdout whatever the outcome: a refusal
//! (exit 1), an error of kind usage or invalid (2), conflict (3) or
//! internal (4). The same message goes to stderr for people. Also: a closed
//! pipe is exit 0, quoted input is cut short, bad bytes and deep nesting in
//! a file are located.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::process::Stdio;

use serde_json::Value;

use crate::common::{Env, Run};
use crate::promotion::refused;
use crate::robustness::{no_panic, repo, R1};

/// Runs `rel --json ARGS...`, asserts the exit code and returns the one
/// JSON document on stdout (`Run::json` fails on a second one).
#[track_caller]
fn json_outcome(env: &Env, args: &[&str], code: i32) -> Value {
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
fn error_of(env: &Env, args: &[&str], code: i32, kind: &str) -> Value {
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

/// Many releases committed by hand, so that `--json list` prints well over
/// a pipe buffer (64 KiB).
fn many_releases(env: &Env, count: usize) {
    env.rel(&["new", "--version", "1.0.0", "--title", "T"]).ok();
    let template = env.read("releases/R-2026-001.toml");
    for n in 2..=count {
        let id = format!("R-2026-{n:04}");
        env.write(
            &format!("releases/{id}.toml"),
            &template.replace("R-2026-001", &id),
        );
    }
    env.commit_all("many releases");
}

#[test]
fn a_reader_that_stops_reading_midway_is_exit_0_and_silent() {
    let env = Env::new();
    many_releases(&env, 2000);
    for args in [&["list"][..], &["--json", "list"]] {
        let mut cmd = env.cmd(args);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn rel");
        // As `head -c 100` does: read a little, then close the pipe while
        // rel still has far more to write.
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0u8; 100];
        stdout.read_exact(&mut first).expect("some output");
        drop(stdout);
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[test]
fn a_10000_character_value_is_quoted_cut_to_200_characters() {
    let env = repo();
    let long = "x".repeat(10_000);
    let cut = format!("{}…", "x".repeat(200));
    for (args, vars) in [
        (vec!["show", long.as_str()], vec![]),
        (vec!["check", R1, "--to", long.as_str()], vec![]),
        (vec!["status"], vec![("REL_NOW", long.as_str())]),
    ] {
        let mut all = vec!["--json"];
        all.extend_from_slice(&args);
        let run = env.rel_env(&all, &vars);
        run.code(2);
        let message = run.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let what = args[0];
        assert!(message.contains(&cut), "{what}: {message}");
        assert!(!message.contains(&"x".repeat(201)), "{what}: {message}");
        assert!(run.stderr.len() < 1000, "{what}: {}", run.stderr);
    }
}

/// Writes raw bytes and commits them as a hand edit.
fn commit_bytes(env: &Env, relative: &str, bytes: &[u8]) {
    std::fs::write(env.path(relative), bytes).expect("write");
    env.commit_all("hand edit");
}

#[test]
fn a_byte_that_is_not_utf8_is_reported_at_its_line_and_column() {
    let env = repo();
    let manifest = format!("releases/{R1}.toml");
    let mut bytes = env.read(&manifest).into_bytes();
    // Line 2 is `title = "T"`: the bad byte goes after `title = "` (column 10).
    let line2 = bytes.iter().position(|&b| b == b'\n').expect("line 1") + 1;
    bytes.insert(line2 + 9, 0xff);
    commit_bytes(&env, &manifest, &bytes);
    let error = error_of(&env, &["show", R1], 2, "invalid");
    let message = error["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with(&format!("{manifest}:2:10: not valid UTF-8")),
        "{message}"
    );

    let pipeline = "environments.toml";
    let mut bytes = env.read(pipeline).into_bytes();
    bytes.extend_from_slice(b"# caf\xc3\xa9 \xc3\x28\n");
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    commit_bytes(&env, pipeline, &bytes);
    let error = error_of(&env, &["env"], 2, "invalid");
    let message = error["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with(&format!("{pipeline}:{lines}:8: not valid UTF-8")),
        "{message}"
    );
}

/// Runs rel, failing the test if it has not finished within 30 seconds.
fn run_bounded(env: &Env, args: &[&str]) -> Run {
    let mut child = env
        .cmd(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rel");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("rel {args:?} still running after 30 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn deep_nesting_is_invalid_input_with_a_location_not_a_crash() {
    let deep = 100_000;
    let cases = [
        "[".repeat(deep),
        format!("a = {}{}", "[".repeat(deep), "]".repeat(deep)),
        format!("a = {}", "{b = ".repeat(deep)),
    ];
    for text in cases {
        for file in ["environments.toml", "releases/R-2026-001.toml"] {
            let env = repo();
            commit_bytes(&env, file, text.as_bytes());
            let run = run_bounded(&env, &["--json", "show", R1]);
            no_panic(file, &run);
            run.code(2);
            let v = run.json();
            assert_eq!(v["error"]["kind"], "invalid", "{v}");
            let message = v["error"]["message"].as_str().unwrap_or("");
            assert!(message.starts_with(&format!("{file}:1:")), "{message}");
            assert!(run.stderr.len() < 2000, "{}", run.stderr);
        }
    }
}
