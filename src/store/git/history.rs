//! The audit trail, read from git history: every commit that changed rel's
//! files, parsed from its `Rel-*` trailers. Commits without them (a hand
//! edit, a merge) are listed too, marked as outside rel, so nothing is hidden.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use git2::{Commit, Oid, Sort, Tree};

use crate::model::action::Trailers;
use crate::store::git::raw_tree::{normal_mode, RawTree};
use crate::store::repo::workspace::{Workspace, PIPELINE_FILE, RELEASES_DIR};

#[derive(Debug, Clone)]
pub struct LogEntry {
    pub commit: String,
    pub at: DateTime<Utc>,
    /// `Name <email>` of the author.
    pub by: String,
    pub action: String,
    pub release: Option<String>,
    pub env: Option<String>,
    pub overrides: Vec<String>,
    pub reason: Option<String>,
    /// The commit's first line.
    pub message: String,
    /// No `Rel-Action` trailer: the change did not go through rel.
    pub outside_rel: bool,
    /// For changes outside rel: the files of rel's that changed.
    pub files: Paths,
}

/// The files a change outside rel changed, in order, in one buffer: all
/// of them for `--json`, which prints them; else the first few (the table
/// shows three and how many more), so a commit that added a whole
/// register (1,100,000 files) costs no memory for its names.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    text: String,
    ends: Vec<usize>,
    /// How many are kept; None: all.
    keep: Option<usize>,
    /// How many there are.
    count: usize,
    /// The releases whose manifests changed, each run of the same one
    /// counted once: the last one and how many runs.
    release: Option<String>,
    release_runs: usize,
}

impl Paths {
    fn keeping(keep: Option<usize>) -> Paths {
        Paths {
            keep,
            ..Paths::default()
        }
    }

    fn push(&mut self, path: &str) {
        self.count += 1;
        // The release whose manifest this is (in progress or archived).
        let release = match crate::model::archive::parse(path) {
            Some(crate::model::archive::Archived::Release { id, .. }) => Some(id),
            Some(_) => None,
            None => path
                .strip_prefix("releases/")
                .and_then(|f| f.strip_suffix(".toml"))
                .filter(|f| !f.contains('/')),
        };
        if let Some(id) = release {
            if self.release.as_deref() != Some(id) {
                self.release = Some(id.to_string());
                self.release_runs += 1;
            }
        }
        if self.keep.is_none_or(|keep| self.ends.len() < keep) {
            self.text.push_str(path);
            self.ends.push(self.text.len());
        }
    }

    /// How many files changed (kept or not).
    pub fn len(&self) -> usize {
        self.count
    }

    /// The release whose manifest changed, when there is exactly one.
    fn one_release(&self) -> Option<&str> {
        self.release.as_deref().filter(|_| self.release_runs == 1)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let path = &self.text[start..end];
            start = end;
            path
        })
    }
}

impl serde::Serialize for Paths {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_seq(self.iter())
    }
}

impl Workspace {
    /// Ids of rel's two top-level entries in a commit's tree.
    fn rel_ids(&self, tree: &Tree, releases: &str, pipeline: &str) -> (Option<Oid>, Option<Oid>) {
        let id = |p: &str| tree.get_path(Path::new(p)).ok().map(|e| e.id());
        (id(releases), id(pipeline))
    }

    /// Every commit reachable from HEAD that changed rel's files, newest
    /// first; of the files a change outside rel changed, `keep_files` are
    /// kept (None: all).
    pub fn history(&self, keep_files: Option<usize>) -> anyhow::Result<Vec<LogEntry>> {
        let Some(head) = self.head_at_open else {
            return Ok(Vec::new());
        };
        let releases = self.repo_path(RELEASES_DIR);
        let pipeline = self.repo_path(PIPELINE_FILE);
        let mut walk = self.repo.revwalk()?;
        walk.push(head)?;
        walk.set_sorting(Sort::TOPOLOGICAL)?;
        // rel's two entries per root tree, each tree read once (a commit
        // and its parent share the work in a linear history).
        let mut known: HashMap<Oid, (Option<Oid>, Option<Oid>)> = HashMap::new();
        let mut ids_of = |tree: Oid| -> anyhow::Result<(Option<Oid>, Option<Oid>)> {
            if let Some(ids) = known.get(&tree) {
                return Ok(*ids);
            }
            let ids = self.rel_ids(&self.repo.find_tree(tree)?, &releases, &pipeline);
            known.insert(tree, ids);
            Ok(ids)
        };
        let mut entries = Vec::new();
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            let mine = ids_of(commit.tree_id())?;
            let parent = match commit.parent_id(0) {
                Ok(id) => Some(self.repo.find_commit(id)?),
                Err(_) => None,
            };
            let before = match &parent {
                Some(p) => ids_of(p.tree_id())?,
                None => (None, None),
            };
            if mine == before {
                continue;
            }
            let parent_tree = parent.as_ref().map(|p| p.tree()).transpose()?;
            entries.push(self.entry(&commit, parent_tree.as_ref(), &commit.tree()?, keep_files)?);
        }
        Ok(entries)
    }

    fn entry(
        &self,
        commit: &Commit,
        parent: Option<&Tree>,
        tree: &Tree,
        keep_files: Option<usize>,
    ) -> anyhow::Result<LogEntry> {
        let message = commit.message().unwrap_or("").to_string();
        let author = commit.author();
        let by = format!(
            "{} <{}>",
            author.name().unwrap_or("?"),
            author.email().unwrap_or("?")
        );
        let at = Utc
            .timestamp_opt(author.when().seconds(), 0)
            .single()
            .unwrap_or_default();
        let mut entry = LogEntry {
            commit: commit.id().to_string(),
            at,
            by,
            action: String::new(),
            release: None,
            env: None,
            overrides: Vec::new(),
            reason: None,
            message: message.lines().next().unwrap_or("").to_string(),
            outside_rel: true,
            files: Paths::default(),
        };
        let parsed = git2::message_trailers_strs(&message)
            .ok()
            .and_then(|pairs| Trailers::parse(pairs.iter()));
        // Rel-* trailers rel never writes (an unknown action or rule) do
        // not make a change rel's: it is listed as outside rel.
        if let Some(Ok(t)) = parsed {
            entry.action = t.action.name().to_string();
            entry.outside_rel = false;
            entry.release = t.release;
            entry.env = t.env;
            entry.overrides = t.overrides.iter().map(|o| o.to_string()).collect();
            entry.reason = t.reason;
        }
        if entry.outside_rel {
            entry.action = if commit.parent_count() > 1 {
                "merge".into()
            } else {
                "edit".into()
            };
            entry.files = self.changed_files(parent, tree, keep_files)?;
            // The release whose manifest changed (in progress or in the
            // archive), when there is exactly one.
            if let Some(release) = entry.files.one_release() {
                entry.release = Some(release.to_string());
            }
        }
        Ok(entry)
    }

    /// rel's files that differ between two trees, relative to the release
    /// root, in git's order: walked here over the raw tree objects, only
    /// into folders whose ids differ, one tree in memory per level (a
    /// commit adding 1,100,000 files cost libgit2's diff 400 MB); by
    /// libgit2's diff when the walk meets what it does not decide the same
    /// way for sure (a link, a submodule, a mode or type change).
    fn changed_files(
        &self,
        parent: Option<&Tree>,
        tree: &Tree,
        keep: Option<usize>,
    ) -> anyhow::Result<Paths> {
        let mut files = Paths::keeping(keep);
        let walked = (|| -> anyhow::Result<Option<()>> {
            for top in [PIPELINE_FILE, RELEASES_DIR] {
                let path = self.repo_path(top);
                let at = |t: Option<&Tree>| -> Option<(u32, Oid)> {
                    let e = t?.get_path(Path::new(&path)).ok()?;
                    Some((normal_mode(e.filemode() as u32), e.id()))
                };
                if self
                    .walk(at(parent), at(Some(tree)), top, &mut files)?
                    .is_none()
                {
                    return Ok(None);
                }
            }
            Ok(Some(()))
        })()?;
        match walked {
            Some(()) => Ok(files),
            None => self.diffed_files(parent, tree, keep),
        }
    }

    /// Adds to `files` the files under `path` (an entry of each side:
    /// mode and id) that differ; None when libgit2 must decide.
    fn walk(
        &self,
        old: Option<(u32, Oid)>,
        new: Option<(u32, Oid)>,
        path: &str,
        files: &mut Paths,
    ) -> anyhow::Result<Option<()>> {
        const FILE: u32 = 0o100644;
        const TREE: u32 = 0o040000;
        match (old, new) {
            (None, None) => {}
            (Some(a), Some(b)) if a == b => {}
            (Some((FILE, _)), Some((FILE, _)))
            | (Some((FILE, _)), None)
            | (None, Some((FILE, _))) => files.push(path),
            (Some((TREE, _)), Some((TREE, _)))
            | (Some((TREE, _)), None)
            | (None, Some((TREE, _))) => {
                let read = |side: Option<(u32, Oid)>| -> anyhow::Result<Option<RawTree>> {
                    side.map(|(_, id)| {
                        let odb = self.repo.odb()?;
                        let object = odb.read(id)?;
                        RawTree::parse(object.data().to_vec(), &format!("{path}: tree {id}"))
                    })
                    .transpose()
                };
                let (a, b) = (read(old)?, read(new)?);
                let (xs, ys) = (sorted_entries(a.as_ref()), sorted_entries(b.as_ref()));
                let (mut i, mut j) = (0, 0);
                while i < xs.len() || j < ys.len() {
                    let order = match (xs.get(i), ys.get(j)) {
                        (Some(x), Some(y)) => x.0.cmp(&y.0),
                        (Some(_), None) => std::cmp::Ordering::Less,
                        _ => std::cmp::Ordering::Greater,
                    };
                    let (key, x, y, other) = match order {
                        std::cmp::Ordering::Equal => {
                            i += 1;
                            j += 1;
                            (&xs[i - 1].0, Some(xs[i - 1].1), Some(ys[j - 1].1), None)
                        }
                        std::cmp::Ordering::Less => {
                            i += 1;
                            (&xs[i - 1].0, Some(xs[i - 1].1), None, b.as_ref())
                        }
                        std::cmp::Ordering::Greater => {
                            j += 1;
                            (&ys[j - 1].0, None, Some(ys[j - 1].1), a.as_ref())
                        }
                    };
                    let name = key.strip_suffix(b"/").unwrap_or(key);
                    let name = String::from_utf8_lossy(name);
                    // The same name a file on one side and a folder on
                    // the other: a type change, for libgit2.
                    if other.is_some_and(|t| t.get(&name).is_some()) {
                        return Ok(None);
                    }
                    if self.walk(x, y, &format!("{path}/{name}"), files)?.is_none() {
                        return Ok(None);
                    }
                }
            }
            _ => return Ok(None),
        }
        Ok(Some(()))
    }

    /// `changed_files` by libgit2's diff.
    fn diffed_files(
        &self,
        parent: Option<&Tree>,
        tree: &Tree,
        keep: Option<usize>,
    ) -> anyhow::Result<Paths> {
        let mut opts = git2::DiffOptions::new();
        opts.pathspec(self.repo_path(RELEASES_DIR))
            .pathspec(self.repo_path(PIPELINE_FILE));
        let diff = self
            .repo
            .diff_tree_to_tree(parent, Some(tree), Some(&mut opts))?;
        let prefix = self.repo_path("");
        let mut files = Paths::keeping(keep);
        for delta in diff.deltas() {
            let file = delta.new_file().path().or_else(|| delta.old_file().path());
            if let Some(p) = file {
                let p = p.to_string_lossy().replace('\\', "/");
                let relative = p
                    .strip_prefix(&prefix)
                    .unwrap_or(&p)
                    .trim_start_matches('/');
                files.push(relative);
            }
        }
        Ok(files)
    }
}

/// A tree's entries by name as git orders them (a folder's as if it ended
/// in `/`), with their modes and ids.
fn sorted_entries(tree: Option<&RawTree>) -> Vec<(Vec<u8>, (u32, Oid))> {
    let mut entries: Vec<_> = tree
        .iter()
        .flat_map(|t| t.entries())
        .map(|(mode, name, id)| (key_of(name, mode), (normal_mode(mode), id)))
        .collect();
    entries.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    entries
}

/// A tree entry's name as git orders it: a folder's as if it ended in `/`.
fn key_of(name: &[u8], mode: u32) -> Vec<u8> {
    let mut key = name.to_vec();
    if normal_mode(mode) == 0o040000 {
        key.push(b'/');
    }
    key
}
