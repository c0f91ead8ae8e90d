//! The tree cache under `.git/rel/trees-v1`: the raw `releases` and
//! `releases/incidents` trees kept by tree id, so that `rel show` finds a
//! release's incidents without inflating a 100,000-entry tree. Like the
//! facts cache it only ever saves work: missing, cut, edited, foreign or
//! left by another commit, the answers are those of no cache.

use std::path::PathBuf;

use crate::answers::{answers, assert_answers, large_register};
use crate::common::Env;

const READS: &[&[&str]] = &[
    &["show", "R-2026-001"],
    &["--json", "show", "R-2026-001"],
    &["status"],
    &["list"],
    &["incident", "list"],
    &["--json", "incident", "list", "--unassigned"],
    &["check", "R-2026-001"],
    &["show", "R-2026-002"],
];

fn trees_dir(env: &Env) -> PathBuf {
    env.path(".git/rel/trees-v1")
}

fn kept(env: &Env) -> PathBuf {
    trees_dir(env).join("tree-incidents")
}

#[test]
fn the_large_tree_is_kept_and_any_damage_to_it_gives_the_answers_of_no_cache() {
    let env = large_register();
    let _ = std::fs::remove_dir_all(env.path(".git/rel"));
    let expected = answers(&env, READS);
    assert!(kept(&env).is_file(), "the incidents tree is kept");
    assert!(
        !trees_dir(&env).join("tree-releases").exists(),
        "small: not kept"
    );
    assert_answers(&env, READS, &expected, "warm");
    let good = std::fs::read(kept(&env)).expect("read");

    let damages: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("one byte changed", {
            let mut b = good.clone();
            let at = b.len() / 2;
            b[at] ^= 0x20;
            b
        }),
        (
            "an entry renamed",
            String::from_utf8_lossy(&good)
                .replace("INC-1.toml", "INC-9.toml")
                .into_bytes(),
        ),
        ("garbage", good.iter().map(|x| x ^ 0x55).collect()),
    ];
    for (what, bytes) in damages {
        std::fs::write(kept(&env), &bytes).expect("write");
        assert_answers(&env, READS, &expected, what);
    }
    std::fs::remove_dir_all(trees_dir(&env)).expect("remove");
    std::fs::create_dir_all(kept(&env)).expect("a folder in the file's place");
    assert_answers(&env, READS, &expected, "a folder where the file goes");
}

#[test]
fn a_tree_kept_for_another_commit_is_not_used() {
    let env = large_register();
    let before = answers(&env, READS);
    let old = std::fs::read(kept(&env)).expect("kept");
    env.rel(&["incident", "resolve", "INC-3"]).ok();
    env.rel(&["ungroup", "R-2026-001", "INC-2"]).ok();
    let after = answers(&env, READS);
    assert_ne!(before, after);
    // The newer commit's tree replaced the older one's.
    assert_ne!(std::fs::read(kept(&env)).expect("kept"), old);
    env.git(&["reset", "-q", "--hard", "HEAD~2"]);
    assert_answers(
        &env,
        READS,
        &before,
        "back two commits with the newer tree kept",
    );
    std::fs::write(kept(&env), &old).expect("write");
    env.git(&["reset", "-q", "--hard", "ORIG_HEAD"]);
    assert_answers(
        &env,
        READS,
        &after,
        "forward again with the older tree kept",
    );
}
