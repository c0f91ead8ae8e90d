//! Gathering the facts the promotion rules need from the repository, so
//! check, promote, plan and status ask the rules the same way.

use chrono::{DateTime, Utc};

use crate::error::invalid;
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::rules::decide::promote::verdict;
use crate::rules::occupancy::Occupancy;
use crate::rules::promotion::PromotionVerdict;
use crate::store::Workspace;

/// The other releases in progress in environment `env` (an index) when it
/// is exclusive (the only time the rules ask); reads the releases in
/// progress then.
pub fn occupants(
    ws: &Workspace,
    pipeline: &Pipeline,
    env: usize,
    except: &str,
    installation: Option<&str>,
) -> anyhow::Result<Vec<String>> {
    let target = &pipeline.environments[env];
    if !target.exclusive {
        return Ok(Vec::new());
    }
    Ok(ws.release_heads()?[..].occupants(&target.name, except, installation))
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
    // A target it names must exist, even for a release that is over.
    let to = to
        .map(|name| super::args::environment(pipeline, name))
        .transpose()?;
    let others = ws.release_heads()?;
    verdict(pipeline, &others[..], release, to, now).map_err(invalid)
}
