//! The foundation: env, new, show, list, status, and the command line.
//! `rel init` is in `init`, git handling in `foundation_git`, bad
//! input in `foundation_input`.

use crate::common::releases::new_release_with;
use crate::common::{Env, RELEASE_FIELDS};

// ---- env ----

const FULL_PIPELINE: &str = r#"
[calendar]
timezone = "Europe/London"
workdays = ["mon", "tue", "wed", "thu"]
holidays = [2026-12-25, 2026-12-28]

[roles]
client = ["ana@client.example"]
release-manager = ["rm@vendor.example", "ops@vendor.example"]

[[environments]]
name = "dev"

[[environments]]
name = "qa"
soak = { major = 10, minor = 3 }
entry_checklist = ["Scope reviewed", { item = "Data refreshed", kinds = ["major"] }]
optional = true

[[environments]]
name = "live"
requires_frozen = true
exclusive = true
health_check = "scripts/health.sh"
requires_health = true
approvals = ["client", "release-manager"]
distinct_approvers = true
exit_checklist = ["Post-release tests passed"]
windows = ["tue-thu 09:00-17:00", "daily 22:00-02:00"]
blackouts = [{ from = 2026-12-18, to = 2027-01-04, reason = "Year-end freeze" },
             { from = 2026-11-30T18:00:00Z, to = 2026-12-01T06:00:00+01:00 }]
confirm = true
overridable = ["soak", "window"]
"#;

#[test]
fn env_reads_every_key_of_the_pipeline() {
    let env = Env::with_pipeline(FULL_PIPELINE);
    let v = env.rel(&["--json", "env"]).ok().json();
    assert_eq!(v["calendar"]["timezone"], "Europe/London");
    assert_eq!(
        v["calendar"]["workdays"],
        serde_json::json!(["mon", "tue", "wed", "thu"])
    );
    assert_eq!(
        v["calendar"]["holidays"],
        serde_json::json!(["2026-12-25", "2026-12-28"])
    );
    assert_eq!(v["roles"]["release-manager"][1], "ops@vendor.example");
    let qa = &v["environments"][1];
    assert_eq!(qa["soak"]["minor"], 3);
    assert_eq!(qa["soak"]["patch"], 0, "a missing kind means 0");
    assert_eq!(qa["optional"], true);
    assert_eq!(qa["entry_checklist"][1]["kinds"][0], "major");
    let live = &v["environments"][2];
    assert_eq!(live["health_check"], "scripts/health.sh");
    assert_eq!(live["requires_health"], true);
    assert_eq!(live["exclusive"], true);
    assert_eq!(live["approvals"][1], "release-manager");
    assert_eq!(live["distinct_approvers"], true);
    assert_eq!(live["windows"][1], "daily 22:00-02:00");
    assert_eq!(live["blackouts"][0]["from"], "2026-12-18");
    assert_eq!(live["blackouts"][0]["reason"], "Year-end freeze");
    assert_eq!(live["blackouts"][1]["to"], "2026-12-01T05:00:00Z");
    assert_eq!(live["overridable"], serde_json::json!(["soak", "window"]));
    assert_eq!(live["confirm"], true);
}

#[test]
fn env_table_lists_environments_in_order_with_their_rules() {
    let env = Env::with_pipeline(FULL_PIPELINE);
    let run = env.rel(&["env"]);
    let out = &run.ok().stdout;
    assert!(out.contains("Europe/London"), "{out}");
    let at = |s: &str| out.find(s).unwrap_or_else(|| panic!("{s} missing:\n{out}"));
    assert!(at("dev") < at("qa") && at("qa") < at("live"));
    for rule in [
        "tue-thu 09:00-17:00",
        "Year-end freeze",
        "scripts/health.sh",
        "client, release-manager",
        "Post-release tests passed",
    ] {
        at(rule);
    }
}

// ---- new ----

#[test]
fn new_numbers_ids_in_the_year_of_rel_now() {
    let env = Env::new();
    assert_eq!(new_release_with(&env, "1.0.1", &[]), "R-2026-001");
    assert_eq!(new_release_with(&env, "1.0.2", &[]), "R-2026-002");
    assert_eq!(
        new_release_with(&env, "1.0.3", &["--id", "R-2026-017"]),
        "R-2026-017"
    );
    assert_eq!(new_release_with(&env, "1.0.4", &[]), "R-2026-018");
    // Numbers go on past 999.
    new_release_with(&env, "1.0.5", &["--id", "R-2026-999"]);
    assert_eq!(new_release_with(&env, "1.0.6", &[]), "R-2026-1000");
    // The year is UTC's: New Year's Eve evening in New York is 2027 already.
    let run = env.rel_env(
        &["new", "--version", "2.0.1", "--title", "Late"],
        &[("REL_NOW", "2026-12-31T20:30:00-05:00")],
    );
    assert_eq!(run.ok().stdout.trim(), "R-2027-001");
    let run = env.rel_env(
        &["new", "--version", "2.0.0", "--title", "Next year"],
        &[("REL_NOW", "2027-01-04T09:00:00Z")],
    );
    assert_eq!(run.ok().stdout.trim(), "R-2027-002");
    assert_eq!(env.commit_count(), 9);
}

#[test]
fn new_takes_its_kind_from_the_version_unless_given() {
    let env = Env::new();
    for (version, extra, kind) in [
        ("3.0.0", &[][..], "major"),
        ("3.1.0", &[], "minor"),
        ("3.1.2", &[], "patch"),
        ("v3.2.0", &[], "minor"),
        ("3.1.3", &["--kind", "major"][..], "major"),
        ("4.0.0", &["--kind", "patch"][..], "patch"),
    ] {
        let id = new_release_with(&env, version, extra);
        let v = env.rel(&["--json", "show", &id]).ok().json();
        assert_eq!(v["kind"], kind, "{version} {extra:?}");
        assert_eq!(v["version"], version.trim_start_matches('v'));
    }
}

#[test]
fn new_starts_in_the_first_environment_with_its_target_date() {
    let env = Env::with_pipeline(FULL_PIPELINE);
    let id = new_release_with(&env, "1.2.0", &["--target", "2026-12-15"]);
    let v = env.rel(&["--json", "show", &id]).ok().json();
    assert_eq!(v["environment"], "dev");
    assert_eq!(v["target"], "2026-12-15");
    assert_eq!(v["entered_at"], crate::common::NOW);
    let manifest = env.read(&format!("releases/{id}.toml"));
    assert!(manifest.contains("target = \"2026-12-15\""), "{manifest}");
}

#[test]
fn new_json_prints_the_release() {
    let env = Env::new();
    let v = env
        .rel(&["--json", "new", "--version", "1.4.0", "--title", "Billing"])
        .ok()
        .json();
    assert_eq!(v["id"], "R-2026-001");
    assert_eq!(v["title"], "Billing");
}

// ---- show, list, status ----

#[test]
fn show_has_the_fields_of_the_contract() {
    let env = Env::new();
    let id = new_release_with(&env, "1.4.0", &[]);
    let v = env.rel(&["--json", "show", &id]).ok().json();
    assert_eq!(v["id"], "R-2026-001");
    assert_eq!(v["title"], "A release");
    assert_eq!(v["version"], "1.4.0");
    assert_eq!(v["kind"], "minor");
    assert_eq!(v["state"], "open");
    assert_eq!(v["environment"], "development");
    assert_eq!(v["entered_at"], "2026-11-20T15:00:00Z");
    assert_eq!(v["frozen"], false);
    assert_eq!(v["incidents"], serde_json::json!([]));
    let history = v["history"].as_array().expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["action"], "new");
    assert_eq!(history[0]["by"], crate::common::ACTOR);
    assert_eq!(history[0]["env"], "development");

    let text = env.rel(&["show", &id]);
    let out = &text.ok().stdout;
    for s in [
        "R-2026-001",
        "A release",
        "1.4.0",
        "minor",
        "open",
        "development",
        "History",
        "Ana Smith",
    ] {
        assert!(out.contains(s), "{s} missing:\n{out}");
    }
    // Ids are unique ignoring case, so any case finds the release.
    let lower = env.rel(&["--json", "show", "r-2026-001"]);
    assert_eq!(lower.ok().json()["id"], "R-2026-001");
}

#[test]
fn show_of_a_missing_release_exits_2() {
    let env = Env::new();
    let run = env.rel(&["show", "NOPE"]);
    run.code(2);
    assert!(run.stderr.contains("NOPE"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

/// Commits a manifest in state `state` by hand (no command makes one yet).
fn commit_release_in_state(env: &Env, id: &str, state: &str) {
    let open = env.read("releases/R-2026-001.toml");
    let text = open
        .replace("R-2026-001", id)
        .replace("state = \"open\"", &format!("state = \"{state}\""));
    env.write(&format!("releases/{id}.toml"), &text);
    env.git(&["add", "releases"]);
    env.git(&["commit", "-q", "-m", id]);
}

#[test]
fn list_filters_by_state_and_status_shows_releases_in_progress() {
    let env = Env::new();
    new_release_with(&env, "1.0.0", &[]);
    commit_release_in_state(&env, "R-2025-001", "released");
    commit_release_in_state(&env, "R-2025-002", "cancelled");
    commit_release_in_state(&env, "R-2025-003", "frozen");

    let ids = |args: &[&str]| -> Vec<String> {
        let v = env.rel(args).ok().json();
        v.as_array()
            .expect("an array")
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    // Without --state: the releases in progress (contract 11.1).
    assert_eq!(ids(&["--json", "list"]), ["R-2025-003", "R-2026-001"]);
    assert_eq!(ids(&["--json", "list", "--state", "all"]).len(), 4);
    assert_eq!(ids(&["--json", "list", "--state", "open"]), ["R-2026-001"]);
    assert_eq!(
        ids(&["--json", "list", "--state", "frozen"]),
        ["R-2025-003"]
    );
    assert_eq!(
        ids(&["--json", "list", "--state", "released"]),
        ["R-2025-001"]
    );
    assert_eq!(
        ids(&["--json", "list", "--state", "cancelled"]),
        ["R-2025-002"]
    );
    assert_eq!(ids(&["--json", "status"]), ["R-2025-003", "R-2026-001"]);

    let table = env.rel(&["list", "--state", "open"]);
    let out = &table.ok().stdout;
    assert!(
        out.contains("R-2026-001") && !out.contains("R-2025"),
        "{out}"
    );
    let bad = env.rel(&["list", "--state", "shipped"]);
    bad.code(2);
}

#[test]
fn status_json_is_an_array_of_releases_with_where_they_are() {
    let env = Env::new();
    let empty = env.rel(&["--json", "status"]);
    assert_eq!(empty.ok().json(), serde_json::json!([]));
    new_release_with(&env, "1.0.0", &[]);
    new_release_with(&env, "1.1.0", &[]);
    let v = env
        .rel_env(
            &["--json", "status"],
            &[("REL_NOW", "2026-11-25T15:00:00Z")],
        )
        .ok()
        .json();
    let rows = v.as_array().expect("array");
    assert_eq!(rows.len(), 2);
    for row in rows {
        for field in RELEASE_FIELDS {
            assert!(row.get(field).is_some(), "{field} missing in {row}");
        }
    }
    assert_eq!(rows[1]["kind"], "minor");
    // Entered Friday 15:00; Wednesday 15:00 is three business days later.
    assert_eq!(rows[0]["business_days"], 3);
    assert_eq!(rows[0]["next"], "uat");
    let table = env.rel(&["status"]);
    let out = &table.ok().stdout;
    assert!(
        out.contains("R-2026-001") && out.contains("R-2026-002"),
        "{out}"
    );
    assert!(out.contains("uat"), "the next environment is shown:\n{out}");
}

// ---- the command line ----

#[test]
fn help_is_available_for_rel_and_its_commands() {
    let env = Env::new();
    let run = env.rel(&["--help"]);
    let out = &run.ok().stdout;
    for s in [
        "init",
        "env",
        "new",
        "show",
        "list",
        "status",
        "--dry-run",
        "-C",
    ] {
        assert!(out.contains(s), "{s} missing:\n{out}");
    }
    let run = env.rel(&["new", "--help"]);
    let out = &run.ok().stdout;
    for s in ["--version", "--title", "--kind", "--id", "--target"] {
        assert!(out.contains(s), "{s} missing:\n{out}");
    }
}

#[test]
fn an_unknown_flag_or_missing_command_exits_2_and_writes_nothing() {
    let env = Env::new();
    env.assert_unchanged(|| {
        env.rel(&["--frobnicate", "status"]).code(2);
        env.rel(&["new", "--version", "1.0.0", "--title", "x", "--bogus"])
            .code(2);
        env.rel(&["new", "--title", "no version"]).code(2);
        env.rel(&[]).code(2);
        env.rel(&["launch"]).code(2);
    });
    assert_eq!(env.commit_count(), 1);
}

#[test]
fn no_colours_without_a_terminal() {
    let env = Env::new();
    new_release_with(&env, "1.0.0", &[]);
    for args in [
        &["status"][..],
        &["list"],
        &["env"],
        &["show", "R-2026-001"],
    ] {
        let mut cmd = env.cmd(args);
        cmd.env_remove("NO_COLOR");
        let out = cmd.output().expect("run rel");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?}");
        assert!(
            !stdout.contains('\x1b'),
            "{args:?}: escape codes in\n{stdout}"
        );
    }
}
