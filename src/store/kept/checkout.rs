//! rel's files checked out after a commit without a git process, where
//! that is certainly what `git restore --source=HEAD --staged --worktree`
//! would do: write each file's blob as it is, and record it in git's index
//! with the file's stat, under git's index lock.
//!
//! That is the case when nothing would convert the bytes and the index is
//! one `index_file` understands whole. Anything else goes to git itself
//! (`journal::check_out`), which knows all of it:
//! - a conversion: any attributes file (`.gitattributes` at the top or in a
//!   folder above a path, `$GIT_DIR/info/attributes`, the user's and the
//!   system's, core.attributesFile), core.autocrlf true or input;
//! - an index not patched faithfully here: a sparse checkout that is not
//!   in cone mode, a path outside the cone (git marks its entry and
//!   writes no file) or under a folder the sparse index keeps as one
//!   entry, a split index, fsmonitor, an entry of the paths marked
//!   skip-worktree,
//!   conflicts, core.ignoreCase, core.sharedRepository (the file's mode),
//!   core.fsync, index version 4, an index extension not known;
//! - anything but a plain 100644 file in HEAD for a path (a removal, an
//!   executable, a link), GIT_DIR, GIT_WORK_TREE or GIT_INDEX_FILE set.
//!
//! The steps follow git's: take `index.lock` (O_EXCL; held, the checkout
//! fails as git's would, and the journal's repair retries), read the index
//! under the lock, write the files, write the new index into the lock file
//! and rename it over `index` (`index_file`: the bytes patched, not
//! rewritten through libgit2, which is twice as slow as git on 110,000
//! entries). Killed anywhere, the journal stays; the next rel removes
//! `index.lock` (made after the journal, held by nobody) and checks out
//! again.
//!
//! Entries of other files modified in or after the second the old index
//! was written are "racily clean": as git does when it writes an index,
//! each is compared with its file and marked (size 0) for git to look at
//! again when they differ (`index_file`).
//!
//! Saves `git restore`: one process, about 12 ms of a 36 ms `rel new` on a
//! 1,000-release repository, and git's reading of the whole index at
//! 10,000 (docs/decisions.md, issue 20).

use std::io::{Seek as _, Write as _};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use super::index_file::{IndexFile, NewEntry};
use super::sparse_cone::Cone;

use crate::store::git::git_config::{cached, GitConfig};

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

/// Checks `paths` (in the git work tree) out from HEAD in-process, when
/// that is certainly what git would do: Ok(true) when done, Ok(false)
/// when git must do it (nothing touched, or in the rare case that the
/// index changed under the lock, files written that git writes again);
/// an error once git's index lock is taken (as git's own checkout would
/// fail).
pub fn check_out(repo: &Repository, paths: &[String]) -> anyhow::Result<bool> {
    let Some(workdir) = as_is(repo, paths, Use::Patch) else {
        return Ok(false);
    };
    if sparse(&*cached(repo, &workdir)?) {
        // In cone mode (as_is saw to it): each file must be in the cone.
        match Cone::read(repo.path()) {
            Some(cone) if paths.iter().all(|p| cone.holds(p)) => {}
            _ => return Ok(false),
        }
    }
    let Some(files) = plain_files(repo, paths) else {
        return Ok(false);
    };
    let git_dir = repo.path().to_path_buf();
    let Some(mut lock) = IndexLock::take(&git_dir)? else {
        return Ok(false); // no index yet: git makes one
    };
    let index_path = git_dir.join("index");
    let Ok(mut old) = std::fs::File::open(&index_path) else {
        return Ok(false);
    };
    let Ok(stat) = old.metadata() else {
        return Ok(false);
    };
    let asked: Vec<&[u8]> = files.iter().map(|(p, _)| p.as_bytes()).collect();
    let Some(index) = IndexFile::read(&old, stat.len(), &asked) else {
        return Ok(false);
    };
    if !asked.iter().all(|p| index.may_replace(p)) {
        return Ok(false);
    }
    let mut entries = write_all(repo, &workdir, &files)?;
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    // A racily clean entry is compared as git compares it: no attribute
    // applies (checked above), so its file's bytes hash to its blob.
    let unchanged = |path: &[u8], id: &[u8]| {
        let full = workdir.join(std::ffi::OsStr::from_bytes(path));
        // git leaves the entry of a file that is not there as it is (one
        // outside a sparse checkout has none).
        if std::fs::symlink_metadata(&full).is_err() {
            return true;
        }
        git2::Oid::hash_file(git2::ObjectType::Blob, &full)
            .is_ok_and(|hashed| hashed.as_bytes() == id)
    };
    let racy_since = u32::try_from(stat.mtime()).unwrap_or(0);
    if old.seek(std::io::SeekFrom::Start(0)).is_err() {
        return Ok(false);
    }
    // None: the index is not what the first pass read (nobody else holds
    // the lock, so it was not written by git): git checks the files out
    // again.
    let patched = lock.commit_with(&index_path, |to| {
        index.write_patched(&old, to, &entries, racy_since, unchanged)
    })?;
    if patched.is_none() {
        return Ok(false);
    }
    Ok(true)
}

/// What the index is read for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Use {
    /// Patched: the checkout.
    Patch,
    /// Only its entries of a few paths compared: a sparse checkout or
    /// index changes nothing of that (an entry outside it is marked, and
    /// asked of git).
    Compare,
}

/// The work tree, when git would write and compare `paths` byte for byte
/// and (for `Use::Patch`) keep an index this module patches (see the
/// module comment); None when git must be asked.
pub(super) fn as_is(repo: &Repository, paths: &[String], to: Use) -> Option<PathBuf> {
    if paths.is_empty() || ELSEWHERE.iter().any(|v| std::env::var_os(v).is_some()) {
        return None;
    }
    let workdir = repo.workdir().map(Path::to_path_buf)?;
    let config = cached(repo, &workdir).ok()?;
    (plain_settings(&config, to) && !attributes_anywhere(repo, &workdir, paths)).then_some(workdir)
}

/// The settings under which git writes a blob's bytes as they are and
/// keeps an index patched faithfully here (see the module comment).
fn plain_settings(config: &GitConfig, to: Use) -> bool {
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
    // Patched in a sparse checkout only in cone mode, whose patterns
    // `sparse_cone` reads.
    let cone = on("core.sparsecheckout")
        && matches!(config.get_bool("core.sparsecheckoutcone"), Ok(Some(true)));
    autocrlf_checks_out_as_is
        && (to == Use::Compare || !sparse(config) || cone)
        && !on("core.splitindex")
        && !on("core.ignorecase")
        && !set("core.fsmonitor")
        && !set("core.sharedrepository")
        // git would sync the index file to disk.
        && !set("core.fsync")
        && !set("core.attributesfile")
        && !set("core.worktree")
}

/// Whether git keeps a sparse checkout here and one of `paths` may lie
/// outside it (outside the cone, or patterns that are not a cone).
pub fn outside_sparse_checkout(repo: &Repository, paths: &[String]) -> bool {
    let Some(workdir) = repo.workdir() else {
        return false;
    };
    let Ok(config) = cached(repo, workdir) else {
        return false; // git's configuration unread: `git restore`, as before
    };
    if !sparse(&config) {
        return false;
    }
    match Cone::read(repo.path()) {
        Some(cone) => !paths.iter().all(|p| cone.holds(p)),
        None => true,
    }
}

/// Whether git keeps a sparse checkout or a sparse index here.
fn sparse(config: &GitConfig) -> bool {
    let on = |key: &str| !matches!(config.get_bool(key), Ok(None | Some(false)));
    on("core.sparsecheckout") || on("index.sparse")
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

/// HEAD's blob for each path, when each is a plain (100644) file there;
/// sorted by path, as the index is.
fn plain_files(repo: &Repository, paths: &[String]) -> Option<Vec<(String, Oid)>> {
    let tree = repo.head().ok()?.peel_to_tree().ok()?;
    let mut files: Vec<(String, Oid)> = paths
        .iter()
        .map(|p| {
            let entry = tree.get_path(Path::new(p)).ok()?;
            (entry.filemode() == 0o100644 && entry.kind() == Some(git2::ObjectType::Blob))
                .then(|| (p.clone(), entry.id()))
        })
        .collect::<Option<_>>()?;
    files.sort();
    files.dedup();
    Some(files)
}

/// Writes each file; returns their index entries.
fn write_all(
    repo: &Repository,
    workdir: &Path,
    files: &[(String, Oid)],
) -> anyhow::Result<Vec<NewEntry>> {
    let mut entries = Vec::with_capacity(files.len());
    for (path, id) in files {
        let blob = repo.find_blob(*id)?;
        let full = workdir.join(path);
        let meta = write_file(&full, blob.content())
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", full.display()))?;
        entries.push(NewEntry::of_file(path, *id, &meta));
    }
    Ok(entries)
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

/// git's index lock, held by this process: made with O_EXCL as git makes
/// it; the new index is written into it and renamed over the index, as
/// git does; removed when dropped before that.
struct IndexLock {
    path: PathBuf,
    file: Option<std::fs::File>,
}

impl IndexLock {
    /// Ok(None) when the repository has no index (git makes the first).
    fn take(git_dir: &Path) -> anyhow::Result<Option<IndexLock>> {
        if !git_dir.join("index").is_file() {
            return Ok(None);
        }
        let path = git_dir.join("index.lock");
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o666)
            .open(&path)
            .map_err(|e| anyhow::anyhow!("cannot lock git's index ({}): {e}", path.display()))?;
        Ok(Some(IndexLock {
            path,
            file: Some(file),
        }))
    }

    /// Writes the new index into the lock with `write` and renames the
    /// lock over `index`; when `write` says None, the lock is left to be
    /// removed and `index` is untouched.
    fn commit_with(
        &mut self,
        index: &Path,
        write: impl FnOnce(&std::fs::File) -> std::io::Result<Option<()>>,
    ) -> anyhow::Result<Option<()>> {
        let file = self
            .file
            .take()
            .ok_or_else(|| anyhow::anyhow!("git's index lock was already used"))?;
        let written = write(&file)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", self.path.display()))?;
        drop(file);
        if written.is_none() {
            return Ok(None);
        }
        std::fs::rename(&self.path, index)
            .map_err(|e| anyhow::anyhow!("cannot replace git's index: {e}"))?;
        self.path = PathBuf::new();
        Ok(Some(()))
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
