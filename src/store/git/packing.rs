//! Keeping the repository packed, as git's own commands do after a
//! commit. libgit2 writes every object loose and never packs; a rel commit
//! that touches an incident writes a new `releases/incidents` tree (2.5 MB
//! loose for 100,000 incidents), so git's threshold in objects alone
//! (`gc.auto`, 6,700 by default) would let a thousand such commits grow the
//! repository by gigabytes. rel therefore also asks for packing when the
//! loose objects pass `LOOSE_BYTES`.
//!
//! The count is estimated from one of the 256 object folders, as git does.
//! The size cannot be (a few large trees among small objects), and rel
//! keeps no counter of its own (nothing under `.git` is state rel relies
//! on): a commit that itself wrote more than `LARGE_COMMIT` bytes of loose
//! objects (a close into a large year of the archive) adds up the sizes of
//! all loose objects, fewer than git's threshold in number, so a stat each.
//! Smaller commits are caught by the count. Packing is `git repack -d -l`
//! (what `git gc --auto` runs first: the loose objects into one more pack)
//! started in the background, or `git gc --auto` once there are many
//! packs: the command that made the commit never waits for it.

use std::path::Path;
use std::process::{Command, Stdio};

use git2::{Oid, Repository};

/// Loose objects above this many bytes are packed.
const LOOSE_BYTES: u64 = 64 << 20;

/// A commit that wrote more loose bytes than this has their total added up.
const LARGE_COMMIT: u64 = 64 << 10;

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
    let objects = repo.commondir().join("objects");
    let over_size = !over_count
        && written_loose(repo, commit, paths) > LARGE_COMMIT
        && loose_bytes(&objects) > LOOSE_BYTES;
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

/// Bytes of every loose object.
fn loose_bytes(objects: &Path) -> u64 {
    let mut total = 0;
    for i in 0..=255u8 {
        let Ok(entries) = std::fs::read_dir(objects.join(format!("{i:02x}"))) else {
            continue;
        };
        for e in entries.flatten() {
            if e.file_name().len() == 38 {
                total += e.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
    }
    total
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
