//! Uncommitted edits to rel's files, compared as git compares them (the
//! index's stat cache, line-ending settings and filters included), so a
//! clone with `core.autocrlf` or `.gitattributes` is clean when `git status`
//! says it is.

use git2::{Status, StatusOptions};

use crate::error::conflict;

use super::workspace::{Workspace, PIPELINE_FILE, RELEASES_DIR};

impl Workspace {
    /// Which of `paths` (relative to the release root) differ between HEAD,
    /// the index and the work tree, or exist in the work tree only.
    pub fn uncommitted(&self, paths: &[String]) -> anyhow::Result<Vec<String>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut opts = StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .exclude_submodules(true)
            .disable_pathspec_match(true);
        for p in paths {
            opts.pathspec(self.repo_path(p));
        }
        self.dirty(&mut opts)
    }

    /// Every file of rel's (environments.toml, releases/) with uncommitted
    /// edits, relative to the release root.
    pub fn uncommitted_rel_files(&self) -> anyhow::Result<Vec<String>> {
        let mut opts = StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .exclude_submodules(true)
            .pathspec(self.repo_path(PIPELINE_FILE))
            .pathspec(self.repo_path(RELEASES_DIR));
        self.dirty(&mut opts)
    }

    fn dirty(&self, opts: &mut StatusOptions) -> anyhow::Result<Vec<String>> {
        let statuses = self.repo.statuses(Some(opts))?;
        let prefix = self.repo_path("");
        let mut dirty = Vec::new();
        for entry in statuses.iter() {
            let status = entry.status();
            if status == Status::CURRENT || status.contains(Status::IGNORED) {
                continue;
            }
            let path = String::from_utf8_lossy(entry.path_bytes()).into_owned();
            let relative = path
                .strip_prefix(prefix.trim_end_matches('/'))
                .unwrap_or(&path)
                .trim_start_matches('/')
                .to_string();
            dirty.push(relative);
        }
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
