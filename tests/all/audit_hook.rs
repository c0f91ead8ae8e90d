//! `rel audit --hook` as the `pre-receive` hook of a bare repository on the
//! local file system (contract 11.5): rel's own pushes pass; a hand-edited
//! promotion, a forged approval, a deletion of the shared branch and a
//! force push are refused, and the remote's branches are as they were.
//! `rel audit` in the bare repository itself. Helpers shared with
//! `audit_hook_ssh` are here.

use std::path::Path;

use crate::audit::{commit_dated, frozen_in_dev, GATED, WED};
use crate::common::git::one_commit;
use crate::common::{Env, Run};
use crate::sync_common::Team;

/// GATED shared through `origin`: its branch is the one guarded.
pub fn guarded_pipeline() -> String {
    format!("[sync]\nremote = \"origin\"\n{GATED}")
}

/// The hook script: rel, with `before` run first (variables for the
/// server's environment).
pub fn hook_script(before: &str) -> String {
    format!(
        "{before}\nexec '{}' audit --hook",
        env!("CARGO_BIN_EXE_rel")
    )
}

/// Installs the hook in the bare repository at `bare`.
pub fn install_hook(bare: &Path, before: &str) {
    let path = bare.join("hooks/pre-receive");
    std::fs::write(&path, format!("#!/bin/sh\n{}\n", hook_script(before))).expect("hook");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Every ref of the bare repository with its commit.
pub fn refs(bare: &Path, env: &Env) -> String {
    let out = env
        .program("git")
        .arg("--git-dir")
        .arg(bare)
        .args(["for-each-ref", "--format=%(refname) %(objectname)"])
        .output()
        .expect("git");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `git push ARGS` in `env` with extra variables: the run, not asserted.
pub fn push(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut cmd = env.program("git");
    cmd.arg("push").args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("git push");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Asserts that `git push ARGS` is refused by the hook with `words` in
/// what git shows the pusher, and that no ref of `bare` moved.
#[track_caller]
pub fn assert_refused(
    env: &Env,
    bare: &Path,
    args: &[&str],
    vars: &[(&str, &str)],
    words: &[&str],
) {
    let before = refs(bare, env);
    let run = push(env, args, vars);
    assert_ne!(run.code, 0, "the push went through:\n{}", run.stderr);
    assert!(
        run.stderr.contains("pre-receive hook declined"),
        "{}",
        run.stderr
    );
    for w in words {
        assert!(
            run.stderr.contains(w),
            "{w:?} not in what the pusher sees:\n{}",
            run.stderr
        );
    }
    assert!(
        run.stderr
            .contains("remote: rel: push refused, nothing was accepted"),
        "{}",
        run.stderr
    );
    assert_eq!(refs(bare, env), before, "a ref of the remote moved");
}

/// The remote guarded by the hook, and a clone of it.
fn guarded_team() -> (Team, Env) {
    let team = Team::new(&guarded_pipeline());
    team.hook(&hook_script(""));
    let clone = team.clone();
    (team, clone)
}

/// A release frozen in dev and promoted to test, every step pushed by rel.
fn in_test(clone: &Env) -> String {
    let id = frozen_in_dev(clone);
    one_commit(clone, &["promote", &id]);
    id
}

/// The pipeline, the release in test, and a hand edit of its environment
/// to live, committed the next morning with `message`.
fn hand_promotion(clone: &Env, id: &str, message: &str) {
    let path = format!("releases/{id}.toml");
    let text = clone.read(&path);
    let forged = text.replacen("environment = \"test\"", "environment = \"live\"", 1);
    assert_ne!(text, forged);
    clone.write(&path, &forged);
    commit_dated(clone, message, "2026-11-21T09:00:00Z");
}

#[test]
fn rels_own_pushes_pass_the_hook_from_new_to_close() {
    let (team, mut clone) = guarded_team();
    let id = in_test(&clone);
    one_commit(&clone, &["verify", &id, "--passed", "12", "--failed", "0"]);
    one_commit(
        &clone,
        &["approve", &id, "--env", "live", "--role", "client"],
    );
    one_commit(&clone, &["tick", &id, "--env", "live", "1"]);
    clone.now = WED.to_string();
    one_commit(&clone, &["promote", &id]);
    one_commit(&clone, &["tick", &id, "--env", "live", "1"]);
    one_commit(&clone, &["close", &id]);
    // Every write was pushed through the hook: the remote has them all.
    assert_eq!(team.remote_head(), clone.head());
    assert!(
        team.remote_log()[0].starts_with("rel: close"),
        "{:?}",
        team.remote_log()
    );
    // The bare repository audits itself, from -C and from GIT_DIR.
    let bare = team.remote.to_str().expect("utf-8");
    let run = clone.rel(&["-C", bare, "audit"]);
    run.ok();
    assert!(
        run.stdout.contains("commits audited: 0 findings"),
        "{}",
        run.stdout
    );
    let in_clone = clone.rel(&["--json", "audit"]).ok().json();
    let from_env = clone
        .rel_env(&["--json", "audit"], &[("GIT_DIR", bare)])
        .ok()
        .json();
    assert_eq!(in_clone, from_env);
    assert_eq!(from_env["commits"], in_clone["commits"]);
}

#[test]
fn a_hand_edited_promotion_is_refused_with_or_without_trailers() {
    let (team, clone) = guarded_team();
    let id = in_test(&clone);
    let remote = team.remote.clone();
    hand_promotion(
        &clone,
        &id,
        &format!(
            "rel: promote {id} to live\n\nRel-Action: promote\nRel-Release: {id}\nRel-Env: live\n"
        ),
    );
    assert_refused(
        &clone,
        &remote,
        &["origin", "HEAD:master"],
        &[],
        &[
            "remote: rel: the push to master is refused",
            "remote: refused",
            "soak",
            &id,
        ],
    );
    clone.git(&["reset", "-q", "--hard", "origin/master"]);
    hand_promotion(&clone, &id, "move it along");
    assert_refused(
        &clone,
        &remote,
        &["origin", "HEAD:master"],
        &[],
        &["remote: hand-edit", "environment test -> live"],
    );
    // The same commit on another branch is no business of the hook's.
    push(&clone, &["origin", "HEAD:refs/heads/scratch"], &[]).code(0);
    push(&clone, &["origin", "HEAD:refs/tags/scratch"], &[]).code(0);
    assert_eq!(
        team.remote_head(),
        clone.git(&["rev-parse", "origin/master"]).trim()
    );
}

#[test]
fn a_forged_approval_is_refused() {
    let (team, clone) = guarded_team();
    let id = in_test(&clone);
    // Bo (not a client) records the approval with rel as Ana, away from the
    // guarded remote (a copy of it), then rewrites the commit as his own
    // and pushes it to the guarded remote.
    let copy = clone.tmp.path().join("copy.git");
    clone.git(&[
        "clone",
        "-q",
        "--bare",
        team.remote.to_str().expect("utf-8"),
        copy.to_str().expect("utf-8"),
    ]);
    clone.git(&["remote", "set-url", "origin", copy.to_str().expect("utf-8")]);
    one_commit(
        &clone,
        &["approve", &id, "--env", "live", "--role", "client"],
    );
    clone.git(&[
        "remote",
        "set-url",
        "origin",
        team.remote.to_str().expect("utf-8"),
    ]);
    let path = format!("releases/{id}.toml");
    let text = clone
        .read(&path)
        .replace("ana@example.com", "bo@example.com")
        .replace("Ana Smith", "Bo Jones");
    clone.write(&path, &text);
    clone.git(&["add", "-A"]);
    let mut amend = clone.program("git");
    amend
        .args(["commit", "-q", "--amend", "--no-edit", "--reset-author"])
        .env("GIT_AUTHOR_NAME", "Bo Jones")
        .env("GIT_AUTHOR_EMAIL", "bo@example.com")
        .env("GIT_AUTHOR_DATE", crate::common::NOW)
        .env("GIT_COMMITTER_DATE", crate::common::NOW);
    assert!(amend.output().expect("git").status.success());
    assert_refused(
        &clone,
        &team.remote,
        &["origin", "HEAD:master"],
        &[],
        &[
            "remote: refused",
            "Bo Jones <bo@example.com> approve",
            "role: ",
        ],
    );
}

#[test]
fn deleting_the_shared_branch_or_force_pushing_it_is_refused() {
    let (team, clone) = guarded_team();
    let id = in_test(&clone);
    assert_refused(
        &clone,
        &team.remote,
        &["origin", ":master"],
        &[],
        &["deleting master, the release repository's shared branch, is refused"],
    );
    // rel's own last commit, rewritten (same files, new message): not a
    // fast-forward of the remote branch.
    clone.git(&[
        "commit",
        "-q",
        "--amend",
        "-m",
        &format!("rel: promote {id}"),
    ]);
    assert_refused(
        &clone,
        &team.remote,
        &["--force", "origin", "HEAD:master"],
        &[],
        &["is not a fast-forward", "never rewritten"],
    );
    // Another branch may be deleted.
    push(&clone, &["origin", "HEAD:refs/heads/scratch"], &[]).code(0);
    push(&clone, &["origin", ":scratch"], &[]).code(0);
}

#[test]
fn creating_the_shared_branch_audits_every_commit() {
    // Without [sync], the branch the bare repository's HEAD names is guarded.
    let first = Env::with_pipeline(GATED);
    let id = frozen_in_dev(&first);
    let bare = first.tmp.path().join("fresh.git");
    let bare_str = bare.to_str().expect("utf-8").to_string();
    first.git(&["init", "-q", "--bare", &bare_str]);
    install_hook(&bare, "");
    first.git(&["remote", "add", "origin", &bare_str]);
    // A hand edit anywhere in the history refuses the branch's creation.
    let path = format!("releases/{id}.toml");
    let text = first
        .read(&path)
        .replacen("state = \"frozen\"", "state = \"released\"", 1);
    first.write(&path, &text);
    commit_dated(&first, "fix state", "2026-11-20T16:00:00Z");
    one_commit(&first, &["new", "--version", "2.0.0", "--title", "Next"]);
    assert_refused(
        &first,
        &bare,
        &["origin", "HEAD:master"],
        &[],
        &["remote: hand-edit", "state frozen -> released"],
    );
    assert_eq!(refs(&bare, &first), "");
    // Without it, the branch is created.
    first.git(&["reset", "-q", "--hard", "HEAD~2"]);
    push(&first, &["origin", "HEAD:master"], &[]).code(0);
    assert_eq!(
        refs(&bare, &first).trim(),
        format!("refs/heads/master {}", first.head())
    );
}

#[test]
fn a_release_repository_in_a_monorepo_folder_is_found_in_the_bare_tree() {
    let env = Env::empty();
    env.git(&["init", "-q"]);
    env.write("README.md", "the product\n");
    env.write(
        "docs/example/environments.toml",
        "# an example, deeper than the real one\n",
    );
    std::fs::create_dir_all(env.path("ops")).expect("ops");
    env.rel_in("ops", &["init"]).ok();
    env.commit_all("the product");
    let id = env
        .rel_in("ops", &["new", "--version", "1.0.0", "--title", "One"])
        .ok()
        .stdout
        .trim()
        .to_string();
    let bare = env.tmp.path().join("mono.git");
    let bare_str = bare.to_str().expect("utf-8").to_string();
    env.git(&["init", "-q", "--bare", &bare_str]);
    install_hook(&bare, "");
    env.git(&["remote", "add", "origin", &bare_str]);
    push(&env, &["origin", "HEAD:master"], &[]).code(0);
    let run = env.rel(&["-C", &bare_str, "--json", "audit"]);
    run.ok();
    // rel's init and new; the product's commit touches none of ops/.
    assert_eq!(run.json()["commits"], 2, "{}", run.stdout);
    // A hand edit under ops/ is refused; the docs' example is not judged.
    let path = format!("ops/releases/{id}.toml");
    let text = env
        .read(&path)
        .replacen("version = \"1.0.0\"", "version = \"9.0.0\"", 1);
    env.write(&path, &text);
    env.write("docs/example/environments.toml", "# edited\n");
    env.commit_all("bump");
    assert_refused(
        &env,
        &bare,
        &["origin", "HEAD:master"],
        &[],
        &["remote: hand-edit", &id, "version"],
    );
}

#[test]
fn two_release_folders_at_one_depth_need_rel_root() {
    let env = Env::empty();
    env.git(&["init", "-q"]);
    for dir in ["a", "b"] {
        std::fs::create_dir_all(env.path(dir)).expect("dir");
        env.rel_in(dir, &["init"]).ok();
    }
    let bare = env.tmp.path().join("two.git");
    let bare_str = bare.to_str().expect("utf-8").to_string();
    env.git(&["init", "-q", "--bare", &bare_str]);
    env.git(&["push", "-q", &bare_str, "HEAD:master"]);
    let run = env.rel(&["-C", &bare_str, "audit"]);
    run.code(2);
    assert!(
        run.stderr.contains("several folders (a, b)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("git config rel.root"), "{}", run.stderr);
    env.git(&["--git-dir", &bare_str, "config", "rel.root", "b"]);
    let run = env.rel(&["-C", &bare_str, "--json", "audit"]);
    run.ok();
    assert_eq!(run.json()["commits"], 1, "b's init only: {}", run.stdout);
}

#[test]
fn the_hook_outside_git_or_fed_nonsense_refuses() {
    let (team, clone) = guarded_team();
    let mut cmd = clone.cmd(&["audit", "--hook"]);
    cmd.current_dir(&team.remote).env("GIT_DIR", &team.remote);
    let run = fed(cmd, "not what git writes\n");
    run.code(2);
    assert!(
        run.stderr.contains("pre-receive input line 1"),
        "{}",
        run.stderr
    );
    // In a clone (not bare), --hook says what it is for.
    let run = fed(clone.cmd(&["audit", "--hook"]), "");
    run.code(2);
    assert!(
        run.stderr.contains("pre-receive hook in a bare repository"),
        "{}",
        run.stderr
    );
}

/// Runs `cmd` with `input` on its stdin.
fn fed(mut cmd: std::process::Command, input: &str) -> Run {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rel");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("rel");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_sync_branch_is_guarded_and_a_push_cannot_move_the_guard() {
    let env = Env::new();
    let id = env
        .rel(&["new", "--version", "1.0.0", "--title", "One"])
        .ok()
        .stdout
        .trim()
        .to_string();
    let pipeline = env.read("environments.toml");
    env.write(
        "environments.toml",
        &format!("{pipeline}\n[sync]\nremote = \"origin\"\nbranch = \"release\"\n"),
    );
    env.commit_all("share through release");
    let bare = env.tmp.path().join("named.git");
    let bare_str = bare.to_str().expect("utf-8").to_string();
    env.git(&["init", "-q", "--bare", &bare_str]);
    install_hook(&bare, "");
    env.git(&["remote", "add", "origin", &bare_str]);
    push(&env, &["origin", "HEAD:release"], &[]).code(0);
    // A hand edit: refused on `release`, the branch [sync] names; the
    // branch HEAD names (master) is not the release repository's.
    let path = format!("releases/{id}.toml");
    let text = env
        .read(&path)
        .replacen("title = \"One\"", "title = \"Two\"", 1);
    env.write(&path, &text);
    env.commit_all("retitle");
    assert_refused(
        &env,
        &bare,
        &["origin", "HEAD:release"],
        &[],
        &["remote: hand-edit", "title"],
    );
    push(&env, &["origin", "HEAD:master"], &[]).code(0);
    // The same edit with [sync] pointed elsewhere in the same push: the
    // branch as it was still names `release`.
    let moved =
        env.read("environments.toml")
            .replacen("branch = \"release\"", "branch = \"elsewhere\"", 1);
    env.write("environments.toml", &moved);
    env.commit_all("unguard");
    assert_refused(
        &env,
        &bare,
        &["origin", "HEAD:release"],
        &[],
        &["remote: hand-edit", "title"],
    );
}

#[test]
fn a_shared_branch_whose_pipeline_does_not_parse_is_refused_not_guessed() {
    // `release` is the shared branch; its environments.toml stops parsing
    // in a commit pushed before the hook was there.
    let env = Env::with_pipeline(GATED);
    let id = one_commit(&env, &["new", "--version", "1.0.0", "--title", "One"])
        .stdout
        .trim()
        .to_string();
    env.write(
        "environments.toml",
        &format!("{GATED}\n[sync]\nremote = \"origin\"\nbranch = \"release\"\n"),
    );
    env.commit_all("share through release");
    let bare = env.tmp.path().join("broken.git");
    let bare_str = bare.to_str().expect("utf-8").to_string();
    env.git(&["init", "-q", "--bare", &bare_str]);
    env.git(&["remote", "add", "origin", &bare_str]);
    let good = env.read("environments.toml");
    env.write(
        "environments.toml",
        &good.replacen("[[environments]]", "[[environments]\n", 1),
    );
    env.commit_all("a typo");
    push(&env, &["origin", "HEAD:release"], &[]).code(0);
    install_hook(&bare, "");
    // Which branch it guards cannot be told: refused, whatever the push.
    env.write("NOTES.md", "notes\n");
    env.commit_all("notes");
    let before = refs(&bare, &env);
    let run = push(&env, &["origin", "HEAD:release"], &[]);
    assert_ne!(run.code, 0, "the push went through:\n{}", run.stderr);
    for words in [
        "pre-receive hook declined",
        "cannot tell whether the push to release must be audited",
        "environments.toml:",
        "does not parse",
        "nothing was accepted",
        "repair",
    ] {
        assert!(run.stderr.contains(words), "{words:?}:\n{}", run.stderr);
    }
    assert_eq!(refs(&bare, &env), before, "a ref of the remote moved");
    // The hook itself says so with exit 2 (bad input, not a finding).
    push(&env, &["origin", "HEAD:refs/tags/probe"], &[]).code(0);
    let old = env.git(&["rev-parse", "HEAD~1"]);
    let new = env.head();
    let mut hook = env.cmd(&["audit", "--hook"]);
    hook.env("GIT_DIR", &bare)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = hook.spawn().expect("rel");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{} {} refs/heads/release\n", old.trim(), new.trim()).as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("rel");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not parse"));
    assert!(
        refs(&bare, &env).contains(&format!("refs/heads/release {}", old.trim())),
        "release moved"
    );
    // A push that repairs it is read, guards the branch, and is audited:
    // with a hand edit in it, refused; without, accepted.
    env.write("environments.toml", &good);
    env.commit_all("repair the typo");
    let path = format!("releases/{id}.toml");
    let text = env.read(&path);
    env.write(
        &path,
        &text.replacen("title = \"One\"", "title = \"Two\"", 1),
    );
    env.commit_all("retitle");
    assert_refused(
        &env,
        &bare,
        &["origin", "HEAD:release"],
        &[],
        &["remote: hand-edit", "title"],
    );
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);
    push(&env, &["origin", "HEAD:release"], &[]).code(0);
}
