//! `rel check R [--to E] [--at TIME]`: may R be promoted? Exit 0 ready, 1 not.

use crate::context::{parse_instant, Context};
use crate::error::invalid;
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::render::check::{check_json, check_text};
use crate::render::output::{json, outln};

use super::shared::promotion_facts::evaluate;

pub fn run(
    ctx: &Context,
    release_id: &str,
    to: Option<&str>,
    at: Option<&str>,
) -> anyhow::Result<Outcome> {
    let at = match at {
        Some(text) => parse_instant(text).map_err(|m| invalid(format!("--at: {m}")))?,
        None => ctx.now,
    };
    let ws = crate::commands::shared::open_reading(ctx)?;
    let pipeline = ws.pipeline()?;
    let release: Release = crate::commands::shared::suggest::load_past(&ws, release_id)?;
    // Its environments are those of its own pipeline.
    let pipeline = pipeline.lane_of(&release);
    let verdict = evaluate(&ws, &pipeline, &release, to, at)?;
    if ctx.json {
        json(&check_json(&release.id, &verdict))?;
    } else {
        outln(&check_text(
            &pipeline.calendar,
            &release.id,
            &verdict,
            ctx.now,
        ))?;
    }
    if verdict.ready() {
        Ok(Outcome::Done)
    } else {
        Ok(Outcome::NotReady)
    }
}
