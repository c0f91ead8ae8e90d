//! `rel incident list [--unassigned] [--status S]` and `rel incident show ID`.

use crate::context::Context;
use crate::error::invalid;
use crate::model::incident::{Incident, IncidentStatus};
use crate::render::incident::{incident_json, incident_table, incident_text};
use crate::render::output::{errln, json, json_seq, outln};

pub fn list(ctx: &Context, unassigned: bool, status: Option<&str>) -> anyhow::Result<i32> {
    let status: Option<IncidentStatus> = status.map(str::parse).transpose().map_err(invalid)?;
    let ws = crate::commands::shared::open_reading(ctx)?;
    let incidents: Vec<Incident> = ws
        .load_all::<Incident>()?
        .into_iter()
        .filter(|i| !unassigned || i.release.is_none())
        .filter(|i| status.is_none_or(|s| i.status == s))
        .collect();
    if ctx.json {
        json_seq(incidents.iter().map(incident_json))?;
    } else if incidents.is_empty() {
        errln("no incidents");
    } else {
        outln(&incident_table(ctx, &incidents))?;
    }
    Ok(0)
}

pub fn show(ctx: &Context, id: &str) -> anyhow::Result<i32> {
    let ws = crate::commands::shared::open_reading(ctx)?;
    let incident: Incident = ws.load(id)?;
    if ctx.json {
        json(&incident_json(&incident))?;
    } else {
        let tz = ws.pipeline()?.calendar.timezone;
        outln(&incident_text(ctx, tz, &incident))?;
    }
    Ok(0)
}
