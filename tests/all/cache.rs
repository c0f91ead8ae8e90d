//! The facts cache under `.git/rel/cache-v1`: it only ever saves work. A
//! cache that is missing, cut short, edited, foreign or left by another
//! commit gives the answers of no cache; processes filling it at once
//! leave it whole.

use std::path::PathBuf;

use crate::answers::{answers, assert_answers};
use crate::common::Env;
use crate::promotion::{group_ready_incident, new_release};

/// Reading commands whose answers the cache must not change.
const READS: &[&[&str]] = &[
    &["status"],
    &["--json", "status"],
    &["list"],
    &["--json", "list"],
    &["list", "--state", "cancelled"],
    &["--json", "list", "--state", "open"],
    &["incident", "list"],
    &["--json", "incident", "list"],
    &["incident", "list", "--unassigned"],
    &["--json", "incident", "list", "--status", "resolved"],
    &["check", "R-2026-001"],
    &["--json", "check", "R-2026-001"],
    &["show", "R-2026-001"],
];

fn cache_dir(env: &Env) -> PathBuf {
    env.path(".git/rel/cache-v1")
}

/// Two releases in progress, one cancelled, incidents held and free.
fn repository() -> Env {
    let env = Env::new();
    let r1 = new_release(&env, "1.0.0");
    assert_eq!(r1, "R-2026-001");
    group_ready_incident(&env, &r1, "INC-1");
    for inc in ["INC-2", "INC-3"] {
        env.rel(&[
            "incident",
            "new",
            inc,
            "--title",
            &format!("Title of {inc}"),
        ])
        .ok();
    }
    env.rel(&["incident", "resolve", "INC-2"]).ok();
    let r2 = new_release(&env, "1.1.0");
    env.rel(&["cancel", &r2, "--reason", "not needed"]).ok();
    new_release(&env, "1.2.0");
    env
}

/// Overwrites each part of the cache with `damage(part's bytes)`.
fn damage(env: &Env, damage: impl Fn(&[u8]) -> Vec<u8>) {
    for part in ["releases", "incidents"] {
        let path = cache_dir(env).join(part);
        let bytes = std::fs::read(&path).expect("the cache was written");
        std::fs::write(&path, damage(&bytes)).expect("write");
    }
}

#[test]
fn reads_fill_the_cache_and_any_damage_to_it_gives_the_answers_of_no_cache() {
    let env = repository();
    let _ = std::fs::remove_dir_all(cache_dir(&env));
    let expected = answers(&env, READS);
    assert!(cache_dir(&env).join("releases").is_file());
    assert!(cache_dir(&env).join("incidents").is_file());
    assert_answers(&env, READS, &expected, "warm cache");

    std::fs::remove_dir_all(cache_dir(&env)).expect("remove");
    assert_answers(&env, READS, &expected, "deleted");
    damage(&env, |b| b[..b.len() / 2].to_vec());
    assert_answers(&env, READS, &expected, "truncated");
    damage(&env, |_| Vec::new());
    assert_answers(&env, READS, &expected, "empty");
    // A lie: every state and status byte changed, a title rewritten.
    damage(&env, |b| {
        let mut lie = b.to_vec();
        let at = lie.len() / 2;
        lie[at] = lie[at].wrapping_add(1);
        let text = String::from_utf8_lossy(&lie).replace("A release", "Lie     ");
        text.into_bytes()
    });
    assert_answers(&env, READS, &expected, "edited to lie");
    damage(&env, |b| b.iter().map(|x| x ^ 0x55).collect());
    assert_answers(&env, READS, &expected, "garbage");
    // One part's file in the other's place.
    let releases = std::fs::read(cache_dir(&env).join("releases")).expect("read");
    std::fs::write(cache_dir(&env).join("incidents"), releases).expect("write");
    assert_answers(&env, READS, &expected, "another part's file");
    // A folder where the cache goes: the cache is not kept, answers stand.
    std::fs::remove_dir_all(cache_dir(&env)).expect("remove");
    std::fs::create_dir_all(cache_dir(&env).join("releases")).expect("mkdir");
    assert_answers(&env, READS, &expected, "a folder in the cache's place");
}

#[test]
fn a_cache_left_by_another_commit_never_shows_its_state() {
    let env = repository();
    let before = answers(&env, READS);
    // The cache now knows the blobs of this commit; a change on top gives
    // new blobs, and going back finds the old ones again.
    env.rel(&["cancel", "R-2026-003", "--reason", "late"]).ok();
    env.rel(&["incident", "resolve", "INC-3"]).ok();
    let _ = std::fs::remove_dir_all(cache_dir(&env));
    let after = answers(&env, READS);
    assert_ne!(before, after);
    let warm = answers(&env, READS);
    assert_eq!(after, warm);
    env.git(&["reset", "-q", "--hard", "HEAD~2"]);
    assert_answers(
        &env,
        READS,
        &before,
        "back two commits with the newer cache",
    );
}

#[test]
fn an_invalid_file_is_reported_the_same_with_or_without_the_cache() {
    let env = repository();
    answers(&env, READS);
    let path = "releases/R-2026-003.toml";
    let text = env.read(path);
    env.write(path, &text.replace("[[history]]", "[[history]]\nbogus = 1"));
    env.commit_all("hand edit");
    let warm: Vec<_> = ["status", "list"].iter().map(|c| env.rel(&[c])).collect();
    std::fs::remove_dir_all(cache_dir(&env)).expect("remove");
    for (c, w) in ["status", "list"].iter().zip(warm) {
        let cold = env.rel(&[c]);
        cold.code(2);
        assert_eq!((w.code, &w.stderr), (cold.code, &cold.stderr), "rel {c}");
        assert!(cold.stderr.contains("R-2026-003"), "{}", cold.stderr);
    }
}

#[test]
fn processes_filling_the_cache_at_once_leave_it_whole() {
    let env = repository();
    let expected = answers(&env, READS);
    for _ in 0..3 {
        std::fs::remove_dir_all(cache_dir(&env)).expect("remove");
        let children: Vec<_> = (0..8)
            .map(|i| {
                let args: &[&str] = if i % 2 == 0 {
                    &["list"]
                } else {
                    &["incident", "list"]
                };
                env.cmd(args).spawn().expect("spawn rel")
            })
            .collect();
        for mut child in children {
            assert!(child.wait().expect("wait").success());
        }
        let names: Vec<String> = std::fs::read_dir(cache_dir(&env))
            .expect("the cache was written")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
        assert_answers(&env, READS, &expected, "filled at once");
    }
}

#[test]
fn the_worktree_is_read_without_the_cache() {
    let env = repository();
    answers(&env, READS);
    let path = "releases/R-2026-003.toml";
    env.write(path, &env.read(path).replace("1.2.0", "1.2.9"));
    let run = env.rel(&["--worktree", "list"]);
    run.ok();
    assert!(run.stdout.contains("1.2.9"), "{}", run.stdout);
    let run = env.rel(&["list"]);
    assert!(!run.stdout.contains("1.2.9"), "{}", run.stdout);
    assert!(run.stderr.contains("uncommitted edits"), "{}", run.stderr);
}
