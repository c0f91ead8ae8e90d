//! Listing rel's files and what they say, read from the tree (or the work
//! tree) every time. Since the archive (contract 11.1), `releases/` holds
//! the releases in progress and `releases/incidents/` the register: what a
//! command about work in progress lists is small whatever the history, so
//! nothing is kept between commands and nothing under `.git` can change an
//! answer. Reading is linear: every file once, a chunk at a time, spread
//! over the cores.

use crate::model::incident::{Incident, IncidentStatus};
use crate::model::release::{Kind, Release};

use super::manifests::{par_chunks, parse_item, scan_head, ReleaseHead, Stored};
use super::source::FileRef;
use super::workspace::Workspace;

/// What `rel list` shows of a release (and update paths read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseFacts {
    pub id: String,
    pub title: String,
    pub version: String,
    pub kind: Kind,
    pub state: crate::model::release::State,
    pub environment: String,
    pub incidents: usize,
    /// The installation an update is of (section 8).
    pub installation: Option<String>,
    /// The pipeline it belongs to (contract 11.2); None: `default`.
    pub pipeline: Option<String>,
}

/// What `rel incident list` shows of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFacts {
    pub id: String,
    pub title: String,
    pub status: IncidentStatus,
    pub release: Option<String>,
    pub authorised: bool,
    pub tested: bool,
}

impl From<&Release> for ReleaseFacts {
    fn from(r: &Release) -> ReleaseFacts {
        ReleaseFacts {
            id: r.id.clone(),
            title: r.title.clone(),
            version: r.version.clone(),
            kind: r.kind,
            state: r.state,
            environment: r.environment.clone(),
            incidents: r.incidents.len(),
            installation: r.installation.clone(),
            pipeline: r.pipeline.clone(),
        }
    }
}

impl From<&Incident> for IncidentFacts {
    fn from(i: &Incident) -> IncidentFacts {
        IncidentFacts {
            id: i.id.clone(),
            title: i.title.clone(),
            status: i.status,
            release: i.release.clone(),
            authorised: i.is_authorised(),
            tested: i.is_tested(),
        }
    }
}

/// Something a listing shows a summary of.
pub trait Summarised: Stored {
    type Facts: Send + Sync;
    fn facts(&self) -> Self::Facts;
}

impl Summarised for Release {
    type Facts = ReleaseFacts;
    fn facts(&self) -> ReleaseFacts {
        ReleaseFacts::from(self)
    }
}

impl Summarised for Incident {
    type Facts = IncidentFacts;
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

impl Workspace {
    /// The files of T's folder, validated and unique, in id order.
    pub fn listed_files<T: Stored>(&self) -> anyhow::Result<Vec<FileRef>> {
        Ok(self.listed::<T>()?.into_iter().map(|(_, f)| f).collect())
    }

    /// Every item of T with its facts, in id order: each file read and
    /// parsed in full (an invalid file is the error), only the facts kept.
    pub fn facts<T: Summarised>(&self) -> anyhow::Result<Vec<Listed<T::Facts>>> {
        let files = self.listed_files::<T>()?;
        self.reads.used_facts_of(T::DIR);
        let reading = self.files();
        let facts = par_chunks(&files, |part| {
            let reader = reading.reader()?;
            part.iter()
                .map(|file| {
                    let item: T = parse_item(file.id(), &reading.read(&reader, T::DIR, file)?)?;
                    Ok(item.facts())
                })
                .collect()
        })?;
        Ok(files
            .into_iter()
            .zip(facts)
            .map(|(file, facts)| Listed { file, facts })
            .collect())
    }

    /// State and environment of the releases in progress, in id order:
    /// what the `exclusive` rule needs. Every file of `releases/` is read
    /// (its top lines; a file not in rel's canonical shape in full): since
    /// the archive these are the releases in progress, plus any finished
    /// one a repository made before revision 3 still keeps there.
    pub fn release_heads(&self) -> anyhow::Result<Vec<ReleaseHead>> {
        let files = self.listed_files::<Release>()?;
        let reading = self.files();
        for file in &files {
            self.reads
                .read_file(&format!("{}/{}", Release::DIR, file.name), file.blob());
        }
        let heads = par_chunks(&files, |part| {
            let reader = reading.reader()?;
            part.iter()
                .map(|file| {
                    let id = file.id();
                    let text = reading.read(&reader, Release::DIR, file)?;
                    Ok(match scan_head(id, &text) {
                        Some(head) => head,
                        None => ReleaseHead::from(&parse_item::<Release>(id, &text)?),
                    })
                })
                .collect()
        })?;
        Ok(heads
            .into_iter()
            .filter(|h| h.state.in_progress())
            .collect())
    }

    /// Every release still in progress (open or frozen), fully parsed, in
    /// id order: what `status` and the schedules are decided with. Every
    /// file of `releases/` is parsed, so an invalid manifest is the error
    /// it always was.
    pub fn releases_in_progress(&self) -> anyhow::Result<Vec<Release>> {
        let files = self.listed_files::<Release>()?;
        let files: Vec<&FileRef> = files.iter().collect();
        let mut releases = Vec::new();
        for r in self.parse_each::<Release>(&files) {
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
