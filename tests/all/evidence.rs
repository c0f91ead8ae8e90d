//! `rel evidence R [--output FILE]`: one deterministic JSON document about
//! a release (contract section 9): the same bytes whenever it is run, the
//! digests match the files, the verdict of every commit decided again.

use serde_json::Value;

use crate::audit::{commit_dated, frozen_in_dev, GATED, WED};
use crate::common::git::{committed, one_commit};
use crate::common::Env;

/// A release taken from new to closed through every gate, by rel.
fn walked_to_close() -> (Env, String) {
    let mut env = Env::with_pipeline(&GATED.replace(
        "name = \"test\"\n",
        "name = \"test\"\nhealth_check = \"echo healthy\"\n",
    ));
    let id = frozen_in_dev(&env);
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["verify", &id]);
    one_commit(&env, &["approve", &id, "--env", "live", "--role", "client"]);
    one_commit(&env, &["tick", &id, "--env", "live", "1"]);
    env.now = WED.to_string();
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["tick", &id, "--env", "live", "1"]);
    one_commit(&env, &["close", &id]);
    (env, id)
}

fn evidence(env: &Env, id: &str) -> (String, Value) {
    let run = env.rel(&["evidence", id]);
    run.ok();
    let v = serde_json::from_str(&run.stdout).expect("JSON");
    (run.stdout.clone(), v)
}

fn sha256_of(env: &Env, bytes: &[u8]) -> String {
    let file = env.tmp.path().join("digest-me");
    std::fs::write(&file, bytes).expect("write");
    let out = env
        .program("sha256sum")
        .arg(&file)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string()
}

#[test]
fn the_same_repository_gives_the_same_bytes_whenever_it_is_run() {
    let (mut env, id) = walked_to_close();
    let (first, _) = evidence(&env, &id);
    let (second, _) = evidence(&env, &id);
    assert_eq!(first, second);
    env.now = "2027-03-01T08:00:00Z".into();
    let (later, _) = evidence(&env, &id);
    assert_eq!(first, later);
    // Any case of the id, the same document.
    let (lower, _) = evidence(&env, &id.to_lowercase());
    assert_eq!(first, lower);
    // --output writes the same bytes, and nothing else changes.
    let out = env.tmp.path().join("evidence.json");
    env.assert_unchanged(|| {
        env.rel(&["evidence", &id, "--output", out.to_str().unwrap()])
            .ok();
    });
    assert_eq!(std::fs::read_to_string(&out).expect("written"), first);
}

#[test]
fn a_full_walk_to_production_is_all_there_with_digests_that_match() {
    let (env, id) = walked_to_close();
    let (_, v) = evidence(&env, &id);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "release",
            "incidents",
            "transitions",
            "approvals",
            "ticks",
            "health",
            "pipeline",
            "audit",
            "notes",
            "digests"
        ]
    );
    assert_eq!(v["release"]["id"], id.as_str());
    assert_eq!(v["release"]["state"], "released");
    let incident = &v["incidents"][0];
    assert_eq!(incident["id"], "INC-1");
    assert_eq!(
        incident["evidence"][0]["reference"], "tests/report.pdf",
        "{incident}"
    );
    assert_eq!(incident["components"][0]["kind"], "dll", "{incident}");

    let actions: Vec<&str> = v["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "new",
            "group",
            // Its trailers name the release the incident is in.
            "incident-component",
            "freeze",
            "promote",
            "verify",
            "approve",
            "tick",
            "promote",
            "tick",
            "close"
        ]
    );
    for t in v["transitions"].as_array().unwrap() {
        assert_eq!(t["verdict"]["allowed"], true, "{t}");
        assert_eq!(t["signature"], "none", "{t}");
        assert_eq!(t["by"], "Ana Smith <ana@example.com>");
    }
    let promote = &v["transitions"][8];
    assert_eq!(promote["environments"]["before"], "test");
    assert_eq!(promote["environments"]["after"], "live");

    let approval = &v["approvals"][0];
    assert_eq!(approval["role"], "client");
    assert_eq!(
        approval["role_members"],
        serde_json::json!(["ana@example.com"])
    );
    assert_eq!(v["ticks"].as_array().unwrap().len(), 2);

    let entered: Vec<&str> = v["pipeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["env"].as_str().unwrap())
        .collect();
    assert_eq!(entered, ["dev", "test", "live"]);
    let live = &v["pipeline"][2];
    assert_eq!(live["rules"]["approvals"], serde_json::json!(["client"]));
    assert_eq!(live["rules"]["requires_health"], true);
    let pipeline_file = committed(&env, "environments.toml");
    assert_eq!(
        live["pipeline_sha256"],
        sha256_of(&env, &pipeline_file).as_str()
    );

    assert_eq!(v["audit"], serde_json::json!([]));
    let notes = env.rel(&["notes", &id]).ok().stdout.clone();
    assert_eq!(v["notes"].as_str().unwrap(), notes.trim_end());

    // Every digest is the sha256 of the committed file, where it lies
    // now: closed, the release's files are in the archive.
    assert_eq!(
        v["health"][0]["log"],
        format!("releases/reports/{id}/test-1.log").as_str()
    );
    let log = format!("releases/archive/2026/reports/{id}/test-1.log");
    let digests = v["digests"].as_object().unwrap();
    for path in [
        "environments.toml".to_string(),
        format!("releases/archive/2026/{id}.toml"),
        "releases/archive/2026/incidents/INC-1.toml".to_string(),
        log.clone(),
    ] {
        let bytes = committed(&env, &path);
        assert_eq!(digests[&path], sha256_of(&env, &bytes).as_str(), "{path}");
    }
    assert_eq!(v["health"][0]["log_sha256"], digests[&log]);
}

#[test]
fn a_hand_edited_commit_shows_its_audit_finding() {
    let env = Env::with_pipeline(GATED);
    let id = frozen_in_dev(&env);
    let path = format!("releases/{id}.toml");
    let text = env
        .read(&path)
        .replacen("title = \"A release\"", "title = \"Renamed\"", 1);
    env.write(&path, &text);
    commit_dated(&env, "retitle", "2026-11-20T16:00:00Z");
    let (_, v) = evidence(&env, &id);
    let last = v["transitions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "edit");
    assert_eq!(last["verdict"]["allowed"], false, "{last}");
    assert_eq!(last["verdict"]["findings"][0]["finding"], "hand-edit");
    assert_eq!(v["audit"][0]["finding"], "hand-edit", "{v:#}");
    assert_eq!(v["audit"][0]["commit"], last["commit"]);
    assert!(
        v["audit"][0]["message"].as_str().unwrap().contains("title"),
        "{}",
        v["audit"][0]
    );
}

#[test]
fn an_unknown_release_is_exit_2_and_output_is_checked_like_notes() {
    let env = Env::new();
    env.assert_unchanged(|| {
        env.rel(&["evidence", "R-404"]).code(2);
    });
    let run = env.rel(&["--json", "evidence", "R-404"]);
    run.code(2);
    assert_eq!(run.json()["error"]["exit"], 2);
    let run = env.rel(&["new", "--version", "1.0.0", "--title", "A"]);
    run.ok();
    let id = run.stdout.trim().to_string();
    // A file rel owns is not a place for the evidence.
    env.assert_unchanged(|| {
        let run = env.rel(&["evidence", &id, "--output", "releases/evidence.json"]);
        run.code(2);
        assert!(
            run.stderr.contains("--output releases/evidence.json"),
            "{}",
            run.stderr
        );
    });
}
