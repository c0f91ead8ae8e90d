//! rel's files checked out after a commit without a git process, where
//! that is certainly what `git restore --source=HEAD --staged --worktree`
//! would do: write each file's blob as it is, and record it in git's index
//! with the file's stat, under git's index lock.
//!
//! That is the case when nothing would convert the bytes and the index is
//! one libgit2 reads and writes whole. Anything else goes to git itself
//! (`journal::check_out`), which knows all of it:
//! - a conversion: any attributes file (`.gitattributes` at the top or in a
//!   folder above a path, `$GIT_DIR/info/attributes`, the user's and the
//!   system's, core.attributesFile), core.autocrlf=true;
//! - an index libgit2 cannot rewrite faithfully: a sparse checkout or
//!   sparse index, a split index, fsmonitor, an entry marked skip-worktree,
//!   conflicts, core.ignoreCase, core.sharedRepository (the file's mode);
//!   an extension libgit2 does not know makes it refuse to read the index;
//! - anything but a plain 100644 file in HEAD for a path (a removal, an
//!   executable, a link), GIT_DIR, GIT_WORK_TREE or GIT_INDEX_FILE set.
//!
//! The steps follow git's: take `index.lock` (O_EXCL; held, the checkout
//! fails as git's would, and the journal's repair retries), read the index
//! under the lock, write the files, write the new index beside and rename
//! it over `index`, remove the lock. The index is read from a hard link
//! (`rel-index.tmp`), since libgit2 writes an index through its own
//! `<file>.lock`; the rename is atomic, so a reader sees the old index or
//! the new one. Killed anywhere, the journal stays; the next rel removes
//! `index.lock` (made after the journal, held by nobody) and these
//! leftovers, and checks out again.
//!
//! Entries of other files stamped at or after the old index's time are
//! "racily clean": git compares their content when it writes the index,
//! and marks those that differ (size 0) for a later look. Here every such
//! entry is marked, without a look: git then compares the content on its
//! next read, which is what it would have done anyway.
//!
//! Saves `git restore`: one process, about 12 ms of a 36 ms `rel new` on a
//! 1,000-release repository (docs/decisions.md).

use std::io::Write as _;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use git2::{IndexEntry, IndexTime, Oid, Repository};

use crate::store::git::git_config::{cached, GitConfig};

/// Temporary files of the in-process checkout, in the git directory.
const INDEX_COPY: &str = "rel-index.tmp";

/// Extended flag of an entry outside a sparse checkout.
const SKIP_WORKTREE: u16 = 1 << 14;

/// Variables with which git would use another repository, work tree or
/// index than libgit2 found.
const ELSEWHERE: [&str; 6] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ATTR_SOURCE",
];

/// Removes what a killed in-process checkout may have left in the git
/// directory (never git's own files).
pub fn remove_leftovers(repo: &Repository) {
    for name in [INDEX_COPY.to_string(), format!("{INDEX_COPY}.lock")] {
        let _ = std::fs::remove_file(repo.path().join(name));
    }
}

/// Checks `paths` (in the git work tree) out from HEAD in-process, when
/// that is certainly what git would do: Ok(true) when done, Ok(false)
/// (nothing touched) when git must do it; an error once git's index lock
/// is taken (as git's own checkout would fail).
pub fn check_out(repo: &Repository, paths: &[String]) -> anyhow::Result<bool> {
    remove_leftovers(repo);
    if paths.is_empty() || ELSEWHERE.iter().any(|v| std::env::var_os(v).is_some()) {
        return Ok(false);
    }
    let Some(workdir) = repo.workdir().map(Path::to_path_buf) else {
        return Ok(false);
    };
    let Ok(config) = cached(repo, &workdir) else {
        return Ok(false);
    };
    if !plain_settings(&config) || attributes_anywhere(repo, &workdir, paths) {
        return Ok(false);
    }
    let Some(files) = plain_files(repo, paths) else {
        return Ok(false);
    };
    let git_dir = repo.path().to_path_buf();
    let Some(lock) = IndexLock::take(&git_dir)? else {
        return Ok(false); // no index yet: git makes one
    };
    let copy = git_dir.join(INDEX_COPY);
    let old = match std::fs::hard_link(git_dir.join("index"), &copy)
        .or_else(|_| std::fs::copy(git_dir.join("index"), &copy).map(|_| ()))
        .and_then(|_| std::fs::metadata(&copy))
    {
        Ok(meta) => meta,
        Err(_) => {
            remove_leftovers(repo);
            return Ok(false);
        }
    };
    let mut index = match git2::Index::open(&copy) {
        Ok(index) if fits(&index, &files) => index,
        _ => {
            remove_leftovers(repo);
            return Ok(false);
        }
    };
    let written = write_all(repo, &workdir, &files, &old, &mut index);
    let written = written.and_then(|()| {
        index.write()?;
        std::fs::rename(&copy, git_dir.join("index"))
            .map_err(|e| anyhow::anyhow!("cannot replace git's index: {e}"))
    });
    drop(index);
    if written.is_err() {
        remove_leftovers(repo);
    }
    drop(lock);
    written.map(|()| true)
}

/// The settings under which git writes a blob's bytes as they are and
/// keeps an index libgit2 rewrites faithfully (see the module comment).
fn plain_settings(config: &GitConfig) -> bool {
    let on = |key: &str| !matches!(config.get_bool(key), Ok(None | Some(false)));
    let set = |key: &str| config.get(key).is_some();
    let autocrlf_checks_out_as_is = match config.get("core.autocrlf") {
        None => true,
        Some(Some(v)) => {
            v.eq_ignore_ascii_case("input")
                || crate::store::git::git_config::parse_bool(v) == Some(false)
        }
        Some(None) => false,
    };
    autocrlf_checks_out_as_is
        && !on("core.sparsecheckout")
        && !on("index.sparse")
        && !on("core.splitindex")
        && !on("core.ignorecase")
        && !set("core.fsmonitor")
        && !set("core.sharedrepository")
        && !set("core.attributesfile")
        && !set("core.worktree")
}

/// Whether any attributes file could apply to `paths`: a `.gitattributes`
/// in the work tree's top or a folder above one of them,
/// `$GIT_DIR/info/attributes`, the user's or a system one.
fn attributes_anywhere(repo: &Repository, workdir: &Path, paths: &[String]) -> bool {
    let mut candidates: Vec<PathBuf> = vec![
        repo.path().join("info/attributes"),
        PathBuf::from("/etc/gitattributes"),
        PathBuf::from("/usr/local/etc/gitattributes"),
        PathBuf::from("/usr/etc/gitattributes"),
        PathBuf::from("/opt/homebrew/etc/gitattributes"),
    ];
    match std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(xdg) => candidates.push(PathBuf::from(xdg).join("git/attributes")),
        None => {
            if let Some(home) = std::env::var_os("HOME") {
                candidates.push(PathBuf::from(home).join(".config/git/attributes"));
            }
        }
    }
    let mut folders: Vec<PathBuf> = vec![workdir.to_path_buf()];
    for path in paths {
        let mut dir = workdir.to_path_buf();
        let parts: Vec<&str> = path.split('/').collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            dir.push(part);
            folders.push(dir.clone());
        }
    }
    folders.sort();
    folders.dedup();
    candidates.extend(folders.into_iter().map(|d| d.join(".gitattributes")));
    candidates
        .iter()
        .any(|c| std::fs::symlink_metadata(c).is_ok())
}

/// HEAD's blob for each path, when each is a plain (100644) file there.
fn plain_files(repo: &Repository, paths: &[String]) -> Option<Vec<(String, Oid)>> {
    let tree = repo.head().ok()?.peel_to_tree().ok()?;
    paths
        .iter()
        .map(|p| {
            let entry = tree.get_path(Path::new(p)).ok()?;
            (entry.filemode() == 0o100644 && entry.kind() == Some(git2::ObjectType::Blob))
                .then(|| (p.clone(), entry.id()))
        })
        .collect()
}

/// Whether the index is one to update in-process: no conflicts, no path
/// of rel's outside a sparse checkout.
fn fits(index: &git2::Index, files: &[(String, Oid)]) -> bool {
    !index.has_conflicts()
        && files.iter().all(|(p, _)| {
            index
                .get_path(Path::new(p), 0)
                .is_none_or(|e| e.flags_extended & SKIP_WORKTREE == 0)
        })
}

/// Writes each file and its index entry; marks other entries racily
/// clean against the old index (`old`'s time) for git to look at.
fn write_all(
    repo: &Repository,
    workdir: &Path,
    files: &[(String, Oid)],
    old: &std::fs::Metadata,
    index: &mut git2::Index,
) -> anyhow::Result<()> {
    let ours: std::collections::HashSet<&[u8]> = files.iter().map(|(p, _)| p.as_bytes()).collect();
    let stamp = (old.mtime(), old.mtime_nsec());
    let racy: Vec<IndexEntry> = index
        .iter()
        .filter(|e| {
            e.mode != 0o160000
                && e.file_size != 0
                && (
                    i64::from(e.mtime.seconds()),
                    i64::from(e.mtime.nanoseconds()),
                ) >= stamp
                && !ours.contains(e.path.as_slice())
        })
        .collect();
    for mut entry in racy {
        entry.file_size = 0;
        index.add(&entry)?;
    }
    for (path, id) in files {
        let blob = repo.find_blob(*id)?;
        let full = workdir.join(path);
        let meta = write_file(&full, blob.content())
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", full.display()))?;
        index.add(&entry_for(path, *id, &meta))?;
    }
    Ok(())
}

/// Writes `content` at `path` as git checks a file out: the old file
/// removed, a new one made (mode 0666 less the umask).
fn write_file(path: &Path, content: &[u8]) -> std::io::Result<std::fs::Metadata> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o666)
        .open(path)?;
    file.write_all(content)?;
    file.metadata()
}

/// The index entry of a file just written: HEAD's blob, the file's stat.
fn entry_for(path: &str, id: Oid, meta: &std::fs::Metadata) -> IndexEntry {
    // The index keeps 32 bits of each, as git does.
    let time = |s: i64, ns: i64| IndexTime::new(s as i32, ns as u32);
    IndexEntry {
        ctime: time(meta.ctime(), meta.ctime_nsec()),
        mtime: time(meta.mtime(), meta.mtime_nsec()),
        dev: meta.dev() as u32,
        ino: meta.ino() as u32,
        mode: 0o100644,
        uid: meta.uid(),
        gid: meta.gid(),
        file_size: meta.len() as u32,
        id,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// git's index lock, held by this process: made with O_EXCL as git makes
/// it, removed when dropped.
struct IndexLock(PathBuf);

impl IndexLock {
    /// Ok(None) when the repository has no index (git makes the first).
    fn take(git_dir: &Path) -> anyhow::Result<Option<IndexLock>> {
        if !git_dir.join("index").is_file() {
            return Ok(None);
        }
        let path = git_dir.join("index.lock");
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o666)
            .open(&path)
            .map_err(|e| anyhow::anyhow!("cannot lock git's index ({}): {e}", path.display()))?;
        Ok(Some(IndexLock(path)))
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
