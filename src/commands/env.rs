//! `rel env`: the pipeline as configured.

use std::borrow::Cow;

use crate::context::Context;
use crate::error::invalid;
use crate::model::pipeline::Pipeline;
use crate::outcome::Outcome;
use crate::render::output::{json, outln};
use crate::render::pipeline::{pipeline_json, rule_lines};
use crate::render::table::{new_table, render, TableCell};
use crate::render::text::for_terminal;

pub fn run(ctx: &Context, only: Option<&str>) -> anyhow::Result<Outcome> {
    let ws = crate::commands::shared::open_reading(ctx)?;
    let pipeline = ws.pipeline()?;
    // Checked before anything is printed: an unknown name is exit 2.
    let lanes: Vec<Cow<Pipeline>> = match only {
        Some(name) => vec![pipeline.find_lane(name).map_err(invalid)?],
        None => pipeline
            .pipeline_names()
            .into_iter()
            .filter_map(|n| pipeline.lane(n))
            .collect(),
    };
    if ctx.json {
        json(&pipeline_json(&pipeline, &lanes))?;
        return Ok(Outcome::Done);
    }
    let cal = &pipeline.calendar;
    let workdays: Vec<String> = cal
        .workdays
        .days()
        .map(|d| d.to_string().to_lowercase())
        .collect();
    outln(&format!(
        "calendar: {}, workdays {}, {} holiday(s)",
        cal.timezone.name(),
        workdays.join(","),
        cal.holidays.len()
    ))?;
    for (role, members) in &pipeline.roles {
        outln(&format!("role {role}: {}", members.join(", ")))?;
    }
    if let Some(roles) = &pipeline.override_by {
        outln(&format!("override by: {}", roles.join(", ")))?;
    }
    if !pipeline.audit.policy_owners.is_empty() {
        outln(&format!(
            "policy owned by: {}",
            pipeline.audit.policy_owners.join(", ")
        ))?;
    }
    if pipeline.uses_paths() {
        outln(&format!(
            "paths: the simple path takes a hop of at most {}",
            pipeline.simple_max_hop
        ))?;
    }
    if pipeline.has_named_pipelines() {
        outln(&format!(
            "installation updates go through the pipeline {}",
            pipeline.pipelines.updates
        ))?;
    }
    for lane in &lanes {
        // One pipeline alone is shown as before: its table.
        if pipeline.has_named_pipelines() {
            let about = lane
                .pipeline_description()
                .map(|d| format!(": {}", for_terminal(d)))
                .unwrap_or_default();
            outln(&format!("\npipeline {}{about}", lane.pipeline_name()))?;
        }
        outln(&render(&environments_table(ctx, lane)))?;
    }
    Ok(Outcome::Done)
}

/// The environments of one pipeline, in order, with their rules.
fn environments_table(ctx: &Context, lane: &Pipeline) -> crate::render::table::Table {
    let mut table = new_table(ctx, &["#", "environment", "rules"]);
    for (n, e) in lane.environments.iter().enumerate() {
        let mut rules = rule_lines(e);
        if rules.is_empty() {
            rules.push("-".to_string());
        }
        table.add_row(vec![
            TableCell::from(n + 1),
            TableCell::from(&e.name),
            TableCell::lines(&rules),
        ]);
    }
    table
}
