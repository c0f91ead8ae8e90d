//! Every writing command of rel, table-driven (contract 9 and 11.5, "no one
//! bends the record with rel's own commands"): the commit each one makes
//! is audited clean when replayed from its parent, and a hand-altered copy
//! of that commit (same message and trailers, same author and dates, a file
//! changed in a way the action would not write) is a finding on that very
//! commit.
//!
//! Rows share a few repositories and run in order, each on the state the
//! rows before it left: after a row's forged commit is judged, the branch
//! goes back to the commit rel made.

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use crate::audit::{audit, findings};
use crate::common::git::one_commit;
use crate::common::Env;

const X: &str = "R-2026-001";
const Y: &str = "R-2026-002";
const ANA: &str = "by = \"Ana Smith <ana@example.com>\"";
const BO: &str = "by = \"Bo Jones <bo@example.com>\"";

/// Three stages with the gates the rows need: a repeatable stage with a
/// real health check and an exit item, an approval by a role of two
/// members, entry and exit checklists; Ana manages releases (overrides).
const PIPELINE: &str = r#"
override_by = ["release-manager"]

[roles]
release-manager = ["ana@example.com"]
client = ["ana@example.com", "bo@example.com"]

[[environments]]
name = "dev"

[[environments]]
name = "test"
repeatable = true
health_check = "sh health.sh"
exit_checklist = ["Go-live checklist verified"]

[[environments]]
name = "live"
requires_frozen = true
approvals = ["client"]
entry_checklist = ["Database compared"]
exit_checklist = ["Post-release tests passed"]
"#;

/// Client installations on update paths (contract section 8).
const UPDATES: &str = r#"
[paths]
simple_max_hop = { major = 0, minor = 1 }

[[environments]]
name = "preview"

[[environments]]
name = "sandbox"
paths = ["standard"]

[[environments]]
name = "staging"

[[environments]]
name = "live"
"#;

/// One writing command: the commands that prepare for it (rel's own, one
/// commit each), the command, and what a hand changes in its commit.
struct Row {
    /// What the row covers, shown when it fails.
    name: &'static str,
    /// The commit's `Rel-Action`.
    action: &'static str,
    before: &'static [&'static [&'static str]],
    /// Minutes to let pass before the command (a schedule coming due).
    wait: i64,
    /// `@+N` stands for the instant N minutes after the command's now.
    args: &'static [&'static str],
    /// Changes the work tree (rel's commit checked out) the way a hand
    /// would, before the commit is made again.
    alter: fn(&Env),
    /// The finding the forged commit must carry.
    finding: &'static str,
}

/// The file of `id`; a release or incident that a close or cancel moved
/// into the archive is read there.
fn path_of(env: &Env, id: &str) -> String {
    let (live, archived) = if id.starts_with("INC-") {
        (
            format!("releases/incidents/{id}.toml"),
            format!("releases/archive/2026/incidents/{id}.toml"),
        )
    } else if id.starts_with("R-") || id.starts_with("acme") {
        (
            format!("releases/{id}.toml"),
            format!("releases/archive/2026/{id}.toml"),
        )
    } else {
        return id.to_string();
    };
    if env.path(&live).exists() {
        live
    } else {
        archived
    }
}

/// Replaces the last occurrence of `from` in the file of `id` (a release
/// or incident id, or a path): the newest event's, as a rule.
fn replace_last(env: &Env, id: &str, from: &str, to: &str) {
    let path = path_of(env, id);
    let text = env.read(&path);
    let at = text
        .rfind(from)
        .unwrap_or_else(|| panic!("no {from:?} in {path}:\n{text}"));
    let mut new = text.clone();
    new.replace_range(at..at + from.len(), to);
    env.write(&path, &new);
}

/// Replaces the first occurrence of `from` in the file of `id` (the
/// top-level keys come first).
fn replace_first(env: &Env, id: &str, from: &str, to: &str) {
    let path = path_of(env, id);
    let text = env.read(&path);
    assert!(text.contains(from), "no {from:?} in {path}:\n{text}");
    env.write(&path, &text.replacen(from, to, 1));
}

/// The newest history event of `id` said to be Bo's, in Ana's commit.
fn newest_event_by_bo(env: &Env, id: &str) {
    replace_last(env, id, ANA, BO);
}

fn table_a() -> Vec<Row> {
    vec![
        Row {
            name: "incident new: the incident filed as resolved",
            action: "incident-new",
            before: &[],
            wait: 0,
            args: &["incident", "new", "INC-1", "--title", "Change one"],
            alter: |env| replace_first(env, "INC-1", "status = \"open\"", "status = \"resolved\""),
            finding: "altered",
        },
        Row {
            name: "incident resolve: the event's actor changed",
            action: "incident-resolve",
            before: &[],
            wait: 0,
            args: &["incident", "resolve", "INC-1"],
            alter: |env| newest_event_by_bo(env, "INC-1"),
            finding: "altered",
        },
        Row {
            name: "incident reopen: the title changed too",
            action: "incident-reopen",
            before: &[],
            wait: 0,
            args: &["incident", "reopen", "INC-1"],
            alter: |env| replace_first(env, "INC-1", "Change one", "Another change"),
            finding: "altered",
        },
        Row {
            name: "incident authorise: recorded by another person",
            action: "incident-authorise",
            before: &[&["incident", "resolve", "INC-1"]],
            wait: 0,
            args: &["incident", "authorise", "INC-1", "--by", "Carla Client"],
            alter: |env| {
                replace_first(
                    env,
                    "INC-1",
                    "recorded_by = \"Ana Smith <ana@example.com>\"",
                    "recorded_by = \"Bo Jones <bo@example.com>\"",
                )
            },
            finding: "altered",
        },
        Row {
            name: "incident test: the incident closed with its evidence",
            action: "incident-test",
            before: &[],
            wait: 0,
            args: &["incident", "test", "INC-1", "--evidence", "r.pdf"],
            alter: |env| {
                replace_first(env, "INC-1", "status = \"resolved\"", "status = \"closed\"")
            },
            finding: "altered",
        },
        Row {
            name: "incident component: a breaking flag slipped in",
            action: "incident-component",
            before: &[],
            wait: 0,
            args: &["incident", "component", "INC-1", "dll:Billing.dll"],
            alter: |env| replace_first(env, "INC-1", "breaking = false", "breaking = true"),
            finding: "altered",
        },
        Row {
            name: "incident flag: one more flag than the event says",
            action: "incident-flag",
            before: &[],
            wait: 0,
            args: &["incident", "flag", "INC-1", "breaking"],
            alter: |env| {
                replace_first(
                    env,
                    "INC-1",
                    "breaking = true\n",
                    "breaking = true\ncompat_work = true\n",
                )
            },
            finding: "altered",
        },
        Row {
            name: "new: the release created as released",
            action: "new",
            before: &[&["incident", "new", "INC-9", "--title", "Not ready"]],
            wait: 0,
            args: &["new", "--version", "1.4.0", "--title", "A release"],
            alter: |env| replace_first(env, X, "state = \"open\"", "state = \"released\""),
            finding: "altered",
        },
        Row {
            name: "group: an extra incident grouped",
            action: "group",
            before: &[],
            wait: 0,
            args: &["group", X, "INC-1"],
            alter: |env| {
                replace_first(
                    env,
                    X,
                    "incidents = [\"INC-1\"]",
                    "incidents = [\"INC-1\", \"INC-9\"]",
                );
                replace_first(
                    env,
                    "INC-9",
                    "status = \"open\"\n",
                    "status = \"open\"\nrelease = \"R-2026-001\"\n",
                );
            },
            finding: "altered",
        },
        Row {
            name: "ungroup: the incident still names the release",
            action: "ungroup",
            before: &[],
            wait: 0,
            args: &["ungroup", X, "INC-1"],
            alter: |env| {
                replace_first(
                    env,
                    "INC-1",
                    "status = \"resolved\"\n",
                    "status = \"resolved\"\nrelease = \"R-2026-001\"\n",
                )
            },
            finding: "altered",
        },
        Row {
            name: "freeze: the event's actor changed",
            action: "freeze",
            before: &[&["group", X, "INC-1"]],
            wait: 0,
            args: &["freeze", X],
            alter: |env| newest_event_by_bo(env, X),
            finding: "altered",
        },
        Row {
            name: "unfreeze: the reason changed in the manifest, not in the trailer",
            action: "unfreeze",
            before: &[],
            wait: 0,
            args: &["unfreeze", X, "--reason", "one more"],
            alter: |env| {
                replace_last(
                    env,
                    X,
                    "reason = \"one more\"",
                    "reason = \"a better story\"",
                )
            },
            finding: "altered",
        },
        Row {
            name: "promote: into another environment than rel moved it",
            action: "promote",
            before: &[&["freeze", X]],
            wait: 0,
            args: &["promote", X],
            alter: |env| replace_first(env, X, "environment = \"test\"", "environment = \"live\""),
            finding: "altered",
        },
        Row {
            name: "verify --passed/--failed: failures recorded as a pass",
            action: "verify",
            before: &[],
            wait: 0,
            args: &["verify", X, "--passed", "3", "--failed", "0"],
            alter: |env| {
                replace_last(env, X, "tests_failed = 0", "tests_failed = 2");
                replace_last(env, X, "3 passed, 0 failed", "3 passed, 2 failed");
            },
            finding: "altered",
        },
        Row {
            name: "verify --passed/--failed: a report for a revision yet to come",
            action: "verify",
            before: &[],
            wait: 0,
            args: &["verify", X, "--passed", "4", "--failed", "0"],
            alter: |env| {
                // The last `revision =` line is the new report's (the
                // release's own comes first, the history has none): once
                // content changes to revision 6, it would count unchecked.
                replace_last(env, X, "revision = 5\n", "revision = 6\n");
            },
            finding: "altered",
        },
        Row {
            name: "verify (health_check): the check's output not kept",
            action: "verify",
            before: &[],
            wait: 0,
            args: &["verify", X],
            alter: |env| {
                std::fs::remove_file(env.path("releases/reports/R-2026-001/test-3.log"))
                    .expect("the report file")
            },
            finding: "altered",
        },
        Row {
            name: "tick: an item that does not exist",
            action: "tick",
            before: &[],
            wait: 0,
            args: &["tick", X, "--env", "test", "1"],
            alter: |env| {
                replace_last(
                    env,
                    X,
                    "item = \"Go-live checklist verified\"",
                    "item = \"Everything fine\"",
                );
                replace_last(
                    env,
                    X,
                    "exit: Go-live checklist verified",
                    "exit: Everything fine",
                );
            },
            finding: "refused",
        },
        Row {
            name: "untick: the reason changed in the manifest, not in the trailer",
            action: "untick",
            before: &[],
            wait: 0,
            args: &["untick", X, "--env", "test", "1", "--reason", "not really"],
            alter: |env| replace_last(env, X, "reason = \"not really\"", "reason = \"typo\""),
            finding: "altered",
        },
        Row {
            name: "repeat: the content unfrozen with the new round",
            action: "repeat",
            before: &[],
            wait: 0,
            args: &["repeat", X, "--reason", "again"],
            alter: |env| replace_first(env, X, "state = \"frozen\"", "state = \"open\""),
            finding: "altered",
        },
        Row {
            name: "checklist add: the item's text differs from the event's",
            action: "checklist-add",
            before: &[&["tick", X, "--env", "test", "1"], &["verify", X]],
            wait: 0,
            args: &["checklist", "add", X, "--env", "live", "Backups taken"],
            alter: |env| {
                replace_first(
                    env,
                    X,
                    "item = \"Backups taken\"",
                    "item = \"Backups taken somewhere\"",
                )
            },
            finding: "altered",
        },
        Row {
            name: "checklist remove: the event recorded 3 hours later",
            action: "checklist-remove",
            before: &[],
            wait: 0,
            args: &[
                "checklist",
                "remove",
                X,
                "--env",
                "live",
                "Backups taken",
                "--reason",
                "not needed",
            ],
            alter: later_by_three_hours,
            finding: "time",
        },
        Row {
            name: "approve: an approval by another e-mail",
            action: "approve",
            before: &[],
            wait: 0,
            args: &["approve", X, "--env", "live", "--role", "client"],
            alter: |env| {
                replace_last(
                    env,
                    X,
                    "email = \"ana@example.com\"",
                    "email = \"bo@example.com\"",
                )
            },
            finding: "altered",
        },
        Row {
            name: "hold: the reason changed in the event, not in the trailer",
            action: "hold",
            before: &[&["tick", X, "--env", "live", "1"]],
            wait: 0,
            args: &["hold", X, "--reason", "client asked"],
            alter: |env| {
                replace_last(
                    env,
                    X,
                    "reason = \"client asked\"",
                    "reason = \"vendor asked\"",
                )
            },
            finding: "altered",
        },
        Row {
            name: "resume: the state set to released",
            action: "resume",
            before: &[],
            wait: 0,
            args: &["resume", X],
            alter: |env| replace_first(env, X, "state = \"frozen\"", "state = \"released\""),
            finding: "altered",
        },
        Row {
            name: "schedule: the event's actor changed",
            action: "schedule",
            before: &[],
            wait: 0,
            args: &["schedule", X, "--at", "@+60"],
            alter: |env| newest_event_by_bo(env, X),
            finding: "altered",
        },
        Row {
            name: "reschedule: the event recorded 3 hours later",
            action: "reschedule",
            before: &[],
            wait: 0,
            args: &["reschedule", X, "--at", "@+120", "--reason", "later"],
            alter: later_by_three_hours,
            finding: "time",
        },
        Row {
            name: "unschedule: the schedule left in place",
            action: "unschedule",
            before: &[],
            wait: 0,
            args: &["unschedule", X, "--reason", "not now"],
            alter: schedule_kept,
            finding: "altered",
        },
        Row {
            name: "due --apply: the scheduled promotion's event by another person",
            action: "promote",
            before: &[&["schedule", X, "--at", "@+15"]],
            wait: 30,
            args: &["due", "--apply"],
            alter: |env| newest_event_by_bo(env, X),
            finding: "altered",
        },
        Row {
            name: "close: the incident left resolved",
            action: "close",
            before: &[&["tick", X, "--env", "live", "1"]],
            wait: 0,
            args: &["close", X],
            alter: |env| {
                replace_first(env, "INC-1", "status = \"closed\"", "status = \"resolved\"")
            },
            finding: "altered",
        },
        Row {
            name: "promote --override by a release manager: one override left out of the manifest",
            action: "promote",
            before: &[
                &["incident", "new", "INC-2", "--title", "Two"],
                &["incident", "resolve", "INC-2"],
                &["incident", "authorise", "INC-2"],
                &["incident", "test", "INC-2", "--evidence", "r.pdf"],
                &["new", "--version", "1.5.0", "--title", "B"],
                &["group", Y, "INC-2"],
                &["freeze", Y],
                &["promote", Y],
            ],
            wait: 0,
            args: &[
                "promote",
                Y,
                "--override",
                "approval",
                "checklist",
                "--reason",
                "Client on holiday",
            ],
            alter: |env| {
                replace_last(
                    env,
                    Y,
                    "overrides = [\"approval\", \"checklist\"]",
                    "overrides = [\"approval\"]",
                )
            },
            finding: "altered",
        },
        Row {
            name: "rollback: back further than the trailer says",
            action: "rollback",
            before: &[],
            wait: 0,
            args: &["rollback", Y, "--to", "test", "--reason", "broken"],
            alter: |env| replace_first(env, Y, "environment = \"test\"", "environment = \"dev\""),
            finding: "altered",
        },
        Row {
            name: "depend: the dependency widened in the manifest, not in its event",
            action: "depend",
            before: &[],
            wait: 0,
            args: &["depend", Y, "--on", X, "--reached", "test"],
            alter: |env| replace_last(env, Y, "reached = \"test\"", "reached = \"live\""),
            finding: "altered",
        },
        Row {
            name: "cancel: the reason changed in the manifest, not in the trailer",
            action: "cancel",
            before: &[],
            wait: 0,
            args: &["cancel", Y, "--reason", "dropped"],
            alter: |env| replace_last(env, Y, "reason = \"dropped\"", "reason = \"shipped\""),
            finding: "altered",
        },
    ]
}

fn table_b() -> Vec<Row> {
    vec![
        Row {
            name: "installation new: an incident changed in the same commit",
            action: "installation-new",
            before: &[&["incident", "new", "INC-7", "--title", "Seven"]],
            wait: 0,
            args: &["installation", "new", "acme", "--version", "5.2.1"],
            alter: |env| replace_first(env, "INC-7", "status = \"open\"", "status = \"closed\""),
            finding: "altered",
        },
        Row {
            name: "rollout: an update filed in another environment",
            action: "rollout",
            before: &[],
            wait: 0,
            args: &["rollout", "--version", "5.3.0", "--title", "Winter"],
            alter: |env| {
                replace_first(
                    env,
                    "acme-5.3.0",
                    "environment = \"preview\"",
                    "environment = \"staging\"",
                )
            },
            finding: "altered",
        },
        Row {
            name: "installation set: an update released in the same commit",
            action: "installation-set",
            before: &[],
            wait: 0,
            args: &["installation", "set", "acme", "--window", "sat 01:00-03:00"],
            alter: |env| {
                replace_first(
                    env,
                    "acme-5.3.0",
                    "state = \"open\"",
                    "state = \"released\"",
                )
            },
            finding: "altered",
        },
        Row {
            name: "path --set: the reason changed in the manifest, not in the trailer",
            action: "path",
            before: &[],
            wait: 0,
            args: &[
                "path",
                "acme-5.3.0",
                "--set",
                "standard",
                "--reason",
                "client wants a sandbox",
            ],
            alter: |env| {
                replace_last(
                    env,
                    "acme-5.3.0",
                    "reason = \"client wants a sandbox\"",
                    "reason = \"we wanted it\"",
                )
            },
            finding: "altered",
        },
    ]
}

/// The newest history event's instant moved 3 hours on (the manifest's
/// last `at =`).
fn later_by_three_hours(env: &Env) {
    let path = path_of(env, X);
    let text = env.read(&path);
    let start = text.rfind("at = \"").expect("an event") + 6;
    let old = &text[start..start + 20];
    let at: DateTime<Utc> = old.parse().expect("an instant");
    let new = instant(at + Duration::hours(3));
    replace_last(
        env,
        X,
        &format!("at = \"{old}\""),
        &format!("at = \"{new}\""),
    );
}

/// The schedule the command removed put back as it was in the parent.
fn schedule_kept(env: &Env) {
    let path = path_of(env, X);
    let parent = env.git(&["show", &format!("HEAD~1:{path}")]);
    let start = parent.find("[[schedules]]").expect("a schedule before");
    let end = parent[start..]
        .find("\n[[history]]")
        .map_or(parent.len(), |e| start + e + 1);
    let block = &parent[start..end];
    let text = env.read(&path);
    let at = text.find("[[history]]").expect("history");
    let mut new = text.clone();
    new.insert_str(at, block);
    env.write(&path, &new);
}

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Runs the table on `env`, in order, the clock moving 10 minutes per
/// command from `start`.
fn run_table(env: &mut Env, start: &str, rows: &[Row]) {
    let mut now: DateTime<Utc> = start.parse().expect("start");
    let mut step = |env: &mut Env, minutes: i64| -> DateTime<Utc> {
        now += Duration::minutes(minutes);
        env.now = instant(now);
        now
    };
    // Rows whose forged commit the audit missed, all named at the end.
    let mut missed = Vec::new();
    for row in rows {
        for args in row.before {
            let at = step(env, 10);
            let args = with_instants(args, at);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            one_commit(env, &args);
        }
        step(env, row.wait);
        let at = step(env, 10);
        let args = with_instants(row.args, at);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let parent = env.head();
        let run = env.rel(&args);
        assert_eq!(run.code, 0, "{}: {}{}", row.name, run.stdout, run.stderr);
        assert_eq!(
            env.git(&["rev-parse", "HEAD~1"]).trim(),
            parent,
            "{}: exactly one commit",
            row.name
        );
        let made = env.head();
        let trailer = env.git(&["log", "-1", "--format=%(trailers:key=Rel-Action,valueonly)"]);
        assert_eq!(trailer.trim(), row.action, "{}: Rel-Action", row.name);
        let (code, v) = audit(env, &[]);
        assert_eq!(
            (code, findings(&v)),
            (0, vec![]),
            "{}: rel's own commit is clean\n{v:#}",
            row.name
        );

        let forged = forge(env, row);
        let (code, v) = audit(env, &[]);
        let all = v["findings"].as_array().expect("findings");
        let on_forged = all.iter().all(|f| f["commit"] == forged.as_str());
        let named = all.iter().any(|f| f["finding"] == row.finding);
        if code != 1 || !on_forged || !named {
            missed.push(format!(
                "{}: expected `{}` on {forged}, exit {code}: {:#}",
                row.name, row.finding, v["findings"]
            ));
        }
        env.git(&["reset", "-q", "--hard", &made]);
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

/// `@+N` in `args`: the instant N minutes after `at`.
fn with_instants(args: &[&str], at: DateTime<Utc>) -> Vec<String> {
    args.iter()
        .map(|a| match a.strip_prefix("@+") {
            Some(n) => instant(at + Duration::minutes(n.parse().expect("minutes"))),
            None => a.to_string(),
        })
        .collect()
}

/// HEAD made again from its parent with the row's alteration: the same
/// message (trailers included), author and dates. Returns its id.
fn forge(env: &Env, row: &Row) -> String {
    let message = env.last_message();
    let who = env.git(&["log", "-1", "--format=%an%n%ae%n%aI%n%cn%n%ce%n%cI"]);
    let who: Vec<&str> = who.lines().collect();
    (row.alter)(env);
    env.git(&["reset", "-q", "--soft", "HEAD~1"]);
    env.git(&["add", "-A"]);
    let file = env.tmp.path().join("message");
    std::fs::write(&file, message).expect("message");
    let mut commit = env.program("git");
    commit
        .args(["commit", "-q", "--cleanup=verbatim", "-F"])
        .arg(&file)
        .env("GIT_AUTHOR_NAME", who[0])
        .env("GIT_AUTHOR_EMAIL", who[1])
        .env("GIT_AUTHOR_DATE", who[2])
        .env("GIT_COMMITTER_NAME", who[3])
        .env("GIT_COMMITTER_EMAIL", who[4])
        .env("GIT_COMMITTER_DATE", who[5]);
    let out = commit.output().expect("git commit");
    assert!(
        out.status.success(),
        "{}: {}",
        row.name,
        String::from_utf8_lossy(&out.stderr)
    );
    env.head()
}

#[test]
fn every_writer_on_a_release_and_the_register_is_clean_and_a_forged_copy_is_found() {
    let mut env = Env::with_pipeline(PIPELINE);
    env.write("health.sh", "echo all good\nexit 0\n");
    env.commit_all("the health check");
    run_table(&mut env, "2026-11-20T15:00:00Z", &table_a());
}

#[test]
fn every_writer_on_installations_and_paths_is_clean_and_a_forged_copy_is_found() {
    let mut env = Env::with_pipeline(UPDATES);
    run_table(&mut env, "2026-11-20T15:00:00Z", &table_b());
}

/// Every action rel commits, as `Action::name` spells it in
/// src/model/action.rs: read from the source, so a new writing command
/// cannot be added without a row here.
fn actions_rel_commits() -> std::collections::BTreeSet<String> {
    let source = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model/action.rs"),
    )
    .expect("src/model/action.rs");
    source
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Action::"))
        .filter_map(|l| l.split_once(" => \""))
        .filter_map(|(_, name)| name.strip_suffix("\","))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_tables_have_a_row_for_every_action_but_init() {
    let mut expected = actions_rel_commits();
    assert!(expected.len() >= 33, "{expected:?}");
    assert!(expected.remove("init"), "{expected:?}");
    // `rel archive` needs a repository made the old way: both halves (its
    // commit audits clean, an edit on the way is `altered`) are in
    // tests/all/archive.rs.
    assert!(expected.remove("archive"), "{expected:?}");
    let covered: std::collections::BTreeSet<String> = table_a()
        .iter()
        .chain(table_b().iter())
        .map(|r| r.action.to_string())
        .collect();
    assert_eq!(covered, expected);
}
