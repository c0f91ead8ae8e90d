//! Contract 11.5, "Policy and its owners": an installation's roles,
//! windows, timezone and admins, environments.toml and the allowed-signers
//! file are policy; with `[audit] policy_owners` only members of those roles
//! change it (`role` from the commands, `policy` from the audit); every
//! change is listed; every commit is judged by its parent's policy, the
//! allowed signers included.

use std::path::{Path, PathBuf};

use crate::common::git::{one_commit, refused};
use crate::common::Env;

const RM: &str = "Rui Manager <rm@example.com>";
const EVE: &str = "Eve Engineer <eve@example.com>";

fn pipeline(owners: bool) -> String {
    format!(
        r#"{}
[roles]
client = ["ana@acme.example"]
release-manager = ["rm@example.com"]

[[environments]]
name = "dev"

[[environments]]
name = "live"
approvals = ["client"]
"#,
        if owners {
            "[audit]\npolicy_owners = [\"release-manager\"]\n"
        } else {
            ""
        }
    )
}

fn as_actor(env: &mut Env, actor: &str) {
    env.actor = Some(actor.to_string());
}

/// A repository with installation `acme` whose client is Ana, made by RM.
fn repository(owners: bool) -> Env {
    let mut env = Env::with_pipeline(&pipeline(owners));
    as_actor(&mut env, RM);
    one_commit(
        &env,
        &[
            "installation",
            "new",
            "acme",
            "--version",
            "1.0.0",
            "--role",
            "client=ana@acme.example",
        ],
    );
    env
}

fn audit(env: &Env) -> serde_json::Value {
    let run = env.rel(&["--json", "audit"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    run.json()
}

fn has_finding(report: &serde_json::Value, kind: &str, text: &str) -> bool {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["finding"] == kind && f["message"].as_str().unwrap_or("").contains(text))
}

#[test]
fn an_installation_s_roles_are_changed_only_by_a_policy_owner() {
    let mut env = repository(true);
    // The issue's case: Eve makes herself the client, approves, sets it back.
    as_actor(&mut env, EVE);
    let run = refused(
        &env,
        &[
            "installation",
            "set",
            "acme",
            "--role",
            "client=eve@example.com",
        ],
        1,
    );
    assert!(run.stderr.contains("[role]"), "{}", run.stderr);
    assert!(run.stderr.contains("policy_owners"), "{}", run.stderr);
    let json = refused(
        &env,
        &[
            "--json",
            "installation",
            "set",
            "acme",
            "--window",
            "sat 01:00-03:00",
        ],
        1,
    )
    .json();
    assert_eq!(json["violations"][0]["rule"], "role");
    // The version alone is not policy.
    one_commit(&env, &["installation", "set", "acme", "--version", "1.0.1"]);
    // An owner may.
    as_actor(&mut env, RM);
    one_commit(
        &env,
        &["installation", "set", "acme", "--admin", "it@acme.example"],
    );
    let report = audit(&env);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0, "{report}");
    // Listed: the pipeline, the new installation, the admins; not the version.
    let by: Vec<&str> = report["policy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["by"].as_str().unwrap())
        .collect();
    assert_eq!(
        by.iter().filter(|b| b.contains("rm@example.com")).count(),
        2,
        "{report}"
    );
    assert!(!by.iter().any(|b| b.contains("eve@")), "{report}");
}

#[test]
fn without_owners_anyone_changes_policy_and_the_audit_lists_who() {
    let mut env = repository(false);
    as_actor(&mut env, EVE);
    one_commit(
        &env,
        &[
            "installation",
            "set",
            "acme",
            "--role",
            "client=eve@example.com",
        ],
    );
    let report = audit(&env);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0, "{report}");
    assert!(
        report["policy"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["by"].as_str().unwrap().contains("eve@example.com")),
        "{report}"
    );
}

#[test]
fn a_change_of_policy_by_hand_by_someone_else_is_a_policy_finding() {
    let env = repository(true);
    // Eve edits the installation's roles and environments.toml by hand.
    let path = "releases/installations/acme.toml";
    env.write(
        path,
        &env.read(path)
            .replace("ana@acme.example", "eve@example.com"),
    );
    let git_as_eve = |args: &[&str]| {
        let out = env
            .program("git")
            .args(args)
            .env("GIT_AUTHOR_NAME", "Eve Engineer")
            .env("GIT_AUTHOR_EMAIL", "eve@example.com")
            .output()
            .expect("git");
        assert!(out.status.success(), "{out:?}");
    };
    git_as_eve(&["commit", "-qam", "acme: client is eve"]);
    let report = audit(&env);
    assert!(
        has_finding(&report, "policy", "installation acme"),
        "{report}"
    );
    assert!(
        has_finding(&report, "policy", "eve@example.com"),
        "{report}"
    );
    env.write(
        "environments.toml",
        &pipeline(true).replace("[\"rm@example.com\"]", "[\"eve@example.com\"]"),
    );
    git_as_eve(&["commit", "-qam", "I am the release manager now"]);
    let report = audit(&env);
    assert!(
        has_finding(&report, "policy", "environments.toml"),
        "{report}"
    );
}

/// A throwaway ed25519 key; returns (private key path, public key line).
fn ssh_key(env: &Env, name: &str) -> (PathBuf, String) {
    let key = env.tmp.path().join(name);
    let out = env
        .program("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen");
    assert!(out.status.success(), "{out:?}");
    let public = std::fs::read_to_string(key.with_extension("pub")).expect("public key");
    (key, public.trim().to_string())
}

fn sign_with(env: &Env, key: &Path) {
    env.git(&["config", "gpg.format", "ssh"]);
    env.git(&["config", "user.signingKey", key.to_str().unwrap()]);
    env.git(&["config", "commit.gpgSign", "true"]);
}

#[test]
fn a_key_added_in_the_same_commit_does_not_vouch_for_that_commit() {
    if std::env::var_os("CI").is_none()
        && std::process::Command::new("ssh-keygen")
            .arg("-?")
            .output()
            .is_err()
    {
        eprintln!("skipped: no ssh-keygen");
        return;
    }
    let mut env = Env::new();
    let (ana_key, ana_pub) = ssh_key(&env, "ana_key");
    let (forger_key, forger_pub) = ssh_key(&env, "forger_key");
    // The trust root is in the repository: policy/allowed_signers.
    env.write(
        "policy/allowed_signers",
        &format!("ana@example.com namespaces=\"git\" {ana_pub}\n"),
    );
    env.write(
        "environments.toml",
        "[audit]\nrequire_signed = true\nallowed_signers = \"policy/allowed_signers\"\n\n[[environments]]\nname = \"dev\"\n\n[[environments]]\nname = \"live\"\n",
    );
    sign_with(&env, &ana_key);
    env.commit_all("require signed commits, Ana's key");
    one_commit(&env, &["new", "--version", "1.0.0", "--title", "A"]);
    // Ana's own commits verify with the repository's signers file.
    env.rel(&["audit"]).ok();
    // The forger appends their key under Ana's e-mail and, in the same
    // commit, records a release as Ana, signed with the forged key.
    env.write(
        "policy/allowed_signers",
        &format!(
            "ana@example.com namespaces=\"git\" {ana_pub}\nana@example.com namespaces=\"git\" {forger_pub}\n"
        ),
    );
    env.git(&["add", "policy/allowed_signers"]);
    sign_with(&env, &forger_key);
    as_actor(&mut env, "Ana Smith <ana@example.com>");
    // rel commits only its own files: the signers file goes in by amend.
    one_commit(&env, &["new", "--version", "1.1.0", "--title", "B"]);
    env.git(&["commit", "-q", "--amend", "--no-edit", "-S"]);
    let report = audit(&env);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["finding"] == "unsigned"),
        "{report}"
    );
    // And the change of the signers file is listed as policy.
    assert!(report["policy"].as_array().unwrap().len() >= 2, "{report}");
}

#[test]
fn a_commit_that_changes_only_the_allowed_signers_is_judged_by_its_owners() {
    let mut env = Env::with_pipeline(&pipeline(true).replace(
        "[audit]\n",
        "[audit]\nallowed_signers = \"policy/allowed_signers\"\n",
    ));
    as_actor(&mut env, RM);
    env.write("policy/allowed_signers", "");
    let commit_as = |email: &str, line: &str| {
        env.write(
            "policy/allowed_signers",
            &format!("{}{line}\n", env.read("policy/allowed_signers")),
        );
        env.git(&["add", "policy/allowed_signers"]);
        let out = env
            .program("git")
            .args(["commit", "-qm", "a signer more"])
            .env("GIT_AUTHOR_EMAIL", email)
            .output()
            .expect("git");
        assert!(out.status.success(), "{out:?}");
    };
    // The release manager owns policy: listed, not found.
    commit_as("rm@example.com", "rm@example.com ssh-ed25519 AAAA");
    commit_as("rm@example.com", "ana@acme.example ssh-ed25519 BBBB");
    let report = audit(&env);
    assert_eq!(report["findings"], serde_json::json!([]), "{report}");
    let listed = report["policy"].as_array().expect("policy").len();
    // Eve does not: a `policy` finding naming her and the owners.
    commit_as("eve@example.com", "eve@example.com ssh-ed25519 CCCC");
    let report = audit(&env);
    assert_eq!(
        report["policy"].as_array().expect("policy").len(),
        listed + 1
    );
    assert!(
        has_finding(
            &report,
            "policy",
            "the allowed signers changed by eve@example.com, who is not a member of \
             `release-manager` ([audit] policy_owners)"
        ),
        "{report}"
    );
    assert_eq!(report["findings"].as_array().expect("findings").len(), 1);
}
