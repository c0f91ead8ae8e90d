//! The foundation's git handling: one commit per change holding only rel's
//! files, the user's own changes left alone, conflicts (exit 3), the lock,
//! identity, dry runs and broken pipes.

use std::process::Stdio;

use crate::common::{Env, ACTOR};

const NEW: [&str; 5] = ["new", "--version", "1.4.0", "--title", "Billing fixes"];

#[test]
fn a_commit_has_the_action_subject_trailers_and_the_actor() {
    let env = Env::new();
    env.rel(&NEW).ok();
    let message = env.last_message();
    let lines: Vec<&str> = message.lines().collect();
    assert_eq!(lines[0], "rel: new R-2026-001");
    for trailer in [
        "Rel-Action: new",
        "Rel-Release: R-2026-001",
        "Rel-Env: development",
    ] {
        assert!(lines.contains(&trailer), "{trailer} missing:\n{message}");
    }
    let who = env.git(&["log", "-1", "--format=%an <%ae>|%cn <%ce>|%aI"]);
    assert_eq!(
        who.trim(),
        format!("{ACTOR}|{ACTOR}|2026-11-20T15:00:00Z"),
        "authored and committed by the actor at REL_NOW"
    );
    assert_eq!(env.last_commit_files(), ["releases/R-2026-001.toml"]);
    assert_eq!(env.porcelain(), "", "the index matches the new commit");
}

#[test]
fn only_rels_files_are_committed_and_the_users_changes_survive() {
    let env = Env::new();
    env.write("app/main.rs", "fn main() {}\n");
    env.write("app/lib.rs", "pub fn a() {}\n");
    env.git(&["add", "app"]);
    env.git(&["commit", "-q", "-m", "app"]);
    // Staged, then changed again: the index and the work tree differ.
    env.write("app/main.rs", "fn main() { staged(); }\n");
    env.git(&["add", "app/main.rs"]);
    env.write("app/main.rs", "fn main() { staged(); unstaged(); }\n");
    // Modified, not staged; a new staged file; an untracked file.
    env.write("app/lib.rs", "pub fn a() { changed() }\n");
    env.write("NEWS.md", "staged news\n");
    env.git(&["add", "NEWS.md"]);
    env.write("scratch.txt", "untracked\n");
    let status = env.porcelain();
    let cached = env.git(&["diff", "--cached"]);
    let unstaged = env.git(&["diff"]);
    assert_eq!(
        status,
        "A  NEWS.md\n M app/lib.rs\nMM app/main.rs\n?? scratch.txt\n"
    );

    env.rel(&NEW).ok();

    assert_eq!(env.last_commit_files(), ["releases/R-2026-001.toml"]);
    assert_eq!(env.porcelain(), status);
    assert_eq!(env.git(&["diff", "--cached"]), cached);
    assert_eq!(env.git(&["diff"]), unstaged);
    assert_eq!(
        env.read("app/main.rs"),
        "fn main() { staged(); unstaged(); }\n"
    );
    assert_eq!(env.read("scratch.txt"), "untracked\n");
    // The commit's tree is HEAD's plus the release, not the index.
    let tree = env.git(&["show", "HEAD:app/main.rs"]);
    assert_eq!(tree, "fn main() {}\n");
    assert!(env.git(&["ls-tree", "HEAD", "NEWS.md"]).is_empty());
}

/// A release committed, then its manifest deleted or changed without a commit.
fn committed_release(env: &Env) {
    env.rel(&["new", "--version", "1.0.0", "--title", "X", "--id", "X"])
        .ok();
}

#[test]
fn an_uncommitted_deletion_of_a_manifest_does_not_free_its_id() {
    // rel decides on the committed state: X still exists there.
    let env = Env::new();
    committed_release(&env);
    std::fs::remove_file(env.path("releases/X.toml")).unwrap();
    env.assert_unchanged(|| {
        let run = env.rel(&["new", "--version", "2.0.0", "--title", "Y", "--id", "X"]);
        run.code(2);
        assert!(run.stderr.contains("already exists"), "{}", run.stderr);
        assert_eq!(run.stdout, "");
    });
    assert_eq!(env.commit_count(), 2);
}

#[test]
fn a_staged_deletion_of_a_manifest_does_not_free_its_id() {
    let env = Env::new();
    committed_release(&env);
    env.git(&["rm", "-q", "releases/X.toml"]);
    env.assert_unchanged(|| {
        let run = env.rel(&["new", "--version", "2.0.0", "--title", "Y", "--id", "X"]);
        run.code(2);
        assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    });
    assert_eq!(env.porcelain(), "D  releases/X.toml\n");
}

#[test]
fn a_staged_manifest_missing_from_the_work_tree_exits_3() {
    let env = Env::new();
    env.write("releases/Y.toml", "staged by hand\n");
    env.git(&["add", "releases/Y.toml"]);
    std::fs::remove_file(env.path("releases/Y.toml")).unwrap();
    env.assert_unchanged(|| {
        let run = env.rel(&["new", "--version", "2.0.0", "--title", "Y", "--id", "Y"]);
        run.code(3);
        assert!(run.stderr.contains("releases/Y.toml"), "{}", run.stderr);
    });
}

#[test]
fn hand_edits_to_a_manifest_a_command_rewrites_exit_3_staged_or_not() {
    let env = Env::new();
    env.rel(&["new", "--version", "1.1.0", "--title", "Minor"])
        .ok();
    let manifest = "releases/R-2026-001.toml";
    let edited = env.read(manifest).replace("Minor", "Edited by hand");
    env.write(manifest, &edited);
    // `rel promote` rewrites the manifest (development -> uat needs nothing).
    for stage in [false, true] {
        if stage {
            env.git(&["add", manifest]);
        }
        env.assert_unchanged(|| {
            let run = env.rel(&["promote", "R-2026-001"]);
            run.code(3);
            assert!(run.stderr.contains(manifest), "{}", run.stderr);
            let run = env.rel(&["--dry-run", "promote", "R-2026-001"]);
            run.code(3);
        });
    }
    assert_eq!(env.commit_count(), 2);
    env.git(&["checkout", "-q", "HEAD", "--", manifest]);
    env.rel(&["promote", "R-2026-001"]).ok();
    assert_eq!(env.last_commit_files(), [manifest]);
}

#[test]
fn a_merge_in_progress_exits_3() {
    let env = Env::new();
    let head = env.head();
    // How git records a merge that stopped on conflicts.
    env.write(".git/MERGE_HEAD", &format!("{head}\n"));
    env.assert_unchanged(|| {
        let run = env.rel(&NEW);
        run.code(3);
        assert!(run.stderr.contains("merge"), "{}", run.stderr);
    });
}

#[test]
fn an_untracked_file_at_the_new_manifest_path_is_not_overwritten() {
    let env = Env::new();
    env.write("releases/X.toml", "my notes, not a manifest\n");
    env.assert_unchanged(|| {
        let run = env.rel(&["new", "--version", "2.0.0", "--title", "X", "--id", "X"]);
        run.code(3);
        assert!(run.stderr.contains("releases/X.toml"), "{}", run.stderr);
    });
}

#[test]
fn a_detached_head_exits_3() {
    let env = Env::new();
    env.git(&["checkout", "-q", "--detach"]);
    env.assert_unchanged(|| {
        let run = env.rel(&NEW);
        run.code(3);
        assert!(run.stderr.contains("detached"), "{}", run.stderr);
    });
}

#[test]
fn a_held_lock_makes_a_writer_wait_then_exit_3() {
    let env = Env::new();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(env.path(".git/rel.lock"))
        .unwrap();
    lock.lock().unwrap();
    env.assert_unchanged(|| {
        let started = std::time::Instant::now();
        let run = env.rel_env(&NEW, &[("REL_LOCK_TIMEOUT", "0.5")]);
        run.code(3);
        assert!(run.stderr.contains("lock"), "{}", run.stderr);
        assert!(started.elapsed() >= std::time::Duration::from_millis(500));
    });
    // Readers do not need the lock.
    env.rel(&["status"]).ok();
    drop(lock);
    env.rel(&NEW).ok();
}

/// Runs eight `rel new` at once; returns their exit codes and ids.
fn eight_at_once(env: &Env, lock_timeout: &str) -> Vec<(i32, String)> {
    let children: Vec<_> = (1..=8)
        .map(|n| {
            let version = format!("1.0.{n}");
            let title = format!("Concurrent {n}");
            let mut cmd = env.cmd(&["new", "--version", &version, "--title", &title]);
            cmd.env("REL_LOCK_TIMEOUT", lock_timeout)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            cmd.spawn().expect("spawn rel")
        })
        .collect();
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().expect("wait");
            let code = out.status.code().unwrap_or(-1);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(code == 0 || code == 3, "exit {code}: {stderr}");
            if code == 3 {
                assert!(stderr.contains("lock"), "{stderr}");
            }
            (
                code,
                String::from_utf8_lossy(&out.stdout).trim().to_string(),
            )
        })
        .collect()
}

fn assert_every_success_committed(env: &Env, results: &[(i32, String)], before: usize) {
    let mut ids: Vec<&str> = results
        .iter()
        .filter(|(c, _)| *c == 0)
        .map(|(_, id)| id.as_str())
        .collect();
    ids.sort();
    ids.dedup();
    let successes = results.iter().filter(|(c, _)| *c == 0).count();
    assert_eq!(ids.len(), successes, "distinct ids: {results:?}");
    assert_eq!(env.commit_count(), before + successes);
    let committed = env.git(&["ls-tree", "--name-only", "HEAD", "releases/"]);
    for id in &ids {
        assert!(committed.contains(&format!("releases/{id}.toml")), "{id}");
    }
    let listed = env.rel(&["--json", "list"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), successes);
    env.git(&["fsck", "--strict", "--no-progress"]);
    assert_eq!(env.porcelain(), "");
}

#[test]
fn eight_concurrent_writers_never_interleave() {
    let env = Env::new();
    let results = eight_at_once(&env, "120");
    assert!(
        results.iter().all(|(c, _)| *c == 0),
        "with a long wait every writer succeeds: {results:?}"
    );
    assert_every_success_committed(&env, &results, 1);
}

#[test]
fn eight_concurrent_writers_without_waiting_succeed_or_exit_3() {
    let env = Env::new();
    let results = eight_at_once(&env, "0");
    // Whoever makes the others give up holds the lock and commits.
    assert!(results.iter().any(|(c, _)| *c == 0), "{results:?}");
    assert_every_success_committed(&env, &results, 1);
}

#[test]
fn dry_run_prints_the_change_and_writes_nothing() {
    let env = Env::new();
    env.assert_unchanged(|| {
        let run = env.rel(&["--dry-run", "new", "--version", "1.4.0", "--title", "T"]);
        run.ok();
        assert_eq!(run.stdout.trim(), "R-2026-001");
        assert!(
            run.stderr.contains("releases/R-2026-001.toml"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("rel: new R-2026-001"), "{}", run.stderr);
    });
    assert_eq!(env.commit_count(), 1);
}

#[test]
fn dry_run_reports_the_conflict_the_real_run_would_meet() {
    let env = Env::new();
    env.write("releases/X.toml", "my notes, not a manifest\n");
    env.assert_unchanged(|| {
        let args = [
            "--dry-run",
            "new",
            "--version",
            "2.0.0",
            "--title",
            "Y",
            "--id",
            "X",
        ];
        let run = env.rel(&args);
        run.code(3);
        assert!(run.stderr.contains("releases/X.toml"), "{}", run.stderr);
    });
}

#[test]
fn without_an_identity_a_writer_exits_2_saying_how_to_set_one() {
    let mut env = Env::new();
    env.actor = None;
    env.assert_unchanged(|| {
        let run = env.rel(&NEW);
        run.code(2);
        assert!(run.stderr.contains("REL_ACTOR"), "{}", run.stderr);
        assert!(run.stderr.contains("user.email"), "{}", run.stderr);
    });
    // Reading needs no identity.
    env.rel(&["status"]).ok();

    env.git(&["config", "user.name", "Bo Local"]);
    env.git(&["config", "user.email", "bo@example.com"]);
    env.rel(&NEW).ok();
    let author = env.git(&["log", "-1", "--format=%an <%ae>"]);
    assert_eq!(author.trim(), "Bo Local <bo@example.com>");
    let v = env.rel(&["--json", "show", "R-2026-001"]).ok().json();
    assert_eq!(v["history"][0]["by"], "Bo Local <bo@example.com>");

    // REL_ACTOR wins over git's configuration.
    env.actor = Some("Cy Override <cy@example.com>".into());
    env.rel(&NEW).ok();
    let author = env.git(&["log", "-1", "--format=%an <%ae>"]);
    assert_eq!(author.trim(), "Cy Override <cy@example.com>");
}

#[test]
fn a_malformed_rel_actor_exits_2() {
    let mut env = Env::new();
    env.actor = Some("nobody".into());
    env.assert_unchanged(|| {
        let run = env.rel(&NEW);
        run.code(2);
        assert!(run.stderr.contains("REL_ACTOR"), "{}", run.stderr);
    });
}

/// Many releases committed by hand, so that `rel list` prints well over a
/// pipe buffer (64 KiB).
fn many_releases(env: &Env, count: usize) {
    env.rel(&NEW).ok();
    let template = env.read("releases/R-2026-001.toml");
    for n in 2..=count {
        let id = format!("R-2026-{n:04}");
        env.write(
            &format!("releases/{id}.toml"),
            &template.replace("R-2026-001", &id),
        );
    }
    env.git(&["add", "releases"]);
    env.git(&["commit", "-q", "-m", "many releases"]);
}

#[test]
fn a_reader_that_closes_the_pipe_early_is_not_an_error() {
    let env = Env::new();
    many_releases(&env, 1500);
    for args in [&["list"][..], &["--json", "list"], &["--json", "status"]] {
        let mut cmd = env.cmd(args);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn rel");
        // Close the reading end before rel has written: every write fails.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn closed_stdout_and_stderr_do_not_turn_done_work_into_a_failure() {
    let env = Env::new();
    // As in `id=$(rel new ... 2>&1 | head -0)`: the reader is gone before
    // rel reports the commit on stderr and prints the id on stdout.
    for args in [
        &NEW[..],
        &["--dry-run", "new", "--version", "2.0.0", "--title", "T"],
        &["list", "--state", "cancelled"],
        &["status"],
    ] {
        let mut cmd = env.cmd(args);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn rel");
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(0), "{args:?}");
    }
    assert_eq!(env.commit_count(), 2);
    assert_eq!(env.last_commit_files(), ["releases/R-2026-001.toml"]);
}

#[test]
fn a_staged_edit_undone_in_the_work_tree_still_exits_3() {
    let env = Env::new();
    env.rel(&["new", "--version", "1.1.0", "--title", "Minor"])
        .ok();
    let manifest = "releases/R-2026-001.toml";
    let committed = env.read(manifest);
    env.write(manifest, &committed.replace("Minor", "Staged by hand"));
    env.git(&["add", manifest]);
    // The work tree is HEAD's again; the index still holds the edit.
    env.write(manifest, &committed);
    env.assert_unchanged(|| {
        let run = env.rel(&["promote", "R-2026-001"]);
        run.code(3);
        assert!(run.stderr.contains(manifest), "{}", run.stderr);
    });
}

#[test]
fn a_staged_pipeline_edit_undone_in_the_work_tree_still_exits_3() {
    let env = Env::new();
    let committed = env.read("environments.toml");
    env.write(
        "environments.toml",
        &format!("{committed}\n# staged by hand\n"),
    );
    env.git(&["add", "environments.toml"]);
    env.write("environments.toml", &committed);
    env.assert_unchanged(|| {
        let run = env.rel(&["new", "--version", "1.1.0", "--title", "Minor"]);
        run.code(3);
        assert!(run.stderr.contains("environments.toml"), "{}", run.stderr);
    });
}
