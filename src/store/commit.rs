//! Committing a change: exactly one git commit holding only rel's files,
//! built from HEAD plus the changed files (never from the index, so whatever
//! the user has staged stays staged and out of the commit).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use git2::{ObjectType, Oid, Repository, Signature, Time, Tree};

use crate::error::{conflict, invalid};
use crate::model::actor::Actor;
use crate::model::rule::RuleCode;

use super::atomic::{self, Staged};
use super::workspace::Workspace;

/// A file to write, relative to the release root.
#[derive(Debug, Clone)]
pub struct Change {
    pub path: String,
    pub content: String,
}

/// A commit made: its id, and what to tell the user when git's index could
/// not be brought in step with it.
#[derive(Debug)]
pub struct Committed {
    pub id: Oid,
    pub index_warning: Option<String>,
}

/// `rel: <action> <subject>` plus the `Rel-*` trailers.
#[derive(Debug, Clone, Default)]
pub struct CommitMessage {
    pub action: String,
    pub subject: String,
    pub body: Vec<String>,
    pub release: Option<String>,
    pub env: Option<String>,
    pub overrides: Vec<RuleCode>,
    pub reason: Option<String>,
}

impl CommitMessage {
    pub fn new(action: &str, subject: &str) -> CommitMessage {
        CommitMessage {
            action: action.to_string(),
            subject: subject.to_string(),
            ..Default::default()
        }
    }

    pub fn render(&self) -> String {
        let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut text = format!("rel: {} {}\n", self.action, one_line(&self.subject));
        if !self.body.is_empty() {
            text.push('\n');
            for line in &self.body {
                text.push_str(line);
                text.push('\n');
            }
        }
        text.push('\n');
        text.push_str(&format!("Rel-Action: {}\n", self.action));
        if let Some(r) = &self.release {
            text.push_str(&format!("Rel-Release: {r}\n"));
        }
        if let Some(e) = &self.env {
            text.push_str(&format!("Rel-Env: {e}\n"));
        }
        for o in &self.overrides {
            text.push_str(&format!("Rel-Override: {o}\n"));
        }
        if let Some(r) = &self.reason {
            text.push_str(&format!("Rel-Reason: {}\n", one_line(r)));
        }
        text
    }
}

impl Workspace {
    /// The path inside the git work tree, with forward slashes.
    pub(super) fn repo_path(&self, relative: &str) -> String {
        let joined: PathBuf = self.prefix.join(relative);
        joined.to_string_lossy().replace('\\', "/")
    }

    /// Refuses (exit 3) when HEAD is not on a branch, a merge or rebase is in
    /// progress, or a file to change has edits that are not committed.
    fn check_clean(&self, changes: &[Change], head_tree: Option<&Tree>) -> anyhow::Result<()> {
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
        let index = self.repo.index()?;
        let mut dirty = Vec::new();
        for change in changes {
            let repo_path = self.repo_path(&change.path);
            let in_head = head_tree
                .and_then(|t| t.get_path(Path::new(&repo_path)).ok())
                .map(|e| e.id());
            let in_index = index.get_path(Path::new(&repo_path), 0).map(|e| e.id);
            let on_disk = self.path(&change.path);
            let in_tree = match std::fs::symlink_metadata(&on_disk) {
                Ok(m) if m.is_file() => Some(Oid::hash_file(ObjectType::Blob, &on_disk)?),
                Ok(m) => {
                    let what = if m.is_dir() {
                        "a folder"
                    } else if m.file_type().is_symlink() {
                        "a symbolic link"
                    } else {
                        "not a plain file"
                    };
                    return Err(conflict(format!(
                        "{} is {what}; rel writes a plain file there: move it out of the way first",
                        change.path
                    )));
                }
                Err(_) => None,
            };
            if in_index != in_head || in_tree != in_head {
                dirty.push(change.path.clone());
            }
        }
        if dirty.is_empty() {
            Ok(())
        } else {
            Err(conflict(format!(
                "uncommitted edits to {}; commit or restore them (git checkout -- FILE) before running rel",
                dirty.join(", ")
            )))
        }
    }

    /// The branch HEAD points at, e.g. `refs/heads/main`.
    fn branch(&self) -> anyhow::Result<String> {
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
        let head_tree = match self.head_at_open {
            Some(id) => Some(self.repo.find_commit(id)?.tree()?),
            None => None,
        };
        self.check_clean(changes, head_tree.as_ref())
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
        let time = commit_time(now)?;
        distinct_paths(changes)?;
        if message.render().contains('\0') {
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
        self.check_clean(changes, head_tree.as_ref())?;

        // Stage files beside their targets first: a failure here leaves
        // the work tree and HEAD as they were (discarded newest first, so
        // folders made for them empty out and go too).
        let mut staged: Vec<Staged> = Vec::new();
        for change in changes {
            match atomic::stage(&self.path(&change.path), change.content.as_bytes()) {
                Ok(s) => staged.push(s),
                Err(e) => {
                    staged.into_iter().rev().for_each(Staged::discard);
                    return Err(anyhow::anyhow!("cannot write {}: {e}", change.path));
                }
            }
        }
        let result = self.write_commit(
            changes,
            message,
            actor,
            time,
            &branch,
            head_commit.as_ref(),
            head_tree.as_ref(),
        );
        let commit_id = match result {
            Ok(id) => id,
            Err(e) => {
                staged.into_iter().rev().for_each(Staged::discard);
                return Err(e);
            }
        };
        // The branch has moved: a file that cannot be put in place now
        // leaves the work tree behind the commit, and the message says how
        // to catch up.
        for s in staged {
            let path = s.target.clone();
            s.commit().map_err(|e| {
                anyhow::anyhow!(
                    "committed {commit_id} but could not put {} in place: {e}; run `git checkout -- {}`",
                    path.display(),
                    path.display()
                )
            })?;
        }
        // Our files now match the commit; record that in the index without
        // touching any other entry the user may have staged. The commit is
        // made whatever happens here, so a failure is a warning, not an error.
        let paths: Vec<String> = changes.iter().map(|c| self.repo_path(&c.path)).collect();
        let index_warning = self.update_index(&paths).err().map(|e| {
            format!(
                "committed, but git's index could not be updated ({e}); \
                 run `git reset -q -- {}` to bring it in step",
                paths.join(" ")
            )
        });
        Ok(Committed {
            id: commit_id,
            index_warning,
        })
    }

    fn update_index(&self, paths: &[String]) -> anyhow::Result<()> {
        let mut index = self.repo.index()?;
        for p in paths {
            index.add_path(Path::new(p))?;
        }
        index.write()?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn write_commit(
        &self,
        changes: &[Change],
        message: &CommitMessage,
        actor: &Actor,
        time: Time,
        branch: &str,
        head_commit: Option<&git2::Commit>,
        head_tree: Option<&Tree>,
    ) -> anyhow::Result<Oid> {
        let mut blobs = Vec::new();
        for change in changes {
            let oid = self.repo.blob(change.content.as_bytes())?;
            blobs.push((self.repo_path(&change.path), oid));
        }
        let tree_id = build_tree(&self.repo, head_tree, &blobs)?;
        let tree = self.repo.find_tree(tree_id)?;
        let sig = Signature::new(&actor.name, &actor.email, &time).map_err(|e| {
            invalid(format!(
                "cannot sign the commit as {actor}: {}",
                e.message()
            ))
        })?;
        let parents: Vec<&git2::Commit> = head_commit.into_iter().collect();
        let commit_id = self
            .repo
            .commit(None, &sig, &sig, &message.render(), &tree, &parents)?;
        let log = format!("rel: {} {}", message.action, message.subject);
        // Move the branch only if it still points where it did when we read.
        let moved = match self.head_at_open {
            Some(old) => self
                .repo
                .reference_matching(branch, commit_id, true, old, &log)
                .is_err(),
            None => self.repo.reference(branch, commit_id, false, &log).is_err(),
        };
        if moved {
            return Err(conflict(format!(
                "{branch} moved while rel was working; run the command again"
            )));
        }
        Ok(commit_id)
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

/// A tree equal to `base` with `blobs` (path, blob id) added or replaced.
fn build_tree(
    repo: &Repository,
    base: Option<&Tree>,
    blobs: &[(String, Oid)],
) -> anyhow::Result<Oid> {
    let mut here: Vec<(&str, Oid)> = Vec::new();
    let mut below: BTreeMap<&str, Vec<(String, Oid)>> = BTreeMap::new();
    for (path, oid) in blobs {
        match path.split_once('/') {
            None => here.push((path.as_str(), *oid)),
            Some((dir, rest)) => below.entry(dir).or_default().push((rest.to_string(), *oid)),
        }
    }
    let mut builder = repo.treebuilder(base)?;
    for (name, oid) in here {
        builder.insert(name, oid, 0o100644)?;
    }
    for (dir, entries) in below {
        let sub = base
            .and_then(|t| t.get_name(dir))
            .filter(|e| e.kind() == Some(ObjectType::Tree))
            .map(|e| repo.find_tree(e.id()))
            .transpose()?;
        let sub_id = build_tree(repo, sub.as_ref(), &entries)?;
        builder.insert(dir, sub_id, 0o040000)?;
    }
    Ok(builder.write()?)
}

#[cfg(test)]
#[path = "commit_tests.rs"]
mod tests;
