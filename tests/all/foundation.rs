//! The foundation: init, new, show, list, status, env; repository handling.

use crate::common::Env;

#[test]
fn init_then_new_commits_one_release() {
    let env = Env::new();
    assert_eq!(env.commit_count(), 1);
    let run = env.rel(&["new", "--version", "1.4.0", "--title", "Billing fixes"]);
    run.ok();
    assert_eq!(run.stdout.trim(), "R-2026-001");
    assert_eq!(env.commit_count(), 2);
    let show = env.rel(&["--json", "show", "R-2026-001"]);
    let v = show.ok().json();
    assert_eq!(v["kind"], "minor");
    assert_eq!(v["environment"], "development");
}
