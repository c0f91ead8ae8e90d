//! `rel env`: the pipeline as configured.

use crate::context::Context;
use crate::render::output::{json, outln};
use crate::render::pipeline::{pipeline_json, rule_lines};
use crate::render::table::{new_table, render, TableCell};

pub fn run(ctx: &Context) -> anyhow::Result<i32> {
    let ws = crate::commands::shared::open_reading(ctx)?;
    let pipeline = ws.pipeline()?;
    if ctx.json {
        json(&pipeline_json(&pipeline))?;
        return Ok(0);
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
    let mut table = new_table(ctx, &["#", "environment", "rules"]);
    for (n, e) in pipeline.environments.iter().enumerate() {
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
    outln(&render(&table))?;
    Ok(0)
}
