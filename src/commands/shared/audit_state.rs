//! The audit's state, kept from one commit to the next: the files a commit
//! changed are parsed into values once, judged against the state before
//! it, then folded into it (the state after commit k is the state before
//! commit k+1).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::model::archive::{self, Archived};
use crate::model::incident::Incident;
use crate::model::installation::Installation;
use crate::model::release::Release;
use crate::rules::audit::{Held, Placed, Reader, World, Written};
use crate::store::git::audit_walk::{FileState, Walk};
use crate::store::repo::manifests::Stored;
use crate::store::repo::pipeline_file::parse_pipeline;
use crate::store::repo::toml_file;
use crate::store::repo::workspace::{
    INCIDENTS_DIR, INSTALLATIONS_DIR, PIPELINE_FILE, RELEASES_DIR,
};

/// Where `rel verify` keeps health checks' output.
const REPORTS_DIR: &str = "releases/reports";

/// The files of one commit, as values.
#[derive(Debug, Default)]
pub struct Parsed {
    pub releases: Vec<(String, Written<Release>)>,
    pub incidents: Vec<(String, Written<Held>)>,
    /// Installations are state the rules read (an update's members and
    /// windows), not judged themselves.
    pub installations: Vec<(String, Written<Installation>)>,
    /// `Some` when environments.toml changed: its new value (None: deleted).
    pub pipeline: Option<Written<crate::model::pipeline::Pipeline>>,
    /// Health report files (`releases/reports/...`) changed, by path; a
    /// report moved unchanged into the archive is in `archived` instead.
    pub reports: Vec<String>,
    /// What the commit put into the archive (contract 11.1): a release or
    /// an incident is judged by its id wherever it lies, and the place
    /// the commit filed it under is judged here.
    pub archived: Vec<Placed>,
    /// `Some` when the commit changed the legacy index file: its new
    /// value (None: deleted), or why it does not parse.
    pub index: Option<Written<archive::Index>>,
    /// The shards of the index the commit changed, likewise.
    pub shards: Vec<(archive::Shard, Written<archive::Index>)>,
}

/// What a path of rel's holds: the pipeline, a release or an incident
/// (by id), a health check's kept output, or something the audit does not
/// judge (the notes template, a .gitkeep).
enum Place<'a> {
    Pipeline,
    /// A file of the archive's index (the legacy whole is `Archive`).
    IndexShard(archive::Shard),
    Archive(Archived<'a>),
    Release(&'a str),
    Incident(&'a str),
    Installation(&'a str),
    Report,
    Other,
}

fn place(path: &str) -> Place<'_> {
    if path == PIPELINE_FILE {
        return Place::Pipeline;
    }
    if let Some(shard) = archive::Shard::from_path(path) {
        return Place::IndexShard(shard);
    }
    if let Some(a) = archive::parse(path) {
        return Place::Archive(a);
    }
    if path.starts_with(REPORTS_DIR) && path[REPORTS_DIR.len()..].starts_with('/') {
        return Place::Report;
    }
    let id_in = |dir: &str| {
        path.strip_prefix(dir)
            .and_then(|p| p.strip_prefix('/'))
            .and_then(|p| p.strip_suffix(".toml"))
            .filter(|id| !id.contains('/') && !id.starts_with('.'))
    };
    if let Some(id) = id_in(INCIDENTS_DIR) {
        return Place::Incident(id);
    }
    if let Some(id) = id_in(INSTALLATIONS_DIR) {
        return Place::Installation(id);
    }
    match id_in(RELEASES_DIR) {
        Some(id) => Place::Release(id),
        None => Place::Other,
    }
}

/// A file of the archive's index as a commit left it.
pub fn index_value(path: &str, text: &Option<Result<String, String>>) -> Written<archive::Index> {
    Some(match text.as_ref()? {
        Err(e) => Err(e.clone()),
        Ok(text) => {
            toml_file::parse::<archive::Index>(Path::new(path), text).map_err(|e| e.to_string())
        }
    })
}

/// The id of an incident's file, in progress or in the archive.
pub fn incident_file(path: &str) -> Option<&str> {
    match place(path) {
        Place::Incident(id) | Place::Archive(Archived::Incident { id, .. }) => Some(id),
        _ => None,
    }
}

fn value<T: Stored>(path: &str, id: &str, text: &Option<Result<String, String>>) -> Written<T> {
    let text = match text.as_ref()? {
        Ok(t) => t,
        Err(e) => return Some(Err(e.clone())),
    };
    Some(
        toml_file::parse::<T>(Path::new(path), text)
            .map_err(|e| e.to_string())
            .and_then(|item| {
                if item.id() == id {
                    Ok(item)
                } else {
                    Err(format!(
                        "its id is {:?}, the file is named for {id:?}",
                        item.id()
                    ))
                }
            }),
    )
}

/// A release's file as the audit keeps it: its lists of incidents (a
/// release of a big register names thousands, twice: in `incidents` and
/// in its `group` event) without the room they grew with.
fn release(f: &FileState, id: &str) -> Written<Release> {
    value::<Release>(&f.path, id, &f.text).map(|v| {
        v.map(|mut r| {
            r.incidents.shrink_to_fit();
            for e in &mut r.history {
                e.incidents.shrink_to_fit();
            }
            r
        })
    })
}

/// An incident's file as the audit keeps it: parsed (to know it parses,
/// and its facts), then held as its blob and facts.
pub fn incident(
    f: &FileState,
    id: &str,
    names: &mut HashSet<std::sync::Arc<str>>,
) -> Written<Held> {
    share(incident_held(f, id), names)
}

/// An incident's file parsed and held, its release not yet shared: the
/// half of `incident` that needs no state (it runs on any thread).
pub fn incident_held(f: &FileState, id: &str) -> Written<Held> {
    let blob = f.new.and_then(|b| b.as_bytes().try_into().ok());
    value::<Incident>(&f.path, id, &f.text).map(|v| v.map(|i| Held::of(i, blob)))
}

/// `held` with the release it names shared with the others in `names`.
pub fn share(mut held: Written<Held>, names: &mut HashSet<std::sync::Arc<str>>) -> Written<Held> {
    if let Some(Ok(h)) = &mut held {
        h.share_release(names);
    }
    held
}

/// Reads a kept incident back from its blob, as `Parser` read it.
pub fn reader(walk: &Walk) -> anyhow::Result<Reader> {
    let texts = walk.blob_texts()?;
    Ok(Reader::new(move |blob| {
        let text = texts(blob)?;
        toml_file::parse::<Incident>(Path::new(INCIDENTS_DIR), &text).ok()
    }))
}

/// The changed files as values.
pub fn parse(files: &[FileState]) -> Parsed {
    let mut parser = Parser::default();
    for f in files {
        parser.file(f);
    }
    parser.finish()
}

/// `parse`, one file at a time: a commit's files are read, parsed and their
/// text dropped one by one (an import of a million files is never held as
/// text at once). A report moved into the archive is decided at the end,
/// when every deleted file has been seen.
#[derive(Default)]
pub struct Parser {
    parsed: Parsed,
    releases: Moves<Release>,
    incidents: Moves<Held>,
    /// Report files in progress the commit deleted: their blob before.
    deleted_reports: HashMap<String, git2::Oid>,
    /// Archived reports whose source is not known yet: the index of their
    /// entry in `archived` and where in `reports` they go when they are no
    /// move, their path, the source path and their blob.
    pending: Vec<(usize, usize, String, String, Option<git2::Oid>)>,
    /// The releases the incidents name, each held once.
    names: HashSet<std::sync::Arc<str>>,
}

impl Parser {
    pub fn file(&mut self, f: &FileState) {
        let parsed = &mut self.parsed;
        match place(&f.path) {
            Place::Pipeline => {
                parsed.pipeline = Some(f.text.as_ref().map(|t| {
                    t.clone().and_then(|text| {
                        parse_pipeline(Path::new(PIPELINE_FILE), &text).map_err(|e| e.to_string())
                    })
                }))
            }
            Place::Release(id) => self.releases.moved_out(id, release(f, id)),
            Place::Incident(id) => {
                let held = incident(f, id, &mut self.names);
                self.incidents.moved_out(id, held)
            }
            Place::Installation(id) => parsed
                .installations
                .push((id.to_string(), value::<Installation>(&f.path, id, &f.text))),
            Place::Report => {
                if let (None, Some(old)) = (&f.text, f.old) {
                    self.deleted_reports.insert(f.path.clone(), old);
                }
                parsed.reports.push(f.path.clone())
            }
            Place::Archive(Archived::Release { year, id }) => {
                self.releases.moved_in(id, release(f, id));
                parsed
                    .archived
                    .push(Placed::release(id, year, f.text.is_none()));
            }
            Place::Archive(Archived::Incident { year, id }) => {
                let held = incident(f, id, &mut self.names);
                self.incidents.moved_in(id, held);
                parsed
                    .archived
                    .push(Placed::incident(id, year, f.text.is_none()));
            }
            Place::Archive(Archived::Report { year, release }) => {
                // Moved unchanged from the release's reports in progress:
                // the move is what is judged; anything else is a report
                // file changed.
                let name = f.path.rsplit('/').next().unwrap_or_default();
                let from = format!("{}/{name}", archive::live_reports_dir(release));
                self.pending.push((
                    parsed.archived.len(),
                    parsed.reports.len(),
                    f.path.clone(),
                    from,
                    f.new,
                ));
                parsed.archived.push(Placed::report(release, year));
            }
            Place::Archive(Archived::Other) if f.path == archive::LEGACY_INDEX_FILE => {
                parsed.index = Some(index_value(&f.path, &f.text));
            }
            Place::IndexShard(shard) => {
                parsed.shards.push((shard, index_value(&f.path, &f.text)));
            }
            Place::Archive(Archived::Other) | Place::Other => {}
        }
    }

    pub fn finish(mut self) -> Parsed {
        let mut parsed = self.parsed;
        let mut moved: HashSet<String> = HashSet::new();
        // Last first, so the indices of the earlier ones still hold.
        for (archived_at, reports_at, path, from, new) in self.pending.into_iter().rev() {
            let source = self.deleted_reports.get(&from);
            if new.is_some() && source.copied() == new {
                moved.insert(from);
            } else {
                parsed.archived.remove(archived_at);
                parsed.reports.insert(reports_at, path);
            }
        }
        // The report in progress a move deleted is no change of its own.
        parsed.reports.retain(|p| !moved.contains(p));
        parsed.releases = std::mem::take(&mut self.releases).into_vec();
        parsed.incidents = std::mem::take(&mut self.incidents).into_vec();
        parsed
    }
}

/// The values of one kind a commit wrote, in the order of its paths, with
/// the moves into the archive made one change each. Indexed by id: the
/// archiving of a million incidents is a million moves. The index holds no
/// copy of the ids: a hash of each leads to its last entry, and each entry
/// to the one before it of the same hash (ids are compared on the way).
struct Moves<T> {
    written: Vec<(String, Written<T>)>,
    /// Whether each entry was replaced by a move (dropped at the end).
    replaced: Vec<bool>,
    /// For each entry, the one before it whose id has the same hash.
    earlier: Vec<Option<usize>>,
    last: HashMap<u64, usize>,
    hasher: std::collections::hash_map::RandomState,
}

impl<T> Default for Moves<T> {
    fn default() -> Self {
        Moves {
            written: Vec::new(),
            replaced: Vec::new(),
            earlier: Vec::new(),
            last: HashMap::new(),
            hasher: Default::default(),
        }
    }
}

impl<T> Moves<T> {
    /// The entries of `id` not replaced, last first.
    fn entries_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = usize> + 'a {
        use std::hash::BuildHasher;
        let mut at = self.last.get(&self.hasher.hash_one(id)).copied();
        std::iter::from_fn(move || {
            let n = at?;
            at = self.earlier.get(n).copied().flatten();
            Some(n)
        })
        .filter(move |&n| !self.replaced[n] && self.written[n].0 == id)
    }

    fn push(&mut self, id: &str, value: Written<T>) {
        use std::hash::BuildHasher;
        let n = self.written.len();
        let before = self.last.insert(self.hasher.hash_one(id), n);
        self.earlier.push(before);
        self.replaced.push(false);
        self.written.push((id.to_string(), value));
    }

    /// A file in progress: its deletion is no change of its own when the
    /// commit wrote `id` into the archive (a move).
    fn moved_out(&mut self, id: &str, value: Written<T>) {
        if value.is_none() && self.entries_of(id).any(|n| self.written[n].1.is_some()) {
            return;
        }
        self.push(id, value);
    }

    /// A file of `id` written into the archive: with the file in progress
    /// deleted in the same commit (a move), one change of `id`, to the
    /// archived value.
    fn moved_in(&mut self, id: &str, value: Written<T>) {
        if value.is_some() {
            let deleted: Vec<usize> = self
                .entries_of(id)
                .filter(|&n| self.written[n].1.is_none())
                .collect();
            for n in deleted {
                self.replaced[n] = true;
            }
        }
        self.push(id, value);
    }

    /// The entries not replaced, in place (no second list of a million).
    fn into_vec(self) -> Vec<(String, Written<T>)> {
        let mut written = self.written;
        let mut replaced = self.replaced.into_iter();
        written.retain(|_| !replaced.next().unwrap_or(false));
        written
    }
}

/// Folds a commit's values into the state. A file that does not parse
/// leaves the state without it (it was judged when it came). The values
/// are taken, the ids left (the invariants ask about them next).
pub fn fold(world: &mut World, parsed: &mut Parsed) {
    for p in parsed.archived.iter().filter(|p| p.what == "release") {
        if p.removed {
            world.archived.remove(&p.id.to_ascii_lowercase());
        } else {
            world.archived.insert(p.id.to_ascii_lowercase());
        }
    }
    if let Some(p) = parsed.pipeline.take() {
        world.pipeline = p;
    }
    for (id, v) in &mut parsed.releases {
        world.set_release(id.clone(), v.take().and_then(Result::ok));
    }
    for (id, v) in &mut parsed.incidents {
        world.set_incident(id, v.take().and_then(Result::ok));
    }
    for (id, v) in std::mem::take(&mut parsed.installations) {
        match v.and_then(|r| r.ok()).and_then(|i| i.rules().ok()) {
            Some(rules) => {
                world.installations.insert(id.to_ascii_lowercase(), rules);
            }
            None => {
                world.installations.remove(&id.to_ascii_lowercase());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_moved_into_the_archive_is_one_change_to_its_archived_value() {
        let mut m: Moves<u32> = Moves::default();
        // Deleted in progress, then filed (the order git lists releases).
        m.moved_out("A", None);
        m.moved_in("A", Some(Ok(1)));
        // Filed, then deleted in progress (the order of incidents).
        m.moved_in("B", Some(Ok(2)));
        m.moved_out("B", None);
        // Deleted without a twin; another case is another id.
        m.moved_out("C", None);
        m.moved_in("c", Some(Ok(3)));
        // An archived file deleted replaces nothing.
        m.moved_in("D", None);
        m.moved_out("D", None);
        let got = m.into_vec();
        let want: Vec<(String, Written<u32>)> = vec![
            ("A".into(), Some(Ok(1))),
            ("B".into(), Some(Ok(2))),
            ("C".into(), None),
            ("c".into(), Some(Ok(3))),
            ("D".into(), None),
            ("D".into(), None),
        ];
        assert_eq!(got, want);
    }
}
