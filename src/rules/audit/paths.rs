//! The update path decided again on the parent's state, as `group`,
//! `ungroup`, `unfreeze` and `incident flag` decide it (the commands read
//! the same facts from the repository: `commands::shared::paths`).

use crate::model::archive::Index;
use crate::model::incident::{Flags, Incident};
use crate::model::path::Hop;
use crate::model::pipeline::Pipeline;
use crate::model::release::{parse_version, Release, State};
use crate::rules::carries::{carried_incidents, carries};
use crate::rules::paths::{decide, record_if_changed, PathDecision, PathFacts};
use crate::rules::register::effects::Stamp;

use super::replay::{Altered, Stop};
use super::World;

/// The highest version released before `version` among releases that are
/// not updates: where a new release's hop starts (as `rel new` reads it).
pub(super) fn last_released_below(
    world: &World,
    version: &semver::Version,
) -> Option<semver::Version> {
    world
        .releases
        .values()
        .filter(|r| r.state == State::Released && r.installation.is_none())
        .filter_map(|r| parse_version(&r.version).ok())
        .filter(|v| v < version)
        .max()
}

/// `changed`: incidents as the commit leaves them, in place of the parent's.
pub(super) fn redecide(
    p: &Pipeline,
    world: &World,
    r: &mut Release,
    changed: &[Incident],
    stamp: Stamp,
) -> Result<(), Stop> {
    if !p.uses_paths() {
        return Ok(());
    }
    let d = decision(p, world, r, changed)?;
    record_if_changed(r, &d, stamp.at, stamp.by);
    Ok(())
}

/// The path decision on the parent's state.
pub(super) fn decision(
    p: &Pipeline,
    world: &World,
    r: &Release,
    changed: &[Incident],
) -> Result<PathDecision, Stop> {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let version = parse_version(&r.version).map_err(|m| Altered(format!("{}: {m}", r.id)))?;
    let from = r
        .from_version
        .as_deref()
        .map(parse_version)
        .transpose()
        .map_err(|m| Altered(format!("{}: from_version: {m}", r.id)))?;
    let zero = semver::Version::new(0, 0, 0);
    let hop = Hop::between(from.as_ref().unwrap_or(&zero), &version);
    let flags: Vec<(String, Flags)> = r
        .incidents
        .iter()
        .map(|id| {
            let flags = changed
                .iter()
                .find(|i| i.id.eq_ignore_ascii_case(id))
                .map(Incident::flags)
                .or_else(|| world.held(id).map(super::Held::flags))
                .unwrap_or_default();
            (id.to_string(), flags)
        })
        .collect();
    let breaking: Vec<(String, semver::Version)> = world
        .releases
        .values()
        .filter(|o| o.state == State::Released && o.id != r.id)
        .filter_map(|o| Some((o, parse_version(&o.version).ok()?)))
        .filter(|(o, v)| {
            hop.contains(v)
                && o.incidents
                    .iter()
                    .any(|i| world.held(i).is_some_and(|i| i.flags().breaking))
        })
        .map(|(o, v)| (o.id.clone(), v))
        .collect();
    let carried = match (&r.installation, &from) {
        (Some(_), Some(from)) => {
            let products = products(world);
            let ids = carries(p, from, &version, &products, &Index::default());
            carried_incidents(&ids, &products, &Index::default(), |i| {
                world.held(i).map(super::Held::flags)
            })
        }
        _ => Vec::new(),
    };
    Ok(decide(&PathFacts {
        max: &p.simple_max_hop,
        version: &version,
        from: from.as_ref(),
        incidents: &flags,
        breaking_released: &breaking,
        carried: &carried,
    }))
}

/// Every product release the parent holds, archived ones included (so
/// the archive's index, which stands for those, is not needed).
pub(super) fn products(world: &World) -> Vec<&Release> {
    world
        .releases
        .values()
        .filter(|r| r.installation.is_none())
        .collect()
}

/// With `[installations] requires`, may an update to `version` exist?
pub(super) fn may_update(
    p: &Pipeline,
    world: &World,
    version: &semver::Version,
) -> Result<(), Stop> {
    match crate::rules::carries::may_update(p, version, &products(world), &Index::default()) {
        None => Ok(()),
        Some(v) => Err(super::replay::Refused(v.message)),
    }
}
