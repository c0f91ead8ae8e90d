//! A branch held for a moment by another git (a background `git gc`
//! packing refs, a fetch) is waited for: the write lands once it is free.

use std::time::Duration;

use crate::common::Env;

#[test]
fn a_write_waits_for_a_branch_lock_held_for_a_moment() {
    let env = Env::new();
    let branch = env.git(&["symbolic-ref", "HEAD"]).trim().to_string();
    let lock = env.path(&format!(".git/{branch}.lock"));
    std::fs::write(&lock, "").expect("lock");
    let freed = lock.clone();
    let holder = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(800));
        std::fs::remove_file(&freed).expect("unlock");
    });
    let before = env.commit_count();
    let run = env.rel(&["incident", "new", "INC-1", "--title", "T"]);
    holder.join().expect("holder");
    run.ok();
    assert_eq!(env.commit_count(), before + 1);
    assert_eq!(env.porcelain(), "");
}
