//! Keeping the repository packed, as git's own commands do after a
//! commit. libgit2 writes every object loose and never packs; a rel commit
//! that touches an incident writes a new `releases/incidents` tree (2.5 MB
//! loose for 100,000 incidents), so git's threshold in objects alone
//! (`gc.auto`, 6,700 by default) would let a thousand such commits grow the
//! repository by gigabytes. rel therefore also asks for packing when the
//! loose objects pass `LOOSE_BYTES`.
//!
//! The count is estimated from one of the 256 object folders, as git does.
//! The size cannot be (a few large trees among small objects): rel adds up
//! the loose objects of its own commits in `.git/rel/loose-bytes` (written
//! under rel's lock). Packing is `git repack -d -l` (what `git gc --auto`
//! runs first: the loose objects into one more pack) started in the
//! background, or `git gc --auto` once there are many packs: the command
//! that made the commit never waits for it.

use std::path::Path;
use std::process::{Command, Stdio};

use git2::{Oid, Repository};

/// Loose objects above this many bytes (estimated) are packed.
const LOOSE_BYTES: u64 = 64 << 20;

/// Starts `git gc --auto` in the background when the loose objects pass
/// git's count or rel's size threshold; `paths` are the files the commit
/// `commit` changed. `gc.auto = 0` (the user turned automatic packing off)
/// is obeyed.
pub fn pack_when_needed(repo: &Repository, commit: Oid, paths: &[String]) {
    let limit = repo
        .config()
        .ok()
        .and_then(|c| c.get_i64("gc.auto").ok())
        .unwrap_or(6700);
    if limit <= 0 {
        return;
    }
    let count = loose_count(&repo.commondir().join("objects").join("17"));
    let over_count = count * 256 > limit as u64;
    let counter = repo.commondir().join("rel").join("loose-bytes");
    let before: u64 = super::cache::read_plain(&counter)
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);
    let bytes = before.saturating_add(written_loose(repo, commit, paths));
    let over_size = bytes > LOOSE_BYTES;
    let kept = if over_count || over_size { 0 } else { bytes };
    if let Some(folder) = counter.parent() {
        let _ = std::fs::create_dir_all(folder);
        let _ = std::fs::write(&counter, kept.to_string());
    }
    if !over_count && !over_size {
        return;
    }
    let workdir = repo.workdir().unwrap_or(repo.path());
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(workdir);
    if pack_count(&repo.commondir().join("objects").join("pack")) >= PACK_LIMIT {
        if repo.commondir().join("gc.log").exists() {
            // gc would do nothing for a day: one pack, as its repack makes.
            cmd.args(["repack", "-a", "-d", "-l", "-q"]);
        } else {
            // Many packs: git's own gc consolidates them (and packs the
            // loose objects on the way), under its own lock.
            cmd.args(["gc", "--auto", "--quiet"]);
        }
    } else {
        // What `git gc --auto` does first, without its two ways of doing
        // nothing here: its estimate counts objects only (a few 2.5 MB
        // trees never pass it), and a `gc.log` left by an earlier
        // background gc stops it for a day.
        cmd.args(["repack", "-d", "-l", "-q"]);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Not waited for: the command's answer does not depend on it.
    let _ = cmd.spawn();
}

/// git's `gc.autoPackLimit` default.
const PACK_LIMIT: usize = 50;

fn pack_count(folder: &Path) -> usize {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".pack"))
                .count()
        })
        .unwrap_or(0)
}

/// Number of loose objects in one object folder.
fn loose_count(folder: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    // Object files are 38 hex digits; skip temporary files.
    entries
        .flatten()
        .filter(|e| e.file_name().len() == 38)
        .count() as u64
}

/// Bytes of the loose objects a commit wrote: the commit, the trees on the
/// way to each changed file, and the files' blobs (those that are loose).
fn written_loose(repo: &Repository, commit: Oid, paths: &[String]) -> u64 {
    let mut ids = vec![commit];
    if let Ok(tree) = repo.find_commit(commit).and_then(|c| c.tree()) {
        ids.push(tree.id());
        for path in paths {
            let mut at = String::new();
            for part in path.split('/') {
                if !at.is_empty() {
                    at.push('/');
                }
                at.push_str(part);
                if let Ok(entry) = tree.get_path(Path::new(&at)) {
                    ids.push(entry.id());
                }
            }
        }
    }
    ids.sort();
    ids.dedup();
    let objects = repo.commondir().join("objects");
    ids.iter()
        .filter_map(|id| {
            let hex = id.to_string();
            let file = objects.join(&hex[..2]).join(&hex[2..]);
            std::fs::metadata(file).ok().map(|m| m.len())
        })
        .sum()
}
