//! Writes splice changed files into the kept raw tree of a large folder
//! (`releases/incidents`) instead of rebuilding it entry by entry. The
//! commit must be the one libgit2's tree builder made: the same commit id
//! with the tree kept, damaged or absent, and a tree git finds valid.

use crate::answers::copies_of_incident;
use crate::common::Env;
use crate::promotion::new_release;

/// 2,000 incidents (over the 64 KB from which rel keeps the tree), one
/// release to group them into.
fn repository() -> Env {
    let env = Env::new();
    new_release(&env, "1.0.0");
    env.rel(&["incident", "new", "INC-3", "--title", "Model"])
        .ok();
    copies_of_incident(&env, "INC-3", "Model", 4..2004);
    for inc in ["INC-1000", "INC-77"] {
        env.rel(&["incident", "resolve", inc]).ok();
        env.rel(&["incident", "authorise", inc, "--by", "Client"])
            .ok();
        env.rel(&["incident", "test", inc, "--evidence", "report.pdf"])
            .ok();
    }
    env
}

/// The commit `rel group` and then `rel incident new` make from `base`,
/// with the kept trees as `prepare` leaves them.
fn writes_from(env: &Env, base: &str, prepare: impl Fn(&Env)) -> Vec<String> {
    env.git(&["reset", "-q", "--hard", base]);
    prepare(env);
    env.rel(&["group", "R-2026-001", "INC-1000", "INC-77"]).ok();
    let group = env.git(&["rev-parse", "HEAD"]);
    prepare(env);
    env.rel(&["incident", "new", "INC-0", "--title", "First by name"])
        .ok();
    let new = env.git(&["rev-parse", "HEAD"]);
    vec![group, new]
}

#[test]
fn a_write_on_a_kept_tree_makes_the_commit_a_tree_builder_makes() {
    let env = repository();
    let base = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    let none = writes_from(&env, &base, |env| {
        let _ = std::fs::remove_dir_all(env.path(".git/rel"));
    });
    // Warm: a read keeps the incidents tree first.
    let warm = writes_from(&env, &base, |env| {
        env.rel(&["incident", "list"]).ok();
        assert!(env.path(".git/rel/trees-v1").is_dir(), "a tree is kept");
    });
    assert_eq!(warm, none, "the same commits with the tree kept");
    let damaged = writes_from(&env, &base, |env| {
        env.rel(&["incident", "list"]).ok();
        for entry in std::fs::read_dir(env.path(".git/rel/trees-v1")).expect("kept") {
            let path = entry.expect("entry").path();
            let mut bytes = std::fs::read(&path).expect("read");
            let at = bytes.len() / 2;
            bytes[at] ^= 0x20;
            std::fs::write(&path, bytes).expect("write");
        }
    });
    assert_eq!(damaged, none, "the same commits with the kept tree damaged");

    // Only the files rel wrote changed, and git finds every object valid.
    let changed = env.git(&["diff", "--name-only", &base, "HEAD~1"]);
    let mut changed: Vec<&str> = changed.lines().collect();
    changed.sort();
    assert_eq!(
        changed,
        [
            "releases/R-2026-001.toml",
            "releases/incidents/INC-1000.toml",
            "releases/incidents/INC-77.toml",
        ]
    );
    let added = env.git(&["diff", "--name-status", "HEAD~1", "HEAD"]);
    assert_eq!(added.trim(), "A\treleases/incidents/INC-0.toml");
    env.git(&["fsck", "--strict", "--no-dangling"]);
}
