//! Every incident the archive holds, for `rel incident list --all`: one
//! year's folder at a time (oldest first, by id within a year), so a
//! listing of 1,000,000 incidents never holds them all. A folder's table
//! facts come from the archive cache (`archive_cache`) when it holds that
//! folder's tree, else from git, read and parsed in full over the cores
//! (and then kept in the cache).
//!
//! The archive is read from git's objects only: its files in the work tree
//! are not compared for the uncommitted-edits note (a million files would
//! cost more than the listing; a sparse checkout has none).

use std::path::Path;

use git2::{Oid, Repository};

use crate::error::invalid;
use crate::model::ids::validate_id;
use crate::model::incident::Incident;
use crate::model::incident_canonical::read_canonical;
use crate::model::release::Release;

use super::archive::{archived_file, Archivable};
use super::listing::{IncidentFacts, ReleaseFacts};
use super::manifests::{par_chunks, Stored};
use super::source::{decode, id_of, not_followed, FileRef};
use super::toml_file;
use super::workspace::Workspace;
use crate::store::git::raw_tree::normal_mode;
use crate::store::kept::archive_cache::{self, FactsBlock};

/// One year's folder of archived incidents.
#[derive(Debug, Clone, Copy)]
struct Folder {
    year: i32,
    /// Its tree; None when reading the work tree.
    tree: Option<Oid>,
}

/// The archive's incident folders, oldest year first.
#[derive(Debug, Default)]
pub struct ArchivedFolders(Vec<Folder>);

impl ArchivedFolders {
    /// How many folders.
    pub fn count(&self) -> usize {
        self.0.len()
    }

    /// The trees of the archive as it is now: the cache keeps these.
    fn trees(&self) -> Vec<Oid> {
        self.0.iter().filter_map(|f| f.tree).collect()
    }
}

/// An archived file: its id and blob (None: read from the work tree).
type Entry = (String, Option<Oid>);

/// How many files are read and parsed at once by the JSON listing.
const CHUNK: usize = 512;

/// A listed tree with more entries than this is not kept in memory after
/// its listing (as `source` does).
const FORGET_LISTED_FROM: usize = 10_000;

impl Workspace {
    /// The archive's folders of incidents, oldest year first; years
    /// without one are left out.
    pub fn archived_incident_folders(&self) -> anyhow::Result<ArchivedFolders> {
        let mut years = self.archive_years()?;
        years.reverse();
        let mut folders = Vec::new();
        for year in years {
            if let Some(tree) = self.folder_tree(&Incident::archived_dir(year))? {
                folders.push(Folder { year, tree });
            }
        }
        Ok(ArchivedFolders(folders))
    }

    /// What the table shows of every incident in folder `i` of `folders`,
    /// by id: from the cache when it holds that folder's tree, else read
    /// from git (and kept). A file that cannot be read is the error, as
    /// when it is read alone.
    pub fn archived_facts(
        &self,
        folders: &ArchivedFolders,
        i: usize,
    ) -> anyhow::Result<FactsBlock> {
        let Some(&folder) = folders.0.get(i) else {
            return Ok(FactsBlock::default());
        };
        let git_dir = self.repo.path();
        if let Some(block) = folder
            .tree
            .and_then(|tree| archive_cache::load(git_dir, tree))
        {
            return Ok(block);
        }
        let entries = self.entries_of(folder)?;
        let block = match folder.tree {
            Some(_) => {
                let parts = par_chunks(&entries, |part| {
                    let repo = Repository::open(git_dir)?;
                    let mut block = FactsBlock::default();
                    for (id, blob) in part {
                        block.push(&IncidentFacts::from(&from_git(
                            &repo,
                            folder.year,
                            id,
                            *blob,
                        )?));
                    }
                    Ok(vec![block])
                })?;
                let mut all = FactsBlock::default();
                for part in parts {
                    all.append(part);
                }
                all
            }
            None => {
                let mut all = FactsBlock::default();
                for (id, _) in &entries {
                    all.push(&IncidentFacts::from(&from_disk(self, folder.year, id)?));
                }
                all
            }
        };
        if let Some(tree) = folder.tree {
            archive_cache::store(git_dir, tree, &block, &folders.trees());
        }
        Ok(block)
    }

    /// Every archived incident in full, oldest year first and by id, read
    /// a chunk at a time; the first that cannot be read ends it.
    pub fn archived_incidents<'a>(
        &'a self,
        folders: &'a ArchivedFolders,
    ) -> impl Iterator<Item = anyhow::Result<Incident>> + 'a {
        folders
            .0
            .iter()
            .flat_map(move |&folder| match self.entries_of(folder) {
                Ok(entries) => Chunks::new(self, folder, entries),
                Err(e) => Chunks::failed(e),
            })
    }

    /// The files of `folder`, by id; a link or submodule named `*.toml` is
    /// the error it is when listed.
    fn entries_of(&self, folder: Folder) -> anyhow::Result<Vec<Entry>> {
        let dir = Incident::archived_dir(folder.year);
        let Some(tree) = folder.tree else {
            let mut ids = self.archived_ids::<Incident>(folder.year)?;
            ids.sort();
            return Ok(ids.into_iter().map(|id| (id, None)).collect());
        };
        let raw = self.raw_tree(tree, &dir)?;
        let mut entries = Vec::new();
        for (mode, name, id) in raw.entries() {
            let Ok(name) = std::str::from_utf8(name) else {
                continue;
            };
            let toml = name.ends_with(".toml");
            match normal_mode(mode) {
                0o100644 | 0o100755 if toml && !name.starts_with('.') => {
                    entries.push((id_of(name).to_string(), Some(id)))
                }
                0o120000 if toml => {
                    return Err(not_followed(&format!("{dir}/{name}"), "a symbolic link"))
                }
                0o160000 if toml => {
                    return Err(not_followed(&format!("{dir}/{name}"), "a submodule"))
                }
                _ => {}
            }
        }
        if raw.len() > FORGET_LISTED_FROM {
            self.trees.forget(tree);
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(entries)
    }
}

/// The incidents of one folder, a chunk at a time.
struct Chunks<'a> {
    ws: Option<&'a Workspace>,
    folder: Folder,
    entries: Vec<Entry>,
    next: usize,
    ready: std::vec::IntoIter<anyhow::Result<Incident>>,
}

impl<'a> Chunks<'a> {
    fn new(ws: &'a Workspace, folder: Folder, entries: Vec<Entry>) -> Chunks<'a> {
        Chunks {
            ws: Some(ws),
            folder,
            entries,
            next: 0,
            ready: Vec::new().into_iter(),
        }
    }

    /// Only `e`: the folder could not be listed.
    fn failed(e: anyhow::Error) -> Chunks<'a> {
        Chunks {
            ws: None,
            folder: Folder {
                year: 0,
                tree: None,
            },
            entries: Vec::new(),
            next: 0,
            ready: vec![Err(e)].into_iter(),
        }
    }

    fn read(&self, ws: &Workspace, chunk: &[Entry]) -> anyhow::Result<Vec<Incident>> {
        let year = self.folder.year;
        match self.folder.tree {
            Some(_) => {
                let git_dir = ws.repo.path();
                par_chunks(chunk, |part| {
                    let repo = Repository::open(git_dir)?;
                    part.iter()
                        .map(|(id, blob)| from_git(&repo, year, id, *blob))
                        .collect()
                })
            }
            None => chunk
                .iter()
                .map(|(id, _)| from_disk(ws, year, id))
                .collect(),
        }
    }
}

impl Iterator for Chunks<'_> {
    type Item = anyhow::Result<Incident>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.ready.next() {
                return Some(item);
            }
            let ws = self.ws?;
            if self.next >= self.entries.len() {
                return None;
            }
            let end = (self.next + CHUNK).min(self.entries.len());
            let read = self.read(ws, &self.entries[self.next..end]);
            self.next = end;
            self.ready = match read {
                Ok(items) => items.into_iter().map(Ok).collect::<Vec<_>>().into_iter(),
                Err(e) => {
                    // Nothing after a failure.
                    self.next = self.entries.len();
                    vec![Err(e)].into_iter()
                }
            };
        }
    }
}

/// An archived release's file, for `rel list` of the past.
#[derive(Debug)]
pub struct ArchivedFile {
    year: i32,
    file: FileRef,
}

impl ArchivedFile {
    pub fn id(&self) -> &str {
        self.file.id()
    }
}

impl Workspace {
    /// Every archived release's file with the facts `rel list` shows of
    /// it, oldest year first and by id within a year: each file read and
    /// parsed in full, over the cores, a year at a time, and only its facts
    /// kept (the first file that cannot be read, in that order, is
    /// the error). For the uncommitted-edits note, each
    /// year's folder is recorded as listed (its names) and as a listing
    /// (git compares its files), not file by file: hashing 100,000 files,
    /// or asking git about each one absent from a sparse checkout, cost
    /// more than the listing.
    pub fn archived_release_facts(&self) -> anyhow::Result<Vec<(ArchivedFile, ReleaseFacts)>> {
        let mut years = self.archive_years()?;
        years.reverse();
        let mut all = Vec::new();
        for year in years {
            let mut files: Vec<FileRef> = self
                .list_rel_dir(&Release::archived_dir(year))?
                .into_iter()
                .filter(|f| f.name.ends_with(".toml") && !f.name.starts_with('.'))
                .collect();
            files.sort_by(|a, b| a.id().cmp(b.id()));
            self.reads.used_facts_of(&Release::archived_dir(year));
            let reading = self.files();
            let facts = par_chunks(&files, |part| {
                let reader = reading.reader()?;
                part.iter()
                    .map(|file| {
                        let release = read_archived::<Release>(&reading, &reader, year, file)?;
                        Ok(ReleaseFacts::from(&release))
                    })
                    .collect()
            })?;
            all.extend(
                files
                    .into_iter()
                    .zip(facts)
                    .map(|(file, facts)| (ArchivedFile { year, file }, facts)),
            );
        }
        Ok(all)
    }

    /// The archived releases of `files`, in order, read and parsed in full
    /// a chunk at a time (over the cores): a listing holds one chunk; the
    /// first that cannot be read ends it.
    pub fn archived_releases<'a>(
        &'a self,
        files: Vec<&'a ArchivedFile>,
    ) -> impl Iterator<Item = anyhow::Result<Release>> + 'a {
        let reading = self.files();
        let mut next = 0;
        let mut ready = Vec::new().into_iter();
        std::iter::from_fn(move || loop {
            if let Some(item) = ready.next() {
                return Some(item);
            }
            if next >= files.len() {
                return None;
            }
            let end = (next + CHUNK).min(files.len());
            let parsed = par_chunks(&files[next..end], |part| {
                let reader = reading.reader()?;
                part.iter()
                    .map(|f| read_archived::<Release>(&reading, &reader, f.year, &f.file))
                    .collect()
            });
            next = end;
            ready = match parsed {
                Ok(items) => items.into_iter().map(Ok).collect::<Vec<_>>().into_iter(),
                Err(e) => {
                    next = files.len();
                    vec![Err(e)].into_iter()
                }
            };
        })
    }
}

/// T archived in `year` in `file`, checked as `load_archived` checks it,
/// its id first: a valid id, text, TOML, and the id it holds.
fn read_archived<T: Archivable>(
    reading: &super::source::Files,
    reader: &super::source::Reader,
    year: i32,
    file: &FileRef,
) -> anyhow::Result<T> {
    let id = file.id();
    let relative = archived_file::<T>(year, id);
    validate_id(T::WHAT, id).map_err(|m| invalid(format!("{relative}: {m}")))?;
    let text = reading.read(reader, &T::archived_dir(year), file)?;
    let item: T = toml_file::parse(Path::new(&relative), &text)?;
    if item.id() != id {
        return Err(invalid(format!(
            "{relative}: its id is {:?} but the file is named for {id:?}; the file name and the id must match",
            item.id()
        )));
    }
    Ok(item)
}

/// Archived incident `id` of `year`, from its blob, checked as
/// `load_archived` checks it: a valid id, text, TOML, and the id it holds.
fn from_git(repo: &Repository, year: i32, id: &str, blob: Option<Oid>) -> anyhow::Result<Incident> {
    let relative = archived_file::<Incident>(year, id);
    validate_id(Incident::WHAT, id).map_err(|m| invalid(format!("{relative}: {m}")))?;
    let blob =
        blob.ok_or_else(|| anyhow::anyhow!("{relative}: no blob id while reading from a tree"))?;
    let text = decode(repo.find_blob(blob)?.content().to_vec(), &relative)?;
    // rel's own layout is read line by line; anything else (and every
    // error) is the TOML parser's.
    let item: Incident = match read_canonical(&text) {
        Some(item) => item,
        None => toml_file::parse(Path::new(&relative), &text)?,
    };
    if item.id != id {
        return Err(invalid(format!(
            "{relative}: its id is {:?} but the file is named for {id:?}; the file name and the id must match",
            item.id
        )));
    }
    Ok(item)
}

/// `load_archived` of `id` with its id checked first (the work tree).
fn from_disk(ws: &Workspace, year: i32, id: &str) -> anyhow::Result<Incident> {
    validate_id(Incident::WHAT, id)
        .map_err(|m| invalid(format!("{}: {m}", archived_file::<Incident>(year, id))))?;
    ws.load_archived::<Incident>(year, id)
}
