//! Gathering the facts the promotion rules need from the repository, so
//! check, promote, plan and status ask the rules the same way.

use chrono::{DateTime, Utc};

use crate::error::invalid;
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::model::release::ReleaseHead;
use crate::rules::decide::promote::verdict;
use crate::rules::occupancy::{Asker, Occupancy};
use crate::rules::promotion::PromotionVerdict;
use crate::store::Workspace;

/// The other releases in progress in environment `env` (an index) when it
/// is exclusive (the only time the rules ask); reads the releases in
/// progress then.
pub fn occupants(
    ws: &Workspace,
    pipeline: &Pipeline,
    env: usize,
    asker: Asker,
) -> anyhow::Result<Vec<String>> {
    let target = &pipeline.environments[env];
    if !target.exclusive {
        return Ok(Vec::new());
    }
    Ok(ws.release_heads()?[..].occupants(&target.name, asker))
}

/// The verdict for promoting `release` to `to` (default: next) at `now`:
/// the one the promotion decision decides on.
pub fn evaluate(
    ws: &Workspace,
    pipeline: &Pipeline,
    release: &Release,
    to: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<PromotionVerdict> {
    // A target it names must exist in its pipeline, even for a release
    // that is over.
    let pipeline = &*pipeline.lane_of(release);
    let to = to
        .map(|name| super::args::environment(pipeline, name))
        .transpose()?;
    let others = with_dependencies(ws, ws.release_heads()?, [release])?;
    verdict(pipeline, &others[..], release, to, now).map_err(invalid)
}

/// `heads` (the releases in progress) with where each release that one of
/// `wanting` depends on stands, when it is not in progress: a finished
/// release, read from the archive by its id (the one read of the archive a
/// decision makes, and only for a dependency on a finished release). One
/// that cannot be read is left out, and the `depends` rule says it does not
/// exist.
pub fn with_dependencies<'a>(
    ws: &Workspace,
    mut heads: Vec<ReleaseHead>,
    wanting: impl IntoIterator<Item = &'a Release>,
) -> anyhow::Result<Vec<ReleaseHead>> {
    for r in wanting {
        for d in &r.depends {
            if heads[..].standing(&d.release).is_none() {
                if let Ok(found) = ws.load_past::<Release>(&d.release) {
                    heads.push(ReleaseHead::from(&found));
                }
            }
        }
    }
    Ok(heads)
}
