//! Listing rel's files with their facts, through the cache (see `cache`):
//! a blob the cache knows is not read again; the others are read and
//! parsed in full (so an invalid file is reported exactly as without a
//! cache), and the cache is rewritten for the tree just listed.

use crate::model::incident::Incident;
use crate::model::release::Release;

use super::cache::{self, Records};
use super::cache_facts::{Facts, IncidentFacts, ReleaseFacts};
use super::manifests::{par_chunks, parse_item, scan_head, ReleaseHead, Stored};
use super::open_set::Depth;
use super::source::{FileRef, Source};
use super::workspace::Workspace;

/// Something whose facts the cache keeps.
pub trait Cached: Stored {
    type Facts: Facts + Send + Sync;
    /// The cache file's name.
    const PART: &'static str;
    fn facts(&self) -> Self::Facts;
}

impl Cached for Release {
    type Facts = ReleaseFacts;
    const PART: &'static str = "releases";
    fn facts(&self) -> ReleaseFacts {
        ReleaseFacts::from(self)
    }
}

impl Cached for Incident {
    type Facts = IncidentFacts;
    const PART: &'static str = "incidents";
    fn facts(&self) -> IncidentFacts {
        IncidentFacts::from(self)
    }
}

/// A file of T's folder and what it says.
#[derive(Debug)]
pub struct Listed<F> {
    pub file: FileRef,
    pub facts: F,
}

/// Misses above this many are not parsed in full by `release_heads` (a
/// first `check` after a clone reads only each manifest's top lines, as
/// before the cache); `status` and `list` fill the cache instead.
const HEADS_FILL_LIMIT: usize = 256;

impl Workspace {
    fn cache_folder(&self) -> std::path::PathBuf {
        cache::folder(self.repo.commondir())
    }

    pub(super) fn reads_tree(&self) -> bool {
        matches!(self.source, Source::Tree(_))
    }

    /// The cached facts of `file`, when the cache has them for its blob and
    /// they name the file's own id.
    fn cached<T: Cached>(records: &Records, id: &str, file: &FileRef) -> Option<T::Facts> {
        let facts = T::Facts::decode(records.get(file.blob()?)?)?;
        (facts.id() == id).then_some(facts)
    }

    /// Every item of T with its facts, in id order. Reads and parses only
    /// the files the cache does not know (all of them with `--worktree`),
    /// and then saves the cache for this tree.
    pub fn facts<T: Cached>(&self) -> anyhow::Result<Vec<Listed<T::Facts>>> {
        let listed = self.listed::<T>()?;
        self.reads.used_facts_of(T::DIR);
        let records = if self.reads_tree() {
            cache::load(&self.cache_folder(), T::PART)
        } else {
            Records::default()
        };
        // One entry per file, the id dropped (it is the file's stem):
        // 100,000 incidents are held once, not in several lists.
        let mut all: Vec<(FileRef, Option<T::Facts>)> = listed
            .into_iter()
            .map(|(id, file)| {
                let facts = Self::cached::<T>(&records, &id, &file);
                (file, facts)
            })
            .collect();
        drop(records);
        let missing: Vec<usize> = (0..all.len()).filter(|&i| all[i].1.is_none()).collect();
        if !missing.is_empty() {
            let files = self.files();
            let all_ref = &all;
            let parsed = par_chunks(&missing, |part| {
                let reader = files.reader()?;
                part.iter()
                    .map(|&i| {
                        let file = &all_ref[i].0;
                        let id = file.id();
                        let item: T = parse_item(id, &files.read(&reader, T::DIR, file)?)?;
                        Ok(item.facts())
                    })
                    .collect()
            })?;
            for (i, facts) in missing.iter().zip(parsed) {
                all[*i].1 = Some(facts);
            }
        }
        let all: Vec<Listed<T::Facts>> = all
            .into_iter()
            .filter_map(|(file, facts)| {
                Some(Listed {
                    file,
                    facts: facts?,
                })
            })
            .collect();
        if self.reads_tree() && !missing.is_empty() {
            save::<T>(&self.cache_folder(), &all);
        }
        Ok(all)
    }

    /// State and environment of the releases in progress, in id order:
    /// what the `exclusive` rule needs. From the set of releases in
    /// progress kept for this tree (`open_set`), each read again from its
    /// blob; with `--worktree`, from every file.
    pub fn release_heads(&self) -> anyhow::Result<Vec<ReleaseHead>> {
        if let Some(heads) = self.heads_from_open_set()? {
            return Ok(heads);
        }
        Ok(self
            .all_release_heads()?
            .into_iter()
            .filter(|h| h.state.in_progress())
            .collect())
    }

    /// State and environment of every release, in id order. From the cache where it has them; a release
    /// the cache says is in progress is read again from its blob (the
    /// answer never rests on the cache for a release it names). Other
    /// files: their top lines, or a full parse for any file not in rel's
    /// canonical shape, as before the cache. A few missing files (a change
    /// since the cache was written) are parsed in full and cached.
    pub(super) fn all_release_heads(&self) -> anyhow::Result<Vec<ReleaseHead>> {
        let listed = self.listed::<Release>()?;
        let records = if self.reads_tree() {
            cache::load(&self.cache_folder(), Release::PART)
        } else {
            Records::default()
        };
        let cached: Vec<Option<ReleaseFacts>> = listed
            .iter()
            .map(|(id, file)| Self::cached::<Release>(&records, id, file))
            .collect();
        let fill = self.reads_tree()
            && !records.is_empty()
            && cached.iter().filter(|c| c.is_none()).count() <= HEADS_FILL_LIMIT;
        drop(records);
        let to_read: Vec<usize> = (0..listed.len())
            .filter(|&i| cached[i].as_ref().is_none_or(|f| f.state.in_progress()))
            .collect();
        let files = self.files();
        // (head, facts from a full parse when one was made)
        let read = par_chunks(&to_read, |part| {
            let reader = files.reader()?;
            part.iter()
                .map(|&i| {
                    let (id, file) = &listed[i];
                    let text = files.read(&reader, Release::DIR, file)?;
                    let full: Option<Release> = if fill && cached[i].is_none() {
                        parse_item(id, &text).ok()
                    } else {
                        None
                    };
                    let head = match (scan_head(id, &text), &full) {
                        (Some(head), _) => head,
                        (None, Some(r)) => ReleaseHead::from(r),
                        (None, None) => ReleaseHead::from(&parse_item::<Release>(id, &text)?),
                    };
                    Ok((head, full.map(|r| r.facts())))
                })
                .collect()
        })?;
        let mut heads: Vec<Option<ReleaseHead>> = cached
            .iter()
            .zip(&listed)
            .map(|(c, (id, _))| {
                c.as_ref().map(|f| ReleaseHead {
                    id: id.clone(),
                    state: f.state,
                    environment: f.environment.clone(),
                    installation: f.installation.clone(),
                    pipeline: f.pipeline.clone(),
                })
            })
            .collect();
        let mut cached = cached;
        let mut learned = false;
        for (i, (head, facts)) in to_read.into_iter().zip(read) {
            heads[i] = Some(head);
            if let Some(f) = facts {
                cached[i] = Some(f);
                learned = true;
            }
        }
        if fill && learned && cached.iter().all(Option::is_some) {
            let all: Vec<Listed<ReleaseFacts>> = listed
                .into_iter()
                .zip(cached)
                .filter_map(|((_, file), facts)| {
                    Some(Listed {
                        file,
                        facts: facts?,
                    })
                })
                .collect();
            save::<Release>(&self.cache_folder(), &all);
        }
        Ok(heads.into_iter().flatten().collect())
    }

    /// Every release still in progress (open or frozen), fully parsed, in
    /// id order: what `status` and the schedules are decided with. The set
    /// kept for this tree (`open_set`) says which are in progress; each of
    /// those is read from its blob and checked again (the answer never
    /// rests on the cache), the archive never parsed.
    pub fn releases_in_progress(&self) -> anyhow::Result<Vec<Release>> {
        let wanted: Vec<FileRef> = match self.open_release_files(Depth::Validated)? {
            Some(open) => open.into_iter().map(|(_, file)| file).collect(),
            None => self
                .facts::<Release>()?
                .into_iter()
                .filter(|l| l.facts.state.in_progress())
                .map(|l| l.file)
                .collect(),
        };
        let wanted: Vec<&FileRef> = wanted.iter().collect();
        let mut releases = Vec::with_capacity(wanted.len());
        for r in self.parse_each::<Release>(&wanted) {
            let r = r?;
            if r.state.in_progress() {
                releases.push(r);
            }
        }
        Ok(releases)
    }

    /// The item in `file`, read and parsed in full.
    pub fn parse_listed<T: Stored>(&self, file: &FileRef) -> anyhow::Result<T> {
        let id = file.id();
        parse_item(id, &self.read_listed(T::DIR, file)?)
    }

    /// The items in `files`, read and parsed in full a chunk at a time
    /// (spread over the cores), in order: a listing holds one chunk at once.
    pub fn parse_each<'a, T: Stored + 'a>(
        &'a self,
        files: &'a [&'a FileRef],
    ) -> impl Iterator<Item = anyhow::Result<T>> + 'a {
        const CHUNK: usize = 512;
        for file in files {
            self.reads
                .read_file(&format!("{}/{}", T::DIR, file.name), file.blob());
        }
        let reading = self.files();
        files.chunks(CHUNK).flat_map(move |chunk| {
            let parsed = par_chunks(chunk, |part| {
                let reader = reading.reader()?;
                part.iter()
                    .map(|file| {
                        let id = file.id();
                        parse_item::<T>(id, &reading.read(&reader, T::DIR, file)?)
                    })
                    .collect()
            });
            match parsed {
                Ok(items) => items.into_iter().map(Ok).collect::<Vec<_>>(),
                Err(e) => vec![Err(e)],
            }
        })
    }
}

/// Writes the cache for `all` (facts of one tree's files).
fn save<T: Cached>(folder: &std::path::Path, all: &[Listed<T::Facts>]) {
    // Encoded as they are written: nothing held twice.
    cache::save(
        folder,
        T::PART,
        all.iter()
            .filter_map(|l| Some((l.file.blob()?, l.facts.encode()))),
    );
}
