//! `rel fleet [--version V | R] [--pipeline P]` (contract 11.9): every installation with
//! its version and its update in progress (where it is, its next schedule,
//! its latest health report, whether it is held, what blocks it), and a
//! summary; with `--version`, the campaign towards that version. Read only:
//! the verdicts are the ones `rel status` shows, computed by
//! `rules::fleet` (the board's fleet page renders the same computation).

use crate::commands::shared::pipeline_filter::PipelineFilter;
use crate::context::Context;
use crate::model::release::{parse_version, Release};
use crate::outcome::Outcome;
use crate::render::fleet::{json, text};
use crate::render::output::{json as print_json, outln};

use super::shared::carries::Products;
use super::shared::fleet::gather;
use super::shared::open_reading;

pub fn run(
    ctx: &Context,
    version: Option<&str>,
    pipeline: Option<&str>,
) -> anyhow::Result<Outcome> {
    let ws = open_reading(ctx)?;
    let p = ws.pipeline()?;
    let only = PipelineFilter::new(&p, pipeline)?;
    // `--version` takes a version or a product release id (its version).
    let campaign = match version {
        None => None,
        Some(v) => Some(match parse_version(v) {
            Ok(v) => v,
            // As `rel rollout --version` reads it: a product release in
            // progress or already archived (released), the closest ids
            // when there is none.
            Err(_) => Products::read(&ws)?.version_of(&ws, v)?,
        }),
    };
    let in_progress: Vec<Release> = ws.releases_in_progress()?;
    let fleet = gather(&ws, &p, &in_progress, ctx.now, campaign, &only)?;
    if ctx.json {
        print_json(&json(&fleet))?;
    } else {
        outln(&text(ctx, &p.calendar, &fleet))?;
    }
    Ok(Outcome::Done)
}
