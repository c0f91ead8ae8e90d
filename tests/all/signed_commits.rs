//! Signed commits: when git's configuration asks for them, rel signs its
//! commits as git would (`git verify-commit` accepts them); under
//! `[audit] require_signed` the audit finds commits without a signature git
//! accepts, or signed with a key that is not the author's (`unsigned`).
//! SSH keys made in the test's folder: hermetic, no agent.

use std::path::PathBuf;

use crate::audit::{audit, findings};
use crate::common::git::one_commit;
use crate::common::Env;

const PIPELINE: &str = "[audit]\nrequire_signed = true\n\n[[environments]]\nname = \"dev\"\n\n[[environments]]\nname = \"live\"\n";

/// A throwaway ed25519 key for `email`, listed in the allowed signers file;
/// returns the private key's path.
fn ssh_key(env: &Env, name: &str, email: &str) -> PathBuf {
    let key = env.tmp.path().join(name);
    let out = env
        .program("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", email, "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = std::fs::read_to_string(key.with_extension("pub")).expect("public key");
    let allowed = env.tmp.path().join("allowed_signers");
    let mut list = std::fs::read_to_string(&allowed).unwrap_or_default();
    list.push_str(&format!("{email} namespaces=\"git\" {public}"));
    std::fs::write(&allowed, list).expect("allowed signers");
    key
}

/// Signing with `key` asked for in the repository's git config.
fn sign_with(env: &Env, key: &std::path::Path) {
    env.git(&["config", "gpg.format", "ssh"]);
    env.git(&["config", "user.signingKey", key.to_str().unwrap()]);
    env.git(&["config", "commit.gpgSign", "true"]);
    let allowed = env.tmp.path().join("allowed_signers");
    env.git(&[
        "config",
        "gpg.ssh.allowedSignersFile",
        allowed.to_str().unwrap(),
    ]);
}

/// A release repository whose policy requires signed commits, signing with
/// Ana's key (the policy's own commit is judged by the policy before it).
fn signed_repository() -> Env {
    let env = Env::new();
    let key = ssh_key(&env, "ana_key", "ana@example.com");
    sign_with(&env, &key);
    env.write("environments.toml", PIPELINE);
    env.commit_all("require signed commits");
    env
}

fn verify_commit(env: &Env, rev: &str) -> (bool, String) {
    let out = env
        .program("git")
        .args(["verify-commit", rev])
        .output()
        .expect("git verify-commit");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn rel_s_commits_are_signed_as_git_signs_and_pass_verify_commit_and_the_audit() {
    let env = signed_repository();
    let run = one_commit(&env, &["new", "--version", "1.0.0", "--title", "A"]);
    let id = run.stdout.trim().to_string();
    one_commit(&env, &["promote", &id]);
    let (ok, said) = verify_commit(&env, "HEAD");
    assert!(ok, "{said}");
    assert!(said.contains("ana@example.com"), "{said}");
    let (ok, said) = verify_commit(&env, "HEAD~1");
    assert!(ok, "{said}");
    // The commit is the one rel decided on: its message and author.
    assert!(env
        .last_message()
        .starts_with(&format!("rel: promote {id}")));
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae> %cn <%ce>"])
            .trim(),
        "Ana Smith <ana@example.com> Ana Smith <ana@example.com>"
    );
    assert_eq!(env.porcelain(), "");
    let (code, v) = audit(&env, &[]);
    assert_eq!((code, findings(&v)), (0, vec![]), "{v:#}");
    // The evidence names the signature git accepted.
    let ev = env.rel(&["--json", "evidence", &id]);
    ev.ok();
    let ev: serde_json::Value = serde_json::from_str(&ev.stdout).expect("json");
    assert_eq!(ev["transitions"][0]["signature"], "good by ana@example.com");
}

#[test]
fn an_unsigned_commit_under_require_signed_is_found() {
    let env = signed_repository();
    let run = one_commit(&env, &["new", "--version", "1.0.0", "--title", "A"]);
    let id = run.stdout.trim().to_string();
    env.git(&["config", "commit.gpgSign", "false"]);
    one_commit(&env, &["promote", &id]);
    let (ok, _) = verify_commit(&env, "HEAD");
    assert!(!ok);
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v),
        [("unsigned".to_string(), id.clone())],
        "{v:#}"
    );
    let f = &v["findings"][0];
    assert_eq!(f["action"], "promote");
    assert!(f["message"].as_str().unwrap().contains("not signed"), "{f}");
}

#[test]
fn a_commit_signed_with_someone_else_s_key_is_found() {
    let env = signed_repository();
    let bo = ssh_key(&env, "bo_key", "bo@example.com");
    env.git(&["config", "user.signingKey", bo.to_str().unwrap()]);
    let run = one_commit(&env, &["new", "--version", "1.0.0", "--title", "A"]);
    let id = run.stdout.trim().to_string();
    // git accepts Bo's signature: his key is allowed.
    assert!(verify_commit(&env, "HEAD").0);
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), [("unsigned".to_string(), id)], "{v:#}");
    let message = v["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("bo@example.com") && message.contains("ana@example.com"),
        "{message}"
    );
}

#[test]
fn a_signing_failure_is_exit_4_and_nothing_is_committed() {
    let env = signed_repository();
    let missing = env.tmp.path().join("no_such_key");
    env.git(&["config", "user.signingKey", missing.to_str().unwrap()]);
    // Everything but git's object store (where the unreferenced tree and
    // blob of the attempt stay, as after any abandoned commit) is as it was.
    let outside_objects = |env: &Env| {
        let mut files = env.snapshot();
        files.retain(|path, _| !path.starts_with(".git/objects"));
        files
    };
    let before = outside_objects(&env);
    let run = env.rel(&["new", "--version", "1.0.0", "--title", "A"]);
    run.code(4);
    assert!(
        run.stderr.contains("cannot sign the commit"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("user.signingKey"), "{}", run.stderr);
    assert!(
        outside_objects(&env) == before,
        "files changed outside .git/objects"
    );
    let run = env.rel(&["--json", "new", "--version", "1.0.0", "--title", "A"]);
    run.code(4);
    assert_eq!(run.json()["error"]["kind"], "internal");
}

#[test]
fn without_require_signed_unsigned_commits_are_no_finding() {
    let env = Env::new();
    let run = one_commit(&env, &["new", "--version", "1.0.0", "--title", "A"]);
    assert!(!run.stdout.is_empty());
    let (code, v) = audit(&env, &[]);
    assert_eq!((code, findings(&v)), (0, vec![]), "{v:#}");
}

#[test]
fn an_unknown_key_in_the_audit_table_is_exit_2_with_its_line() {
    let env =
        Env::with_pipeline("[audit]\nrequire_signd = true\n\n[[environments]]\nname = \"dev\"\n");
    let run = env.rel(&["env"]);
    run.code(2);
    assert!(run.stderr.contains("environments.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("require_signd"), "{}", run.stderr);
}

/// gpg, when the machine has it: a throwaway key in its own GNUPGHOME.
#[test]
fn openpgp_signing_works_too_when_gpg_is_installed() {
    let env = Env::new();
    let home = env.tmp.path().join("gnupg");
    std::fs::create_dir_all(&home).expect("gnupg home");
    let gpg = |args: &[&str]| {
        env.program("gpg")
            .env("GNUPGHOME", &home)
            .args([
                "--batch",
                "--quiet",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
            ])
            .args(args)
            .output()
    };
    let Ok(made) = gpg(&[
        "--quick-gen-key",
        "Ana Smith <ana@example.com>",
        "ed25519",
        "sign",
        "never",
    ]) else {
        eprintln!("no gpg: skipped");
        return;
    };
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    env.git(&["config", "commit.gpgSign", "true"]);
    env.git(&["config", "user.signingKey", "ana@example.com"]);
    env.write("environments.toml", PIPELINE);
    let home_var = home.to_str().unwrap();
    let mut commit = env.program("git");
    commit.env("GNUPGHOME", &home).args([
        "-c",
        "commit.gpgSign=false",
        "commit",
        "-qam",
        "require signed commits",
    ]);
    assert!(commit.output().expect("git").status.success());
    let run = env.rel_env(
        &["new", "--version", "1.0.0", "--title", "A"],
        &[("GNUPGHOME", home_var)],
    );
    run.ok();
    let verified = env
        .program("git")
        .env("GNUPGHOME", &home)
        .args(["verify-commit", "HEAD"])
        .output()
        .expect("verify");
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    let run = env.rel_env(&["--json", "audit"], &[("GNUPGHOME", home_var)]);
    run.ok();
    assert_eq!(run.json()["findings"], serde_json::json!([]));
    // The agent gpg started for this home ends with the test.
    let _ = env
        .program("gpgconf")
        .env("GNUPGHOME", &home)
        .args(["--kill", "gpg-agent"])
        .output();
}

#[test]
fn among_many_signed_commits_checked_together_the_unsigned_one_is_named() {
    let env = signed_repository();
    let mut ids = Vec::new();
    for n in 0..6 {
        if n == 3 {
            env.git(&["config", "commit.gpgSign", "false"]);
        }
        let run = one_commit(
            &env,
            &["new", "--version", &format!("1.0.{n}"), "--title", "A"],
        );
        ids.push(run.stdout.trim().to_string());
        if n == 3 {
            env.git(&["config", "commit.gpgSign", "true"]);
        }
    }
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v),
        [("unsigned".to_string(), ids[3].clone())],
        "{v:#}"
    );
    // init, the policy, six releases.
    assert_eq!(v["commits"], 8, "{v:#}");
}
