//! The audit trail, read from git history: every commit that changed rel's
//! files, parsed from its `Rel-*` trailers. Commits without them (a hand
//! edit, a merge) are listed too, marked as outside rel, so nothing is hidden.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use git2::{Commit, Oid, Sort, Tree};

use crate::model::action::Trailers;
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
    pub files: Vec<String>,
}

impl Workspace {
    /// Ids of rel's two top-level entries in a commit's tree.
    fn rel_ids(&self, tree: &Tree, releases: &str, pipeline: &str) -> (Option<Oid>, Option<Oid>) {
        let id = |p: &str| tree.get_path(Path::new(p)).ok().map(|e| e.id());
        (id(releases), id(pipeline))
    }

    /// Every commit reachable from HEAD that changed rel's files, newest first.
    pub fn history(&self) -> anyhow::Result<Vec<LogEntry>> {
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
            entries.push(self.entry(&commit, parent_tree.as_ref(), &commit.tree()?)?);
        }
        Ok(entries)
    }

    fn entry(
        &self,
        commit: &Commit,
        parent: Option<&Tree>,
        tree: &Tree,
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
            files: Vec::new(),
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
            entry.files = self.changed_files(parent, tree)?;
            // The release whose manifest changed (in progress or in the
            // archive), when there is exactly one.
            let mut releases: Vec<&str> = entry
                .files
                .iter()
                .filter_map(|f| match crate::model::archive::parse(f) {
                    Some(crate::model::archive::Archived::Release { id, .. }) => Some(id),
                    Some(_) => None,
                    None => f
                        .strip_prefix("releases/")
                        .and_then(|f| f.strip_suffix(".toml"))
                        .filter(|f| !f.contains('/')),
                })
                .collect();
            releases.dedup();
            if releases.len() == 1 {
                entry.release = Some(releases[0].to_string());
            }
        }
        Ok(entry)
    }

    /// rel's files that differ between two trees, relative to the release root.
    fn changed_files(&self, parent: Option<&Tree>, tree: &Tree) -> anyhow::Result<Vec<String>> {
        let mut opts = git2::DiffOptions::new();
        opts.pathspec(self.repo_path(RELEASES_DIR))
            .pathspec(self.repo_path(PIPELINE_FILE));
        let diff = self
            .repo
            .diff_tree_to_tree(parent, Some(tree), Some(&mut opts))?;
        let prefix = self.repo_path("");
        let mut files = Vec::new();
        for delta in diff.deltas() {
            let file = delta.new_file().path().or_else(|| delta.old_file().path());
            if let Some(p) = file {
                let p = p.to_string_lossy().replace('\\', "/");
                let relative = p
                    .strip_prefix(&prefix)
                    .unwrap_or(&p)
                    .trim_start_matches('/');
                files.push(relative.to_string());
            }
        }
        Ok(files)
    }
}
