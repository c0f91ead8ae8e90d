//! Uncommitted edits to rel's files, compared as git compares them (the
//! index's stat cache, line-ending settings and filters included), so a
//! clone with `core.autocrlf` or `.gitattributes` is clean when `git status`
//! says it is.

use crate::error::conflict;

use super::reads::same_as_blob;
use super::source::Source;
use super::workspace::{Workspace, PIPELINE_FILE};
use crate::store::git::git_cli;
use crate::store::kept::clean_check::certainly_clean;

/// Above this many candidates, git status looks at the whole folder.
const ASK_ONE_BY_ONE: usize = 256;

impl Workspace {
    /// Which of `paths` (relative to the release root) differ between HEAD,
    /// the index and the work tree, or exist in the work tree only.
    pub fn uncommitted(&self, paths: &[String]) -> anyhow::Result<Vec<String>> {
        if self.head_tree_read() == Some(true) {
            return self.uncommitted_by_git(paths);
        }
        // No commit yet, or deciding on another tree than HEAD's (`[sync]`):
        // libgit2 first, in-process: when it finds a path clean (its stat
        // matches the index, or its content hashes to it, and the index
        // matches HEAD) git does too. It may see edits git does not (it
        // runs no clean filter): git has the last word on those.
        let suspects: Vec<String> = paths
            .iter()
            .filter(|p| !self.clean_for_libgit2(p))
            .cloned()
            .collect();
        if suspects.is_empty() {
            return Ok(Vec::new());
        }
        self.changed(&suspects)
    }

    /// Exit 3 when environments.toml has uncommitted edits, checked when a
    /// write opens: the pipeline it obeys is the committed one. A work-tree
    /// file byte for byte HEAD's needs no git process here: only a staged
    /// edit could remain, and the check before committing (`check_clean`,
    /// which names environments.toml again) refuses that before anything
    /// is written.
    pub fn refuse_pipeline_edits(&self) -> anyhow::Result<()> {
        if self.head_tree_read() == Some(true)
            && same_as_blob(&self.root.join(PIPELINE_FILE), self.blob_of(PIPELINE_FILE)?)
        {
            return Ok(());
        }
        self.refuse_uncommitted(&[PIPELINE_FILE.to_string()])
    }

    /// Whether the tree read is HEAD's; None before the first commit.
    fn head_tree_read(&self) -> Option<bool> {
        let head = self.head_at_open?;
        let tree = self.repo.find_commit(head).ok()?.tree_id();
        Some(self.source == Source::Tree(Some(tree)))
    }

    /// `uncommitted` decided in-process for what is certainly clean
    /// (`clean_check`: no git process in the common case), and asked of
    /// git for the rest: in one go for the tracked files (`git
    /// status --untracked-files=no`: git's index read once, only these
    /// paths refreshed, no folder scanned), and again, untracked files
    /// included, for those in the work tree that HEAD lacks. libgit2 read
    /// and checked the whole index in-process first: 11 MB on a
    /// 100,000-incident register, most of a write's time.
    fn uncommitted_by_git(&self, paths: &[String]) -> anyhow::Result<Vec<String>> {
        // What is certainly clean needs no git process (`clean_check`).
        let clean = certainly_clean(
            &self.repo,
            &paths.iter().map(|p| self.repo_path(p)).collect::<Vec<_>>(),
        );
        let paths: Vec<String> = paths
            .iter()
            .filter(|p| !clean.contains(&self.repo_path(p)))
            .cloned()
            .collect();
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let paths = &paths[..];
        let specs: Vec<String> = paths.iter().map(|p| self.repo_path(p)).collect();
        let mut dirty = self.relative_changes(git_cli::changed_tracked(self.workdir(), &specs)?)?;
        let new_files: Vec<String> = paths
            .iter()
            .filter(|p| !dirty.contains(p))
            .filter(|p| std::fs::symlink_metadata(self.root.join(p)).is_ok())
            .filter(|p| !self.has_rel_file(p).unwrap_or(false))
            .cloned()
            .collect();
        if !new_files.is_empty() {
            dirty.extend(self.changed(&new_files)?);
            dirty.sort();
            dirty.dedup();
        }
        Ok(dirty)
    }

    fn clean_for_libgit2(&self, relative: &str) -> bool {
        match self
            .repo
            .status_file(std::path::Path::new(&self.repo_path(relative)))
        {
            Ok(status) => status.is_empty(),
            // Neither in HEAD, the index nor the work tree: nothing to edit.
            Err(e) => e.code() == git2::ErrorCode::NotFound,
        }
    }

    /// From now on, record what is read, for `uncounted_edits`.
    pub fn record_reads(&self) {
        self.reads.start();
    }

    /// The files the answer used (environments.toml always) that have
    /// uncommitted edits, as git sees them: those read in full, and files
    /// added to or removed from the folders listed.
    pub fn uncounted_edits(&self) -> anyhow::Result<Vec<String>> {
        self.reads
            .read_file(PIPELINE_FILE, self.blob_of(PIPELINE_FILE).ok().flatten());
        let suspects = self.reads.suspects(&self.root);
        let mut dirty = if suspects.is_empty() {
            Vec::new()
        } else {
            self.uncommitted(&suspects)?
        };
        // A listing used every file of its folder: git compares them all
        // (the folder's own files, not its sub-folders).
        let listings: Vec<String> = self
            .reads
            .facts_dirs()
            .iter()
            .map(|dir| format!(":(glob){}/*", self.repo_path(dir)))
            .collect();
        if !listings.is_empty() {
            if self.head_at_open.is_some() {
                // Files added to or removed from the folder are among the
                // suspects above; what git's index says differs from HEAD
                // (edited, staged, deleted, or only touched since the index
                // was written) is asked of `git status` one by one. This
                // spares `git status` over the folder: its scan for
                // untracked files and its refresh of every entry cost
                // three times as much on a 10,000-release register.
                let candidates =
                    self.relative_changes(git_cli::differ_from_head(self.workdir(), &listings)?)?;
                if candidates.len() > ASK_ONE_BY_ONE {
                    // A fresh clone or a touched folder: every entry is
                    // stat-dirty; git status over the folder refreshes
                    // them in one go (and the paths fit no command line).
                    dirty.extend(self.changed_in(&listings)?);
                } else if !candidates.is_empty() {
                    dirty.extend(self.changed(&candidates)?);
                }
            } else {
                dirty.extend(self.changed_in(&listings)?);
            }
            dirty.sort();
            dirty.dedup();
        }
        Ok(dirty)
    }

    fn changed(&self, paths: &[String]) -> anyhow::Result<Vec<String>> {
        let specs: Vec<String> = paths.iter().map(|p| self.repo_path(p)).collect();
        self.relative_changes(git_cli::changed_paths(self.workdir(), &specs)?)
    }

    /// Like `changed`, for pathspecs with magic (`:(glob)releases/*`).
    fn changed_in(&self, specs: &[String]) -> anyhow::Result<Vec<String>> {
        self.relative_changes(git_cli::changed_matching(self.workdir(), specs)?)
    }

    fn relative_changes(&self, changed: Vec<String>) -> anyhow::Result<Vec<String>> {
        let prefix = self.repo_path("");
        let prefix = prefix.trim_end_matches('/');
        let mut dirty: Vec<String> = changed
            .into_iter()
            .map(|p| match p.strip_prefix(prefix) {
                Some(rest) if !prefix.is_empty() => rest.trim_start_matches('/').to_string(),
                _ => p,
            })
            .collect();
        dirty.sort();
        dirty.dedup();
        Ok(dirty)
    }

    /// Exit 3 when any of `paths` has uncommitted edits: rel would decide on
    /// the committed file and overwrite the edit.
    pub fn refuse_uncommitted(&self, paths: &[String]) -> anyhow::Result<()> {
        let dirty = self.uncommitted(paths)?;
        if dirty.is_empty() {
            return Ok(());
        }
        Err(conflict(format!(
            "uncommitted edits to {}; commit or restore them (git checkout -- FILE) before running rel",
            shown_list(&dirty)
        )))
    }
}

/// `a, b, c and 4 more`.
pub fn shown_list(paths: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = paths
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        text.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    text
}
