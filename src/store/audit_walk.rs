//! What `rel audit` reads from git: the branch's first-parent history, and
//! for each commit the files of rel's it changed (found by a tree diff, so
//! the state after commit k is the state before commit k+1 with only those
//! files read again), its trailers, its author and date. Any commit's tree
//! is read without the lock: nothing is written.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use git2::{Commit, Oid, Repository, Tree};

use crate::error::invalid;
use crate::model::action::Trailers;

use super::workspace::{Workspace, PIPELINE_FILE, RELEASES_DIR};

/// A file of rel's as a commit leaves it: its path relative to the release
/// root, and its text (`None`: deleted, or not readable as text).
#[derive(Debug, Clone)]
pub struct FileState {
    pub path: String,
    pub text: Option<Result<String, String>>,
}

/// One commit of the walk that changed rel's files.
#[derive(Debug, Clone)]
pub struct WalkedCommit {
    pub id: Oid,
    /// The author date.
    pub at: DateTime<Utc>,
    pub name: String,
    pub email: String,
    pub trailers: Option<Result<Trailers, String>>,
    pub merge: bool,
    pub files: Vec<FileState>,
}

/// The first-parent history to audit, oldest first.
pub struct Walk<'a> {
    ws: &'a Workspace,
    /// Commits to judge, oldest first.
    pub commits: Vec<Oid>,
}

impl Workspace {
    /// The first-parent commits from `since` (included; default: the root)
    /// to HEAD, oldest first. `since` must be on that line.
    pub fn audit_walk(&self, since: Option<&str>) -> anyhow::Result<Walk<'_>> {
        let Some(head) = self.head_at_open else {
            return Ok(Walk {
                ws: self,
                commits: Vec::new(),
            });
        };
        let stop = since
            .map(|rev| {
                self.repo
                    .revparse_single(rev)
                    .and_then(|o| o.peel_to_commit())
                    .map(|c| c.id())
                    .map_err(|_| invalid(format!("--since {rev}: no such commit")))
            })
            .transpose()?;
        let mut commits = Vec::new();
        let mut current = Some(self.repo.find_commit(head)?);
        let mut reached = stop.is_none();
        while let Some(c) = current {
            commits.push(c.id());
            if Some(c.id()) == stop {
                reached = true;
                break;
            }
            current = c.parent(0).ok();
        }
        if !reached {
            return Err(invalid(format!(
                "--since {}: not on the first-parent line of HEAD (rel audits the branch's own history)",
                since.unwrap_or("")
            )));
        }
        commits.reverse();
        Ok(Walk { ws: self, commits })
    }
}

impl Walk<'_> {
    fn repo(&self) -> &Repository {
        &self.ws.repo
    }

    /// rel's files in the tree of the first commit's parent: the state the
    /// walk starts from (empty from the root).
    pub fn start(&self) -> anyhow::Result<Vec<FileState>> {
        let Some(first) = self.commits.first() else {
            return Ok(Vec::new());
        };
        let commit = self.repo().find_commit(*first)?;
        let Ok(parent) = commit.parent(0) else {
            return Ok(Vec::new());
        };
        let tree = parent.tree()?;
        let mut files = Vec::new();
        if let Some(text) = self.file_in(&tree, PIPELINE_FILE)? {
            files.push(FileState {
                path: PIPELINE_FILE.to_string(),
                text: Some(text),
            });
        }
        for dir in [
            RELEASES_DIR.to_string(),
            format!("{RELEASES_DIR}/incidents"),
        ] {
            let Ok(entry) = tree.get_path(Path::new(&self.ws.repo_path(&dir))) else {
                continue;
            };
            let Ok(sub) = self.repo().find_tree(entry.id()) else {
                continue;
            };
            for e in sub.iter() {
                let Some(name) = e.name() else { continue };
                if !name.ends_with(".toml") || e.kind() != Some(git2::ObjectType::Blob) {
                    continue;
                }
                files.push(FileState {
                    path: format!("{dir}/{name}"),
                    text: Some(self.text(e.id())),
                });
            }
        }
        Ok(files)
    }

    fn file_in(
        &self,
        tree: &Tree,
        relative: &str,
    ) -> anyhow::Result<Option<Result<String, String>>> {
        match tree.get_path(Path::new(&self.ws.repo_path(relative))) {
            Ok(e) if e.kind() == Some(git2::ObjectType::Blob) => Ok(Some(self.text(e.id()))),
            _ => Ok(None),
        }
    }

    fn text(&self, blob: Oid) -> Result<String, String> {
        let blob = self.repo().find_blob(blob).map_err(|e| e.to_string())?;
        String::from_utf8(blob.content().to_vec()).map_err(|_| "not UTF-8 text".to_string())
    }

    /// Commit `id` with the files of rel's it changed from its first
    /// parent; `None` when it changed none.
    pub fn commit(&self, id: Oid) -> anyhow::Result<Option<WalkedCommit>> {
        let commit = self.repo().find_commit(id)?;
        let tree = commit.tree()?;
        let parent_tree = match commit.parent(0) {
            Ok(p) => Some(p.tree()?),
            Err(_) => None,
        };
        let mut opts = git2::DiffOptions::new();
        opts.pathspec(self.ws.repo_path(RELEASES_DIR))
            .pathspec(self.ws.repo_path(PIPELINE_FILE));
        let diff =
            self.repo()
                .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))?;
        let prefix = self.ws.repo_path("");
        let mut files = Vec::new();
        for delta in diff.deltas() {
            let Some(path) = delta.new_file().path().or_else(|| delta.old_file().path()) else {
                continue;
            };
            let p = path.to_string_lossy().replace('\\', "/");
            let relative = p
                .strip_prefix(&prefix)
                .unwrap_or(&p)
                .trim_start_matches('/')
                .to_string();
            let new = delta.new_file();
            let text = if new.id().is_zero() || delta.status() == git2::Delta::Deleted {
                None
            } else {
                Some(self.text(new.id()))
            };
            files.push(FileState {
                path: relative,
                text,
            });
        }
        if files.is_empty() {
            return Ok(None);
        }
        Ok(Some(walked(&commit, files)))
    }
}

fn walked(commit: &Commit, files: Vec<FileState>) -> WalkedCommit {
    let author = commit.author();
    let message = commit.message().unwrap_or("");
    let trailers = git2::message_trailers_strs(message)
        .ok()
        .and_then(|pairs| Trailers::parse(pairs.iter()));
    WalkedCommit {
        id: commit.id(),
        at: Utc
            .timestamp_opt(author.when().seconds(), 0)
            .single()
            .unwrap_or_default(),
        name: author.name().unwrap_or("?").to_string(),
        email: author.email().unwrap_or("?").to_string(),
        trailers,
        merge: commit.parent_count() > 1,
        files,
    }
}
