//! Crash safety. A write makes its commit object first, then records what
//! it is about to do in `<git dir>/rel-journal`, moves the branch, brings
//! rel's files in the index and work tree in step through git's checkout,
//! and removes the journal. A `rel` killed anywhere in between leaves the
//! journal behind; the next `rel` command (under the lock, so never while
//! the writer lives) finishes the work: it removes the lock files git left
//! mid-update, checks rel's paths out from HEAD when the branch moved, and
//! says so in one line.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use git2::Repository;
use serde::{Deserialize, Serialize};

use super::lock;

const JOURNAL: &str = "rel-journal";

/// What an unfinished write was doing.
#[derive(Debug, Serialize, Deserialize)]
pub struct Journal {
    /// e.g. `refs/heads/main`.
    pub branch: String,
    /// The branch's commit before the write; None on an unborn branch.
    pub old: Option<String>,
    /// The commit the write made.
    pub new: String,
    /// rel's files the commit changed, as paths in the git work tree.
    pub paths: Vec<String>,
}

fn journal_path(repo: &Repository) -> PathBuf {
    repo.path().join(JOURNAL)
}

/// Records `journal` durably (written beside, synced, renamed into place).
pub fn begin(repo: &Repository, journal: &Journal) -> anyhow::Result<()> {
    let path = journal_path(repo);
    let temp = repo.path().join(format!("{JOURNAL}.tmp"));
    let text = serde_json::to_string(journal)?;
    let written = std::fs::File::create(&temp).and_then(|mut f| {
        use std::io::Write;
        f.write_all(text.as_bytes())?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|_| std::fs::rename(&temp, &path)) {
        let _ = std::fs::remove_file(&temp);
        return Err(crate::error::io_failure("write", &path, &e));
    }
    Ok(())
}

/// The write finished: forget it.
pub fn end(repo: &Repository) {
    let _ = std::fs::remove_file(journal_path(repo));
}

/// Makes rel's `paths` in git's index and work tree equal to HEAD's, through
/// git itself, so line-ending settings and filters apply.
pub fn check_out(repo: &Repository, paths: &[String]) -> anyhow::Result<()> {
    let workdir = repo
        .workdir()
        .ok_or_else(|| anyhow::anyhow!("the git repository has no work tree"))?;
    super::git_cli::restore_from(workdir, "HEAD", paths)
}

/// Finishes what a killed `rel` left, if anything. `locked`: the caller
/// holds rel's lock already; otherwise it is taken for the repair.
pub fn repair_if_needed(repo: &Repository, locked: bool) -> anyhow::Result<()> {
    let path = journal_path(repo);
    if !path.exists() {
        if locked {
            // A write killed while recording its journal: nothing happened.
            let _ = std::fs::remove_file(repo.path().join(format!("{JOURNAL}.tmp")));
        }
        return Ok(());
    }
    // A reader takes the lock only now: the journal of a writer still at
    // work is not ours to touch, and once we hold the lock it is gone or
    // its writer is dead.
    let _lock = if locked {
        None
    } else {
        Some(lock::acquire(repo.path())?)
    };
    let Ok(meta) = std::fs::metadata(&path) else {
        return Ok(());
    };
    let started = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let _ = std::fs::remove_file(repo.path().join(format!("{JOURNAL}.tmp")));
    // Only a plain file is read (a FIFO there would block every command).
    let journal: Option<Journal> =
        super::cache::read_plain(&path).and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let mut done = Vec::new();
    if let Some(j) = &journal {
        done.extend(remove_stale_locks(repo, &j.branch, started));
        let head = repo
            .find_reference(&j.branch)
            .ok()
            .and_then(|r| r.target())
            .map(|id| id.to_string());
        if head.as_deref() == Some(j.new.as_str()) {
            check_out(repo, &j.paths)?;
            done.push(format!(
                "brought {} of rel's file{} in the work tree and git's index in step with commit {}",
                j.paths.len(),
                if j.paths.len() == 1 { "" } else { "s" },
                short(&j.new)
            ));
        } else if head != j.old {
            done.push(format!(
                "the branch moved on since (it is not at {}); nothing checked out",
                short(&j.new)
            ));
        }
    }
    std::fs::remove_file(&path)
        .map_err(|e| anyhow::anyhow!("cannot remove {}: {e}", path.display()))?;
    if done.is_empty() {
        done.push("nothing was left half-done".into());
    }
    crate::errln!(
        "rel: repaired what an interrupted rel left: {}",
        done.join("; ")
    );
    Ok(())
}

/// Removes git's lock files that the killed write created: the index's
/// and the branch's (with its log's), when made after the journal. An older
/// lock belongs to someone else and stays.
fn remove_stale_locks(repo: &Repository, branch: &str, started: SystemTime) -> Vec<String> {
    let git_dir = repo.path();
    let candidates = [
        git_dir.join("index.lock"),
        git_dir.join(format!("{branch}.lock")),
        git_dir.join("logs").join(format!("{branch}.lock")),
    ];
    let since = started
        .checked_sub(Duration::from_secs(2))
        .unwrap_or(started);
    let mut removed = Vec::new();
    for lock in candidates {
        if made_since(&lock, since) && std::fs::remove_file(&lock).is_ok() {
            removed.push(format!("removed {}", shown(git_dir, &lock)));
        }
    }
    removed
}

fn made_since(path: &Path, since: SystemTime) -> bool {
    std::fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t >= since)
}

fn shown(git_dir: &Path, path: &Path) -> String {
    let name = path.strip_prefix(git_dir).unwrap_or(path);
    format!(".git/{}", name.display())
}

fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}
