//! Committing a change: exactly one git commit holding only rel's files,
//! built from HEAD plus the changed files (never from the index, so whatever
//! the user has staged stays staged and out of the commit).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use git2::{ObjectType, Oid, Signature, Time, Tree};

use crate::error::{conflict, invalid};
use crate::model::action::{message_line, Action, Trailers};
use crate::model::actor::Actor;
use crate::model::rule::RuleCode;

use super::tree_splice::{splice, Put};
use crate::store::kept::journal::{self, Journal};
use crate::store::repo::source::Source;
use crate::store::repo::workspace::{Workspace, INCIDENTS_DIR, PIPELINE_FILE, RELEASES_DIR};

/// A file to write, relative to the release root. Its content is bytes: a
/// health check's output is kept as it came, valid UTF-8 or not.
#[derive(Debug, Clone)]
pub struct Change {
    pub path: String,
    pub content: Vec<u8>,
    /// The file is taken out of the tree (`content` is then empty): half
    /// of a move into the archive, whose other half adds it there.
    pub removed: bool,
}

impl Change {
    /// A file to write.
    pub fn file(path: impl Into<String>, content: Vec<u8>) -> Change {
        Change {
            path: path.into(),
            content,
            removed: false,
        }
    }

    /// A file to take out of the tree.
    pub fn removal(path: impl Into<String>) -> Change {
        Change {
            path: path.into(),
            content: Vec::new(),
            removed: true,
        }
    }
}

/// A commit made: its id, and what to tell the user when git's index could
/// not be brought in step with it.
#[derive(Debug)]
pub struct Committed {
    pub id: Oid,
    pub index_warning: Option<String>,
}

/// A commit made but not yet the branch's (see `Workspace::prepare`).
#[derive(Debug)]
pub struct Prepared {
    pub id: Oid,
    branch: String,
    paths: Vec<String>,
    /// The reflog line.
    log: String,
}

/// `rel: <action> <subject>` plus the `Rel-*` trailers.
#[derive(Debug, Clone)]
pub struct CommitMessage {
    pub action: Action,
    pub subject: String,
    pub body: Vec<String>,
    pub release: Option<String>,
    pub env: Option<String>,
    pub overrides: Vec<RuleCode>,
    pub reason: Option<String>,
    /// `Rel-Schedule`: the schedule a `rel due --apply` promotion carried out.
    pub schedule: Option<String>,
}

impl CommitMessage {
    pub fn new(action: Action, subject: &str) -> CommitMessage {
        CommitMessage {
            action,
            subject: subject.to_string(),
            body: Vec::new(),
            release: None,
            env: None,
            overrides: Vec::new(),
            reason: None,
            schedule: None,
        }
    }

    /// The trailers `rel log` and the audit read back (see `model::action`).
    pub fn trailers(&self) -> Trailers {
        Trailers {
            action: self.action,
            release: self.release.clone(),
            env: self.env.clone(),
            overrides: self.overrides.clone(),
            reason: self.reason.clone(),
            schedule: self.schedule.clone(),
        }
    }

    /// Whether a text of the message holds a NUL (which `render` would
    /// show escaped, but which a manifest would keep).
    pub fn holds_nul(&self) -> bool {
        std::iter::once(&self.subject)
            .chain(&self.body)
            .chain(&self.reason)
            .any(|t| t.contains('\0'))
    }

    pub fn render(&self) -> String {
        // Typed text stays on its line: a title's `\n---` must not end
        // the part of the message git reads trailers from.
        let mut text = format!("rel: {} {}\n", self.action, message_line(&self.subject));
        if !self.body.is_empty() {
            text.push('\n');
            for line in &self.body {
                text.push_str(&message_line(line));
                text.push('\n');
            }
        }
        text.push('\n');
        text.push_str(&self.trailers().render());
        text
    }
}

impl Workspace {
    /// The path inside the git work tree, with forward slashes.
    pub(in crate::store) fn repo_path(&self, relative: &str) -> String {
        let joined: PathBuf = self.prefix.join(relative);
        joined.to_string_lossy().replace('\\', "/")
    }

    /// Refuses (exit 3) when a merge or rebase is in progress, git's index
    /// is locked, or a file to change (or environments.toml) has edits that
    /// are not committed; invalid input (exit 2) when a link, submodule or
    /// folder stands where a file goes.
    fn check_clean(&self, changes: &[Change]) -> anyhow::Result<()> {
        if let Some(operation) = operation_in_progress(self.repo.state()) {
            return Err(conflict(format!(
                "the git repository is in the middle of a {operation}; finish or abort it first"
            )));
        }
        // rel updates git's index after committing: with the index locked
        // that update would fail after the branch moved.
        let index_lock = self.repo.path().join("index.lock");
        if index_lock.exists() {
            return Err(conflict(format!(
                "git's index is locked ({}): another git command is running, or one \
                 crashed; try again, or remove that file if no git command is running",
                index_lock.display()
            )));
        }
        for change in changes {
            self.check_writable(&change.path)?;
        }
        let mut paths: Vec<String> = changes.iter().map(|c| c.path.clone()).collect();
        paths.push(PIPELINE_FILE.to_string());
        self.refuse_uncommitted(&paths)
    }

    /// A file rel writes must be a plain file or absent, in the work tree
    /// and in HEAD's tree, with plain folders above it.
    fn check_writable(&self, relative: &str) -> anyhow::Result<()> {
        let parts: Vec<&str> = relative.split('/').collect();
        let mut path = self.root.clone();
        for (i, part) in parts.iter().enumerate() {
            path.push(part);
            let shown = parts[..=i].join("/");
            let last = i + 1 == parts.len();
            let what = match std::fs::symlink_metadata(&path) {
                Err(_) => break,
                Ok(m) if m.file_type().is_symlink() => "a symbolic link",
                Ok(m) if m.is_dir() && last => "a folder",
                Ok(m) if m.is_dir() || (m.is_file() && last) => continue,
                Ok(m) if m.is_file() => "a file",
                Ok(_) => "not a plain file or folder",
            };
            return Err(invalid(format!(
                "{shown} is {what}; rel writes {} there: move it out of the way first",
                if last {
                    "a plain file"
                } else {
                    "into a folder"
                }
            )));
        }
        // The same in the tree the commit builds on (reading it checks
        // every component).
        self.has_rel_file(relative).map(|_| ())
    }

    /// The branch HEAD points at, e.g. `refs/heads/main`.
    pub fn branch(&self) -> anyhow::Result<String> {
        let head = self.repo.find_reference("HEAD")?;
        match head.symbolic_target() {
            Some(name) => Ok(name.to_string()),
            None => Err(conflict(
                "HEAD is detached; check out a branch before running rel",
            )),
        }
    }

    /// The checks `commit` makes before writing (a branch checked out, no
    /// merge in progress, no uncommitted edits to the files to change), so a
    /// dry run meets the same conflicts as the real run.
    pub fn preflight(&self, changes: &[Change], now: DateTime<Utc>) -> anyhow::Result<()> {
        commit_time(now)?;
        distinct_paths(changes)?;
        self.branch()?;
        self.check_clean(changes)
    }

    /// Writes `changes` and commits them as one commit by `actor` at `now`.
    /// Nothing is written when any check fails.
    pub fn commit(
        &self,
        changes: &[Change],
        message: &CommitMessage,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Committed> {
        let prepared = self.prepare(changes, message, actor, now)?;
        self.land(prepared)
    }

    /// The commit object for `changes`, made after every check, with the
    /// journal recording it; nothing points at it yet, and the work tree is
    /// untouched. `land` makes it the branch's; `abandon` forgets it (with
    /// `[sync]`, when the remote did not take it: nothing of the command is
    /// left but an unreachable object).
    pub fn prepare(
        &self,
        changes: &[Change],
        message: &CommitMessage,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Prepared> {
        let time = commit_time(now)?;
        distinct_paths(changes)?;
        if message.holds_nul() {
            // git keeps messages as C strings: a NUL from a hand-written
            // text (a checklist item, a title) cannot be committed.
            return Err(invalid(format!(
                "cannot commit `rel: {} {}`: a text in it holds a NUL character (\\u0000); remove it from the file it came from",
                message.action,
                message.subject.replace('\0', "\\u0000")
            )));
        }
        let branch = self.branch()?;
        let head_commit = match self.head_at_open {
            Some(id) => Some(self.repo.find_commit(id)?),
            None => None,
        };
        let head_tree = match &head_commit {
            Some(c) => Some(c.tree()?),
            None => None,
        };
        self.check_clean(changes)?;
        if !matches!(self.source, Source::Tree(_)) {
            return Err(anyhow::anyhow!(
                "internal error: a write must decide on a commit's tree, not the work tree"
            ));
        }
        let paths: Vec<String> = changes.iter().map(|c| self.repo_path(&c.path)).collect();
        let id = self.make_commit(changes, message, actor, time, head_tree.as_ref())?;
        let mut record = Journal::new(
            "commit",
            &branch,
            self.head_at_open.map(|id| id.to_string()),
            id.to_string(),
        );
        record.paths = paths.clone();
        // With `[sync]` the push updates the remote-tracking branch too.
        record.refs = self.shared.iter().map(|s| s.tracking()).collect();
        journal::begin(&self.repo, &record)?;
        Ok(Prepared {
            id,
            branch,
            paths,
            log: format!("rel: {} {}", message.action, message.subject),
        })
    }

    /// Moves the branch to the prepared commit (compare and swap) and brings
    /// rel's files in the index and work tree in step.
    pub fn land(&self, prepared: Prepared) -> anyhow::Result<Committed> {
        if let Err(e) = self.move_branch(&prepared.branch, prepared.id, &prepared.log) {
            journal::end(&self.repo);
            return Err(e);
        }
        journal::kill_point("commit-moved");
        // The branch has moved: the commit is made. rel's files in the
        // index and work tree follow (`journal::check_out`: in-process
        // where that is exactly git's checkout, else `git restore`); should
        // that fail, the journal stays and the next rel command finishes it.
        let index_warning = match journal::check_out_after_commit(
            &self.repo,
            self.head_at_open,
            prepared.id,
            &prepared.paths,
        ) {
            Ok(()) => {
                journal::end(&self.repo);
                super::packing::pack_when_needed(&self.repo, prepared.id, &prepared.paths);
                None
            }
            Err(e) => Some(format!(
                "committed, but rel's files in the work tree could not be brought in step ({e}); \
                 the next rel command repairs it"
            )),
        };
        Ok(Committed {
            id: prepared.id,
            index_warning,
        })
    }

    /// Forgets a prepared commit: the branch never pointed at it.
    pub fn abandon(&self, _prepared: Prepared) {
        journal::end(&self.repo);
    }

    /// The commit object: HEAD's tree plus the changed files. Nothing
    /// points at it yet.
    fn make_commit(
        &self,
        changes: &[Change],
        message: &CommitMessage,
        actor: &Actor,
        time: Time,
        head_tree: Option<&Tree>,
    ) -> anyhow::Result<Oid> {
        // `odb.write` hashes first and skips an object git already has;
        // `Repository::blob` opens a temporary file for every blob, even
        // one already packed, which made `rel archive` of 100,000 moved
        // files spend minutes creating and deleting files.
        let odb = self.repo.odb()?;
        let mut blobs = Vec::new();
        for change in changes {
            let oid = if change.removed {
                None
            } else {
                Some(odb.write(ObjectType::Blob, &change.content)?)
            };
            blobs.push((self.repo_path(&change.path), oid));
        }
        let tree_id = self.write_tree(head_tree.map(|t| t.id()), "", &blobs)?;
        let tree = self.repo.find_tree(tree_id)?;
        let sig = Signature::new(&actor.name, &actor.email, &time).map_err(|e| {
            invalid(format!(
                "cannot sign the commit as {actor}: {}",
                e.message()
            ))
        })?;
        if super::signatures::signing_wanted(&self.repo, self.workdir())? {
            // Signed by git itself, on exactly this tree and parent.
            let parents: Vec<String> = self.head_at_open.iter().map(Oid::to_string).collect();
            let who = super::git_cli::CommitIdentity {
                name: &actor.name,
                email: &actor.email,
                seconds: time.seconds(),
            };
            let id = super::git_cli::commit_tree_signed(
                self.workdir(),
                &tree_id.to_string(),
                &parents,
                &who,
                &message.render(),
            )
            .map_err(|e| {
                crate::error::hinted(
                    crate::error::Kind::Internal,
                    format!("cannot sign the commit (git's commit.gpgSign asks for signed commits): {e}; nothing was written"),
                    "check user.signingKey and gpg.format in git's configuration (`git config --get-regexp '^(user.signingkey|gpg)'`), or set commit.gpgSign=false",
                )
            })?;
            return Oid::from_str(&id)
                .map_err(|_| anyhow::anyhow!("git commit-tree printed no commit id ({id})"));
        }
        let parents: Vec<git2::Commit> = match self.head_at_open {
            Some(id) => vec![self.repo.find_commit(id)?],
            None => Vec::new(),
        };
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        Ok(self
            .repo
            .commit(None, &sig, &sig, &message.render(), &tree, &parents)?)
    }

    /// Moves the branch to `commit_id` only if it still points where it did
    /// when rel read it (compare and swap).
    fn move_branch(&self, branch: &str, commit_id: Oid, log: &str) -> anyhow::Result<()> {
        // A ref held for a moment by another git (a background `git gc`
        // packing refs, a fetch) is waited for, a few seconds at most; the
        // swap itself still only happens from where rel read the branch.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let result = loop {
            let tried = match self.head_at_open {
                Some(old) => self
                    .repo
                    .reference_matching(branch, commit_id, true, old, log),
                None => self.repo.reference(branch, commit_id, false, log),
            };
            match tried {
                Err(e)
                    if e.code() == git2::ErrorCode::Locked
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => break other,
            }
        };
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if matches!(
                    e.code(),
                    git2::ErrorCode::Modified | git2::ErrorCode::Exists
                ) =>
            {
                Err(conflict(format!(
                    "{branch} moved while rel was working; run the command again"
                )))
            }
            Err(e) => Err(crate::error::git_failure(
                &format!("move {branch} to the new commit"),
                &e,
            )),
        }
    }
}

/// `now` as a commit time. libgit2 writes commit times as unsigned 32-bit
/// seconds, so an instant before 1970 or after early 2106 would be recorded
/// as another date: refused (exit 2) instead of silently falsified.
fn commit_time(now: DateTime<Utc>) -> anyhow::Result<Time> {
    match u32::try_from(now.timestamp()) {
        Ok(seconds) => Ok(Time::new(i64::from(seconds), 0)),
        Err(_) => Err(invalid(format!(
            "now is {}, which git cannot record as a commit time (1970-01-01 to 2106-02-07); \
             check REL_NOW or the system clock (a far-off REL_NOW suits check, plan and status only)",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ))),
    }
}

/// Each file at most once in a commit: two contents for one path would
/// make the tree and the work tree disagree.
fn distinct_paths(changes: &[Change]) -> anyhow::Result<()> {
    let mut seen = std::collections::HashSet::new();
    match changes.iter().find(|c| !seen.insert(c.path.as_str())) {
        Some(c) => Err(anyhow::anyhow!(
            "internal error: {} would be written twice in one commit; nothing was written",
            c.path
        )),
        None => Ok(()),
    }
}

/// The git operation a repository is in the middle of, as users name it.
fn operation_in_progress(state: git2::RepositoryState) -> Option<&'static str> {
    use git2::RepositoryState as S;
    match state {
        S::Clean => None,
        S::Merge => Some("merge"),
        S::Revert | S::RevertSequence => Some("revert"),
        S::CherryPick | S::CherryPickSequence => Some("cherry-pick"),
        S::Bisect => Some("bisect"),
        S::Rebase | S::RebaseInteractive | S::RebaseMerge => Some("rebase"),
        S::ApplyMailbox | S::ApplyMailboxOrRebase => Some("`git am`"),
    }
}

impl Workspace {
    /// A tree equal to `base` with `blobs` (path below `dir`, blob id)
    /// added or replaced; `dir` is the tree's path in the repository.
    /// rel's two large folders are spliced from their kept raw trees
    /// (`tree_splice`); any other tree goes through libgit2's builder.
    fn write_tree(
        &self,
        base: Option<Oid>,
        dir: &str,
        blobs: &[(String, Option<Oid>)],
    ) -> anyhow::Result<Oid> {
        let mut here: Vec<(&str, Option<Oid>)> = Vec::new();
        let mut below: BTreeMap<&str, Vec<(String, Option<Oid>)>> = BTreeMap::new();
        for (path, oid) in blobs {
            match path.split_once('/') {
                None => here.push((path.as_str(), *oid)),
                Some((sub, rest)) => below.entry(sub).or_default().push((rest.to_string(), *oid)),
            }
        }
        // The raw tree (read without git's hash check, see `open_git`) must
        // hash to the tree's id before anything of it (a sub-folder's id,
        // its entries) goes into a commit.
        // A removal (half of a move into the archive) goes through
        // libgit2's builder; the splice only adds and replaces.
        let removes = here.iter().any(|(_, id)| id.is_none());
        let raw = match base {
            Some(_) if removes => None,
            Some(id) => self
                .parsed_raw_tree(id, dir)?
                .filter(|raw| is_exactly(raw, id)),
            None => None,
        };
        let libgit2_base = match (&raw, base) {
            (None, Some(id)) => Some(self.repo.find_tree(id)?),
            _ => None,
        };
        let mut subtrees: Vec<(&str, Option<Oid>)> = Vec::new();
        for (sub, entries) in below {
            let sub_base = match (&raw, &libgit2_base) {
                (Some(raw), _) => raw
                    .get(sub)
                    .filter(|(m, _)| *m == 0o040000)
                    .map(|(_, id)| id),
                (None, Some(tree)) => tree
                    .get_name(sub)
                    .filter(|e| e.kind() == Some(ObjectType::Tree))
                    .map(|e| e.id()),
                (None, None) => None,
            };
            let path = if dir.is_empty() {
                sub.to_string()
            } else {
                format!("{dir}/{sub}")
            };
            let written = self.write_tree(sub_base, &path, &entries)?;
            // A folder emptied by removals is no folder in git.
            let empty = self.repo.find_tree(written)?.is_empty();
            subtrees.push((sub, (!empty).then_some(written)));
        }
        let removes = removes || subtrees.iter().any(|(_, id)| id.is_none());
        let raw = if removes { None } else { raw };
        if let Some(raw) = &raw {
            let puts: Vec<Put> = here
                .iter()
                .filter_map(|(name, id)| {
                    Some(Put {
                        name,
                        id: (*id)?,
                        folder: false,
                    })
                })
                .chain(subtrees.iter().filter_map(|(name, id)| {
                    Some(Put {
                        name,
                        id: (*id)?,
                        folder: true,
                    })
                }))
                .collect();
            if let Some(bytes) = splice(raw.entries(), &puts) {
                return Ok(self.repo.odb()?.write(ObjectType::Tree, &bytes)?);
            }
        }
        let base_tree = match (libgit2_base, base) {
            (Some(tree), _) => Some(tree),
            (None, Some(id)) => Some(self.repo.find_tree(id)?),
            (None, None) => None,
        };
        let mut builder = self.repo.treebuilder(base_tree.as_ref())?;
        for (name, oid) in here {
            match oid {
                Some(oid) => {
                    builder.insert(name, oid, 0o100644)?;
                }
                None => remove_entry(&mut builder, name)?,
            }
        }
        for (name, oid) in subtrees {
            match oid {
                Some(oid) => {
                    builder.insert(name, oid, 0o040000)?;
                }
                None => remove_entry(&mut builder, name)?,
            }
        }
        Ok(builder.write()?)
    }

    /// The raw tree of `dir` (a path in the repository), parsed once per
    /// process, when it is one of rel's two large folders.
    fn parsed_raw_tree(
        &self,
        id: Oid,
        dir: &str,
    ) -> anyhow::Result<Option<std::sync::Arc<super::raw_tree::RawTree>>> {
        let prefix = self.repo_path("");
        let prefix = prefix.trim_end_matches('/');
        let relative = if prefix.is_empty() {
            Some(dir)
        } else {
            dir.strip_prefix(prefix).and_then(|r| r.strip_prefix('/'))
        };
        match relative {
            Some(folder @ (RELEASES_DIR | INCIDENTS_DIR)) => Ok(Some(self.raw_tree(id, folder)?)),
            _ => Ok(None),
        }
    }
}

/// Takes `name` out of a tree being built; already absent is fine (a
/// move's source a killed command had removed is removed).
fn remove_entry(builder: &mut git2::TreeBuilder, name: &str) -> anyhow::Result<()> {
    if builder.get(name)?.is_some() {
        builder.remove(name)?;
    }
    Ok(())
}

/// Whether `raw`'s entries are exactly tree `id` (written out as git
/// writes them, they hash to it).
fn is_exactly(raw: &super::raw_tree::RawTree, id: Oid) -> bool {
    splice(raw.entries(), &[]).and_then(|bytes| Oid::hash_object(ObjectType::Tree, &bytes).ok())
        == Some(id)
}

#[cfg(test)]
#[path = "commit_tests.rs"]
mod tests;
