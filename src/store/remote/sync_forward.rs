//! The fast-forward to the fetched tip (contract section 6 step 2), done so
//! that a kill at any instant leaves nothing the next command cannot finish.
//! `git merge --ff-only` killed mid-way leaves `index.lock` and a work tree
//! half-way between the two commits with the branch still at the old one,
//! and no record of which files it touched. Here instead, under rel's lock:
//!
//! 1. the files the fetched commits change are listed (tree to tree);
//! 2. any of them with a local edit (staged, modified, or untracked in the
//!    way), or git's index locked, is exit 3 with nothing written;
//! 3. the journal records the step (old and new commit, the files, rel's pid);
//! 4. the branch moves by compare and swap;
//! 5. those files in the index and work tree are checked out from the new
//!    commit through git (filters and line-ending settings apply);
//! 6. the journal is removed.
//!
//! Killed after 4, the next rel command checks the journal's files out from
//! HEAD (see `journal`); killed before, the branch never moved and the work
//! tree was never touched. Files the fetched commits do not change (the
//! user's own work) are never touched.

use std::collections::BTreeSet;
use std::path::Path;

use git2::{Delta, DiffOptions, Oid, Repository};

use super::sync::{short_ref, Shared};
use crate::error::{conflict, hinted, Kind};
use crate::store::git::git_cli;
use crate::store::kept::journal::{self, Journal};

/// How many pathspecs one `git status` gets (the command line has a limit).
const CHUNK: usize = 500;

/// Brings `shared.local` from where it is to `tip`, a descendant of it.
pub fn fast_forward(
    repo: &Repository,
    workdir: &Path,
    shared: &Shared,
    tip: Oid,
) -> anyhow::Result<()> {
    let old = repo
        .find_reference(&shared.local)
        .ok()
        .and_then(|r| r.target());
    let paths = changed_between(repo, old, tip)?;
    refuse_index_lock(repo, shared)?;
    refuse_edits_in_the_way(workdir, shared, &paths)?;
    let mut record = Journal::new(
        "fast-forward",
        &shared.local,
        old.map(|id| id.to_string()),
        tip.to_string(),
    );
    record.paths = paths.clone();
    journal::begin(repo, &record)?;
    journal::kill_point("fast-forward-journal");
    let log = format!("rel: fast-forward to {}/{}", shared.remote, shared.branch);
    let moved = match old {
        Some(old) => repo.reference_matching(&shared.local, tip, true, old, &log),
        None => repo.reference(&shared.local, tip, false, &log),
    };
    if let Err(e) = moved {
        journal::end(repo);
        return Err(conflict(format!(
            "cannot fast-forward {} to {}/{}: {}; nothing was written, run the command again",
            short_ref(&shared.local),
            shared.remote,
            shared.branch,
            e.message()
        )));
    }
    journal::kill_point("fast-forward-moved");
    if let Err(e) = git_cli::restore_from(workdir, &tip.to_string(), &paths) {
        // The branch has moved; the journal stays for the next command.
        return Err(conflict(format!(
            "fast-forwarded {} to {}/{}, but the work tree could not follow ({e}); \
             nothing else was written; the next rel command finishes it",
            short_ref(&shared.local),
            shared.remote,
            shared.branch
        )));
    }
    journal::end(repo);
    Ok(())
}

/// Every path whose entry differs between `old`'s tree and `tip`'s, as a
/// path in the work tree (no rename detection: both names are listed).
fn changed_between(repo: &Repository, old: Option<Oid>, tip: Oid) -> anyhow::Result<Vec<String>> {
    let old_tree = match old {
        Some(id) => Some(repo.find_commit(id)?.tree()?),
        None => None,
    };
    let new_tree = repo.find_commit(tip)?.tree()?;
    let mut options = DiffOptions::new();
    options.ignore_submodules(false).include_typechange(true);
    let diff = repo.diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), Some(&mut options))?;
    let mut paths = BTreeSet::new();
    for delta in diff.deltas() {
        if delta.status() == Delta::Unmodified {
            continue;
        }
        for file in [delta.old_file(), delta.new_file()] {
            let Some(path) = file.path() else { continue };
            // git's checkout gets the names as text: one that is not UTF-8
            // could not be named, and would be left behind half-way.
            let Some(text) = path.to_str() else {
                return Err(hinted(
                    Kind::Conflict,
                    format!(
                        "the fetched commits change a file whose name is not UTF-8 ({}); nothing was written",
                        path.display()
                    ),
                    "fast-forward this clone with git itself (git merge --ff-only), then run rel again",
                ));
            };
            paths.insert(text.to_string());
        }
    }
    Ok(paths.into_iter().collect())
}

fn refuse_index_lock(repo: &Repository, shared: &Shared) -> anyhow::Result<()> {
    let lock = repo.path().join("index.lock");
    if std::fs::symlink_metadata(&lock).is_ok() {
        return Err(hinted(
            Kind::Conflict,
            format!(
                "cannot fast-forward {} to {}/{}: git's index is locked ({}); nothing was written",
                short_ref(&shared.local),
                shared.remote,
                shared.branch,
                lock.display()
            ),
            "another git command is running, or one crashed: try again, or remove that file if no git command is running",
        ));
    }
    Ok(())
}

/// Exit 3 when a file the fast-forward changes has a local edit, staged or
/// not, or an untracked file or folder stands where it goes, as `git merge
/// --ff-only` refuses: the fast-forward would overwrite it.
fn refuse_edits_in_the_way(
    workdir: &Path,
    shared: &Shared,
    paths: &[String],
) -> anyhow::Result<()> {
    let mut in_the_way = Vec::new();
    for chunk in paths.chunks(CHUNK) {
        in_the_way.extend(git_cli::changed_paths(workdir, chunk)?);
    }
    // A file (or a link) where the new commit needs a folder.
    let listed: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
    for path in paths {
        let mut above = path.as_str();
        while let Some((parent, _)) = above.rsplit_once('/') {
            above = parent;
            let is_folder = std::fs::symlink_metadata(workdir.join(parent)).map(|m| m.is_dir());
            if matches!(is_folder, Ok(false)) && !listed.contains(parent) {
                in_the_way.push(parent.to_string());
            }
        }
    }
    if in_the_way.is_empty() {
        return Ok(());
    }
    in_the_way.sort();
    in_the_way.dedup();
    let shown: Vec<&str> = in_the_way.iter().take(5).map(String::as_str).collect();
    let more = in_the_way.len().saturating_sub(shown.len());
    Err(hinted(
        Kind::Conflict,
        format!(
            "cannot fast-forward {} to {}/{}: local edits in the way: {}{}; nothing was written",
            short_ref(&shared.local),
            shared.remote,
            shared.branch,
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ),
        "commit, stash or restore the local edits in the way, then run rel again",
    ))
}
