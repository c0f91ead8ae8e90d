//! Team use over a git remote (contract section 6): many clones, one truth,
//! no lost update. Bare remotes on the local file system, no network.

use std::collections::BTreeSet;
use std::process::Child;

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

fn new_release(env: &Env, version: &str) -> String {
    let run = env.rel(&["new", "--version", version, "--title", "T"]);
    run.ok();
    run.stdout.trim().to_string()
}

#[test]
fn a_write_lands_on_the_remote_and_another_clone_reads_it_after_sync() {
    let team = Team::new(SHARED);
    let a = team.clone();
    let b = team.clone();
    let id = new_release(&a, "1.0.0");
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
    let first = new_release(&a, "1.0.0");
    // b has not synced: its write fetches, fast-forwards, then decides.
    let second = new_release(&b, "1.1.0");
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
    new_release(&a, "1.0.0");
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
    new_release(&a, "1.0.0");
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
        let ra = new_release(&a, &format!("1.{round}.0"));
        let rb = new_release(&b, &format!("2.{round}.0"));
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

#[test]
fn four_clones_writing_at_once_lose_no_reported_success() {
    let team = Team::new(SHARED);
    let clones: Vec<Env> = (0..4).map(|_| team.clone()).collect();
    team.hook("sleep 0.01");
    let mut children = Vec::new();
    for (c, env) in clones.iter().enumerate() {
        // Each clone's 25 writes run one after another; the clones at once.
        let script: Vec<Vec<String>> = (0..25)
            .map(|i| match i % 3 {
                0 => vec![
                    "new".into(),
                    "--version".into(),
                    format!("{c}.{i}.0"),
                    "--title".into(),
                    "T".into(),
                ],
                1 => vec![
                    "incident".into(),
                    "new".into(),
                    format!("INC-{c}-{i}"),
                    "--title".into(),
                    "T".into(),
                ],
                _ => vec![
                    "incident".into(),
                    "resolve".into(),
                    format!("INC-{c}-{}", i - 1),
                ],
            })
            .collect();
        let env_dir = env.dir.clone();
        let cmds: Vec<std::process::Command> = script
            .iter()
            .map(|args| {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let mut cmd = env.cmd(&args);
                cmd.current_dir(&env_dir);
                cmd
            })
            .collect();
        children.push(std::thread::spawn(move || {
            let mut results = Vec::new();
            let mut created = true;
            for (i, mut cmd) in cmds.into_iter().enumerate() {
                // An incident whose creation gave up (exit 3) is not resolved.
                if i % 3 == 2 && !created {
                    continue;
                }
                let out = cmd.output().expect("rel");
                let code = out.status.code().unwrap_or(-1);
                if i % 3 == 1 {
                    created = code == 0;
                }
                results.push((
                    code,
                    String::from_utf8_lossy(&out.stdout).trim().to_string(),
                    String::from_utf8_lossy(&out.stderr).into_owned(),
                ));
            }
            results
        }));
    }
    let results: Vec<(i32, String, String)> = children
        .into_iter()
        .flat_map(|h| h.join().expect("thread"))
        .collect();
    let mut ids = BTreeSet::new();
    let mut successes = 0;
    for (code, stdout, stderr) in &results {
        assert!(*code == 0 || *code == 3, "exit {code}: {stderr}");
        if *code == 0 {
            successes += 1;
            if stdout.starts_with("R-") {
                assert!(ids.insert(stdout.clone()), "id {stdout} given twice");
            }
        }
    }
    // Every reported success is a commit on the remote branch.
    let rel_commits = team
        .remote_log()
        .iter()
        .filter(|s| s.starts_with("rel: ") && !s.starts_with("rel: init"))
        .count();
    assert_eq!(rel_commits, successes, "{results:?}");
    for id in &ids {
        let path = format!("releases/{id}.toml");
        team.git_remote(&["cat-file", "-e", &format!("master:{path}")]);
    }
    let fsck = team.git_remote(&["fsck", "--no-dangling", "--no-progress"]);
    assert!(!fsck.contains("error"), "{fsck}");
    eprintln!("{successes} of {} writes succeeded", results.len());
}

#[test]
fn without_sync_nothing_is_fetched_or_pushed() {
    let team = Team::new(&SHARED.replace("[sync]\nremote = \"origin\"\nretries = 8\n", ""));
    let a = team.clone();
    let before = team.remote_head();
    new_release(&a, "1.0.0");
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
