//! Crash safety with `[sync]` (contract sections 1, 6 and 11.7): a `rel`
//! killed while it fast-forwards its clone to the fetched tip, or between
//! its push and moving its own branch, is finished by the next command,
//! which says so; a lock of the user's own git is never removed. The kills
//! are placed with the test hook `REL_TEST_KILL_AT=<step>` (rel sends
//! itself SIGKILL there), and what a git killed mid-checkout adds (its
//! `index.lock`, a file half-written) is added by hand.

use std::process::{Command, Stdio};

use crate::common::releases::new_release_titled;
use crate::common::{Env, Run};
use crate::sync_common::{assert_nothing_written, Team, SHARED};

/// A write in `env` killed at `step`.
fn killed_at(env: &Env, step: &str, version: &str) -> Run {
    let run = env.rel_env(
        &["new", "--version", version, "--title", "T"],
        &[("REL_TEST_KILL_AT", step)],
    );
    assert_eq!(run.code, -1, "not killed at {step}: {}", run.stderr);
    run
}

/// No lock, no journal, and every file in index and work tree as HEAD's.
#[track_caller]
fn assert_nothing_to_mend(env: &Env) {
    for leftover in [
        "index.lock",
        "refs/heads/master.lock",
        "refs/remotes/origin/master.lock",
        "rel-journal",
    ] {
        assert!(
            !env.path(".git").join(leftover).exists(),
            ".git/{leftover} left behind"
        );
    }
    assert_eq!(env.porcelain(), "", "the clone differs from HEAD");
}

/// A team whose clone `b` is two rel commits behind the remote.
fn b_behind() -> (Team, Env, Env) {
    let team = Team::new(SHARED);
    let a = team.clone();
    let b = team.clone();
    new_release_titled(&a, "1.0.0", "T");
    new_release_titled(&a, "1.1.0", "T");
    (team, a, b)
}

/// What a `git` killed while checking the fetched files out leaves on top
/// of a branch already moved: its index lock, and one file half-written.
fn leave_half_checkout(b: &Env) {
    b.write(".git/index.lock", "");
    b.write("releases/R-2026-001.toml", "id = \"R-20");
}

#[test]
fn a_fast_forward_killed_half_way_is_finished_by_the_next_command() {
    let (team, _a, b) = b_behind();
    let tip = team.remote_head();
    killed_at(&b, "fast-forward-moved", "2.0.0");
    // The branch moved, the work tree did not follow.
    assert_eq!(b.head(), tip);
    assert!(!b.porcelain().is_empty());
    leave_half_checkout(&b);
    let run = b.rel(&["status"]);
    run.ok();
    assert!(
        run.stderr.contains("repaired what an interrupted rel left")
            && run.stderr.contains("removed .git/index.lock")
            && run.stderr.contains(&format!(
                "finished the fast-forward to {}: brought 2 files",
                &tip[..10]
            )),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("repaired").count(), 1, "{}", run.stderr);
    assert!(run.stdout.contains("R-2026-002"), "{}", run.stdout);
    assert_nothing_to_mend(&b);
    // Said once, and the next write goes through.
    assert!(!b.rel(&["status"]).stderr.contains("repaired"));
    let id = new_release_titled(&b, "2.0.0", "T");
    assert_eq!(id, "R-2026-003");
    assert_eq!(team.remote_log()[0], format!("rel: new {id}"));
    assert_nothing_to_mend(&b);
}

#[test]
fn a_write_repairs_it_too_before_it_fetches() {
    let (team, _a, b) = b_behind();
    killed_at(&b, "fast-forward-moved", "2.0.0");
    leave_half_checkout(&b);
    let run = b.rel(&["new", "--version", "2.0.0", "--title", "T"]);
    run.ok();
    assert!(
        run.stderr.contains("finished the fast-forward"),
        "{}",
        run.stderr
    );
    assert_eq!(team.remote_log()[0], "rel: new R-2026-003");
    assert_nothing_to_mend(&b);
}

#[test]
fn a_kill_before_the_branch_moved_leaves_the_clone_as_it_was() {
    let (team, _a, b) = b_behind();
    let before = b.head();
    killed_at(&b, "fast-forward-journal", "2.0.0");
    assert_eq!(b.head(), before);
    assert!(b.path(".git/rel-journal").exists());
    let run = b.rel(&["status"]);
    run.ok();
    assert!(
        run.stderr.contains("nothing was left half-done"),
        "{}",
        run.stderr
    );
    assert_eq!(b.head(), before);
    assert_nothing_to_mend(&b);
    new_release_titled(&b, "2.0.0", "T");
    assert_eq!(team.remote_log()[0], "rel: new R-2026-003");
}

#[test]
fn a_shared_write_killed_after_its_push_is_landed_by_the_next_command() {
    let team = Team::new(SHARED);
    let a = team.clone();
    // The remote has the commit (pushed first); the local branch took it,
    // its files did not follow.
    killed_at(&a, "commit-moved", "1.0.0");
    assert_eq!(a.head(), team.remote_head());
    assert_eq!(team.remote_log()[0], "rel: new R-2026-001");
    let run = a.rel(&["list"]);
    run.ok();
    assert!(
        run.stderr
            .contains("brought 1 of rel's file in the work tree"),
        "{}",
        run.stderr
    );
    assert_nothing_to_mend(&a);
}

#[test]
fn a_users_own_index_lock_is_not_removed() {
    let (team, _a, b) = b_behind();
    // No journal: the lock is another git's (running, or crashed).
    b.write(".git/index.lock", "");
    let remote = team.remote_head();
    assert_nothing_written(&b, || {
        let run = b.rel(&["new", "--version", "2.0.0", "--title", "T"]);
        run.code(3);
        assert!(
            run.stderr.contains("git's index is locked")
                && run.stderr.contains("index.lock")
                && run.stderr.contains("nothing was written"),
            "{}",
            run.stderr
        );
        let run = b.rel(&["status"]);
        run.ok();
        assert!(!run.stderr.contains("repaired"), "{}", run.stderr);
    });
    assert!(b.path(".git/index.lock").exists());
    assert_eq!(team.remote_head(), remote);
}

#[test]
fn a_lock_older_than_the_journal_is_not_rels_and_is_refused() {
    let (_team, _a, b) = b_behind();
    killed_at(&b, "fast-forward-moved", "2.0.0");
    b.write(".git/index.lock", "");
    let touched = b
        .program("touch")
        .args(["-d", "2020-01-01T00:00:00Z"])
        .arg(b.path(".git/index.lock"))
        .status()
        .expect("touch");
    assert!(touched.success());
    let run = b.rel(&["status"]);
    run.code(3);
    assert!(
        run.stderr.contains("not by the rel that was interrupted"),
        "{}",
        run.stderr
    );
    assert!(b.path(".git/index.lock").exists());
    assert!(b.path(".git/rel-journal").exists());
    // Once its owner is gone (here: removed by hand), the repair finishes.
    std::fs::remove_file(b.path(".git/index.lock")).expect("rm");
    let run = b.rel(&["status"]);
    run.ok();
    assert!(
        run.stderr.contains("finished the fast-forward"),
        "{}",
        run.stderr
    );
    assert_nothing_to_mend(&b);
}

#[test]
fn a_lock_a_live_process_holds_open_is_not_removed() {
    let (_team, _a, b) = b_behind();
    killed_at(&b, "fast-forward-moved", "2.0.0");
    // A process that started after the kill and holds git's index lock
    // open, as a running git does.
    b.write(".git/index.lock", "");
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(b.path(".git/index.lock"))
        .expect("open lock");
    let mut holder = Command::new("sleep")
        .arg("60")
        .stdin(Stdio::null())
        .stdout(file)
        .spawn()
        .expect("sleep");
    let run = b.rel(&["status"]);
    let _ = holder.kill();
    let _ = holder.wait();
    run.code(3);
    assert!(
        run.stderr
            .contains(&format!("held by a running process (pid {})", holder.id())),
        "{}",
        run.stderr
    );
    assert!(b.path(".git/index.lock").exists());
    let run = b.rel(&["status"]);
    run.ok();
    assert!(
        run.stderr.contains("removed .git/index.lock"),
        "{}",
        run.stderr
    );
    assert_nothing_to_mend(&b);
}

/// A team sharing a file of its own code beside rel's files.
fn team_with_code() -> (Team, Env, Env) {
    let team = Team::new(SHARED);
    let a = team.clone();
    a.write("code.txt", "one\n");
    a.write("notes.txt", "mine\n");
    a.commit_all("code");
    a.git(&["push", "-q", "origin", "HEAD:master"]);
    let b = team.clone();
    a.write("code.txt", "two\n");
    a.write("added.txt", "new\n");
    a.commit_all("more code");
    a.git(&["push", "-q", "origin", "HEAD:master"]);
    (team, a, b)
}

#[test]
fn a_local_edit_in_the_way_of_the_fast_forward_is_exit_3_and_nothing_is_written() {
    let (team, _a, b) = team_with_code();
    b.write("code.txt", "my edit\n");
    let remote = team.remote_head();
    assert_nothing_written(&b, || {
        let run = b.rel(&["new", "--version", "1.0.0", "--title", "T"]);
        run.code(3);
        assert!(
            run.stderr
                .contains("local edits in the way: code.txt; nothing was written"),
            "{}",
            run.stderr
        );
    });
    // An untracked file where the fetched commits add one is in the way too.
    b.git(&["checkout", "-q", "--", "code.txt"]);
    b.write("added.txt", "mine too\n");
    assert_nothing_written(&b, || {
        let run = b.rel(&["new", "--version", "1.0.0", "--title", "T"]);
        run.code(3);
        assert!(
            run.stderr.contains("local edits in the way: added.txt"),
            "{}",
            run.stderr
        );
    });
    assert_eq!(team.remote_head(), remote);
    assert!(!b.path(".git/rel-journal").exists());
}

#[test]
fn the_fast_forward_brings_the_users_files_and_leaves_their_other_edits() {
    let (team, _a, b) = team_with_code();
    // An edit to a file the fetched commits do not change stays.
    b.write("notes.txt", "my own edit\n");
    new_release_titled(&b, "1.0.0", "T");
    assert_eq!(team.remote_log()[0], "rel: new R-2026-001");
    assert_eq!(b.read("code.txt"), "two\n");
    assert_eq!(b.read("added.txt"), "new\n");
    assert_eq!(b.read("notes.txt"), "my own edit\n");
    assert_eq!(b.porcelain(), " M notes.txt\n");
}
