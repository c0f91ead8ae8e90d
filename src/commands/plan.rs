//! `rel plan R`: the earliest entry into each remaining environment.

use serde_json::json;

use crate::context::Context;
use crate::error::{Refusal, RelError};
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::render::output::{json, outln};
use crate::render::table::{new_table, render};
use crate::render::time::rfc3339;
use crate::rules::history::soak_from;
use crate::rules::occupancy::Asker;
use crate::rules::plan::plan;
use crate::rules::promotion::finished;
use crate::rules::verdict::when;

use super::shared::promotion_facts::with_dependencies;
use crate::rules::occupancy::Occupancy;

pub fn run(ctx: &Context, release_id: &str) -> anyhow::Result<Outcome> {
    let ws = crate::commands::shared::open_reading(ctx)?;
    let pipeline = ws.pipeline()?;
    let release: Release = crate::commands::shared::suggest::load_past(&ws, release_id)?;
    // Its environments are those of its own pipeline.
    let pipeline = pipeline.lane_of(&release);
    if let Some(state) = finished(&release) {
        // A release that is over has no plan: `state`, exit 1, like a
        // refusal, with the plan's shape for scripts.
        if ctx.json {
            json(&json!({"release": release.id, "steps": [], "violations": [&state]}))?;
        }
        return Err(RelError::Refused(Box::new(Refusal {
            action: "plan".to_string(),
            release: Some(release.id.clone()),
            summary: format!("no plan for {}", release.id),
            violations: vec![state],
        }))
        .into());
    }
    // Occupants matter only for exclusive environments; read all manifests
    // only when one lies ahead.
    let ahead_exclusive = pipeline
        .position(&release.environment)
        .is_some_and(|cur| pipeline.environments[cur + 1..].iter().any(|e| e.exclusive));
    let all = if ahead_exclusive || !release.depends.is_empty() {
        with_dependencies(&ws, ws.release_heads()?, [&release])?
    } else {
        Vec::new()
    };
    let dependencies = crate::rules::depends::facts(&release, &all[..]);
    let occupants: Vec<Vec<String>> = pipeline
        .environments
        .iter()
        .map(|e| {
            if e.exclusive {
                all[..].occupants(&e.name, Asker::from(&release))
            } else {
                Vec::new()
            }
        })
        .collect();
    let steps = plan(&pipeline, &release, &occupants, &dependencies, ctx.now);

    if ctx.json {
        let steps: Vec<_> = steps
            .iter()
            .map(|s| json!({"env": s.env, "earliest": s.earliest.map(rfc3339), "blocked_by": s.blocked_by}))
            .collect();
        let mut out = json!({"release": release.id, "steps": steps});
        // An update's installation and a release's path, when it has them.
        if let Some(map) = out.as_object_mut() {
            if let Some(i) = &release.installation {
                map.insert("installation".into(), json!(i));
            }
            if let Some(p) = &release.path {
                map.insert("path".into(), json!(p.name.as_str()));
            }
        }
        json(&out)?;
        return Ok(Outcome::Done);
    }
    if steps.is_empty() {
        outln(&format!(
            "{} is in {}: nothing ahead to plan",
            release.id, release.environment
        ))?;
        return Ok(Outcome::Done);
    }
    outln(&format!(
        "{} {} in {} since {}",
        release.id,
        release.version,
        release.environment,
        when(&pipeline.calendar, release.entered_at)
    ))?;
    for line in crate::render::release::update_lines(&release) {
        outln(&line)?;
    }
    let soaking = soak_from(&release);
    if soaking > release.entered_at {
        outln(&format!(
            "its soak there counts from {}, when its content changed",
            when(&pipeline.calendar, soaking)
        ))?;
    }
    for line in crate::render::release::schedule_lines(&release, pipeline.calendar.timezone) {
        outln(&line)?;
    }
    let mut table = new_table(ctx, &["environment", "earliest entry", "still blocked by"]);
    for s in &steps {
        let blocked: Vec<&str> = s.blocked_by.iter().map(|c| c.as_str()).collect();
        table.add_row(vec![
            s.env.clone(),
            s.earliest
                .map(|t| when(&pipeline.calendar, t))
                .unwrap_or_else(|| "never".into()),
            if blocked.is_empty() {
                "-".into()
            } else {
                blocked.join(", ")
            },
        ]);
    }
    outln(&render(&table))?;
    Ok(Outcome::Done)
}
