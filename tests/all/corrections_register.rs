//! Contract rev 2: a release without incidents (`require_incidents = false`),
//! and incidents as part of a release's content: those of a frozen release
//! do not change; a change to one of an open release is a new revision of
//! that release, in the same commit.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes, group_ready_incident, manifest, new_release};
use crate::common::Env;

const PIPELINE: &str = r#"
[[environments]]
name = "dev"

[[environments]]
name = "live"
approvals = ["client"]
"#;

#[test]
fn without_required_incidents_an_empty_release_may_be_frozen() {
    let env = Env::with_pipeline(&format!("require_incidents = false\n{PIPELINE}"));
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["freeze", &id]);
    assert_eq!(manifest(&env, &id)["state"], "frozen");
}

#[test]
fn by_default_an_empty_release_is_refused_with_empty() {
    for pipeline in [
        PIPELINE.to_string(),
        format!("require_incidents = true\n{PIPELINE}"),
    ] {
        let env = Env::with_pipeline(&pipeline);
        let id = new_release(&env, "1.4.1");
        let run = refused(&env, &["freeze", &id], 1);
        assert!(run.stderr.contains("[empty]"), "{}", run.stderr);
    }
}

#[test]
fn require_incidents_must_be_true_or_false() {
    let env = Env::with_pipeline(PIPELINE);
    env.write(
        "environments.toml",
        &format!("require_incidents = \"no\"\n{PIPELINE}"),
    );
    env.commit_all("hand edit");
    let run = refused(&env, &["new", "--version", "1.0.0", "--title", "T"], 2);
    assert!(
        run.stderr.contains("environments.toml:1:"),
        "{}",
        run.stderr
    );
}

/// A release `R` holding INC-1 (ready), frozen when `frozen`.
fn holding(frozen: bool) -> (Env, String) {
    let env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "1.4.1");
    group_ready_incident(&env, &id, "INC-1");
    if frozen {
        one_commit(&env, &["freeze", &id]);
    }
    (env, id)
}

#[test]
fn an_incident_of_a_frozen_release_cannot_change() {
    let (env, id) = holding(true);
    // Revision 1 let authorise change the frozen content. (Test evidence
    // and components are records, not content: contract 11.5, see
    // tests/all/content_fixed.rs.)
    for args in [
        &["incident", "authorise", "INC-1", "--by", "Someone Else"][..],
        &["incident", "flag", "INC-1", "breaking"],
        &["incident", "resolve", "INC-1"],
        &["incident", "reopen", "INC-1"],
    ] {
        let run = refused(&env, args, 1);
        assert!(run.stderr.contains("[state]"), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("rel unfreeze {id}")),
            "{}",
            run.stderr
        );
    }
    let run = refused(
        &env,
        &["--json", "incident", "authorise", "INC-1", "--by", "X"],
        1,
    );
    assert_eq!(run.json()["violations"][0]["rule"], "state");
}

#[test]
fn a_change_to_an_incident_of_an_open_release_is_a_new_revision_of_it() {
    let (env, id) = holding(false);
    one_commit(&env, &["approve", &id, "--env", "live", "--role", "client"]);
    assert_eq!(check(&env, &[&id]).0, 0);
    let before = manifest(&env, &id)["revision"].as_u64().unwrap();

    one_commit(
        &env,
        &["incident", "test", "INC-1", "--evidence", "retest.pdf"],
    );
    // One commit with both files; the release's revision moved on.
    let mut files = env.last_commit_files();
    files.sort();
    assert_eq!(
        files,
        [
            format!("releases/{id}.toml"),
            "releases/incidents/INC-1.toml".to_string()
        ]
    );
    let message = env.last_message();
    assert!(message.contains(&format!("Rel-Release: {id}")), "{message}");
    assert!(message.contains("Rel-Action: incident-test"), "{message}");
    let m = manifest(&env, &id);
    assert_eq!(m["revision"].as_u64().unwrap(), before + 1);
    let last = m["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "incident-test");
    assert_eq!(last["incidents"][0], "INC-1");

    // The approval was for what the incident was: asked for again.
    let (code, v) = check(&env, &[&id]);
    assert_eq!((code, codes(&v)), (1, vec!["approval".to_string()]));

    // A component already recorded changes nothing, anywhere.
    one_commit(&env, &["incident", "component", "INC-1", "dll:A.dll"]);
    let revision = manifest(&env, &id)["revision"].clone();
    env.assert_unchanged(|| {
        env.rel(&["incident", "component", "INC-1", "dll:A.dll"])
            .ok();
    });
    assert_eq!(manifest(&env, &id)["revision"], revision);
}

#[test]
fn components_of_a_shipped_incident_are_refused_once_archived() {
    let (env, id) = holding(true);
    one_commit(&env, &["approve", &id, "--env", "live", "--role", "client"]);
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["close", &id]);
    // Revision 3: shipped, the incident lies in the archive, whose
    // record is final.
    env.assert_unchanged(|| {
        let run = env.rel(&["incident", "component", "INC-1", "param:PAGE_SIZE"]);
        run.code(2);
        assert!(
            run.stderr.contains("releases/archive/2026"),
            "{}",
            run.stderr
        );
    });
    let incident = env
        .rel(&["--json", "incident", "show", "INC-1"])
        .ok()
        .json();
    assert_eq!(incident["status"], "closed");
}
