//! Helpers of the release domain, shared by the test modules: make a
//! release, group a ready incident, freeze, read a manifest or a check.
//! Each is the command a user would type, run through the real binary.

use serde_json::Value;

use super::git::one_commit;
use super::Env;

/// `rel new` with this version; returns the id (not `must_use`: some tests
/// want only the release).
#[track_caller]
pub fn new_release(env: &Env, version: &str) -> String {
    new_release_with(env, version, &[])
}

/// `rel new` with this version and further arguments (`--kind`, `--target`,
/// ...); returns the id.
#[track_caller]
pub fn new_release_with(env: &Env, version: &str, extra: &[&str]) -> String {
    let mut args = vec!["new", "--version", version, "--title", "A release"];
    args.extend_from_slice(extra);
    let run = env.rel(&args);
    run.ok();
    run.stdout.trim().to_string()
}

/// `rel new` with this version and title; returns the id.
#[track_caller]
pub fn new_release_titled(env: &Env, version: &str, title: &str) -> String {
    let run = env.rel(&["new", "--version", version, "--title", title]);
    run.ok();
    run.stdout.trim().to_string()
}

/// `rel new --id ID` (version 1.0.0, title `T`), asserting one commit.
#[track_caller]
pub fn new_release_with_id(env: &Env, id: &str) {
    one_commit(
        env,
        &["new", "--id", id, "--version", "1.0.0", "--title", "T"],
    );
}

/// Test setup that bypasses the rules: sets a top-level key of a manifest
/// (`state`, `revision`, `environment`, ...) to `value` (TOML) and commits.
#[track_caller]
pub fn edit_manifest(env: &Env, id: &str, key: &str, value: &str) {
    let path = format!("releases/{id}.toml");
    let text = env.read(&path);
    let prefix = format!("{key} = ");
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if !found && l.starts_with(&prefix) {
                found = true;
                format!("{prefix}{value}")
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(found, "no `{key}` in {path}:\n{text}");
    env.write(&path, &(lines.join("\n") + "\n"));
    env.git(&["add", &path]);
    env.git(&["commit", "-q", "-m", &format!("test: {id} {key} = {value}")]);
}

/// `rel --json check ARGS...`: the exit code and the object printed.
#[must_use]
#[track_caller]
pub fn check(env: &Env, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--json", "check"];
    all.extend_from_slice(args);
    let run = env.rel(&all);
    assert!(
        run.code == 0 || run.code == 1,
        "check: exit {}\n{}",
        run.code,
        run.stderr
    );
    (run.code, run.json())
}

/// The rule codes of a check's violations, in order.
#[must_use]
#[track_caller]
pub fn codes(v: &Value) -> Vec<String> {
    v["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|x| x["rule"].as_str().expect("rule").to_string())
        .collect()
}

/// A resolved, client-authorised, tested incident `inc`, grouped into `id`
/// with `rel group` (which bumps the content revision).
#[track_caller]
pub fn group_ready_incident(env: &Env, id: &str, inc: &str) {
    one_commit(
        env,
        &["incident", "new", inc, "--title", &format!("Change {inc}")],
    );
    one_commit(env, &["incident", "resolve", inc]);
    one_commit(env, &["incident", "authorise", inc, "--by", "Carla Client"]);
    one_commit(
        env,
        &["incident", "test", inc, "--evidence", "tests/report.pdf"],
    );
    one_commit(env, &["group", id, inc]);
}

/// `rel group` of a fresh incident, then `rel freeze`.
#[track_caller]
pub fn freeze(env: &Env, id: &str) {
    group_ready_incident(env, id, &format!("INC-{id}"));
    one_commit(env, &["freeze", id]);
}

/// `rel show --json`.
#[must_use]
#[track_caller]
pub fn manifest(env: &Env, id: &str) -> Value {
    env.rel(&["--json", "show", id]).ok().json()
}
