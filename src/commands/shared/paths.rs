//! The facts a release's update path is decided on, read from the
//! repository (the decision itself is `rules::paths`): the flags of its
//! incidents, and the released releases within its hop that broke
//! something.

use chrono::{DateTime, Utc};

use crate::error::invalid;
use crate::model::archive::Index;
use crate::model::incident::{Flags, Incident};
use crate::model::path::Hop;
use crate::model::pipeline::Pipeline;
use crate::model::release::{parse_version, Release, State};
use crate::rules::carries::CarriedIncident;
use crate::rules::paths::{self, PathDecision, PathFacts};
use crate::store::Workspace;

use super::carries::Products;

/// The decision for `r` as the repository holds it, with `changed` in
/// place of the committed files of those incidents.
pub fn decision(
    ws: &Workspace,
    pipeline: &Pipeline,
    r: &Release,
    changed: &[Incident],
) -> anyhow::Result<PathDecision> {
    let version = parse_version(&r.version).map_err(|m| invalid(format!("{}: {m}", r.id)))?;
    let from = from_version(r)?;
    let hop = Hop::between(from.as_ref().unwrap_or(&ZERO), &version);
    let breaking = breaking_released(ws, &hop)?;
    let carried = match r.installation {
        Some(_) => carried_of(ws, pipeline, r, &Products::read(ws)?),
        None => Vec::new(),
    };
    decision_with(pipeline, r, &flags_of(ws, r, changed)?, &breaking, &carried)
}

/// The flagged incidents of what update `r` carries (contract 11.3).
pub fn carried_of(
    ws: &Workspace,
    pipeline: &Pipeline,
    r: &Release,
    products: &Products,
) -> Vec<CarriedIncident> {
    products.incidents(ws, &products.carries(pipeline, r))
}

const ZERO: semver::Version = semver::Version::new(0, 0, 0);

/// The decision given the flags of `r`'s incidents, `breaking`, released
/// releases with a breaking incident over a span at least `r`'s hop, and
/// the flagged incidents of the product releases it carries.
pub fn decision_with(
    pipeline: &Pipeline,
    r: &Release,
    flags: &[(String, Flags)],
    breaking: &[(String, semver::Version)],
    carried: &[CarriedIncident],
) -> anyhow::Result<PathDecision> {
    let version = parse_version(&r.version).map_err(|m| invalid(format!("{}: {m}", r.id)))?;
    let from = from_version(r)?;
    let hop = Hop::between(from.as_ref().unwrap_or(&ZERO), &version);
    let in_hop: Vec<(String, semver::Version)> = breaking
        .iter()
        .filter(|(id, v)| *id != r.id && hop.contains(v))
        .cloned()
        .collect();
    Ok(paths::decide(&PathFacts {
        max: &pipeline.simple_max_hop,
        version: &version,
        from: from.as_ref(),
        incidents: flags,
        breaking_released: &in_hop,
        carried,
    }))
}

/// Decides the path of `r` again after a change of its content (unless a
/// person set it); true when the recorded path changed.
pub fn redecide(
    ws: &Workspace,
    pipeline: &Pipeline,
    r: &mut Release,
    changed: &[Incident],
    at: DateTime<Utc>,
    by: &str,
) -> anyhow::Result<bool> {
    // A person's choice stands (`record_if_changed` keeps it).
    if !pipeline.uses_paths() {
        return Ok(false);
    }
    let d = decision(ws, pipeline, r, changed)?;
    Ok(paths::record_if_changed(r, &d, at, by))
}

pub fn from_version(r: &Release) -> anyhow::Result<Option<semver::Version>> {
    r.from_version
        .as_deref()
        .map(|v| {
            parse_version(v)
                .map_err(|m| invalid(format!("releases/{}.toml: from_version: {m}", r.id)))
        })
        .transpose()
}

/// The highest version released among releases that are not updates of
/// an installation, below `version`: where a release's hop starts.
pub fn last_released_below(
    ws: &Workspace,
    version: &semver::Version,
) -> anyhow::Result<Option<semver::Version>> {
    // Any left in `releases/` by the previous version from their files;
    // those in the archive through its index.
    let live = ws
        .facts::<Release>()?
        .into_iter()
        .filter(|l| l.facts.state == State::Released && l.facts.installation.is_none())
        .filter_map(|l| parse_version(&l.facts.version).ok())
        .filter(|v| v < version)
        .max();
    Ok(live.max(archived_below(ws, version)?))
}

/// The highest product release version below `version` the archive's
/// index holds. A major's shard holds no version above a higher major's,
/// so the shards are read from `version`'s major down, and the first that
/// has one below it answers: `rel new` reads one small file, whatever
/// the size of the archive.
fn archived_below(
    ws: &Workspace,
    version: &semver::Version,
) -> anyhow::Result<Option<semver::Version>> {
    let below = |index: &Index| {
        index
            .released
            .iter()
            .filter(|e| e.installation.is_none())
            .filter_map(|e| parse_version(&e.version).ok())
            .filter(|v| v < version)
            .max()
    };
    let Some(shards) = ws.index_shards()? else {
        return Ok(ws
            .index_parts(|_| true)?
            .iter()
            .filter_map(|i| below(i))
            .max());
    };
    for shard in shards.into_iter().rev() {
        match shard.major {
            Some(major) if !shard.updates && major <= version.major => {
                if let Some(v) = below(&*ws.index_shard(shard)?) {
                    return Ok(Some(v));
                }
            }
            _ => {}
        }
    }
    Ok(None)
}

fn flags_of(
    ws: &Workspace,
    r: &Release,
    changed: &[Incident],
) -> anyhow::Result<Vec<(String, Flags)>> {
    r.incidents
        .iter()
        .map(|id| {
            let flags = match changed.iter().find(|i| i.id.eq_ignore_ascii_case(id)) {
                Some(i) => i.flags(),
                None => ws.load::<Incident>(id)?.flags(),
            };
            Ok((id.to_string(), flags))
        })
        .collect()
}

/// Released releases whose version lies in `hop` and that hold a breaking
/// incident. Only the few releases in the hop are read in full.
pub fn breaking_released(
    ws: &Workspace,
    hop: &Hop,
) -> anyhow::Result<Vec<(String, semver::Version)>> {
    // The archive's through its index: the shards of the hop's majors
    // (a version outside semantic versioning lies in no hop).
    let (low, high) = (hop.from.major, hop.to.major);
    let mut out: Vec<(String, semver::Version)> = ws
        .index_parts(|s| s.major.is_some_and(|m| (low..=high).contains(&m)))?
        .iter()
        .flat_map(|index| index.released.iter())
        .filter(|e| e.breaking)
        .filter_map(|e| Some((e.id.clone(), parse_version(&e.version).ok()?)))
        .filter(|(_, v)| hop.contains(v))
        .collect();
    for l in ws.facts::<Release>()? {
        if l.facts.state != State::Released {
            continue;
        }
        let Ok(v) = parse_version(&l.facts.version) else {
            continue;
        };
        if !hop.contains(&v) {
            continue;
        }
        let r: Release = ws.parse_listed(&l.file)?;
        let mut breaking = false;
        for id in &r.incidents {
            if ws.load::<Incident>(id)?.breaking {
                breaking = true;
                break;
            }
        }
        if breaking {
            out.push((r.id.clone(), v));
        }
    }
    Ok(out)
}
