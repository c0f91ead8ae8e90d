//! The audit's state, kept from one commit to the next: the files a commit
//! changed are parsed into values once, judged against the state before
//! it, then folded into it (the state after commit k is the state before
//! commit k+1).

use std::path::Path;

use crate::model::archive::{self, Archived};
use crate::model::incident::Incident;
use crate::model::installation::Installation;
use crate::model::release::Release;
use crate::rules::audit::{Placed, World, Written};
use crate::store::git::audit_walk::FileState;
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
    pub incidents: Vec<(String, Written<Incident>)>,
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
    /// `Some` when the commit changed the archive's index: its new value
    /// (deleted: empty), or why it does not parse.
    pub index: Option<Result<archive::Index, String>>,
}

/// What a path of rel's holds: the pipeline, a release or an incident
/// (by id), a health check's kept output, or something the audit does not
/// judge (the notes template, a .gitkeep).
enum Place<'a> {
    Pipeline,
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

/// The changed files as values.
pub fn parse(files: &[FileState]) -> Parsed {
    let mut parsed = Parsed::default();
    let mut moved_reports: Vec<String> = Vec::new();
    for f in files {
        match place(&f.path) {
            Place::Pipeline => {
                parsed.pipeline = Some(f.text.as_ref().map(|t| {
                    t.clone().and_then(|text| {
                        parse_pipeline(Path::new(PIPELINE_FILE), &text).map_err(|e| e.to_string())
                    })
                }))
            }
            Place::Release(id) => moved_out(
                &mut parsed.releases,
                id,
                value::<Release>(&f.path, id, &f.text),
            ),
            Place::Incident(id) => moved_out(
                &mut parsed.incidents,
                id,
                value::<Incident>(&f.path, id, &f.text),
            ),
            Place::Installation(id) => parsed
                .installations
                .push((id.to_string(), value::<Installation>(&f.path, id, &f.text))),
            Place::Report => parsed.reports.push(f.path.clone()),
            Place::Archive(Archived::Release { year, id }) => {
                moved_in(
                    &mut parsed.releases,
                    id,
                    value::<Release>(&f.path, id, &f.text),
                );
                parsed
                    .archived
                    .push(Placed::release(id, year, f.text.is_none()));
            }
            Place::Archive(Archived::Incident { year, id }) => {
                moved_in(
                    &mut parsed.incidents,
                    id,
                    value::<Incident>(&f.path, id, &f.text),
                );
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
                let source = files
                    .iter()
                    .find(|g| g.path == from && g.text.is_none() && g.old.is_some());
                match source {
                    Some(g) if g.old == f.new && f.new.is_some() => {
                        parsed.reports.retain(|p| *p != from);
                        moved_reports.push(from);
                        parsed.archived.push(Placed::report(release, year));
                    }
                    _ => parsed.reports.push(f.path.clone()),
                }
            }
            Place::Archive(Archived::Other) if f.path == archive::INDEX_FILE => {
                parsed.index = Some(match &f.text {
                    None => Ok(archive::Index::default()),
                    Some(Err(e)) => Err(e.clone()),
                    Some(Ok(text)) => toml_file::parse::<archive::Index>(Path::new(&f.path), text)
                        .map_err(|e| e.to_string()),
                });
            }
            Place::Archive(Archived::Other) | Place::Other => {}
        }
    }
    // A report path read before its archived twin was listed as changed.
    parsed.reports.retain(|p| !moved_reports.contains(p));
    parsed
}

/// A file in progress: its deletion is no change of its own when the
/// commit wrote `id` into the archive (a move).
fn moved_out<T>(written: &mut Vec<(String, Written<T>)>, id: &str, value: Written<T>) {
    if value.is_none() && written.iter().any(|(w, v)| w == id && v.is_some()) {
        return;
    }
    written.push((id.to_string(), value));
}

/// A file of `id` written into the archive: with the file in progress
/// deleted in the same commit (a move), one change of `id`, to the
/// archived value.
fn moved_in<T>(written: &mut Vec<(String, Written<T>)>, id: &str, value: Written<T>) {
    if value.is_some() {
        written.retain(|(w, v)| !(w == id && v.is_none()));
    }
    written.push((id.to_string(), value));
}

/// Folds a commit's values into the state. A file that does not parse
/// leaves the state without it (it was judged when it came).
pub fn fold(world: &mut World, parsed: Parsed) {
    for p in parsed.archived.iter().filter(|p| p.what == "release") {
        if p.removed {
            world.archived.remove(&p.id.to_ascii_lowercase());
        } else {
            world.archived.insert(p.id.to_ascii_lowercase());
        }
    }
    if let Some(p) = parsed.pipeline {
        world.pipeline = p;
    }
    for (id, v) in parsed.releases {
        match v {
            Some(Ok(r)) => {
                world.releases.insert(id, r);
            }
            _ => {
                world.releases.remove(&id);
            }
        }
    }
    for (id, v) in parsed.incidents {
        match v {
            Some(Ok(i)) => {
                world.incidents.insert(id, i);
            }
            _ => {
                world.incidents.remove(&id);
            }
        }
    }
    for (id, v) in parsed.installations {
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
