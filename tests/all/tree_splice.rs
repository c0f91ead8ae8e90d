//! Writes splice changed files into the raw tree of a large folder
//! (`releases/incidents`) instead of rebuilding it entry by entry. The
//! commit changes only the files rel wrote, and git finds it valid.

use crate::answers::copies_of_incident;
use crate::common::releases::new_release;
use crate::common::Env;

/// 2,000 incidents, one release to group them into.
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

#[test]
fn a_write_into_a_large_folder_changes_only_its_files() {
    let env = repository();
    let base = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    env.rel(&["group", "R-2026-001", "INC-1000", "INC-77"]).ok();
    env.rel(&["incident", "new", "INC-0", "--title", "First by name"])
        .ok();

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
