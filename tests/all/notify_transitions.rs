//! Contract 11.6, "Every transition is told": besides schedules and holds,
//! the notifier hears `created`, `frozen`, `unfrozen`, `approved`,
//! `verified`, `promoted`, `rolled-back`, `closed`, `cancelled` and
//! `policy`, whoever made them; `notify_on` picks the events.

use crate::common::git::{one_commit, refused};
use crate::common::notify::events;
use crate::common::releases::{group_ready_incident, new_release};
use crate::common::Env;

fn pipeline(top: &str, live: &str) -> String {
    format!(
        r#"notify = ["admins"]
{top}
[roles]
admins = ["it@acme.example"]
client = ["ana@example.com"]

[[environments]]
name = "dev"

[[environments]]
name = "live"
approvals = ["client"]
{live}
"#
    )
}

fn with_notifier(env: &Env) -> std::path::PathBuf {
    let log = env.tmp.path().join("events.jsonl");
    env.git(&[
        "config",
        "rel.notify",
        &format!("cat >> {}", log.to_string_lossy()),
    ]);
    log
}

fn names(log: &std::path::Path) -> Vec<String> {
    events(log)
        .iter()
        .map(|e| e["event"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn every_transition_is_told_with_its_commit_and_recipients() {
    let env = Env::with_pipeline(&pipeline("", ""));
    let log = with_notifier(&env);
    let id = new_release(&env, "1.0.1");
    group_ready_incident(&env, &id, "INC-1");
    one_commit(&env, &["freeze", &id]);
    one_commit(&env, &["unfreeze", &id, "--reason", "one more look"]);
    one_commit(&env, &["freeze", &id]);
    one_commit(&env, &["verify", &id, "--passed", "1", "--failed", "0"]);
    one_commit(&env, &["approve", &id, "--env", "live", "--role", "client"]);
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["rollback", &id, "--to", "dev", "--reason", "bug"]);
    let other = new_release(&env, "1.0.2");
    one_commit(&env, &["cancel", &other, "--reason", "not needed"]);
    assert_eq!(
        names(&log),
        [
            "created",
            "frozen",
            "unfrozen",
            "frozen",
            "verified",
            "approved",
            "promoted",
            "rolled-back",
            "created",
            "cancelled"
        ]
    );
    let all = events(&log);
    let promoted = &all[6];
    assert_eq!(promoted["release"], id.as_str());
    assert_eq!(promoted["env"], "live");
    assert_eq!(promoted["recipients"][0], "it@acme.example");
    assert_eq!(all[7]["reason"], "bug");
    // Each event names the commit it is about: the one just made then.
    assert!(all
        .iter()
        .all(|e| e["commit"].as_str().is_some_and(|c| c.len() == 40)));
    assert_eq!(all[9]["commit"].as_str(), Some(env.head().as_str()));
    // Installation changes are policy.
    one_commit(
        &env,
        &[
            "installation",
            "new",
            "acme",
            "--version",
            "1.0.0",
            "--admin",
            "it@acme.example",
        ],
    );
    assert_eq!(names(&log).last().map(String::as_str), Some("policy"));
}

#[test]
fn notify_on_picks_the_events_and_an_environment_s_list_replaces_the_top_level() {
    let env = Env::with_pipeline(&pipeline(
        "notify_on = [\"created\", \"closed\"]",
        "notify_on = [\"promoted\"]",
    ));
    let log = with_notifier(&env);
    let id = new_release(&env, "1.0.1");
    group_ready_incident(&env, &id, "INC-1");
    one_commit(&env, &["freeze", &id]);
    one_commit(&env, &["approve", &id, "--env", "live", "--role", "client"]);
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["close", &id]);
    // created (top level), promoted (live's own list), closed (about live:
    // live's list does not name it, so not told).
    assert_eq!(names(&log), ["created", "promoted"]);
}

#[test]
fn an_unknown_event_in_notify_on_is_exit_2_with_its_line() {
    let env = Env::with_pipeline(&pipeline("", ""));
    env.write(
        "environments.toml",
        &pipeline("notify_on = [\"exploded\"]", ""),
    );
    env.commit_all("hand edit");
    let run = refused(&env, &["new", "--version", "1.0.0", "--title", "T"], 2);
    assert!(run.stderr.contains("environments.toml:"), "{}", run.stderr);
    assert!(run.stderr.contains("exploded"), "{}", run.stderr);
}

#[test]
fn rel_env_shows_every_key_of_telling_and_scheduling() {
    let env = Env::with_pipeline(&pipeline(
        "notify_on = [\"created\"]",
        "auto_schedule = true\nschedule_notice = \"24h\"\nnotify = [\"admins\"]\nnotify_on = [\"promoted\"]",
    ));
    let text = env.rel(&["env"]).ok().stdout.clone();
    for says in [
        "zero-touch",
        "schedules fixed 1d",
        "notifies: admins",
        "tells: promoted",
    ] {
        assert!(text.contains(says), "{says}: {text}");
    }
    let json = env.rel(&["--json", "env"]).ok().json();
    assert_eq!(json["notify_on"][0], "created");
    let live = &json["environments"][1];
    assert_eq!(live["auto_schedule"], true);
    assert_eq!(live["schedule_notice"], "1d");
    assert_eq!(live["notify"][0], "admins");
    assert_eq!(live["notify_on"][0], "promoted");
}
