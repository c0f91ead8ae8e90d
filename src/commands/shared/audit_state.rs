//! The audit's state, kept from one commit to the next: the files a commit
//! changed are parsed into values once, judged against the state before
//! it, then folded into it (the state after commit k is the state before
//! commit k+1).

use std::path::Path;

use crate::model::incident::Incident;
use crate::model::installation::Installation;
use crate::model::release::Release;
use crate::rules::audit::{World, Written};
use crate::store::audit_walk::FileState;
use crate::store::manifests::Stored;
use crate::store::pipeline_file::parse_pipeline;
use crate::store::toml_file;
use crate::store::workspace::{INCIDENTS_DIR, INSTALLATIONS_DIR, PIPELINE_FILE, RELEASES_DIR};

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
    /// Health report files (`releases/reports/...`) changed, by path.
    pub reports: Vec<String>,
}

/// What a path of rel's holds: the pipeline, a release or an incident
/// (by id), a health check's kept output, or something the audit does not
/// judge (the notes template, a .gitkeep).
enum Place<'a> {
    Pipeline,
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
    for f in files {
        match place(&f.path) {
            Place::Pipeline => {
                parsed.pipeline = Some(f.text.as_ref().map(|t| {
                    t.clone().and_then(|text| {
                        parse_pipeline(Path::new(PIPELINE_FILE), &text).map_err(|e| e.to_string())
                    })
                }))
            }
            Place::Release(id) => parsed
                .releases
                .push((id.to_string(), value::<Release>(&f.path, id, &f.text))),
            Place::Incident(id) => parsed
                .incidents
                .push((id.to_string(), value::<Incident>(&f.path, id, &f.text))),
            Place::Installation(id) => parsed
                .installations
                .push((id.to_string(), value::<Installation>(&f.path, id, &f.text))),
            Place::Report => parsed.reports.push(f.path.clone()),
            Place::Other => {}
        }
    }
    parsed
}

/// Folds a commit's values into the state. A file that does not parse
/// leaves the state without it (it was judged when it came).
pub fn fold(world: &mut World, parsed: Parsed) {
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
