//! What `rel audit` reads from git: the branch's first-parent history, and
//! for each commit the files of rel's it changed (found by a tree diff, so
//! the state after commit k is the state before commit k+1 with only those
//! files read again), its trailers, its author and date. Any commit's tree
//! is read without the lock: nothing is written.

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use git2::{Commit, Oid, Repository, Tree};

use crate::error::invalid;
use crate::model::action::Trailers;

use crate::store::repo::workspace::{Workspace, PIPELINE_FILE, RELEASES_DIR};

/// A file of rel's as a commit leaves it: its path relative to the release
/// root, and its text (`None`: deleted, or not readable as text).
#[derive(Debug, Clone)]
pub struct FileState {
    pub path: String,
    pub text: Option<Result<String, String>>,
    /// Its blob before the commit and after (`None`: absent), so a file
    /// moved unchanged is known without reading it.
    pub old: Option<Oid>,
    pub new: Option<Oid>,
}

/// One commit of the walk that changed rel's files.
#[derive(Debug, Clone)]
pub struct WalkedCommit {
    pub id: Oid,
    /// The author date.
    pub at: DateTime<Utc>,
    /// The committer date.
    pub committed_at: DateTime<Utc>,
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
    /// The commit whose tree is the state the first is judged against
    /// (`None`: the empty state before a root commit).
    base: Option<Oid>,
    /// Commits met on the line whose parent this clone does not have (a
    /// shallow clone's graft): not judged, and the history before them not
    /// audited.
    pub grafted: Vec<Oid>,
    /// The commits that changed rel's files (their diff is walked when
    /// the commit is judged, one at a time).
    touched: HashSet<Oid>,
}

impl Walk<'_> {
    /// The commit whose state the first commit is judged against.
    pub fn base(&self) -> Option<Oid> {
        self.base
    }
}

/// The id and mode of `releases` and of `environments.toml` in a tree.
type RelEntries = [Option<(Oid, i32)>; 2];

/// What to say about a commit that a shallow clone cuts off.
pub const UNSHALLOW: &str = "fetch the whole history with `git fetch --unshallow`";

impl Workspace {
    /// The first-parent commits from `since` (included; default: the root,
    /// or in a shallow clone the graft) to HEAD, oldest first. `since` must
    /// be on that line.
    pub fn audit_walk(&self, since: Option<&str>) -> anyhow::Result<Walk<'_>> {
        let Some(head) = self.head_at_open else {
            return self.walk_of(None, Vec::new(), None, Vec::new());
        };
        let shallow = self.shallow_commits();
        let beyond = |rev: &str| {
            invalid(format!(
                "--since {rev}: not in this shallow clone's history (it stops at {}); {UNSHALLOW}",
                shallow
                    .iter()
                    .map(|id| id.to_string()[..10].to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        };
        let stop = since
            .map(|rev| {
                self.repo
                    .revparse_single(rev)
                    .and_then(|o| o.peel_to_commit())
                    .map(|c| c.id())
                    .map_err(|_| {
                        if shallow.is_empty() {
                            invalid(format!("--since {rev}: no such commit"))
                        } else {
                            beyond(rev)
                        }
                    })
            })
            .transpose()?;
        let mut commits = Vec::new();
        let mut grafted = Vec::new();
        let mut base = None;
        let mut current = Some(self.repo.find_commit(head)?);
        let mut reached = stop.is_none();
        while let Some(c) = current {
            if shallow.contains(&c.id()) {
                // Its parent is not here: the state after it is where the
                // walk starts; it is not judged (nor called a hand edit).
                grafted.push(c.id());
                base = Some(c.id());
                reached |= Some(c.id()) == stop;
                break;
            }
            commits.push(c.id());
            if Some(c.id()) == stop {
                reached = true;
                base = c.parent_id(0).ok();
                break;
            }
            base = c.parent_id(0).ok();
            current = c.parent(0).ok();
        }
        if !reached {
            let rev = since.unwrap_or("");
            if !grafted.is_empty() {
                return Err(beyond(rev));
            }
            return Err(invalid(format!(
                "--since {rev}: not on the first-parent line of HEAD (rel audits the branch's own history)"
            )));
        }
        commits.reverse();
        self.walk_of(Some(head), commits, base, grafted)
    }

    /// The pushed commits a `pre-receive` hook audits: the first-parent
    /// line from the tip down to the first commit already reachable from
    /// `old` (the branch before the push; `None`: a new branch, audited to
    /// its root), oldest first. Each is judged against its parent's state.
    pub fn audit_walk_pushed(&self, old: Option<Oid>) -> anyhow::Result<Walk<'_>> {
        let Some(head) = self.head_at_open else {
            return self.walk_of(None, Vec::new(), None, Vec::new());
        };
        let pushed: Option<std::collections::HashSet<Oid>> = match old {
            None => None,
            Some(old) => {
                let mut walk = self.repo.revwalk()?;
                walk.push(head)?;
                walk.hide(old)?;
                Some(walk.collect::<Result<_, _>>()?)
            }
        };
        let shallow = self.shallow_commits();
        let mut commits = Vec::new();
        let mut grafted = Vec::new();
        let mut base = None;
        let mut current = Some(self.repo.find_commit(head)?);
        while let Some(c) = current {
            if pushed.as_ref().is_some_and(|p| !p.contains(&c.id())) {
                base = Some(c.id());
                break;
            }
            if shallow.contains(&c.id()) {
                grafted.push(c.id());
                base = Some(c.id());
                break;
            }
            commits.push(c.id());
            base = c.parent_id(0).ok();
            current = c.parent(0).ok();
        }
        commits.reverse();
        self.walk_of(Some(head), commits, base, grafted)
    }

    /// The commits of a shallow clone whose parents it lacks (git's
    /// `shallow` file); empty in a whole clone.
    fn shallow_commits(&self) -> std::collections::HashSet<Oid> {
        std::fs::read_to_string(self.repo.path().join("shallow"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| Oid::from_str(l.trim()).ok())
            .collect()
    }

    /// The walk over `commits` (oldest first) up to `head`, the first
    /// judged against `base`'s tree: what each changed is read in one `git
    /// log`.
    fn walk_of(
        &self,
        head: Option<Oid>,
        commits: Vec<Oid>,
        base: Option<Oid>,
        grafted: Vec<Oid>,
    ) -> anyhow::Result<Walk<'_>> {
        let (Some(_), false) = (head, commits.is_empty()) else {
            return Ok(Walk {
                ws: self,
                commits,
                base,
                grafted,
                touched: HashSet::new(),
            });
        };
        // Objects are read by the thousand here: the hash of each is not
        // checked again on every read (git's own default).
        git2::opts::strict_hash_verification(false);
        let rel_entries = |tree: Option<Oid>| -> anyhow::Result<RelEntries> {
            let Some(tree) = tree else {
                return Ok([None, None]);
            };
            let tree = self.repo.find_tree(tree)?;
            Ok([RELEASES_DIR, PIPELINE_FILE].map(|p| {
                tree.get_path(Path::new(&self.repo_path(p)))
                    .ok()
                    .map(|e| (e.id(), e.filemode()))
            }))
        };
        // A commit changed rel's files when it changed either entry (a
        // subtree's id is its content), as `git log -- releases
        // environments.toml` lists it; each tree's entries read once.
        let mut touched = HashSet::new();
        let mut previous: Option<(Oid, RelEntries)> = None;
        for id in &commits {
            let commit = self.repo.find_commit(*id)?;
            let parent = commit.parent_id(0).ok();
            let before = match (previous, parent) {
                (Some((p, entries)), Some(parent)) if p == parent => entries,
                (_, parent) => {
                    let tree = parent
                        .map(|p| self.repo.find_commit(p).map(|c| c.tree_id()))
                        .transpose()?;
                    rel_entries(tree)?
                }
            };
            let after = rel_entries(Some(commit.tree_id()))?;
            if before != after {
                touched.insert(*id);
            }
            previous = Some((*id, after));
        }
        Ok(Walk {
            ws: self,
            commits,
            base,
            grafted,
            touched,
        })
    }
}

impl Walk<'_> {
    fn repo(&self) -> &Repository {
        &self.ws.repo
    }

    /// rel's files in the tree of the first commit's parent: the state the
    /// walk starts from (empty from the root).
    pub fn start(&self) -> anyhow::Result<Vec<FileState>> {
        let Some(base) = self.base else {
            return Ok(Vec::new());
        };
        let tree = self.repo().find_commit(base)?.tree()?;
        let mut files = Vec::new();
        if let Some(text) = self.file_in(&tree, PIPELINE_FILE)? {
            files.push(FileState {
                path: PIPELINE_FILE.to_string(),
                text: Some(text),
                old: None,
                new: None,
            });
        }
        let mut dirs = vec![
            RELEASES_DIR.to_string(),
            format!("{RELEASES_DIR}/incidents"),
            format!("{RELEASES_DIR}/installations"),
        ];
        // The archive's years: a walk from the middle of the history
        // starts from every release, finished ones included.
        let archive = self.ws.repo_path(crate::model::archive::ARCHIVE_DIR);
        if let Ok(entry) = tree.get_path(Path::new(&archive)) {
            if let Ok(years) = self.repo().find_tree(entry.id()) {
                for y in years.iter() {
                    if let Some(year) = y
                        .name()
                        .filter(|n| crate::model::archive::parse_year(n).is_some())
                    {
                        let dir = format!("{}/{year}", crate::model::archive::ARCHIVE_DIR);
                        dirs.push(format!("{dir}/incidents"));
                        dirs.push(dir);
                    }
                }
            }
        }
        for dir in dirs {
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
                    old: None,
                    new: Some(e.id()),
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

    /// The text of rel's file `relative` in commit `id`'s tree (None:
    /// no such file there).
    pub fn file_at(
        &self,
        id: Oid,
        relative: &str,
    ) -> anyhow::Result<Option<Result<String, String>>> {
        let tree = self.repo().find_commit(id)?.tree()?;
        self.file_in(&tree, relative)
    }

    fn text(&self, blob: Oid) -> Result<String, String> {
        let blob = self.repo().find_blob(blob).map_err(|e| e.to_string())?;
        String::from_utf8(blob.content().to_vec()).map_err(|_| "not UTF-8 text".to_string())
    }

    /// Reads a blob's text back, by its id (`None`: not there, or not
    /// UTF-8), through a handle of its own on the repository, so the
    /// reader outlives the walk. Opened as the repository was: from git's
    /// variables when GIT_DIR is set (in a `pre-receive` hook the pushed
    /// blobs are in quarantine, which only they name; see `bare::open`).
    pub fn blob_texts(&self) -> anyhow::Result<impl Fn(&[u8]) -> Option<String>> {
        let repo = if std::env::var_os("GIT_DIR").is_some() {
            Repository::open_from_env()?
        } else {
            Repository::open(self.repo().path())?
        };
        Ok(move |id: &[u8]| {
            let blob = repo.find_blob(Oid::from_bytes(id).ok()?).ok()?;
            String::from_utf8(blob.content().to_vec()).ok()
        })
    }

    /// Whether commit `id` changed rel's files (is judged).
    pub fn touches(&self, id: Oid) -> bool {
        self.touched.contains(&id)
    }

    /// Commit `id` with the files of rel's it changed from its first
    /// parent; `None` when it changed none.
    pub fn commit(&self, id: Oid) -> anyhow::Result<Option<WalkedCommit>> {
        let mut files = Vec::new();
        let walked = self.commit_streamed(id, &mut |f| files.push(f))?;
        Ok(walked.map(|w| WalkedCommit { files, ..w }))
    }

    /// Commit `id` as `commit` gives it, but each file is handed to `each`
    /// with its text as it is read, and not kept (`files` is empty): the
    /// files of an import of a million incidents are never all held at
    /// once, nor is the list of their paths.
    pub fn commit_streamed(
        &self,
        id: Oid,
        each: &mut dyn FnMut(FileState),
    ) -> anyhow::Result<Option<WalkedCommit>> {
        let Some(walked) = self.header(id)? else {
            return Ok(None);
        };
        self.files(id, &|_, _| true, each)?;
        Ok(Some(walked))
    }

    /// Commit `id` without its files (`None`: it changed none of rel's).
    pub fn header(&self, id: Oid) -> anyhow::Result<Option<WalkedCommit>> {
        if !self.touches(id) {
            return Ok(None);
        }
        Ok(Some(walked(&self.repo().find_commit(id)?, Vec::new())))
    }

    /// Hands `each` the files of rel's commit `id` changed that `wanted`
    /// wants (asked with the path relative to the release root, and
    /// whether the commit deleted the file), in git's order, with their
    /// texts; the others are not read.
    pub fn files(
        &self,
        id: Oid,
        wanted: &dyn Fn(&str, bool) -> bool,
        each: &mut dyn FnMut(FileState),
    ) -> anyhow::Result<()> {
        let commit = self.repo().find_commit(id)?;
        let prefix = self.ws.repo_path("");
        super::tree_diff::first_parent_changes(
            self.repo(),
            &commit,
            &prefix,
            &[PIPELINE_FILE, RELEASES_DIR],
            &mut |path, blob, old| {
                if !wanted(path, blob.is_none()) {
                    return;
                }
                let file = FileState {
                    path: path.to_string(),
                    new: blob.as_ref().and_then(|b| b.as_ref().ok().copied()),
                    text: blob.map(|b| b.and_then(|b| self.text(b))),
                    old,
                };
                each(file);
            },
        )
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
        committed_at: Utc
            .timestamp_opt(commit.committer().when().seconds(), 0)
            .single()
            .unwrap_or_default(),
        name: author.name().unwrap_or("?").to_string(),
        email: author.email().unwrap_or("?").to_string(),
        trailers,
        merge: commit.parent_count() > 1,
        files,
    }
}
