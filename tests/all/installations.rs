//! Client installations and their updates (contract section 8): one
//! update per installation and version, `exclusive` per installation, the
//! installation's windows and role members in place of the pipeline's,
//! `close` advancing the installation, `rollout` in one commit.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes};
use crate::common::Env;

/// Preview, then an exclusive staging, then live with the vendor's
/// Saturday window (London) and the client's approval.
pub const PIPELINE: &str = r#"
[calendar]
timezone = "Europe/London"

[roles]
client = ["boss@vendor.example"]

[[environments]]
name = "preview"

[[environments]]
name = "staging"
exclusive = true

[[environments]]
name = "live"
windows = ["sat 01:00-03:00"]
approvals = ["client"]
"#;

/// acme runs 5.2.1 with its own approver and a Sunday window in New York;
/// globex runs 5.3.0 with the pipeline's.
pub fn two_installations() -> Env {
    let env = Env::with_pipeline(PIPELINE);
    one_commit(
        &env,
        &[
            "installation",
            "new",
            "acme",
            "--version",
            "5.2.1",
            "--admin",
            "it@acme.example",
            "--role",
            "client=ana@example.com",
            "--window",
            "sun 02:00-04:00",
            "--timezone",
            "America/New_York",
        ],
    );
    one_commit(
        &env,
        &["installation", "new", "globex", "--version", "5.3.0"],
    );
    env
}

#[test]
fn installations_are_registered_listed_and_shown_with_their_updates() {
    let env = two_installations();
    assert_eq!(
        env.read("releases/installations/acme.toml"),
        "name = \"acme\"\nversion = \"5.2.1\"\nadmins = [\"it@acme.example\"]\nwindows = [\"sun 02:00-04:00\"]\ntimezone = \"America/New_York\"\n\n[roles]\nclient = [\"ana@example.com\"]\n"
    );
    let list = env.rel(&["--json", "installation", "list"]).json();
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["acme", "globex"]);
    one_commit(
        &env,
        &[
            "new",
            "--installation",
            "acme",
            "--version",
            "5.3.1",
            "--title",
            "Autumn",
        ],
    );
    let shown = env.rel(&["--json", "installation", "show", "ACME"]).json();
    assert_eq!(shown["version"], "5.2.1");
    assert_eq!(shown["admins"][0], "it@acme.example");
    assert_eq!(shown["roles"]["client"][0], "ana@example.com");
    assert_eq!(shown["windows"][0], "sun 02:00-04:00");
    assert_eq!(shown["timezone"], "America/New_York");
    assert_eq!(shown["updates"], serde_json::json!(["acme-5.3.1"]));
    let text = env.rel(&["installation", "show", "acme"]).stdout.clone();
    assert!(text.contains("updates: acme-5.3.1"), "{text}");
}

#[test]
fn an_update_takes_its_id_version_and_kind_from_the_installation() {
    let env = two_installations();
    let out = one_commit(
        &env,
        &[
            "new",
            "--installation",
            "acme",
            "--version",
            "5.4.3",
            "--title",
            "Winter",
        ],
    );
    assert_eq!(out.stdout.trim(), "acme-5.4.3");
    let shown = env.rel(&["--json", "show", "acme-5.4.3"]).json();
    assert_eq!(shown["installation"], "acme");
    assert_eq!(shown["from_version"], "5.2.1");
    // 5.2.1 -> 5.4.3 is a hop of 2 minor versions: a minor update, not
    // the patch its version alone would say.
    assert_eq!(shown["kind"], "minor");
}

#[test]
fn bad_updates_are_refused_with_nothing_written() {
    let env = two_installations();
    for (args, says) in [
        (
            vec![
                "new",
                "--installation",
                "acme",
                "--version",
                "5.2.1",
                "--title",
                "x",
            ],
            "not above acme's version 5.2.1",
        ),
        (
            vec![
                "new",
                "--installation",
                "acme",
                "--version",
                "5.1.0",
                "--title",
                "x",
            ],
            "not above",
        ),
        (
            vec![
                "new",
                "--installation",
                "initech",
                "--version",
                "9.0.0",
                "--title",
                "x",
            ],
            "unknown installation `initech`",
        ),
        (
            vec!["installation", "new", "acme", "--version", "1.0.0"],
            "already exists",
        ),
        (
            vec![
                "installation",
                "new",
                "x",
                "--version",
                "1.0.0",
                "--window",
                "someday",
            ],
            "someday",
        ),
        (
            vec![
                "installation",
                "new",
                "x",
                "--version",
                "1.0.0",
                "--timezone",
                "Mars/Base",
            ],
            "Mars/Base",
        ),
        (
            vec![
                "installation",
                "new",
                "x",
                "--version",
                "1.0.0",
                "--role",
                "client",
            ],
            "ROLE=EMAIL",
        ),
        (
            vec!["installation", "new", "../x", "--version", "1.0.0"],
            "installation",
        ),
        (
            vec!["status", "--installation", "initech"],
            "unknown installation",
        ),
        (
            vec!["list", "--installation", "initech"],
            "unknown installation",
        ),
    ] {
        let run = refused(&env, &args, 2);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn exclusive_counts_only_updates_of_the_same_installation() {
    let env = two_installations();
    for (name, v) in [("acme", "5.3.1"), ("globex", "5.3.1"), ("acme", "5.3.2")] {
        one_commit(
            &env,
            &[
                "new",
                "--installation",
                name,
                "--version",
                v,
                "--title",
                "t",
            ],
        );
    }
    one_commit(&env, &["promote", "acme-5.3.1"]);
    // globex's staging is its own: it may enter beside acme's update.
    one_commit(&env, &["promote", "globex-5.3.1"]);
    let (code, v) = check(&env, &["acme-5.3.2"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["exclusive"]);
    let run = refused(&env, &["promote", "acme-5.3.2"], 1);
    assert!(run.stderr.contains("acme-5.3.1"), "{}", run.stderr);
    let listed = env
        .rel(&["--json", "status", "--installation", "globex"])
        .json();
    let ids: Vec<&str> = listed
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, ["globex-5.3.1"]);
    let list = env.rel(&["list", "--installation", "acme"]).stdout.clone();
    assert!(
        list.contains("acme-5.3.2") && !list.contains("globex"),
        "{list}"
    );
}

#[test]
fn an_update_uses_its_installations_window_and_approvers() {
    let mut env = two_installations();
    one_commit(
        &env,
        &[
            "new",
            "--installation",
            "acme",
            "--version",
            "5.3.1",
            "--title",
            "t",
        ],
    );
    one_commit(
        &env,
        &[
            "new",
            "--installation",
            "globex",
            "--version",
            "5.3.1",
            "--title",
            "t",
        ],
    );
    one_commit(&env, &["promote", "acme-5.3.1"]);
    one_commit(&env, &["promote", "globex-5.3.1"]);
    // The actor (ana@example.com) is acme's client, not the pipeline's.
    one_commit(
        &env,
        &["approve", "acme-5.3.1", "--env", "live", "--role", "client"],
    );
    let run = refused(
        &env,
        &[
            "approve",
            "globex-5.3.1",
            "--env",
            "live",
            "--role",
            "client",
        ],
        1,
    );
    assert!(run.stderr.contains("environments.toml"), "{}", run.stderr);
    // Sunday 6 Dec 03:00 in New York is 08:00 UTC: acme's window is open,
    // the pipeline's Saturday window is not.
    env.now = "2026-12-06T08:00:00Z".into();
    let (code, v) = check(&env, &["acme-5.3.1"]);
    assert_eq!(code, 0, "{v}");
    let (_, v) = check(&env, &["globex-5.3.1"]);
    assert!(codes(&v).contains(&"window".to_string()), "{v}");
    // Saturday 5 Dec 01:30 London: the pipeline's window, not acme's.
    env.now = "2026-12-05T01:30:00Z".into();
    let (code, v) = check(&env, &["acme-5.3.1"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["window"]);
    let message = v["violations"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("America/New_York"), "{message}");
}

#[test]
fn closing_an_update_advances_its_installation_in_the_same_commit() {
    let mut env = two_installations();
    one_commit(
        &env,
        &[
            "new",
            "--installation",
            "globex",
            "--version",
            "5.3.1",
            "--title",
            "t",
        ],
    );
    env.now = "2026-12-05T01:30:00Z".into();
    env.actor = Some("Boss <boss@vendor.example>".into());
    one_commit(&env, &["promote", "globex-5.3.1"]);
    one_commit(
        &env,
        &[
            "approve",
            "globex-5.3.1",
            "--env",
            "live",
            "--role",
            "client",
        ],
    );
    one_commit(&env, &["promote", "globex-5.3.1"]);
    one_commit(&env, &["close", "globex-5.3.1"]);
    let files = env.last_commit_files();
    assert!(
        files.contains(&"releases/installations/globex.toml".to_string())
            && files.contains(&"releases/archive/2026/globex-5.3.1.toml".to_string()),
        "{files:?}"
    );
    let shown = env
        .rel(&["--json", "installation", "show", "globex"])
        .json();
    assert_eq!(shown["version"], "5.3.1");
    // The next update starts from there.
    let run = refused(
        &env,
        &[
            "new",
            "--installation",
            "globex",
            "--version",
            "5.3.1",
            "--title",
            "t",
        ],
        2,
    );
    assert!(run.stderr.contains("5.3.1"), "{}", run.stderr);
    let audit = env.rel(&["audit"]);
    assert_eq!(audit.code, 0, "{}{}", audit.stdout, audit.stderr);
}

#[test]
fn rollout_makes_one_update_per_installation_in_one_commit() {
    let env = two_installations();
    one_commit(
        &env,
        &["installation", "new", "initech", "--version", "4.9.0"],
    );
    one_commit(
        &env,
        &["installation", "new", "hooli", "--version", "6.0.0"],
    );
    let run = one_commit(
        &env,
        &["rollout", "--version", "5.4.0", "--title", "Winter update"],
    );
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        ["acme-5.4.0", "globex-5.4.0", "initech-5.4.0"]
    );
    assert!(run.stderr.contains("hooli runs 6.0.0"), "{}", run.stderr);
    let files = env.last_commit_files();
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(env.last_message().contains("Rel-Action: rollout"));
    let kinds: Vec<String> = ["acme", "globex", "initech"]
        .iter()
        .map(|n| {
            env.rel(&["--json", "show", &format!("{n}-5.4.0")]).json()["kind"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(kinds, ["minor", "minor", "major"]);
    // A named installation already there is exit 2, and nothing is made.
    let run = refused(
        &env,
        &[
            "rollout",
            "--version",
            "5.5.0",
            "--title",
            "t",
            "--installation",
            "acme",
            "--installation",
            "hooli",
        ],
        2,
    );
    assert!(run.stderr.contains("hooli"), "{}", run.stderr);
    let audit = env.rel(&["audit"]);
    assert_eq!(audit.code, 0, "{}{}", audit.stdout, audit.stderr);
}

/// Zero-touch for an update: a passing check schedules staging and live in
/// the installation's own window, and its admins are told.
#[test]
fn an_updates_schedules_use_its_window_and_tell_its_admins() {
    let env = Env::with_pipeline(
        r#"
notify = ["admins"]

[roles]
admins = ["ops@vendor.example"]

[[environments]]
name = "copy"

[[environments]]
name = "staging"
auto_schedule = true

[[environments]]
name = "live"
auto_schedule = true
windows = ["sat 01:00-03:00"]
"#,
    );
    one_commit(
        &env,
        &[
            "installation",
            "new",
            "acme",
            "--version",
            "5.2.1",
            "--admin",
            "it@acme.example",
            "--window",
            "sun 02:00-04:00",
            "--timezone",
            "America/New_York",
        ],
    );
    let id = one_commit(
        &env,
        &[
            "new",
            "--installation",
            "acme",
            "--version",
            "5.3.0",
            "--title",
            "t",
        ],
    )
    .stdout
    .trim()
    .to_string();
    let log = env.tmp.path().join("events.jsonl");
    env.git(&[
        "config",
        "rel.notify",
        &format!("cat >> {}", log.to_string_lossy()),
    ]);
    one_commit(&env, &["verify", &id, "--passed", "4", "--failed", "0"]);
    let shown = env.rel(&["--json", "show", &id]).json();
    let live = shown["schedules"]
        .as_array()
        .expect("schedules")
        .iter()
        .find(|s| s["env"] == "live")
        .cloned()
        .expect("live scheduled");
    // Sunday 22 Nov 02:00 in New York is 07:00 UTC: acme's window, not the
    // pipeline's Saturday one.
    assert_eq!(live["at"], "2026-11-22T07:00:00Z", "{shown}");
    let events = std::fs::read_to_string(&log).unwrap_or_default();
    let first: serde_json::Value =
        serde_json::from_str(events.lines().next().unwrap_or("{}")).expect("event JSON");
    let told: Vec<&str> = first["recipients"]
        .as_array()
        .expect("recipients")
        .iter()
        .map(|r| r.as_str().unwrap_or(""))
        .collect();
    assert_eq!(told, ["ops@vendor.example", "it@acme.example"], "{events}");
}

#[test]
fn a_bad_installation_file_is_named_with_its_line_and_nothing_is_written() {
    let env = two_installations();
    env.write(
        "releases/installations/acme.toml",
        "name = \"acme\"\nversion = \"5.2.1\"\nwindows = [\"someday 25:00-26:00\"]\n",
    );
    env.commit_all("hand edit: a bad window");
    let run = refused(
        &env,
        &[
            "new",
            "--installation",
            "acme",
            "--version",
            "5.3.0",
            "--title",
            "t",
        ],
        2,
    );
    assert!(
        run.stderr.contains("releases/installations/acme.toml") && run.stderr.contains("someday"),
        "{}",
        run.stderr
    );
    env.write(
        "releases/installations/acme.toml",
        "name = \"acme\"\nversion = [\n",
    );
    env.commit_all("hand edit: half-written");
    let run = refused(&env, &["installation", "list"], 2);
    assert!(
        run.stderr.contains("releases/installations/acme.toml:"),
        "{}",
        run.stderr
    );
    // A link where an installation's file belongs is not followed.
    std::fs::remove_file(env.path("releases/installations/acme.toml")).expect("rm");
    std::os::unix::fs::symlink(
        "/etc/hostname",
        env.path("releases/installations/acme.toml"),
    )
    .expect("symlink");
    env.commit_all("a link");
    let run = refused(&env, &["status"], 2);
    assert!(run.stderr.contains("acme.toml"), "{}", run.stderr);
}

#[test]
fn an_installation_changed_by_hand_is_a_hand_edit_in_the_audit() {
    let env = two_installations();
    assert_eq!(env.rel(&["audit"]).code, 0);
    let path = "releases/installations/acme.toml";
    env.write(
        path,
        &env.read(path)
            .replace("version = \"5.2.1\"", "version = \"9.0.0\""),
    );
    env.commit_all("hand edit: acme runs 9.0.0");
    let run = env.rel(&["--json", "audit"]);
    run.code(1);
    let findings = run.json()["findings"].clone();
    let findings = findings.as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["finding"], "hand-edit");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("releases/installations/acme.toml"),
        "{findings:?}"
    );
}

#[test]
fn schedules_into_exclusive_staging_conflict_only_within_one_installation() {
    let env = two_installations();
    for (name, v) in [("acme", "5.3.1"), ("globex", "5.3.1"), ("acme", "5.3.2")] {
        one_commit(
            &env,
            &[
                "new",
                "--installation",
                name,
                "--version",
                v,
                "--title",
                "t",
            ],
        );
    }
    let at = "2026-11-24T10:00:00Z";
    let slot = ["--slot", "2h"];
    one_commit(
        &env,
        &[&["schedule", "acme-5.3.1", "--at", at][..], &slot].concat(),
    );
    // Another installation's staging is its own: no conflict, and the
    // schedule it gets sees no occupant either.
    one_commit(
        &env,
        &[&["schedule", "globex-5.3.1", "--at", at][..], &slot].concat(),
    );
    // The same installation's next update does conflict.
    let run = refused(
        &env,
        &[&["schedule", "acme-5.3.2", "--at", at][..], &slot].concat(),
        1,
    );
    assert!(run.stderr.contains("[conflict]"), "{}", run.stderr);
    assert!(run.stderr.contains("acme-5.3.1"), "{}", run.stderr);
    env.rel_env(&["audit"], &[("REL_NOW", "2031-01-01T00:00:00Z")])
        .ok();
}
