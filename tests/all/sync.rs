//! Team use over a git remote (contract section 6): many clones, one truth,
//! no lost update. Bare remotes on the local file system, no network.

use std::collections::BTreeSet;
use std::process::Child;

use crate::common::releases::new_release_titled;
use crate::common::{Env, Run};
use crate::sync_common::{assert_nothing_written, Team, SHARED};

fn spawn(env: &Env, args: &[&str]) -> Child {
    env.cmd(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn rel")
}

fn finish(child: Child) -> Run {
    let out = child.wait_with_output().expect("wait rel");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_write_lands_on_the_remote_and_another_clone_reads_it_after_sync() {
    let team = Team::new(SHARED);
    let a = team.clone();
    let b = team.clone();
    let id = new_release_titled(&a, "1.0.0", "T");
    assert_eq!(team.remote_log()[0], format!("rel: new {id}"));
    assert_eq!(a.head(), team.remote_head());
    assert_eq!(a.porcelain(), "");
    // Reading never uses the network: b sees it after `rel sync`.
    b.rel(&["show", &id]).code(2);
    let run = b.rel(&["sync"]);
    run.ok();
    assert!(run.stdout.contains("fast-forwarded"), "{}", run.stdout);
    b.rel(&["show", &id]).ok();
    assert_eq!(
        b.rel(&["sync"]).ok().stdout.trim(),
        "master is up to date with origin/master"
    );
}

#[test]
fn a_clone_behind_is_fast_forwarded_then_writes() {
    let team = Team::new(SHARED);
    let a = team.clone();
    let b = team.clone();
    let first = new_release_titled(&a, "1.0.0", "T");
    // b has not synced: its write fetches, fast-forwards, then decides.
    let second = new_release_titled(&b, "1.1.0", "T");
    assert_ne!(first, second, "ids decided on the shared tip");
    let log = team.remote_log();
    assert_eq!(log[0], format!("rel: new {second}"));
    assert_eq!(log[1], format!("rel: new {first}"));
    assert!(b.path(&format!("releases/{first}.toml")).exists());
    assert_eq!(b.porcelain(), "");
}

#[test]
fn a_clone_with_unpushed_commits_is_refused_and_nothing_is_written() {
    let team = Team::new(SHARED);
    let a = team.clone();
    a.write("notes.txt", "mine\n");
    a.commit_all("my own unpushed work");
    let remote_before = team.remote_head();
    assert_nothing_written(&a, || {
        let run = a.rel(&["new", "--version", "1.0.0", "--title", "T"]);
        run.code(3);
        assert!(
            run.stderr.contains("1 commit") && run.stderr.contains("push or rebase"),
            "{}",
            run.stderr
        );
        let run = a.rel(&["sync"]);
        run.code(3);
    });
    assert_eq!(team.remote_head(), remote_before);
}

#[test]
fn diverged_branches_are_refused_with_the_way_out() {
    let team = Team::new(SHARED);
    let a = team.clone();
    let b = team.clone();
    new_release_titled(&a, "1.0.0", "T");
    b.write("notes.txt", "mine\n");
    b.commit_all("local work");
    assert_nothing_written(&b, || {
        let run = b.rel(&["sync"]);
        run.code(3);
        assert!(
            run.stderr.contains("diverged") && run.stderr.contains("git pull --rebase"),
            "{}",
            run.stderr
        );
    });
}

#[test]
fn an_unreachable_remote_is_exit_3_and_nothing_is_written() {
    let team = Team::new(SHARED);
    let a = team.clone();
    new_release_titled(&a, "1.0.0", "T");
    a.git(&["remote", "set-url", "origin", "/nonexistent/remote.git"]);
    assert_nothing_written(&a, || {
        let run = a.rel(&["new", "--version", "2.0.0", "--title", "T"]);
        run.code(3);
        assert!(
            run.stderr.contains("cannot fetch origin/master"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("offline"), "{}", run.stderr);
    });
    // Reading works offline.
    a.rel(&["list"]).ok();
}

#[test]
fn a_remote_hook_that_rejects_leaves_nothing_behind() {
    let team = Team::new(SHARED);
    let a = team.clone();
    team.hook("echo 'releases are frozen by the change board' >&2; exit 1");
    let remote_before = team.remote_head();
    assert_nothing_written(&a, || {
        let run = a.rel(&["new", "--version", "1.0.0", "--title", "T"]);
        run.code(3);
        assert!(
            run.stderr
                .contains("releases are frozen by the change board"),
            "{}",
            run.stderr
        );
        assert!(
            !run.stdout.contains("R-"),
            "no success reported: {}",
            run.stdout
        );
    });
    assert_eq!(team.remote_head(), remote_before);
    assert_eq!(a.porcelain(), "");
}

#[test]
fn a_clone_with_uncommitted_rel_edits_is_refused() {
    let team = Team::new(SHARED);
    let a = team.clone();
    a.write(
        "environments.toml",
        &SHARED.replace("retries = 8", "retries = 2"),
    );
    let remote_before = team.remote_head();
    assert_nothing_written(&a, || {
        let run = a.rel(&["new", "--version", "1.0.0", "--title", "T"]);
        run.code(3);
        assert!(run.stderr.contains("environments.toml"), "{}", run.stderr);
    });
    assert_eq!(team.remote_head(), remote_before);
}

#[test]
fn two_clones_racing_into_an_exclusive_environment_one_wins_each_round() {
    let team = Team::new(SHARED);
    let a = team.clone();
    let b = team.clone();
    // A hook that waits widens the window in which both have decided.
    team.hook("sleep 0.05");
    for round in 0..20 {
        let ra = new_release_titled(&a, &format!("1.{round}.0"), "T");
        let rb = new_release_titled(&b, &format!("2.{round}.0"), "T");
        let (pa, pb) = (spawn(&a, &["promote", &ra]), spawn(&b, &["promote", &rb]));
        let (ra_run, rb_run) = (finish(pa), finish(pb));
        let codes = [ra_run.code, rb_run.code];
        assert!(
            codes == [0, 1] || codes == [1, 0],
            "round {round}: {codes:?}\n{}\n{}",
            ra_run.stderr,
            rb_run.stderr
        );
        let (winner, loser, lost) = if ra_run.code == 0 {
            (&a, &rb, &rb_run)
        } else {
            (&b, &ra, &ra_run)
        };
        assert!(
            lost.stderr.contains("[exclusive]"),
            "round {round}: {}",
            lost.stderr
        );
        let won = if ra_run.code == 0 { &ra } else { &rb };
        // Free staging again for the next round.
        winner.rel(&["cancel", won, "--reason", "next round"]).ok();
        let _ = loser;
    }
    assert_eq!(
        team.remote_log()
            .iter()
            .filter(|s| s.starts_with("rel: promote"))
            .count(),
        20
    );
}

/// One clone's writes, one after another: five rounds of a release and an
/// incident taken from `new` through `group` to `promote`. A step whose
/// prerequisite gave up (exit 3) is skipped.
fn clone_writes(env: &Env, c: usize) -> Vec<(i32, String, String)> {
    let mut results = Vec::new();
    let mut run = |args: Vec<String>| -> i32 {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = env.cmd(&args).output().expect("rel");
        let code = out.status.code().unwrap_or(-1);
        results.push((
            code,
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
        code
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    for round in 0..5 {
        let version = format!("{c}.{round}.1");
        if run(s(&[
            "new",
            "--version",
            &version,
            "--title",
            "T",
            "--id",
            &format!("R-{c}-{round}"),
        ])) != 0
        {
            continue;
        }
        let id = format!("R-{c}-{round}");
        let inc = format!("INC-{c}-{round}");
        if run(s(&["incident", "new", &inc, "--title", "T"])) != 0 {
            continue;
        }
        if run(s(&["incident", "resolve", &inc])) != 0
            || run(s(&["incident", "authorise", &inc])) != 0
            || run(s(&["group", &id, &inc])) != 0
        {
            continue;
        }
        run(s(&["promote", &id, "--to", "test"]));
    }
    results
}

#[test]
fn four_clones_writing_at_once_lose_no_reported_success() {
    let pipeline = SHARED.replace("name = \"staging\"\nexclusive = true", "name = \"test\"");
    let team = Team::new(&pipeline);
    let clones: Vec<Env> = (0..4).map(|_| team.clone()).collect();
    team.hook("sleep 0.01");
    let results: Vec<(i32, String, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = clones
            .iter()
            .enumerate()
            .map(|(c, env)| scope.spawn(move || clone_writes(env, c)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect()
    });
    let mut successes = 0;
    for (code, _, stderr) in &results {
        assert!(*code == 0 || *code == 3, "exit {code}: {stderr}");
        successes += usize::from(*code == 0);
    }
    // Every reported success is a commit on the remote branch, and each
    // release id was given once.
    let log = team.remote_log();
    let rel_commits = log
        .iter()
        .filter(|s| s.starts_with("rel: ") && !s.starts_with("rel: init"))
        .count();
    assert_eq!(rel_commits, successes, "{results:?}");
    let news: Vec<&String> = log.iter().filter(|s| s.starts_with("rel: new ")).collect();
    let unique: BTreeSet<&&String> = news.iter().collect();
    assert_eq!(unique.len(), news.len(), "{news:?}");
    assert!(log.iter().any(|s| s.starts_with("rel: promote")), "{log:?}");
    let fsck = team.git_remote(&["fsck", "--no-dangling", "--no-progress"]);
    assert!(!fsck.contains("error"), "{fsck}");
    eprintln!("{successes} of {} writes succeeded", results.len());
}

#[test]
fn without_sync_nothing_is_fetched_or_pushed() {
    let team = Team::new(&SHARED.replace("[sync]\nremote = \"origin\"\nretries = 8\n", ""));
    let a = team.clone();
    let before = team.remote_head();
    new_release_titled(&a, "1.0.0", "T");
    assert_eq!(team.remote_head(), before);
    let run = a.rel(&["sync"]);
    run.code(2);
    assert!(run.stderr.contains("no [sync]"), "{}", run.stderr);
}

#[test]
fn a_remote_that_keeps_moving_is_retried_then_exit_3() {
    let team = Team::new(&SHARED.replace("retries = 8", "retries = 3"));
    let a = team.clone();
    // Each push finds the branch moved by someone else at the last instant
    // (the hook moves it outside git's quarantine before the update).
    team.hook(
        "env -u GIT_QUARANTINE_PATH -u GIT_OBJECT_DIRECTORY -u GIT_ALTERNATE_OBJECT_DIRECTORIES sh -c '\
         c=$(git commit-tree -p master -m bump master^{tree}) && git update-ref refs/heads/master $c'",
    );
    let run = a.rel(&["new", "--version", "1.0.0", "--title", "T"]);
    run.code(3);
    assert!(run.stderr.contains("moved on 3 attempts"), "{}", run.stderr);
    // The clone followed the remote (fast-forwards are not the command's
    // writes); nothing of the command is anywhere.
    assert_eq!(a.last_message().trim(), "bump");
    assert_eq!(a.porcelain(), "");
    assert!(!team.remote_log().iter().any(|s| s.starts_with("rel: new")));
    let bumps = team.remote_log().iter().filter(|s| *s == "bump").count();
    assert_eq!(bumps, 3, "one push per attempt: {:?}", team.remote_log());
}

#[test]
fn a_dry_run_decides_on_the_fetched_tip_and_moves_nothing() {
    let team = Team::new(SHARED);
    let a = team.clone();
    let b = team.clone();
    let first = new_release_titled(&a, "1.0.0", "T");
    let remote_before = team.remote_head();
    assert_nothing_written(&b, || {
        let run = b.rel(&[
            "--dry-run",
            "--json",
            "new",
            "--version",
            "1.1.0",
            "--title",
            "T",
        ]);
        run.ok();
        // The id is decided on the shared tip, where `first` exists.
        assert_eq!(first, "R-2026-001");
        assert_eq!(run.json()["id"], "R-2026-002", "{}", run.stdout);
        assert!(
            run.stderr.contains("dry run decided on origin/master"),
            "{}",
            run.stderr
        );
    });
    assert_eq!(team.remote_head(), remote_before);
}
