//! `rel show R`: everything about one release, history included.

use crate::context::Context;
use crate::model::incident::Incident;
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::render::output::{json, outln};
use crate::render::release::{release_json, release_text};
use crate::rules::time::business_days_elapsed;

pub fn run(ctx: &Context, release_id: &str) -> anyhow::Result<Outcome> {
    let ws = crate::commands::shared::open_reading(ctx)?;
    let pipeline = ws.pipeline()?;
    let release: Release = crate::commands::shared::suggest::load_past(&ws, release_id)?;
    // Its environments are those of its own pipeline.
    let pipeline = pipeline.lane_of(&release);
    // Each incident of the release, or None where its file is missing.
    let incidents: Vec<(String, Option<Incident>)> = release
        .incidents
        .iter()
        .map(|id| (id.to_string(), ws.load_past::<Incident>(id).ok()))
        .collect();
    // What an update carries (contract 11.3), as the repository stands.
    let carries = match release.installation {
        Some(_) => super::shared::carries::Products::read(&ws)?.carries(&pipeline, &release),
        None => Vec::new(),
    };
    if ctx.json {
        let mut doc = release_json(&release);
        if let serde_json::Value::Object(map) = &mut doc {
            map.insert("carries".into(), serde_json::json!(carries));
        }
        json(&doc)?;
    } else {
        let days = business_days_elapsed(&pipeline.calendar, release.entered_at, ctx.now);
        // People are shown where each kept health report lies now: a
        // finished release's moved into the archive with it. (The JSON is
        // the manifest's record, as written.)
        let mut shown = release.clone();
        for h in &mut shown.health {
            if let Some(log) = &h.log {
                h.log = Some(ws.past_report(log)?);
            }
        }
        outln(&release_text(
            ctx, &pipeline, &shown, &incidents, &carries, days,
        ))?;
    }
    Ok(Outcome::Done)
}
