//! The release repository: found by walking up to `environments.toml`, inside
//! a git repository that may be larger (a monorepo sub-folder works).

use std::path::{Path, PathBuf};

use git2::Repository;

use crate::error::{conflict, invalid};
use crate::model::pipeline::Pipeline;

use super::lock::{self, Lock};
use super::pipeline_file::parse_pipeline;
use super::toml_file::read_text;

pub const PIPELINE_FILE: &str = "environments.toml";
pub const RELEASES_DIR: &str = "releases";
pub const INCIDENTS_DIR: &str = "releases/incidents";

pub struct Workspace {
    /// The folder holding environments.toml (absolute).
    pub root: PathBuf,
    pub(super) repo: Repository,
    /// `root` relative to the git work tree; empty when they are the same.
    pub(super) prefix: PathBuf,
    /// HEAD's commit when the workspace was opened (after locking), so a
    /// branch that moved underneath is noticed at commit time.
    pub(super) head_at_open: Option<git2::Oid>,
    _lock: Option<Lock>,
}

/// The nearest folder from `start` upwards that holds environments.toml.
pub fn find_root(start: &Path) -> anyhow::Result<PathBuf> {
    let start = start
        .canonicalize()
        .map_err(|e| invalid(format!("{}: {e}", start.display())))?;
    let mut dir: &Path = &start;
    loop {
        if dir.join(PIPELINE_FILE).is_file() {
            return Ok(dir.to_path_buf());
        }
        dir = match dir.parent() {
            Some(p) => p,
            None => {
                return Err(invalid(format!(
                    "no {PIPELINE_FILE} in {} or any folder above it; run `rel init` to start a release repository",
                    start.display()
                )))
            }
        };
    }
}

/// Opens the git repository containing `root`; `prefix` is root's place in it.
pub fn open_git(root: &Path) -> anyhow::Result<(Repository, PathBuf)> {
    let repo = Repository::discover(root).map_err(|_| {
        invalid(format!(
            "{} is not inside a git repository; run `git init` there (or `rel init`, which does it)",
            root.display()
        ))
    })?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| invalid("the git repository is bare; rel needs a work tree"))?
        .canonicalize()?;
    let prefix = root
        .strip_prefix(&workdir)
        .map(Path::to_path_buf)
        .map_err(|_| {
            invalid(format!(
                "{} is outside the git work tree {}",
                root.display(),
                workdir.display()
            ))
        })?;
    Ok((repo, prefix))
}

impl Workspace {
    /// Opens for reading: no lock.
    pub fn open(start: &Path) -> anyhow::Result<Workspace> {
        Self::open_with(start, false)
    }

    /// Opens for a change: takes the lock first, then notes HEAD, so the whole
    /// read-check-write-commit happens under the lock.
    pub fn open_for_write(start: &Path) -> anyhow::Result<Workspace> {
        Self::open_with(start, true)
    }

    fn open_with(start: &Path, write: bool) -> anyhow::Result<Workspace> {
        let root = find_root(start)?;
        Self::at_root(root, write)
    }

    /// Opens a workspace whose root is known (used by `rel init`).
    pub fn at_root(root: PathBuf, write: bool) -> anyhow::Result<Workspace> {
        let (repo, prefix) = open_git(&root)?;
        let lock = if write {
            Some(lock::acquire(repo.path())?)
        } else {
            None
        };
        let head_at_open = match repo.head() {
            Ok(head) => Some(head.peel_to_commit()?.id()),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(conflict(format!("cannot read HEAD: {}", e.message()))),
        };
        Ok(Workspace {
            root,
            repo,
            prefix,
            head_at_open,
            _lock: lock,
        })
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    pub fn pipeline(&self) -> anyhow::Result<Pipeline> {
        let shown = Path::new(PIPELINE_FILE);
        let text = read_text(&self.path(PIPELINE_FILE), shown)?;
        parse_pipeline(shown, &text)
    }

    /// The git repository's config, for the actor's identity.
    pub fn git_config(&self) -> Option<git2::Config> {
        self.repo.config().ok()
    }
}
