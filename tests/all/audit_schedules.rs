//! `rel audit` replays schedules and holds (contract section 7): what rel
//! wrote is no finding; a schedule the rules refuse, a late cancel without
//! the override, or a hold that changes more than the hold is found.

use crate::audit::{audit, commit_dated, findings};
use crate::common::git::one_commit;
use crate::common::releases::new_release;
use crate::common::Env;
use crate::schedule::PIPELINE;

fn trailers(action: &str, id: &str, env: Option<&str>, extra: &str) -> String {
    let env = env.map(|e| format!("Rel-Env: {e}\n")).unwrap_or_default();
    format!("rel: {action} {id}\n\nRel-Action: {action}\nRel-Release: {id}\n{env}{extra}")
}

#[test]
fn schedules_reschedules_unschedules_holds_and_resumes_by_rel_are_no_finding() {
    let mut env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "1.0.1");
    one_commit(&env, &["schedule", &id, "--at", "2026-11-25T02:00:00Z"]);
    one_commit(
        &env,
        &[
            "schedule",
            &id,
            "--to",
            "live",
            "--at",
            "2026-11-27T02:00:00Z",
        ],
    );
    one_commit(
        &env,
        &[
            "reschedule",
            &id,
            "--to",
            "live",
            "--at",
            "2026-11-30T02:00:00Z",
            "--reason",
            "later",
        ],
    );
    one_commit(&env, &["hold", &id, "--reason", "client asked"]);
    env.now = "2026-11-21T15:00:00Z".into();
    one_commit(&env, &["resume", &id]);
    one_commit(&env, &["unschedule", &id, "--reason", "not needed"]);
    // A late cancel with the override rel allows.
    one_commit(&env, &["schedule", &id, "--at", "2026-11-22T01:00:00Z"]);
    one_commit(
        &env,
        &[
            "unschedule",
            &id,
            "--reason",
            "client asked",
            "--override",
            "notice",
        ],
    );
    let (code, v) = audit(&env, &[]);
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
}

#[test]
fn a_schedule_written_by_hand_into_the_soak_is_refused() {
    let env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "1.0.1");
    one_commit(&env, &["schedule", &id, "--at", "2026-11-25T02:00:00Z"]);
    // rel refuses live before staging's soak ends (Fri 27th 02:00); the
    // schedule is written by hand with rel's trailers.
    let path = format!("releases/{id}.toml");
    let text = env.read(&path);
    let staging = text
        .split("[[schedules]]")
        .nth(1)
        .expect("a schedule")
        .split("[[history]]")
        .next()
        .unwrap()
        .to_string();
    let live = staging
        .replace("env = \"staging\"", "env = \"live\"")
        .replace(
            "at = \"2026-11-25T02:00:00Z\"",
            "at = \"2026-11-26T02:00:00Z\"",
        );
    assert_ne!(live, staging, "{staging}");
    let forged = text.replacen(
        "[[history]]",
        &format!("[[schedules]]{live}[[history]]"),
        1,
    ) + "\n[[history]]\nat = \"2026-11-20T15:00:00Z\"\nby = \"Ana Smith <ana@example.com>\"\naction = \"schedule\"\nenv = \"live\"\n";
    env.write(&path, &forged);
    commit_dated(
        &env,
        &trailers("schedule", &id, Some("live"), ""),
        "2026-11-20T15:00:00Z",
    );
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), [("refused".to_string(), id)], "{v:#}");
    let message = v["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("soak"), "{message}");
}

#[test]
fn a_late_cancel_without_the_override_is_refused() {
    let env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "1.0.1");
    // 10 hours away; staging asks 24 hours' notice.
    one_commit(&env, &["schedule", &id, "--at", "2026-11-21T01:00:00Z"]);
    one_commit(
        &env,
        &[
            "unschedule",
            &id,
            "--reason",
            "client asked",
            "--override",
            "notice",
        ],
    );
    // The same commit with its override trailer taken out.
    let message = env.last_message().replace("Rel-Override: notice\n", "");
    env.git(&["commit", "-q", "--amend", "-m", &message]);
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), [("refused".to_string(), id)], "{v:#}");
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("notice"),
        "{v:#}"
    );
}

#[test]
fn a_hold_that_also_changes_the_title_is_altered() {
    let env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "1.0.1");
    one_commit(&env, &["hold", &id, "--reason", "client asked"]);
    let path = format!("releases/{id}.toml");
    let text = env
        .read(&path)
        .replacen("title = \"A release\"", "title = \"Other\"", 1);
    env.write(&path, &text);
    env.git(&["add", &path]);
    let message = env.last_message();
    env.git(&["commit", "-q", "--amend", "-m", &message]);
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), [("altered".to_string(), id)], "{v:#}");
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("title"),
        "{v:#}"
    );
}
