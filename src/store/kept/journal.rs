//! Crash safety. Each step of a write that moves a ref or touches git's
//! index records what it is about to do in `<git dir>/rel-journal` first,
//! with rel's pid, and removes it when done:
//!
//! - a commit: the commit object is made, the journal written, the branch
//!   moved (compare and swap), rel's files in the index and work tree
//!   brought in step as git's checkout would (`checkout`, under git's
//!   index.lock, or `git restore`);
//! - with `[sync]`, the fetch (git may leave the remote-tracking branch's
//!   lock) and the fast-forward (`sync_forward`: the branch moved by compare
//!   and swap, then the files the fetched commits changed checked out).
//!
//! A `rel` killed anywhere in between leaves the journal behind; the next
//! `rel` command (under the lock, so never while the writer lives) finishes
//! the work: it removes the lock files git left mid-update, checks the
//! journal's paths out from HEAD when the branch moved, and says so in one
//! line. A git lock file is rel's to remove only when a journal names the
//! step that may leave it, the journal's rel is dead, the lock was made
//! after the journal, and no live process holds it open (Linux: /proc):
//! a lock of the user's own git is left alone, and a write refuses it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};

use super::lock;
use crate::error::conflict;

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
    /// The files the step changes, as paths in the git work tree: rel's
    /// for a commit, those the fetched commits changed for a fast-forward.
    pub paths: Vec<String>,
    /// The step: `commit` (also when absent), `fetch` or `fast-forward`.
    #[serde(default)]
    pub what: Option<String>,
    /// The rel process that wrote the journal.
    #[serde(default)]
    pub pid: Option<u32>,
    /// Other refs the step may leave locked (the remote-tracking branch a
    /// fetch or a push updates), e.g. `refs/remotes/origin/main`.
    #[serde(default)]
    pub refs: Vec<String>,
}

impl Journal {
    /// A journal for `what` on `branch` from `old` to `new`, by this process.
    pub fn new(what: &str, branch: &str, old: Option<String>, new: String) -> Journal {
        Journal {
            branch: branch.to_string(),
            old,
            new,
            paths: Vec::new(),
            what: Some(what.to_string()),
            pid: Some(std::process::id()),
            refs: Vec::new(),
        }
    }

    fn is(&self, what: &str) -> bool {
        self.what.as_deref().unwrap_or("commit") == what
    }
}

/// Test hook: with `REL_TEST_KILL_AT=<step>` in the environment, rel kills
/// itself (SIGKILL) at that step, leaving exactly what a kill at that
/// instant leaves, so the repair is tested without timing luck.
pub fn kill_point(step: &str) {
    if std::env::var_os("REL_TEST_KILL_AT").is_some_and(|v| v == step) {
        // SAFETY: sends a signal to this process; nothing is shared.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
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

/// Makes rel's `paths` in git's index and work tree equal to HEAD's, as
/// `git restore` does: in-process where nothing converts the bytes and
/// libgit2 rewrites the index faithfully (`checkout`: one git process
/// less per write), else through git itself, so line-ending settings,
/// filters, sparse checkouts and every index format apply.
pub fn check_out(repo: &Repository, paths: &[String]) -> anyhow::Result<()> {
    let workdir = repo
        .workdir()
        .ok_or_else(|| anyhow::anyhow!("the git repository has no work tree"))?;
    let paths = known_to_git(repo, paths);
    if super::checkout::check_out(repo, &paths)? {
        return Ok(());
    }
    crate::store::git::git_cli::restore_from(workdir, "HEAD", &paths)
}

/// `check_out` right after rel committed `new` on `old`, when rel's
/// `paths` (checked clean before the commit) are many (`rel archive`): git
/// moves the index and work tree from `old` to `new` in one pass (`git
/// read-tree -m -u`), which leaves every other path as it is. Should git
/// refuse, `check_out` does it path by path.
pub fn check_out_after_commit(
    repo: &Repository,
    old: Option<Oid>,
    new: Oid,
    paths: &[String],
) -> anyhow::Result<()> {
    if let (Some(old), Some(workdir)) = (old, repo.workdir()) {
        // Also where a path lies outside a sparse checkout: `git restore`
        // would write it into the work tree (a file HEAD adds gets no
        // skip-worktree bit), where `read-tree` keeps it out (and a
        // folder the sparse index keeps as one entry, one entry).
        let many = paths.len() > crate::store::git::git_cli::MANY_PATHS;
        if (many || super::checkout::outside_sparse_checkout(repo, paths))
            && crate::store::git::git_cli::switch_tree(workdir, &old.to_string(), &new.to_string())
                .is_ok()
        {
            return Ok(());
        }
    }
    check_out(repo, paths)
}

/// The `paths` in HEAD's tree or in git's index: a file HEAD removed that a
/// killed checkout had already taken out of the index is done, and git
/// refuses a pathspec that matches nothing.
fn known_to_git(repo: &Repository, paths: &[String]) -> Vec<String> {
    let tree = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
    let in_tree = |p: &String| {
        tree.as_ref()
            .is_some_and(|t| t.get_path(Path::new(p.as_str())).is_ok())
    };
    // git's index is read only for paths HEAD lacks (a removal): read
    // whole in-process it was most of a write's time and memory (11 MB,
    // 110,000 entries, on a 10,000-release repository).
    if paths.iter().all(in_tree) {
        return paths.to_vec();
    }
    let removed: Vec<&[u8]> = paths
        .iter()
        .filter(|p| !in_tree(p))
        .map(|p| p.as_bytes())
        .collect();
    let in_index = in_index(repo, &removed);
    paths
        .iter()
        .filter(|p| in_tree(p) || in_index.iter().any(|i| i == p.as_bytes()))
        .cloned()
        .collect()
}

/// Which of `paths` git's index has an entry for. Read by `index_file`,
/// which knows a sparse index (libgit2 cannot open one, and a removal
/// left out of the checkout stayed staged); libgit2 for an index it does
/// not read (version 4).
fn in_index(repo: &Repository, paths: &[&[u8]]) -> Vec<Vec<u8>> {
    let read = std::fs::File::open(repo.path().join("index"))
        .ok()
        .and_then(|f| super::index_file::IndexFile::entries_of(f, paths));
    if let Some(found) = read {
        return found.into_iter().map(|(path, _)| path).collect();
    }
    let index = repo.index().ok();
    paths
        .iter()
        .filter(|p| {
            index.as_ref().is_some_and(|i| {
                std::str::from_utf8(p).is_ok_and(|p| i.get_path(Path::new(p), 0).is_some())
            })
        })
        .map(|p| p.to_vec())
        .collect()
}

/// Finishes what a killed `rel` left, if anything. `locked`: the caller
/// holds rel's lock already; otherwise it is taken for the repair. Returns
/// the line that says what was repaired, for the command to print.
pub fn repair_if_needed(repo: &Repository, locked: bool) -> anyhow::Result<Option<String>> {
    let path = journal_path(repo);
    if !path.exists() {
        if locked {
            // A write killed while recording its journal: nothing happened.
            let _ = std::fs::remove_file(repo.path().join(format!("{JOURNAL}.tmp")));
        }
        return Ok(None);
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
        return Ok(None);
    };
    let started = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let _ = std::fs::remove_file(repo.path().join(format!("{JOURNAL}.tmp")));
    // Only a plain file is read (a FIFO there would block every command).
    let journal: Option<Journal> =
        read_plain(&path).and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let mut done = Vec::new();
    if let Some(j) = &journal {
        if let Some(pid) = j.pid.filter(|p| lock::rel_alive(*p)) {
            // rel's lock was taken from under it (the file removed by hand):
            // its journal stays its own.
            return Err(conflict(format!(
                "rel process {pid} is still at work on this repository ({} names it); \
                 try again when it has finished",
                shown(repo.path(), &path)
            )));
        }
        done.extend(remove_stale_locks(repo, j, started)?);
        let head = repo
            .find_reference(&j.branch)
            .ok()
            .and_then(|r| r.target())
            .map(|id| id.to_string());
        if head.as_deref() == Some(j.new.as_str()) && !j.paths.is_empty() {
            refuse_foreign_index_lock(repo)?;
            // As the write would have: `read-tree` where a path lies
            // outside a sparse checkout (or there are many), else path by
            // path; `check_out_after_commit` falls back to the latter.
            match (j.is("commit"), Oid::from_str(&j.new)) {
                (true, Ok(new)) => {
                    let old = j.old.as_deref().and_then(|o| Oid::from_str(o).ok());
                    check_out_after_commit(repo, old, new, &j.paths)?
                }
                _ => check_out(repo, &j.paths)?,
            }
            let files = format!(
                "{} {}file{}",
                j.paths.len(),
                if j.is("commit") { "of rel's " } else { "" },
                if j.paths.len() == 1 { "" } else { "s" },
            );
            if j.is("fast-forward") {
                done.push(format!(
                    "finished the fast-forward to {}: brought {files} in the work tree and git's index in step with it",
                    short(&j.new)
                ));
            } else {
                done.push(format!(
                    "brought {files} in the work tree and git's index in step with commit {}",
                    short(&j.new)
                ));
            }
        } else if head != j.old && head.as_deref() != Some(j.new.as_str()) {
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
    Ok(Some(format!(
        "rel: repaired what an interrupted rel left: {}",
        done.join("; ")
    )))
}

/// How long the repair waits for a live process to let go of a lock file.
const HOLDER_WAIT: Duration = Duration::from_secs(2);

/// Removes git's lock files that the killed step created: the index's,
/// the branch's and the journal's other refs' (with their logs'), when
/// made after the journal and held open by no live process. An older lock,
/// or one a live process holds, belongs to someone else and stays; one
/// held open is waited for a moment (a git rel started may still be dying)
/// and then refused (exit 3), the journal kept for the next command.
fn remove_stale_locks(
    repo: &Repository,
    journal: &Journal,
    started: SystemTime,
) -> anyhow::Result<Vec<String>> {
    let git_dir = repo.path();
    let mut candidates = vec![git_dir.join("index.lock")];
    for name in std::iter::once(&journal.branch).chain(&journal.refs) {
        candidates.push(git_dir.join(format!("{name}.lock")));
        candidates.push(git_dir.join("logs").join(format!("{name}.lock")));
    }
    let since = started
        .checked_sub(Duration::from_secs(2))
        .unwrap_or(started);
    let mut removed = Vec::new();
    for lock in candidates {
        if !made_since(&lock, since) {
            continue;
        }
        let deadline = Instant::now() + HOLDER_WAIT;
        let mut holders = lock::holders(&lock);
        while !holders.is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            holders = lock::holders(&lock);
        }
        if let Some(pid) = holders.first() {
            return Err(conflict(format!(
                "{} is held by a running process (pid {pid}), not by the rel that was \
                 interrupted; try again when it has finished (rel then finishes the repair)",
                shown(git_dir, &lock)
            )));
        }
        if std::fs::remove_file(&lock).is_ok() {
            removed.push(format!("removed {}", shown(git_dir, &lock)));
        }
    }
    Ok(removed)
}

/// The index lock left after the repair's own removals is someone else's:
/// checking out would fail on it, so the repair stops and says whose it is.
fn refuse_foreign_index_lock(repo: &Repository) -> anyhow::Result<()> {
    let lock = repo.path().join("index.lock");
    if std::fs::symlink_metadata(&lock).is_ok() {
        return Err(conflict(format!(
            "git's index is locked ({}), and not by the rel that was interrupted (the lock is \
             older than its journal); another git command is running, or one crashed: remove \
             that file if no git command is running, then run rel again to finish the repair",
            lock.display()
        )));
    }
    Ok(())
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

/// The journal's bytes, when it is a plain file of a sane size: a link is
/// not followed, a FIFO or device in its place is never read (it could
/// block or never end), and a huge file is not read whole (a journal is a
/// few kilobytes).
fn read_plain(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read as _;
    use std::os::unix::fs::OpenOptionsExt;
    const LARGEST: u64 = 1 << 20;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > LARGEST {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(LARGEST).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}
