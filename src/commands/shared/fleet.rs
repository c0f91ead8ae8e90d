//! The facts the fleet is computed from, read once and handed to the pure
//! `rules::fleet::fleet`: `rel fleet` and `rel board` (its fleet page) both
//! call `gather`, so the two renderings show one computation.

use chrono::{DateTime, Utc};

use super::pipeline_filter::PipelineFilter;
use crate::model::pipeline::Pipeline;
use crate::model::release::{Release, ReleaseHead};
use crate::rules::fleet::{fleet, Fleet};
use crate::store::Workspace;

use super::promotion_facts::with_dependencies;

/// The fleet at `now`: the installations of `ws`, and their updates among
/// `in_progress` (the releases in progress, already read by the caller).
pub fn gather(
    ws: &Workspace,
    p: &Pipeline,
    in_progress: &[Release],
    now: DateTime<Utc>,
    campaign: Option<semver::Version>,
    only: &PipelineFilter,
) -> anyhow::Result<Fleet> {
    let installations = ws.installations()?;
    let heads: Vec<ReleaseHead> = in_progress.iter().map(ReleaseHead::from).collect();
    // The verdicts may ask about finished releases an update depends on.
    let heads = with_dependencies(ws, heads, in_progress)?;
    // An update of a pipeline not shown is left out (its installation is
    // shown with no update); the verdicts still see every release.
    let shown: Vec<Release> = in_progress
        .iter()
        .filter(|r| only.admits(r.pipeline_name()))
        .cloned()
        .collect();
    Ok(fleet(p, &installations, &shown, &heads, now, campaign))
}
