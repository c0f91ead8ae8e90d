//! The set of releases in progress kept per `releases` tree
//! (`.git/rel/cache-v1/open-releases` and `listing-releases`): `status`,
//! `check`, `plan` and `due` read only the releases in progress. Whatever
//! happens to the set (missing, cut, edited, left by another tree, the tree
//! changed by rel or by hand), the answers are those of no cache.

use std::path::PathBuf;

use crate::answers::{answers, assert_answers, Answer};
use crate::common::Env;
use crate::promotion::{freeze, group_ready_incident, new_release};

const PARTS: [&str; 2] = ["open-releases", "listing-releases"];

/// The reading commands that go through the set.
const READS: &[&[&str]] = &[
    &["status"],
    &["--json", "status"],
    &["check", "R-2026-001"],
    &["--json", "check", "R-2026-002"],
    &["plan", "R-2026-001"],
    &["due"],
];

fn part(env: &Env, name: &str) -> PathBuf {
    env.path(".git/rel/cache-v1").join(name)
}

/// The answers with no cache at all (and none left behind).
fn answers_without_cache(env: &Env) -> Vec<Answer> {
    let _ = std::fs::remove_dir_all(env.path(".git/rel"));
    let got = answers(env, READS);
    let _ = std::fs::remove_dir_all(env.path(".git/rel"));
    got
}

/// Two releases in progress (one frozen with an incident), one cancelled.
fn repository() -> Env {
    let env = Env::new();
    let r1 = new_release(&env, "1.0.0");
    group_ready_incident(&env, &r1, "INC-1");
    freeze(&env, &r1);
    new_release(&env, "1.1.0");
    let r3 = new_release(&env, "1.2.0");
    env.rel(&["cancel", &r3, "--reason", "not needed"]).ok();
    env
}

/// Moves finished `id` back into `releases/` by hand, as a repository
/// made before revision 3 keeps it (the set is what reads such a folder
/// fast).
fn as_before_the_archive(env: &Env, id: &str) {
    env.git(&[
        "mv",
        &format!("releases/archive/2026/{id}.toml"),
        &format!("releases/{id}.toml"),
    ]);
    env.commit_all("as before the archive");
}

#[test]
fn the_set_is_kept_and_any_damage_to_it_gives_the_answers_of_no_cache() {
    let env = repository();
    let expected = answers_without_cache(&env);
    assert_eq!(expected[0].0, 0, "{}", expected[0].2);
    assert!(expected[0].1.contains("R-2026-001") && expected[0].1.contains("R-2026-002"));
    assert!(
        !expected[0].1.contains("R-2026-003"),
        "cancelled: {}",
        expected[0].1
    );
    assert_answers(&env, READS, &expected, "filled");
    for name in PARTS {
        assert!(part(&env, name).is_file(), "{name} kept");
    }
    assert_answers(&env, READS, &expected, "warm");

    type Damage = fn(&[u8]) -> Vec<u8>;
    let damages: [(&str, Damage); 4] = [
        ("truncated", |b| b[..b.len() / 2].to_vec()),
        ("empty", |_| Vec::new()),
        ("a byte changed", |b| {
            let mut lie = b.to_vec();
            let at = lie.len() / 2;
            lie[at] ^= 1;
            lie
        }),
        ("garbage", |b| b.iter().map(|x| x ^ 0x55).collect()),
    ];
    for (what, damage) in damages {
        for name in PARTS {
            let bytes = std::fs::read(part(&env, name)).expect("kept");
            std::fs::write(part(&env, name), damage(&bytes)).expect("write");
        }
        assert_answers(&env, READS, &expected, what);
    }
    // One part in the other's place, then a folder in their place.
    let open = std::fs::read(part(&env, "open-releases")).expect("kept");
    std::fs::write(part(&env, "listing-releases"), &open).expect("write");
    std::fs::write(part(&env, "open-releases"), b"").expect("write");
    assert_answers(&env, READS, &expected, "another part's file");
    for name in PARTS {
        let _ = std::fs::remove_file(part(&env, name));
        std::fs::create_dir_all(part(&env, name)).expect("mkdir");
    }
    assert_answers(&env, READS, &expected, "folders in the parts' place");
}

#[test]
fn a_set_left_by_another_tree_is_brought_up_to_date() {
    let env = repository();
    answers(&env, READS);
    // A write by rel changes one release's file: the set follows.
    env.rel(&["cancel", "R-2026-002", "--reason", "late"]).ok();
    let warm = answers(&env, READS);
    assert!(!warm[0].1.contains("R-2026-002"), "{}", warm[0].1);
    assert_eq!(warm, answers_without_cache(&env), "after a cancel");

    // A new release (a file added), then a hand edit that reopens the
    // cancelled one (its blob changed, no file added).
    answers(&env, READS);
    new_release(&env, "1.3.0");
    let warm = answers(&env, READS);
    assert!(warm[0].1.contains("R-2026-004"), "{}", warm[0].1);
    assert_eq!(warm, answers_without_cache(&env), "after a new release");
    answers(&env, READS);
    as_before_the_archive(&env, "R-2026-003");
    let path = "releases/R-2026-003.toml";
    env.write(
        path,
        &env.read(path)
            .replace("state = \"cancelled\"", "state = \"open\""),
    );
    env.commit_all("hand edit: reopen");
    let warm = answers(&env, READS);
    assert!(warm[0].1.contains("R-2026-003"), "{}", warm[0].1);
    assert_eq!(warm, answers_without_cache(&env), "after a hand edit");

    // Back to an older commit with the newer set kept.
    answers(&env, READS);
    env.git(&["reset", "-q", "--hard", "HEAD~4"]);
    let old = answers(&env, READS);
    assert_eq!(old, answers_without_cache(&env), "an older commit");
    assert!(old[0].1.contains("R-2026-002"), "{}", old[0].1);
}

#[test]
fn an_archived_manifest_broken_by_hand_is_reported_as_without_the_set() {
    let env = repository();
    as_before_the_archive(&env, "R-2026-003");
    answers(&env, READS);
    let path = "releases/R-2026-003.toml";
    env.write(
        path,
        &env.read(path)
            .replace("[[history]]", "[[history]]\nbogus = 1"),
    );
    env.commit_all("hand edit");
    let warm: Vec<_> = answers(&env, READS);
    assert_eq!(warm[0].0, 2, "status: {}", warm[0].2);
    assert!(warm[0].2.contains("R-2026-003"), "{}", warm[0].2);
    assert_eq!(warm, answers_without_cache(&env));
    // `check` reads the top lines only, with the set or without.
    assert_eq!(warm[2].0, answers_without_cache(&env)[2].0);
}

#[test]
fn processes_filling_the_set_at_once_leave_it_whole() {
    let env = repository();
    let expected = answers_without_cache(&env);
    for round in 0..3 {
        let _ = std::fs::remove_dir_all(env.path(".git/rel"));
        let children: Vec<_> = (0..8)
            .map(|i| {
                let args: &[&str] = if i % 2 == 0 {
                    &["status"]
                } else {
                    &["check", "R-2026-001"]
                };
                env.cmd(args).spawn().expect("spawn rel")
            })
            .collect();
        for mut child in children {
            let code = child.wait().expect("wait").code();
            assert!(matches!(code, Some(0 | 1)), "round {round}: {code:?}");
        }
        let leftovers: Vec<String> = std::fs::read_dir(env.path(".git/rel/cache-v1"))
            .expect("the cache was written")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        assert_answers(&env, READS, &expected, "filled at once");
    }
}
