//! Uncommitted edits to rel's files, compared as git compares them (the
//! index's stat cache, line-ending settings and filters included), so a
//! clone with `core.autocrlf` or `.gitattributes` is clean when `git status`
//! says it is.

use crate::error::conflict;

use super::git_cli;
use super::workspace::{Workspace, PIPELINE_FILE, RELEASES_DIR};

impl Workspace {
    /// Which of `paths` (relative to the release root) differ between HEAD,
    /// the index and the work tree, or exist in the work tree only.
    pub fn uncommitted(&self, paths: &[String]) -> anyhow::Result<Vec<String>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        self.changed(paths)
    }

    /// Every file of rel's (environments.toml, releases/) with uncommitted
    /// edits, relative to the release root.
    pub fn uncommitted_rel_files(&self) -> anyhow::Result<Vec<String>> {
        self.changed(&[PIPELINE_FILE.to_string(), RELEASES_DIR.to_string()])
    }

    fn changed(&self, paths: &[String]) -> anyhow::Result<Vec<String>> {
        let specs: Vec<String> = paths.iter().map(|p| self.repo_path(p)).collect();
        let prefix = self.repo_path("");
        let prefix = prefix.trim_end_matches('/');
        let mut dirty: Vec<String> = git_cli::changed_paths(self.workdir(), &specs)?
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
