//! Update paths (contract section 8): the simple or the standard path,
//! decided from the hop and the incidents' flags with the reasons
//! recorded, the order rule following the path, reclassification both
//! ways, incident flags.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes, group_ready_incident};
use crate::common::Env;

const PIPELINE: &str = r#"
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

fn with_acme(version: &str) -> Env {
    let env = Env::with_pipeline(PIPELINE);
    one_commit(&env, &["installation", "new", "acme", "--version", version]);
    env
}

fn update(env: &Env, version: &str) -> String {
    one_commit(
        env,
        &[
            "new",
            "--installation",
            "acme",
            "--version",
            version,
            "--title",
            "t",
        ],
    )
    .stdout
    .trim()
    .to_string()
}

/// A ready incident registered with `flags`, grouped into `id`.
fn group_flagged(env: &Env, id: &str, inc: &str, flags: &[&str]) {
    let mut new = vec!["incident", "new", inc, "--title", "t"];
    new.extend_from_slice(flags);
    one_commit(env, &new);
    one_commit(env, &["incident", "resolve", inc]);
    one_commit(env, &["incident", "authorise", inc]);
    one_commit(env, &["incident", "test", inc, "--evidence", "r.pdf"]);
    one_commit(env, &["group", id, inc]);
}

fn path_json(env: &Env, id: &str) -> serde_json::Value {
    env.rel(&["--json", "path", id]).json()
}

#[test]
fn the_hop_decides_the_path_for_major_minor_and_patch_jumps() {
    for (from, to, path, hop) in [
        ("5.2.1", "5.2.9", "simple", [0, 0, 8]),
        ("5.2.1", "5.3.0", "simple", [0, 1, 0]),
        ("5.2.1", "5.4.0", "standard", [0, 2, 0]),
        ("4.9.0", "5.1.2", "standard", [1, 0, 0]),
    ] {
        let env = with_acme(from);
        let id = update(&env, to);
        let p = path_json(&env, &id);
        assert_eq!(p["path"], path, "{from} -> {to}: {p}");
        assert_eq!(p["set_by"], "rules");
        assert_eq!(p["hop"]["from"], from);
        assert_eq!(p["hop"]["to"], to);
        let got = [&p["hop"]["major"], &p["hop"]["minor"], &p["hop"]["patch"]];
        assert_eq!(got.map(|v| v.as_u64().unwrap_or(99)), hop.map(|n| n as u64));
        let shown = env.rel(&["--json", "show", &id]).json();
        assert_eq!(shown["path"], path);
        if path == "standard" {
            let reasons = &shown["path_record"]["reasons"];
            assert!(
                reasons[0].as_str().unwrap_or("").contains("hop"),
                "{reasons}"
            );
        }
    }
}

#[test]
fn each_flag_turns_the_path_standard_with_its_reason_recorded() {
    for (flag, condition) in [
        ("--breaking", "breaking"),
        ("--compat-work", "compat-work"),
        ("--client-work", "client-work"),
    ] {
        let env = with_acme("5.2.1");
        let id = update(&env, "5.2.2");
        assert_eq!(path_json(&env, &id)["path"], "simple");
        group_flagged(&env, &id, "INC-1", &[flag]);
        let p = path_json(&env, &id);
        assert_eq!(p["path"], "standard", "{flag}: {p}");
        let failing: Vec<&str> = p["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .filter(|c| c["holds"] == false)
            .map(|c| c["condition"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(failing, [condition]);
        let manifest = env.read(&format!("releases/{id}.toml"));
        assert!(
            manifest.contains("name = \"standard\"") && manifest.contains("INC-1"),
            "{manifest}"
        );
        // Ungrouped again, the update is back on the simple path.
        one_commit(&env, &["ungroup", &id, "INC-1"]);
        assert_eq!(path_json(&env, &id)["path"], "simple");
    }
}

#[test]
fn a_breaking_release_within_the_hop_makes_the_update_standard() {
    let env = with_acme("5.2.1");
    // 5.2.5, released with a breaking change, lies in 5.2.1 -> 5.3.0.
    let plain = one_commit(&env, &["new", "--version", "5.2.5", "--title", "t"])
        .stdout
        .trim()
        .to_string();
    group_flagged(&env, &plain, "INC-1", &["--breaking"]);
    for _ in 0..3 {
        one_commit(&env, &["promote", &plain]);
    }
    one_commit(&env, &["close", &plain]);
    let id = update(&env, "5.3.0");
    let p = path_json(&env, &id);
    assert_eq!(p["path"], "standard", "{p}");
    let breaking = &p["reasons"][1];
    assert_eq!(breaking["condition"], "breaking");
    assert_eq!(breaking["holds"], false);
    assert!(
        breaking["message"].as_str().unwrap_or("").contains(&plain),
        "{breaking}"
    );
    // An update past the hop's end does not count it: 5.2.5 -> 5.2.6.
    one_commit(&env, &["installation", "set", "acme", "--version", "5.2.5"]);
    let later = update(&env, "5.2.6");
    assert_eq!(path_json(&env, &later)["path"], "simple");
    let audit = env.rel(&["audit"]);
    assert_eq!(audit.code, 0, "{}{}", audit.stdout, audit.stderr);
}

#[test]
fn the_order_rule_follows_the_path() {
    let env = with_acme("5.2.1");
    let simple = update(&env, "5.3.0");
    let check_next = env.rel(&["--json", "check", &simple]).json();
    assert_eq!(check_next["to"], "staging", "{check_next}");
    one_commit(&env, &["promote", &simple]);
    assert_eq!(
        env.rel(&["--json", "show", &simple]).json()["environment"],
        "staging"
    );

    let env = with_acme("5.2.1");
    let standard = update(&env, "5.4.0");
    let (code, v) = check(&env, &[&standard, "--to", "staging"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["order"]);
    refused(&env, &["promote", &standard, "--to", "staging"], 1);
    one_commit(&env, &["promote", &standard]);
    assert_eq!(
        env.rel(&["--json", "show", &standard]).json()["environment"],
        "sandbox"
    );
}

#[test]
fn reclassifying_to_simple_is_refused_while_a_condition_fails() {
    let env = with_acme("5.2.1");
    let id = update(&env, "5.4.0");
    let run = refused(
        &env,
        &[
            "--json", "path", &id, "--set", "simple", "--reason", "hurry",
        ],
        1,
    );
    let v = run.json();
    assert_eq!(codes(&v), ["path"]);
    for bad in [
        vec!["path", &id, "--set", "simple"],
        vec!["path", &id, "--set", "scenic", "--reason", "x"],
        vec!["path", &id, "--set", "simple", "--reason", "  "],
        vec!["path", "R-NOPE", "--set", "simple", "--reason", "x"],
    ] {
        refused(&env, &bad, 2);
    }
}

#[test]
fn reclassifying_to_standard_moves_the_update_back_in_the_same_commit() {
    let env = with_acme("5.2.1");
    let id = update(&env, "5.3.0");
    one_commit(&env, &["promote", &id]);
    let run = one_commit(
        &env,
        &[
            "path",
            &id,
            "--set",
            "standard",
            "--reason",
            "client asked for a dry run",
        ],
    );
    assert!(
        run.stdout.contains("standard path (set by person)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("goes back from staging to sandbox"),
        "{}",
        run.stderr
    );
    let pipeline = env.rel(&["env"]).stdout.clone();
    assert!(
        pipeline.contains("only on the standard path")
            && pipeline.contains("the simple path takes a hop of at most 0 major, 1 minor"),
        "{pipeline}"
    );
    let shown = env.rel(&["--json", "show", &id]).json();
    assert_eq!(shown["environment"], "sandbox");
    assert_eq!(shown["path"], "standard");
    assert_eq!(shown["path_record"]["reason"], "client asked for a dry run");
    assert!(env.last_message().contains("Rel-Env: sandbox"));
    // A path set by a person stays: a content change does not undo it.
    group_ready_incident(&env, &id, "INC-1");
    assert_eq!(path_json(&env, &id)["set_by"], "person");
    // And back to simple, which the conditions allow: no move.
    one_commit(
        &env,
        &["path", &id, "--set", "simple", "--reason", "dry run done"],
    );
    assert_eq!(
        env.rel(&["--json", "show", &id]).json()["environment"],
        "sandbox"
    );
    let audit = env.rel(&["audit"]);
    assert_eq!(audit.code, 0, "{}{}", audit.stdout, audit.stderr);
}

#[test]
fn flags_are_set_and_cleared_and_refused_while_the_release_is_frozen() {
    let env = with_acme("5.2.1");
    let id = update(&env, "5.2.2");
    group_ready_incident(&env, &id, "INC-1");
    let run = one_commit(
        &env,
        &["incident", "flag", "INC-1", "client-work", "breaking"],
    );
    assert!(run.stdout.contains("breaking on"), "{}", run.stdout);
    let files = env.last_commit_files();
    assert!(files.contains(&format!("releases/{id}.toml")), "{files:?}");
    assert_eq!(path_json(&env, &id)["path"], "standard");
    one_commit(
        &env,
        &[
            "incident",
            "flag",
            "INC-1",
            "client-work",
            "breaking",
            "--off",
        ],
    );
    assert_eq!(path_json(&env, &id)["path"], "simple");
    refused(&env, &["incident", "flag", "INC-1", "sparkly"], 2);
    one_commit(&env, &["freeze", &id]);
    let run = refused(&env, &["incident", "flag", "INC-1", "breaking"], 1);
    assert!(run.stderr.contains("[state]"), "{}", run.stderr);
    let audit = env.rel(&["audit"]);
    assert_eq!(audit.code, 0, "{}{}", audit.stdout, audit.stderr);
}

#[test]
fn notes_plan_status_and_show_name_the_installation_and_the_path() {
    let env = with_acme("5.2.1");
    let id = update(&env, "5.4.0");
    let notes = env.rel(&["notes", &id]).stdout.clone();
    assert!(
        notes.contains("Update of acme from 5.2.1, on the standard path."),
        "{notes}"
    );
    let json = env.rel(&["--json", "notes", &id]).json();
    assert_eq!(json["installation"], "acme");
    assert_eq!(json["from_version"], "5.2.1");
    assert_eq!(json["path"], "standard");
    let plan = env.rel(&["plan", &id]).stdout.clone();
    assert!(
        plan.contains("installation acme (update from 5.2.1)")
            && plan.contains("path         standard"),
        "{plan}"
    );
    // The plan passes over nothing on the standard path: sandbox is next.
    let steps = env.rel(&["--json", "plan", &id]).json();
    assert_eq!(steps["path"], "standard");
    assert_eq!(steps["steps"][0]["env"], "sandbox");
    let status = env.rel(&["status"]).stdout.clone();
    assert!(
        status.contains("INSTALLATION") && status.contains("PATH") && status.contains("standard"),
        "{status}"
    );
    let show = env.rel(&["show", &id]).stdout.clone();
    assert!(
        show.contains("path         standard (set by rules): the hop"),
        "{show}"
    );

    // On the simple path the plan leaves the sandbox out.
    let simple = update(&env, "5.3.0");
    let steps = env.rel(&["--json", "plan", &simple]).json();
    let envs: Vec<&str> = steps["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["env"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(envs, ["staging", "live"]);
}
