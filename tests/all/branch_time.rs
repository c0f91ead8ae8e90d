//! Contract 11.5, "Time moves forward on the whole branch" and "Time in the
//! audit": a write more than an hour before the latest time recorded on
//! the branch (by any release) is exit 2 naming both instants; the audit
//! reports a committer date before the recorded time, a branch whose time
//! runs backwards across releases, and a time in the future.

use crate::common::git::refused;
use crate::common::releases::new_release_with_id;
use crate::common::Env;

const T: &str = "2026-11-20T15:00:00Z";
const T_MINUS_30M: &str = "2026-11-20T14:30:00Z";
const T_MINUS_3H: &str = "2026-11-20T12:00:00Z";

fn findings(env: &Env) -> Vec<(String, String, String)> {
    let run = env.rel(&["--json", "audit"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["finding"].as_str().unwrap_or("").to_string(),
                f["release"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_write_more_than_an_hour_before_the_branch_is_refused_naming_both_instants() {
    let mut env = Env::new();
    env.now = T.to_string();
    new_release_with_id(&env, "A");
    // Another release, another machine whose clock is three hours behind.
    env.now = T_MINUS_3H.to_string();
    let run = refused(
        &env,
        &["new", "--id", "B", "--version", "1.0.0", "--title", "T"],
        2,
    );
    assert!(run.stderr.contains(T_MINUS_3H), "{}", run.stderr);
    assert!(run.stderr.contains(T), "{}", run.stderr);
    assert!(run.stderr.contains("REL_NOW"), "{}", run.stderr);
    let json = refused(
        &env,
        &["--json", "incident", "new", "INC-1", "--title", "x"],
        2,
    )
    .json();
    assert_eq!(json["error"]["kind"], "invalid");
    // Within the hour, two clocks may disagree.
    env.now = T_MINUS_30M.to_string();
    new_release_with_id(&env, "B");
    env.now = T.to_string();
    env.rel(&["audit"]).ok();
}

#[test]
fn the_audit_reports_an_author_date_moved_forward() {
    let mut env = Env::new();
    env.now = T.to_string();
    new_release_with_id(&env, "A");
    // Recorded at T (the author date), but committed three hours earlier.
    let out = env
        .program("git")
        .args(["commit", "--amend", "--no-edit", "-q"])
        .env("GIT_COMMITTER_DATE", "2026-11-20T12:00:00Z")
        .output()
        .expect("git");
    assert!(out.status.success());
    let found = findings(&env);
    assert!(
        found
            .iter()
            .any(|(f, r, m)| f == "time" && r == "A" && m.contains("committed at")),
        "{found:?}"
    );
}

#[test]
fn the_audit_reports_a_branch_whose_time_runs_backwards_across_releases() {
    let mut env = Env::empty();
    env.now = T_MINUS_3H.to_string();
    env.rel(&["init"]).ok();
    new_release_with_id(&env, "EARLY");
    let early = env.head();
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);
    env.now = T.to_string();
    new_release_with_id(&env, "LATE");
    // The earlier commit put after the later one (a rebase, a hand merge).
    let out = env
        .program("git")
        .args(["cherry-pick", &early])
        .env("GIT_COMMITTER_DATE", T_MINUS_3H)
        .output()
        .expect("git");
    assert!(out.status.success(), "{out:?}");
    let found = findings(&env);
    assert!(
        found.iter().any(|(f, r, m)| f == "time"
            && r == "EARLY"
            && m.contains("recorded earlier on the branch")),
        "{found:?}"
    );
    // Audited alone (--since it, as the hook audits a pushed range), it is
    // still judged against the time the branch had reached before it.
    let head = env.head();
    let run = env.rel(&["--json", "audit", "--since", &head]);
    run.code(1);
    assert!(
        run.stdout.contains("recorded earlier on the branch"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_audit_reports_a_time_in_the_future() {
    let mut env = Env::new();
    env.now = "2027-11-20T15:00:00Z".to_string();
    new_release_with_id(&env, "NEXT-YEAR");
    env.now = T.to_string();
    let found = findings(&env);
    assert!(
        found
            .iter()
            .any(|(f, r, m)| f == "time" && r == "NEXT-YEAR" && m.contains("after now")),
        "{found:?}"
    );
    // A year later the same history is lawful.
    env.now = "2027-11-20T16:00:00Z".to_string();
    env.rel(&["audit"]).ok();
}
