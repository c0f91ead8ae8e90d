//! The audit trail, read from git history: every commit that changed rel's
//! files, parsed from its `Rel-*` trailers. Commits without them (a hand
//! edit, a merge) are listed too, marked as outside rel, so nothing is hidden.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};
use git2::{Commit, Oid, Sort};

use crate::model::action::Trailers;
use crate::store::git::tree_diff;
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

/// The entries of `Workspace::log`, newest first, each made when asked
/// for: a listing can write one before the next is read.
pub struct Log<'w> {
    ws: &'w Workspace,
    /// None: no commit yet.
    walk: Option<git2::Revwalk<'w>>,
    /// rel's two entries per root tree, each tree read once (a commit and
    /// its parent share the work in a linear history).
    known: HashMap<Oid, (Option<Oid>, Option<Oid>)>,
    /// The release root in the repository.
    prefix: String,
    keep_files: Option<usize>,
}

impl Iterator for Log<'_> {
    type Item = anyhow::Result<LogEntry>;

    fn next(&mut self) -> Option<anyhow::Result<LogEntry>> {
        loop {
            let made = match self.walk.as_mut()?.next()? {
                Ok(oid) => self.entry_of(oid),
                Err(e) => Err(e.into()),
            };
            match made {
                Ok(None) => continue,
                Ok(Some(entry)) => return Some(Ok(entry)),
                Err(e) => {
                    // Nothing after a failure: the walk stops there.
                    self.walk = None;
                    return Some(Err(e));
                }
            }
        }
    }
}

impl Log<'_> {
    /// Ids of rel's two top-level entries in root tree `tree`.
    fn ids_of(&mut self, tree: Oid) -> anyhow::Result<(Option<Oid>, Option<Oid>)> {
        if let Some(ids) = self.known.get(&tree) {
            return Ok(*ids);
        }
        let [releases, pipeline] = tree_diff::ids_in(
            &self.ws.repo,
            tree,
            &self.prefix,
            [RELEASES_DIR, PIPELINE_FILE],
        )?;
        self.known.insert(tree, (releases, pipeline));
        Ok((releases, pipeline))
    }

    /// The entry of commit `oid`; None when it changed none of rel's files.
    fn entry_of(&mut self, oid: Oid) -> anyhow::Result<Option<LogEntry>> {
        let commit = self.ws.repo.find_commit(oid)?;
        let mine = self.ids_of(commit.tree_id())?;
        let before = match commit.parent_id(0) {
            Ok(id) => {
                let parent_tree = self.ws.repo.find_commit(id)?.tree_id();
                self.ids_of(parent_tree)?
            }
            Err(_) => (None, None),
        };
        if mine == before {
            return Ok(None);
        }
        self.ws.entry(&commit, self.keep_files).map(Some)
    }
}

impl Workspace {
    /// Every commit reachable from HEAD that changed rel's files, newest
    /// first; of the files a change outside rel changed, `keep_files` are
    /// kept (None: all).
    pub fn history(&self, keep_files: Option<usize>) -> anyhow::Result<Vec<LogEntry>> {
        self.log(keep_files)?.collect()
    }

    /// `history`, one entry at a time.
    pub fn log(&self, keep_files: Option<usize>) -> anyhow::Result<Log<'_>> {
        let walk = match self.head_at_open {
            Some(head) => {
                let mut walk = self.repo.revwalk()?;
                walk.push(head)?;
                walk.set_sorting(Sort::TOPOLOGICAL)?;
                Some(walk)
            }
            None => None,
        };
        Ok(Log {
            ws: self,
            walk,
            known: HashMap::new(),
            prefix: self.repo_path(""),
            keep_files,
        })
    }

    fn entry(&self, commit: &Commit, keep_files: Option<usize>) -> anyhow::Result<LogEntry> {
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
            entry.files = self.changed_files(commit, keep_files)?;
            // The release whose manifest changed (in progress or in the
            // archive), when there is exactly one.
            if let Some(release) = entry.files.one_release() {
                entry.release = Some(release.to_string());
            }
        }
        Ok(entry)
    }

    /// rel's files that `commit` changed from its first parent, relative
    /// to the release root, in git's order (`tree_diff`: only folders
    /// whose ids differ are read, two trees in memory at a time).
    fn changed_files(&self, commit: &Commit, keep: Option<usize>) -> anyhow::Result<Paths> {
        let prefix = self.repo_path("");
        let mut files = Paths::keeping(keep);
        tree_diff::first_parent_diff(
            &self.repo,
            commit,
            &prefix,
            &[PIPELINE_FILE, RELEASES_DIR],
            &mut |path, new, old| {
                files.push(path);
                // A file that became a link or a submodule (or back) is
                // named twice, as a deletion and an addition: libgit2's
                // diff, which listed these before, splits a change of
                // type so, and the log says what it always said.
                if let (Some((was, _)), Some((is, _))) = (old, new) {
                    if was & tree_diff::TYPE != is & tree_diff::TYPE {
                        files.push(path);
                    }
                }
            },
        )?;
        Ok(files)
    }
}
