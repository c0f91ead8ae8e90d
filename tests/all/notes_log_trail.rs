//! The audit trail end to end (issue 5): `rel log` after a full walk with
//! the default pipeline (new → uat → staging with an override → production
//! → close) and its filters. Changes made outside rel (a hand edit, a
//! merge) and `rel show` against `rel log` are in `notes_log_outside`.

use serde_json::Value;

use crate::common::{Env, Run, ACTOR};
use crate::notes_log::ready_incident;

pub const R1: &str = "R-2026-001";
pub const REASON: &str = "Client demo on Thursday";

/// Runs `rel` with "now" set to `when` (and keeps it for later commands).
pub fn at(env: &mut Env, when: &str, args: &[&str]) -> Run {
    env.now = when.to_string();
    let run = env.rel(args);
    run.ok();
    run
}

/// Every step of a minor release through the default pipeline, one day or
/// hour apart; staging is entered a day early with `--override soak`.
pub fn full_walk() -> Env {
    let mut env = Env::new(); // init: Fri 2026-11-20 15:00 UTC
    at(
        &mut env,
        "2026-11-23T09:00:00Z",
        &[
            "new",
            "--version",
            "1.1.0",
            "--title",
            "Invoice improvements",
        ],
    );
    env.now = "2026-11-23T09:10:00Z".into();
    ready_incident(&env, "INC-7", "Faster search", &[]);
    at(&mut env, "2026-11-23T09:30:00Z", &["group", R1, "INC-7"]);
    at(&mut env, "2026-11-23T09:40:00Z", &["freeze", R1]);
    at(&mut env, "2026-11-23T10:00:00Z", &["promote", R1]);
    at(
        &mut env,
        "2026-11-25T10:00:00Z",
        &["promote", R1, "--override", "soak", "--reason", REASON],
    );
    for item in ["1", "2", "3"] {
        at(
            &mut env,
            "2026-12-02T09:00:00Z",
            &["tick", R1, "--env", "production", item],
        );
    }
    at(&mut env, "2026-12-02T11:00:00Z", &["promote", R1, "--yes"]);
    at(
        &mut env,
        "2026-12-02T15:00:00Z",
        &[
            "tick",
            R1,
            "--env",
            "production",
            "Post-release tests passed on production",
        ],
    );
    at(&mut env, "2026-12-02T16:00:00Z", &["close", R1]);
    env
}

pub fn log(env: &Env, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--json", "log"];
    all.extend_from_slice(args);
    let v = env.rel(&all).ok().json();
    v.as_array().expect("an array").clone()
}

pub fn field(entries: &[Value], key: &str) -> Vec<String> {
    entries
        .iter()
        .map(|e| match &e[key] {
            Value::String(s) => s.clone(),
            Value::Null => "-".to_string(),
            other => other.to_string(),
        })
        .collect()
}

/// R1's actions and environments, newest first, after `full_walk`.
pub const R1_TRAIL: [(&str, &str); 11] = [
    ("close", "production"),
    ("tick", "production"),
    ("promote", "production"),
    ("tick", "production"),
    ("tick", "production"),
    ("tick", "production"),
    ("promote", "staging"),
    ("promote", "uat"),
    ("freeze", "-"),
    ("group", "-"),
    ("new", "development"),
];

fn pairs(entries: &[Value]) -> Vec<(String, String)> {
    field(entries, "action")
        .into_iter()
        .zip(field(entries, "env"))
        .collect()
}

fn expected(trail: &[(&str, &str)]) -> Vec<(String, String)> {
    trail
        .iter()
        .map(|(a, e)| (a.to_string(), e.to_string()))
        .collect()
}

// ---- the trail of a full walk ----

#[test]
fn log_after_a_full_walk_is_newest_first_with_the_override() {
    let env = full_walk();
    let all = log(&env, &[]);
    assert_eq!(
        field(&all, "action"),
        [
            "close",
            "tick",
            "promote",
            "tick",
            "tick",
            "tick",
            "promote",
            "promote",
            "freeze",
            "group",
            "incident-test",
            "incident-authorise",
            "incident-resolve",
            "incident-new",
            "new",
            "init",
        ]
    );
    // Newest first: the first is HEAD, times never go up, every commit once.
    assert_eq!(all[0]["commit"], env.head());
    let times = field(&all, "at");
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    assert_eq!(times[0], "2026-12-02T16:00:00Z");
    // The repository was made when `Env::new` makes it.
    assert_eq!(
        times.last().map(String::as_str),
        Some(crate::common::INIT_AT)
    );
    assert_eq!(all.len(), env.commit_count());
    for e in &all {
        for key in ["commit", "at", "by", "action", "release", "env", "message"] {
            assert!(e.get(key).is_some(), "no {key} in {e}");
        }
        assert_eq!(e["by"], ACTOR);
        assert_eq!(e["outside_rel"], false);
        let commit = e["commit"].as_str().expect("commit");
        assert_eq!(commit.len(), 40);
        let subject = env.git(&["log", "-1", "--format=%s", commit]);
        assert_eq!(e["message"], subject.trim());
    }
    let staging: Vec<&Value> = all.iter().filter(|e| e["env"] == "staging").collect();
    assert_eq!(staging.len(), 1);
    assert_eq!(staging[0]["action"], "promote");
    assert_eq!(staging[0]["release"], R1);
    assert_eq!(staging[0]["overrides"], serde_json::json!(["soak"]));
    assert_eq!(staging[0]["reason"], REASON);
    assert_eq!(staging[0]["at"], "2026-11-25T10:00:00Z");
    let others_with_reason = all.iter().filter(|e| !e["reason"].is_null()).count();
    assert_eq!(others_with_reason, 1);
}

/// The table, with commit ids masked (they are not the point here).
#[test]
fn log_table_snapshot() {
    let env = full_walk();
    let run = env.rel(&["log"]);
    run.ok();
    let masked: Vec<String> = run
        .stdout
        .lines()
        .map(|l| match l.split_once("  ") {
            Some((id, rest)) if id.len() == 10 && id.chars().all(|c| c.is_ascii_hexdigit()) => {
                format!("{:<10}  {rest}", "<commit>")
            }
            _ => l.to_string(),
        })
        .collect();
    insta::assert_snapshot!("log_table", masked.join("\n"));
    let staging = run
        .stdout
        .lines()
        .find(|l| l.contains("staging"))
        .expect("a staging line");
    assert!(
        staging.contains("override soak") && staging.contains(REASON),
        "{staging}"
    );
}

// ---- filters ----

#[test]
fn log_of_one_release_leaves_out_the_others() {
    let mut env = full_walk();
    at(
        &mut env,
        "2026-12-03T09:00:00Z",
        &["new", "--version", "1.2.0", "--title", "Next"],
    );
    let r1 = log(&env, &[R1]);
    assert_eq!(pairs(&r1), expected(&R1_TRAIL));
    assert!(r1.iter().all(|e| e["release"] == R1));
    // Ids are matched ignoring case, like everywhere else.
    assert_eq!(log(&env, &["r-2026-001"]).len(), R1_TRAIL.len());
    let r2 = log(&env, &["R-2026-002"]);
    assert_eq!(field(&r2, "action"), ["new"]);
}

#[test]
fn log_by_environment() {
    let env = full_walk();
    let uat = log(&env, &["--env", "uat"]);
    assert_eq!(pairs(&uat), expected(&[("promote", "uat")]));
    let staging = log(&env, &["--env", "STAGING"]);
    assert_eq!(pairs(&staging), expected(&[("promote", "staging")]));
    let production = log(&env, &[R1, "--env", "production"]);
    assert_eq!(pairs(&production), expected(&R1_TRAIL[..6]));
}

#[test]
fn log_since_a_date_or_an_instant() {
    let env = full_walk();
    // A date: from its midnight in the calendar's timezone (UTC here).
    let since_date = log(&env, &["--since", "2026-12-02"]);
    assert_eq!(pairs(&since_date), expected(&R1_TRAIL[..6]));
    // An instant is inclusive.
    let since_instant = log(&env, &["--since", "2026-11-25T10:00:00Z"]);
    assert_eq!(pairs(&since_instant), expected(&R1_TRAIL[..7]));
    assert!(log(&env, &["--since", "2027-01-01"]).is_empty());
    // Combined with a release and an environment.
    let both = log(&env, &[R1, "--env", "uat", "--since", "2026-11-24"]);
    assert!(both.is_empty());
}

#[test]
fn log_since_a_date_starts_at_local_midnight_of_the_calendar() {
    let env = full_walk();
    let pipeline = env
        .read("environments.toml")
        .replace("timezone = \"UTC\"", "timezone = \"Pacific/Honolulu\"");
    env.write("environments.toml", &pipeline);
    env.git(&[
        "commit",
        "-q",
        "--date=2026-12-03T08:00:00Z",
        "-am",
        "Honolulu calendar",
    ]);
    // Midnight 2026-12-02 in Honolulu is 10:00 UTC: the 09:00 UTC ticks
    // are before it. The hand edit of the calendar is listed, outside rel.
    let since = log(&env, &["--since", "2026-12-02"]);
    assert_eq!(
        field(&since, "action"),
        ["edit", "close", "tick", "promote"],
        "{since:?}"
    );
    assert_eq!(since[0]["outside_rel"], true);
    assert_eq!(since[0]["files"], serde_json::json!(["environments.toml"]));
    assert_eq!(since[0]["release"], Value::Null);
}

#[test]
fn log_bad_filters_are_exit_2() {
    let env = full_walk();
    for args in [
        &["log", "--since", "yesterday"][..],
        &["log", "--since", "2026-13-01"],
        &["log", "R-2099-001"],
        &["log", "../x"],
        &["log", "--env", "qa"],
    ] {
        env.assert_unchanged(|| {
            let run = env.rel(args);
            run.code(2);
            assert_eq!(run.stdout, "", "{args:?}");
        });
    }
}

#[test]
fn log_with_nothing_to_show() {
    let env = Env::new();
    env.rel(&["new", "--version", "1.0.1", "--title", "One"])
        .ok();
    let run = env.rel(&["log", "--since", "2030-01-01"]);
    run.ok();
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("no entries"), "{}", run.stderr);
    assert_eq!(log(&env, &["--since", "2030-01-01"]), Vec::<Value>::new());
}
