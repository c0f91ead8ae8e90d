//! `rel audit`: history replayed against the rules of each commit's day.
//! A clean history has no finding; each kind of tampering is found and
//! named. Helpers shared by `audit_*` modules are here.

use serde_json::Value;

use crate::common::git::one_commit;
use crate::common::releases::group_ready_incident;
use crate::common::Env;

/// Three stages with every gate the audit replays: a soak, an exclusive
/// stage, a role, checklists, a health report.
pub const GATED: &str = r#"
[roles]
client = ["ana@example.com"]

[[environments]]
name = "dev"

[[environments]]
name = "test"
soak = { major = 5, minor = 3, patch = 0 }
exclusive = true

[[environments]]
name = "live"
requires_frozen = true
requires_health = true
approvals = ["client"]
entry_checklist = ["Database compared"]
exit_checklist = ["Post-release tests passed"]
"#;

/// Wed 2026-11-25 16:00 UTC: the minor soak of 3 days from FRI has passed.
pub const WED: &str = "2026-11-25T16:00:00Z";

/// When `audit` is run.
pub const AUDITED_AT: &str = "2031-01-01T00:00:00Z";

/// `rel --json audit ARGS`: exit code and document.
///
/// Run as if today were 2031, so the test's history lies in its past (a
/// time recorded after the audit's now is a finding of its own, tested in
/// `branch_time.rs`).
pub fn audit(env: &Env, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--json", "audit"];
    all.extend_from_slice(args);
    let run = env.rel_env(&all, &[("REL_NOW", AUDITED_AT)]);
    assert!(
        run.code == 0 || run.code == 1,
        "audit: exit {}\n{}\n{}",
        run.code,
        run.stdout,
        run.stderr
    );
    (run.code, run.json())
}

/// The (finding, release) pairs of an audit document.
pub fn findings(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["finding"].as_str().unwrap_or("").to_string(),
                f["release"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// A hand commit dated `at` (author and committer), with `message`.
pub fn commit_dated(env: &Env, message: &str, at: &str) {
    env.git(&["add", "-A"]);
    let mut cmd = env.program("git");
    cmd.args(["commit", "-q", "--allow-empty", "-m", message])
        .env("GIT_AUTHOR_DATE", at)
        .env("GIT_COMMITTER_DATE", at)
        .env("GIT_AUTHOR_NAME", "Ana Smith")
        .env("GIT_AUTHOR_EMAIL", "ana@example.com");
    let out = cmd.output().expect("git commit");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A release taken through every stage by rel, frozen in dev: returns its id.
pub fn frozen_in_dev(env: &Env) -> String {
    let run = env.rel(&["new", "--version", "1.4.0", "--title", "A release"]);
    run.ok();
    let id = run.stdout.trim().to_string();
    group_ready_incident(env, &id, "INC-1");
    one_commit(env, &["incident", "component", "INC-1", "dll:Billing.dll"]);
    one_commit(env, &["freeze", &id]);
    id
}

#[test]
fn a_clean_history_from_new_to_close_has_no_finding() {
    let mut env = Env::with_pipeline(GATED);
    let id = frozen_in_dev(&env);
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["verify", &id, "--passed", "12", "--failed", "0"]);
    one_commit(&env, &["approve", &id, "--env", "live", "--role", "client"]);
    one_commit(&env, &["tick", &id, "--env", "live", "1"]);
    env.now = WED.to_string();
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["tick", &id, "--env", "live", "1"]);
    one_commit(&env, &["close", &id]);

    let (code, v) = audit(&env, &[]);
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
    // init, the pipeline, new, 4 incident commits, group, component,
    // freeze, 2 promotions, verify, approve, 2 ticks, close.
    assert_eq!(v["commits"], 17, "{v:#}");
    let policy = v["policy"].as_array().expect("policy");
    assert_eq!(policy.len(), 2, "init and the test pipeline: {v:#}");
    assert_eq!(
        v.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["commits", "findings", "policy"]
    );
    let text = env.rel(&["audit"]);
    text.ok();
    assert!(
        text.stdout.contains("17 commits audited: 0 findings"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_forged_promotion_before_the_soak_ends_is_refused() {
    let env = Env::with_pipeline(GATED);
    let id = frozen_in_dev(&env);
    one_commit(&env, &["promote", &id]);
    // By hand, the next morning: the manifest says live, the trailers say
    // rel promoted it. The soak of 3 business days has not passed.
    let path = format!("releases/{id}.toml");
    let text = env.read(&path);
    let forged = text.replacen("environment = \"test\"", "environment = \"live\"", 1);
    assert_ne!(text, forged);
    env.write(&path, &forged);
    commit_dated(
        &env,
        &format!(
            "rel: promote {id} to live\n\nRel-Action: promote\nRel-Release: {id}\nRel-Env: live\n"
        ),
        "2026-11-21T09:00:00Z",
    );
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), [("refused".to_string(), id.clone())], "{v:#}");
    let f = &v["findings"][0];
    assert_eq!(f["action"], "promote");
    assert!(f["message"].as_str().unwrap().contains("soak"), "{f}");
    assert_eq!(f["by"], "Ana Smith <ana@example.com>");
    assert_eq!(f["at"], "2026-11-21T09:00:00Z");
}

#[test]
fn a_hand_edit_of_a_state_is_named_with_the_field() {
    let env = Env::with_pipeline(GATED);
    let id = frozen_in_dev(&env);
    let path = format!("releases/{id}.toml");
    let text = env
        .read(&path)
        .replacen("state = \"frozen\"", "state = \"released\"", 1);
    env.write(&path, &text);
    commit_dated(&env, "fix state", "2026-11-20T16:00:00Z");
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    let kinds = findings(&v);
    assert!(
        kinds.contains(&("hand-edit".to_string(), id.clone())),
        "{v:#}"
    );
    let hand = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["finding"] == "hand-edit")
        .unwrap();
    assert_eq!(hand["action"], "edit");
    assert!(
        hand["message"]
            .as_str()
            .unwrap()
            .contains("state frozen -> released"),
        "{hand}"
    );
    // A released release whose incident is not closed breaks an invariant.
    assert!(kinds.contains(&("inconsistent".to_string(), id)), "{v:#}");
}

#[test]
fn an_approval_by_a_non_member_written_by_hand_is_refused() {
    let mut env = Env::with_pipeline(GATED);
    let id = frozen_in_dev(&env);
    one_commit(&env, &["promote", &id]);
    // rel refuses Bo (not a client); Bo records the approval with rel as
    // Ana, then rewrites the commit as his own.
    env.actor = Some("Bo Jones <bo@example.com>".into());
    env.rel(&["approve", &id, "--env", "live", "--role", "client"])
        .code(1);
    env.actor = Some("Ana Smith <ana@example.com>".into());
    one_commit(&env, &["approve", &id, "--env", "live", "--role", "client"]);
    let path = format!("releases/{id}.toml");
    let text = env
        .read(&path)
        .replace("ana@example.com", "bo@example.com")
        .replace("Ana Smith", "Bo Jones");
    env.write(&path, &text);
    env.git(&["add", "-A"]);
    let mut amend = env.program("git");
    amend
        .args(["commit", "-q", "--amend", "--no-edit", "--reset-author"])
        .env("GIT_AUTHOR_NAME", "Bo Jones")
        .env("GIT_AUTHOR_EMAIL", "bo@example.com")
        .env("GIT_AUTHOR_DATE", crate::common::NOW)
        .env("GIT_COMMITTER_DATE", crate::common::NOW);
    assert!(amend.output().expect("git").status.success());
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), [("refused".to_string(), id)], "{v:#}");
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("role: "),
        "{v:#}"
    );
}

#[test]
fn a_commit_dated_backwards_is_a_time_finding() {
    let mut env = Env::with_pipeline(GATED);
    let id = frozen_in_dev(&env);
    env.now = "2026-11-23T10:00:00Z".into();
    one_commit(&env, &["promote", &id]);
    // The next action claims an earlier instant than the promotion: its
    // commit was made with the clock set back (rel refuses that now; a
    // commit made by hand or an old rel did not).
    env.now = "2026-11-23T10:00:00Z".into();
    one_commit(&env, &["verify", &id, "--passed", "1", "--failed", "0"]);
    let path = format!("releases/{id}.toml");
    let text = env.read(&path);
    let at = text.rfind("2026-11-23T10:00:00Z").unwrap();
    let mut back = text.clone();
    back.replace_range(at..at + 20, "2026-11-22T10:00:00Z");
    // Only the newest event's instant moves back (the health report keeps
    // its own): the record now runs backwards.
    env.write(&path, &back);
    env.git(&["add", "-A"]);
    let mut amend = env.program("git");
    amend
        .args(["commit", "-q", "--amend", "--no-edit"])
        .env("GIT_AUTHOR_DATE", "2026-11-22T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-22T10:00:00Z");
    assert!(amend.output().expect("git").status.success());
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    let kinds = findings(&v);
    assert!(kinds.contains(&("time".to_string(), id)), "{v:#}");
    assert!(
        kinds.iter().all(|(k, _)| k == "time" || k == "altered"),
        "{v:#}"
    );
}

#[test]
fn a_commit_far_from_its_recorded_time_is_a_time_finding() {
    let env = Env::with_pipeline(GATED);
    let id = frozen_in_dev(&env);
    one_commit(&env, &["promote", &id]);
    env.git(&[
        "commit",
        "-q",
        "--amend",
        "--no-edit",
        "--date",
        "2026-11-20T18:00:00Z",
    ]);
    let (_, v) = audit(&env, &[]);
    assert_eq!(findings(&v), [("time".to_string(), id)], "{v:#}");
    assert!(v["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("180 minutes"));
}

#[test]
fn two_releases_left_in_an_exclusive_environment_are_inconsistent() {
    let env = Env::with_pipeline(GATED);
    let a = frozen_in_dev(&env);
    one_commit(&env, &["promote", &a]);
    let b = env
        .rel(&["new", "--version", "1.5.0", "--title", "B"])
        .ok()
        .stdout
        .trim()
        .to_string();
    // A merge of a branch where B was moved into test by hand.
    env.git(&["checkout", "-q", "-b", "side"]);
    let path = format!("releases/{b}.toml");
    let text = env
        .read(&path)
        .replacen("environment = \"dev\"", "environment = \"test\"", 1);
    env.write(&path, &text);
    commit_dated(&env, "move B", crate::common::NOW);
    env.git(&["checkout", "-q", "-"]);
    one_commit(&env, &["incident", "new", "INC-9", "--title", "Other"]);
    env.git(&["merge", "-q", "--no-ff", "--no-edit", "side"]);
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    let kinds = findings(&v);
    assert!(
        kinds.contains(&("hand-edit".to_string(), b.clone())),
        "{v:#}"
    );
    assert!(kinds.contains(&("inconsistent".to_string(), b)), "{v:#}");
    let merge = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["finding"] == "hand-edit")
        .unwrap();
    assert_eq!(merge["action"], "merge");
    assert!(merge["message"]
        .as_str()
        .unwrap()
        .contains("environment dev -> test"));
}

#[test]
fn a_policy_change_is_listed_and_judges_the_commits_after_it() {
    let env = Env::with_pipeline(GATED);
    let id = frozen_in_dev(&env);
    one_commit(&env, &["promote", &id]);
    // The soak is dropped by a pipeline change; the promotion after it is
    // judged by the new policy (no finding), and the change is listed.
    env.write(
        "environments.toml",
        &GATED.replace("soak = { major = 5, minor = 3, patch = 0 }\n", ""),
    );
    commit_dated(&env, "no soak in test", crate::common::NOW);
    let policy_commit = env.head();
    one_commit(&env, &["verify", &id, "--passed", "1", "--failed", "0"]);
    one_commit(&env, &["approve", &id, "--env", "live", "--role", "client"]);
    one_commit(&env, &["tick", &id, "--env", "live", "1"]);
    one_commit(&env, &["promote", &id]);
    let (code, v) = audit(&env, &[]);
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
    let policy = v["policy"].as_array().unwrap();
    assert_eq!(policy.last().unwrap()["commit"], policy_commit.trim());
    assert_eq!(policy.last().unwrap()["by"], "Ana Smith <ana@example.com>");

    // --since the policy change: only the commits from there are judged.
    let (_, since) = audit(&env, &["--since", policy_commit.trim()]);
    assert_eq!(since["commits"], 5, "{since:#}");
    assert_eq!(since["policy"].as_array().unwrap().len(), 1);
}

#[test]
fn schedules_and_holds_made_by_rel_are_no_finding() {
    let mut env = Env::new();
    env.rel(&["new", "--version", "1.1.0", "--title", "T"]).ok();
    env.rel(&["schedule", "R-2026-001", "--at", "earliest"])
        .ok();
    env.rel(&["hold", "R-2026-001", "--reason", "client asked"])
        .ok();
    env.now = "2026-11-21T15:00:00Z".into();
    env.rel(&["resume", "R-2026-001"]).ok();
    let run = env.rel(&["audit"]);
    run.ok();
    assert!(run.stdout.contains("0 findings"), "{}", run.stdout);
}
