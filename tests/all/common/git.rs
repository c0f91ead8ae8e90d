//! Helpers about commits: a write that makes exactly one, a refusal that
//! leaves the repository byte-for-byte unchanged.

use super::{Env, Run};

/// Runs `rel ARGS...`, asserts exit `code` and that nothing changed. (Not
/// `must_use`: most callers want the assertion only.)
#[track_caller]
pub fn refused(env: &Env, args: &[&str], code: i32) -> Run {
    let mut out = None;
    env.assert_unchanged(|| {
        let run = env.rel(args);
        run.code(code);
        out = Some(run);
    });
    out.expect("ran")
}

/// Runs `rel ARGS...`, asserts success and exactly one new commit.
#[track_caller]
pub fn one_commit(env: &Env, args: &[&str]) -> Run {
    let before = env.commit_count();
    let run = env.rel(args);
    run.ok();
    assert_eq!(env.commit_count(), before + 1, "one commit for {args:?}");
    run
}

/// The bytes of `path` as committed at HEAD.
#[must_use]
#[track_caller]
pub fn committed(env: &Env, path: &str) -> Vec<u8> {
    let out = env
        .program("git")
        .args(["show", &format!("HEAD:{path}")])
        .output()
        .expect("git show");
    assert!(out.status.success(), "{path} is not in HEAD");
    out.stdout
}
