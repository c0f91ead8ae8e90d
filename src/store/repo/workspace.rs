//! The release repository: found by walking up to `environments.toml`, inside
//! a git repository that may be larger (a monorepo sub-folder works). What
//! reads only commits (`rel audit`) also opens a bare repository, finding
//! the release repository in the tip's tree (see `bare`).

use std::path::{Path, PathBuf};

use git2::Repository;

use crate::error::invalid;
use crate::model::pipeline::Pipeline;

use super::pipeline_file::parse_pipeline;
use super::reads::Reads;
use super::source::Source;
use crate::store::kept::lock::{self, Lock};
use crate::store::remote::sync::{self, Shared};

pub const PIPELINE_FILE: &str = "environments.toml";
pub const RELEASES_DIR: &str = "releases";
pub const INCIDENTS_DIR: &str = "releases/incidents";
pub const INSTALLATIONS_DIR: &str = "releases/installations";

pub struct Workspace {
    /// The folder holding environments.toml (absolute).
    pub root: PathBuf,
    pub(in crate::store) repo: Repository,
    /// `root` relative to the git work tree; empty when they are the same.
    pub(in crate::store) prefix: PathBuf,
    /// HEAD's commit when the workspace was opened (after locking), so a
    /// branch that moved underneath is noticed at commit time.
    pub(in crate::store) head_at_open: Option<git2::Oid>,
    /// What every decision reads: HEAD's tree, or the work tree.
    pub(in crate::store) source: Source,
    /// With `[sync]`: the shared branch this write goes through.
    pub shared: Option<Shared>,
    /// What a reading command's answer used (for the uncommitted-edits note).
    pub(in crate::store) reads: Reads,
    /// Trees read so far.
    pub(in crate::store) trees: crate::store::git::raw_tree::Trees,
    /// The archive index's files once read (by path: the legacy whole
    /// or a shard): one command asks for them several times (update
    /// paths, carried releases). Read from this workspace's own source only.
    pub(in crate::store) archive_index: std::cell::RefCell<
        std::collections::HashMap<String, std::rc::Rc<crate::model::archive::Index>>,
    >,
    /// What opening has to say (a repair finished, what a dry run decided
    /// on), for the command to print: see `take_notes`.
    notes: Vec<String>,
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
    // Objects are read as git reads them, without hashing each one again
    // (libgit2's default, not git's): on a register of 100,000 incidents
    // that hashing is a tenth of a listing.
    git2::opts::strict_hash_verification(false);
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
    /// Opens for reading: no lock (unless a killed rel left something to
    /// repair). Reads HEAD's tree, or the work tree with `worktree`.
    pub fn open(start: &Path, worktree: bool) -> anyhow::Result<Workspace> {
        let root = find_root(start)?;
        let mut ws = Self::at_root(root, false)?;
        if worktree {
            ws.source = Source::WorkTree;
        }
        Ok(ws)
    }

    /// Opens for reading commits only (`rel audit`): a bare repository
    /// (`-C` at one, or GIT_DIR as git sets it for hooks) at the commit
    /// HEAD names, or else a work tree as `open` does.
    pub fn open_commits(start: &Path) -> anyhow::Result<Workspace> {
        let Some(repo) = crate::store::git::bare::open(start)? else {
            return Self::open(start, false);
        };
        let (tip, branch) = crate::store::git::bare::head(&repo)?;
        let Some(tip) = tip else {
            return Self::in_bare(repo, None, PathBuf::new());
        };
        let prefix = crate::store::git::bare::release_root(&repo, tip)?.ok_or_else(|| {
            invalid(format!(
                "no {PIPELINE_FILE} in the tip of {} in the bare repository {} (looked at the top \
                 and a few folders down); name its folder with `git config rel.root FOLDER`",
                branch.as_deref().unwrap_or("HEAD"),
                repo.path().display()
            ))
        })?;
        Self::in_bare(repo, Some(tip), prefix)
    }

    /// A bare repository's release repository at `prefix` in `tip`'s tree,
    /// read from commits only (no lock: nothing is written).
    pub fn in_bare(
        repo: Repository,
        tip: Option<git2::Oid>,
        prefix: PathBuf,
    ) -> anyhow::Result<Workspace> {
        let tree = match tip {
            Some(id) => Some(repo.find_commit(id)?.tree_id()),
            None => None,
        };
        Ok(Workspace {
            root: repo.path().to_path_buf(),
            repo,
            prefix,
            head_at_open: tip,
            source: Source::Tree(tree),
            shared: None,
            reads: Reads::default(),
            trees: Default::default(),
            archive_index: Default::default(),
            notes: Vec::new(),
            _lock: None,
        })
    }

    /// Readies for a change a workspace opened with the lock
    /// (`open_for_write_local`): the lock was taken first, then HEAD noted,
    /// so the whole read-check-write-commit happens under the lock and
    /// decides on the tree it commits on. Refuses (exit 3) while
    /// environments.toml has uncommitted edits: the pipeline a write obeys
    /// is the committed one. With `[sync]`, joins the shared branch first
    /// (see `join_shared`). Opening and this are two steps so that what
    /// opening noted (a repair) is said even when this refuses.
    pub fn prepare_write(&mut self, dry_run: bool) -> anyhow::Result<()> {
        self.refuse_pipeline_edits()?;
        self.join_shared(dry_run)
    }

    /// What opening had to say and nobody has printed yet, oldest first:
    /// the store never prints, the command says these (on stderr).
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// With `[sync]` in HEAD's pipeline: fetches the shared branch and
    /// fast-forwards the local branch to it (contract section 6, steps 1
    /// and 2), so the decision is made on the shared tip. A dry run fetches
    /// and decides on the tip without moving the local branch.
    fn join_shared(&mut self, dry_run: bool) -> anyhow::Result<()> {
        if self.head_at_open.is_none() {
            return Ok(()); // nothing committed yet: nothing to share
        }
        let Some(settings) = self.pipeline()?.sync else {
            return Ok(());
        };
        let shared = Shared::new(&settings, &self.branch()?);
        let tip = sync::fetch(&self.repo, self.workdir(), &shared)?;
        if let sync::Standing::Behind(tip) = sync::standing(&self.repo, &shared, tip)? {
            if dry_run {
                self.source = Source::Tree(Some(self.repo.find_commit(tip)?.tree_id()));
                self.notes.push(format!(
                    "note: dry run decided on {}/{} ({}), which {} has not been fast-forwarded to",
                    shared.remote,
                    shared.branch,
                    &tip.to_string()[..10],
                    sync::short_ref(&shared.local)
                ));
            } else {
                sync::fast_forward(self.workdir(), &shared, tip)?;
                self.refresh()?;
                // The fetched tip's pipeline is the one to obey.
                self.refuse_uncommitted(&[PIPELINE_FILE.to_string()])?;
            }
        }
        if !dry_run {
            self.shared = Some(shared);
        }
        Ok(())
    }

    /// Reads HEAD again (under the lock already held): after a fetch moved
    /// the branch, the state to decide on is the new tip's.
    pub fn refresh(&mut self) -> anyhow::Result<()> {
        self.head_at_open = match self.repo.head() {
            Ok(head) => Some(
                head.peel_to_commit()
                    .map_err(|e| crate::error::git_failure("read HEAD's commit", &e))?
                    .id(),
            ),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(crate::error::git_failure("read HEAD", &e)),
        };
        let tree = match self.head_at_open {
            Some(id) => Some(self.repo.find_commit(id)?.tree_id()),
            None => None,
        };
        self.source = Source::Tree(tree);
        Ok(())
    }

    /// The git repository itself, for syncing with a remote.
    pub fn git_repo(&self) -> &git2::Repository {
        &self.repo
    }

    /// Opens with the lock but without joining the shared branch (`rel
    /// sync` does that itself).
    pub fn open_for_write_local(start: &Path) -> anyhow::Result<Workspace> {
        let root = find_root(start)?;
        Self::at_root(root, true)
    }

    /// Opens a workspace whose root is known (used by `rel init`).
    pub fn at_root(root: PathBuf, write: bool) -> anyhow::Result<Workspace> {
        let (repo, prefix) = open_git(&root)?;
        let lock = if write {
            Some(lock::acquire(repo.path())?)
        } else {
            None
        };
        let repaired = crate::store::kept::journal::repair_if_needed(&repo, lock.is_some())?;
        let head_at_open = match repo.head() {
            Ok(head) => Some(head.peel_to_commit()?.id()),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(crate::error::git_failure("read HEAD", &e)),
        };
        let head_tree = match head_at_open {
            Some(id) => Some(repo.find_commit(id)?.tree_id()),
            None => None,
        };
        Ok(Workspace {
            root,
            repo,
            prefix,
            head_at_open,
            source: Source::Tree(head_tree),
            shared: None,
            reads: Reads::default(),
            trees: Default::default(),
            archive_index: Default::default(),
            notes: repaired.into_iter().collect(),
            _lock: lock,
        })
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    pub fn pipeline(&self) -> anyhow::Result<Pipeline> {
        let text = self.read_rel_file(PIPELINE_FILE)?.ok_or_else(|| {
            invalid(format!(
                "{PIPELINE_FILE} is not committed; commit it (git add {PIPELINE_FILE} && git commit), \
                 or pass --worktree to read the work tree's files"
            ))
        })?;
        let mut pipeline = parse_pipeline(Path::new(PIPELINE_FILE), &text)?;
        pipeline.installations = std::sync::Arc::new(self.installation_rules()?);
        Ok(pipeline)
    }

    /// The top of the git work tree.
    pub fn workdir(&self) -> &Path {
        self.repo.workdir().unwrap_or(&self.root)
    }

    /// The git repository's config, for the actor's identity.
    pub fn git_config(&self) -> Option<git2::Config> {
        self.repo.config().ok()
    }
}
