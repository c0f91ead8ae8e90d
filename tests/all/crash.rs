//! Crash safety: a write killed (SIGKILL) at any instant leaves the branch
//! at a complete commit or the old one, and the next `rel` command finds
//! rel's files in the index and work tree equal to HEAD's, no temporary
//! files and no lock left by rel, repairing what the killed one left.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::Env;
use crate::promotion::SIMPLE;

/// A small deterministic generator: the kill instants differ from one
/// attempt to the next but the test is repeatable.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// The branch checked out, e.g. `refs/heads/master`.
fn branch(env: &Env) -> String {
    env.git(&["symbolic-ref", "HEAD"]).trim().to_string()
}

/// What a killed write may leave that nobody should have to mend.
fn assert_nothing_to_mend(env: &Env, attempt: usize) {
    let git = env.path(".git");
    let branch_lock = format!("{}.lock", branch(env));
    for leftover in ["index.lock", branch_lock.as_str(), "rel-journal"] {
        assert!(
            !git.join(leftover).exists(),
            "attempt {attempt}: .git/{leftover} left behind"
        );
    }
    assert_eq!(
        env.porcelain(),
        "",
        "attempt {attempt}: rel's files differ from HEAD"
    );
}

fn kill_writes(env: &Env, writes: &[Vec<String>], seed: u64) -> usize {
    // How long one write takes here, to spread the kills over it.
    let started = Instant::now();
    env.rel(&["incident", "new", "WARM-UP", "--title", "T"])
        .ok();
    let span = started.elapsed().as_micros().max(1000) as u64 * 3 / 2;
    let mut rng = Lcg(seed);
    let mut repaired = 0;
    for (attempt, args) in writes.iter().enumerate() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut cmd = env.cmd(&args);
        // rel alone is killed; a git it started dies with it (it asks the
        // kernel so), as under a kill of the whole process group.
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn rel");
        std::thread::sleep(Duration::from_micros(rng.next() % span));
        let _ = child.kill();
        let _ = child.wait();
        let next = env.rel(&["status"]);
        next.ok();
        if next.stderr.contains("repaired") {
            repaired += 1;
        }
        assert_nothing_to_mend(env, attempt);
    }
    repaired
}

fn fsck_clean(env: &Env) {
    let out = env
        .program("git")
        .args(["fsck", "--no-dangling", "--no-progress"])
        .output()
        .expect("git fsck");
    assert!(
        out.status.success(),
        "git fsck: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn writes_killed_at_random_instants_leave_nothing_to_mend() {
    let env = Env::with_pipeline(SIMPLE);
    let mut writes = Vec::new();
    for i in 0..30 {
        writes.push(vec![
            "incident".to_string(),
            "new".into(),
            format!("INC-{i}"),
            "--title".into(),
            format!("Change {i}"),
        ]);
        writes.push(vec![
            "new".to_string(),
            "--version".into(),
            format!("1.{i}.0"),
            "--title".into(),
            "T".into(),
        ]);
    }
    let repaired = kill_writes(&env, &writes, 7);
    fsck_clean(&env);
    // Every write either landed whole or not at all.
    let log = env.git(&["log", "--format=%s"]);
    for line in log.lines().filter(|l| l.starts_with("rel: ")) {
        assert!(
            line.starts_with("rel: incident-new ")
                || line.starts_with("rel: new ")
                || line.starts_with("rel: init"),
            "{line}"
        );
    }
    eprintln!(
        "{} kills, {repaired} repaired by the next command",
        writes.len()
    );
}

/// A repository whose last write (`rel new` of R-2026-001) was killed
/// after moving the branch and before checking out: its journal left, the
/// work tree and index behind HEAD. Made by hand, so no test depends on
/// timing.
fn killed_before_the_checkout() -> Env {
    let env = Env::with_pipeline(SIMPLE);
    env.rel(&["new", "--version", "1.0.0", "--title", "T"]).ok();
    let head = env.head();
    std::fs::remove_file(env.path("releases/R-2026-001.toml")).unwrap();
    env.git(&["rm", "-q", "--cached", "releases/R-2026-001.toml"]);
    env.write(
        ".git/rel-journal",
        &format!(
            "{{\"branch\":\"{}\",\"old\":null,\"new\":\"{head}\",\"paths\":[\"releases/R-2026-001.toml\"]}}",
            branch(&env)
        ),
    );
    env
}

#[test]
fn a_journal_left_behind_is_finished_by_the_next_command_and_said() {
    // A write killed after moving the branch but before checking out:
    // made by hand here, so the test does not depend on timing.
    let env = killed_before_the_checkout();
    env.write(".git/index.lock", "");
    let run = env.rel(&["list"]);
    run.ok();
    assert!(
        run.stderr.contains("repaired what an interrupted rel left")
            && run.stderr.contains("index.lock"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("R-2026-001"), "{}", run.stdout);
    assert_nothing_to_mend(&env, 0);
    // Said once: the next command has nothing to repair.
    let run = env.rel(&["list"]);
    assert!(!run.stderr.contains("repaired"), "{}", run.stderr);
}

#[test]
fn a_write_that_refuses_after_the_repair_still_says_what_was_repaired() {
    // The repair happens when the write opens the repository; the write is
    // then refused (environments.toml has uncommitted edits). The repair
    // is done and must be said, before the refusal.
    let env = killed_before_the_checkout();
    let head = env.head();
    let pipeline = env.read("environments.toml");
    env.write("environments.toml", &format!("{pipeline}\n# edited\n"));
    let run = env.rel(&["new", "--version", "2.0.0", "--title", "Other"]);
    run.code(3);
    let repaired = run
        .stderr
        .find("rel: repaired what an interrupted rel left")
        .unwrap_or_else(|| panic!("{}", run.stderr));
    let refused = run
        .stderr
        .find("uncommitted edits to environments.toml")
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(repaired < refused, "{}", run.stderr);
    assert!(env.path("releases/R-2026-001.toml").is_file());
    assert!(!env.path(".git/rel-journal").exists());
    assert_eq!(env.head(), head, "the refused write commits nothing");
}

#[test]
fn an_old_index_lock_is_not_rels_to_remove() {
    let env = Env::with_pipeline(SIMPLE);
    env.write(".git/index.lock", "");
    let run = env.rel(&["list"]);
    run.ok();
    assert!(env.path(".git/index.lock").exists());
    let run = env.rel(&["new", "--version", "1.0.0", "--title", "T"]);
    run.code(3);
    assert!(run.stderr.contains("index.lock"), "{}", run.stderr);
}

/// A cancel killed before its checkout, in a sparse checkout that leaves
/// the archive out: the repair checks out as the write would have, so the
/// archived manifest stays out of the work tree.
#[test]
fn a_repair_in_a_sparse_checkout_keeps_the_archive_out() {
    let env = Env::with_pipeline(SIMPLE);
    env.rel(&["new", "--version", "1.0.0", "--title", "T"]).ok();
    env.rel(&["cancel", "R-2026-001", "--reason", "no"]).ok();
    env.git(&[
        "sparse-checkout",
        "set",
        "--cone",
        "--sparse-index",
        "releases/incidents",
    ]);
    env.rel(&["new", "--version", "2.0.0", "--title", "T"]).ok();
    let old = env.head();
    env.rel(&["cancel", "R-2026-002", "--reason", "no"]).ok();
    let new = env.head();
    // Killed after moving the branch: the index and work tree at `old`.
    env.git(&["read-tree", "-m", "-u", &new, &old]);
    assert!(env.path("releases/R-2026-002.toml").exists());
    env.write(
        ".git/rel-journal",
        &format!(
            "{{\"branch\":\"{}\",\"old\":\"{old}\",\"new\":\"{new}\",\"paths\":[\
             \"releases/R-2026-002.toml\",\"releases/archive/2026/R-2026-002.toml\"]}}",
            branch(&env)
        ),
    );
    let run = env.rel(&["list"]);
    run.ok();
    assert!(run.stderr.contains("repaired"), "{}", run.stderr);
    assert_eq!(env.porcelain(), "");
    assert!(!env.path("releases/R-2026-002.toml").exists());
    assert!(!env.path("releases/archive").exists());
    let archived = env.git(&["ls-files", "-t", "--sparse", "releases/archive"]);
    assert!(
        !archived.is_empty() && archived.lines().all(|l| l.starts_with("S ")),
        "{archived}"
    );
}
