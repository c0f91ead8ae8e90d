//! The invariant the benchmark needs: nothing is dated after `now` (the
//! `REL_NOW` bench/run.sh gives rel). rel refuses every write when a
//! recorded step or the last commit is later than its clock, so a single
//! late step makes `rel new` and `rel group` fail instead of being timed.

use std::path::Path;
use std::process::Command;

use crate::clock::at;
use crate::life::Life;
use crate::plan::Spec;
use crate::Res;

/// Every step of every life at or before `now`, checked before anything
/// is written.
pub fn check_lives(specs: &[Spec], lives: &[Life], now: i64) -> Res<()> {
    for (spec, life) in specs.iter().zip(lives) {
        let late = life.steps.iter().find(|s| s.at > now);
        if life.latest > now || late.is_some() {
            let (action, t) = late.map_or(("event", life.latest), |s| (s.action, s.at));
            return Err(format!(
                "internal error: release {} has a {action} at {}, after now ({}): \
                 rel would refuse every write",
                spec.id,
                at(t),
                at(now)
            )
            .into());
        }
    }
    Ok(())
}

/// Every commit of the repository written (author and committer dates)
/// at or before `now`, checked at the end, on what git stored.
pub fn check_commits(dir: &Path, now: i64) -> Res<()> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["log", "--all", "--format=%H %at %ct %s"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!("git log failed: {}", out.status).into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut count = 0;
    for line in text.lines() {
        let mut parts = line.splitn(4, ' ');
        let (id, author, committer, subject) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        for date in [author, committer] {
            let t: i64 = date
                .parse()
                .map_err(|_| format!("git log: not a date {date:?} in {line:?}"))?;
            if t > now {
                return Err(format!(
                    "commit {id} ({subject}) is dated {}, after now ({}): \
                     rel would refuse every write with REL_NOW={}",
                    at(t),
                    at(now),
                    at(now).format("%Y-%m-%dT%H:%M:%SZ")
                )
                .into());
            }
        }
        count += 1;
    }
    if count == 0 {
        return Err("git log: no commit to check".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{instant, HOUR};
    use crate::git::git;

    /// A repository with one commit dated `t`.
    fn repo_dated(t: i64) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary folder");
        git(dir.path(), &["init", "-q", "-b", "main"], t).expect("git init");
        let message = ["commit", "-q", "--allow-empty", "-m", "step"];
        git(dir.path(), &message, t).expect("git commit");
        dir
    }

    #[test]
    fn a_commit_after_now_fails_the_generation_and_one_at_now_does_not() {
        let now = instant(2026, 11, 25, 12);
        let late = repo_dated(now + 5 * HOUR);
        let err = check_commits(late.path(), now).expect_err("a late commit");
        let text = err.to_string();
        assert!(text.contains("2026-11-25 17:00:00 UTC"), "{text}");
        assert!(text.contains("REL_NOW=2026-11-25T12:00:00Z"), "{text}");
        assert!(check_commits(repo_dated(now).path(), now).is_ok());
    }
}
