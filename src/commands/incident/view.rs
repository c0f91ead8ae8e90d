//! `rel incident list [--unassigned] [--status S]` and `rel incident show ID`.

use crate::context::Context;
use crate::error::invalid;
use crate::model::incident::{Incident, IncidentStatus};
use crate::render::incident::{incident_json, incident_text, yes_no};
use crate::render::output::{errln, json, json_seq_of_results, outln};
use crate::render::table::print_rows;
use crate::store::repo::listing::IncidentFacts;

/// The register (incidents not shipped); with `all`, the archive's too.
pub fn list(
    ctx: &Context,
    all: bool,
    unassigned: bool,
    status: Option<&str>,
) -> anyhow::Result<i32> {
    let status: Option<IncidentStatus> = status.map(str::parse).transpose().map_err(invalid)?;
    let wanted = |release: &Option<String>, s: IncidentStatus| {
        (!unassigned || release.is_none()) && status.is_none_or(|w| w == s)
    };
    let ws = crate::commands::shared::open_reading(ctx)?;
    let archived: Vec<Incident> = if all {
        ws.archived_all::<Incident>()?
            .into_iter()
            .filter(|i| wanted(&i.release, i.status))
            .collect()
    } else {
        Vec::new()
    };
    if ctx.json {
        // Each file read and parsed once, a chunk at a time; the archive's
        // after the register's, as in the table.
        let files = ws.listed_files::<Incident>()?;
        let files: Vec<_> = files.iter().collect();
        let items = ws
            .parse_each::<Incident>(&files)
            .map(|i| i.map(|i| wanted(&i.release, i.status).then(|| incident_json(&i))))
            .chain(archived.iter().map(|i| Ok(Some(incident_json(i)))));
        json_seq_of_results(items)?;
        return Ok(0);
    }
    // The table is made of each incident's facts.
    let listed: Vec<_> = ws
        .facts::<Incident>()?
        .into_iter()
        .filter(|l| wanted(&l.facts.release, l.facts.status))
        .collect();
    let archived: Vec<IncidentFacts> = archived.iter().map(IncidentFacts::from).collect();
    if listed.is_empty() && archived.is_empty() {
        errln("no incidents");
    } else {
        print_rows(
            ctx,
            &["id", "status", "release", "authorised", "tested", "title"],
            || listed.iter().map(|l| &l.facts).chain(&archived).map(row),
        )?;
    }
    Ok(0)
}

/// One row of the table: which release holds the incident.
fn row(i: &IncidentFacts) -> Vec<String> {
    vec![
        i.id.clone(),
        i.status.to_string(),
        i.release.clone().unwrap_or_else(|| "-".into()),
        yes_no(i.authorised).into(),
        yes_no(i.tested).into(),
        i.title.clone(),
    ]
}

pub fn show(ctx: &Context, id: &str) -> anyhow::Result<i32> {
    let ws = crate::commands::shared::open_reading(ctx)?;
    let incident: Incident = crate::commands::shared::suggest::load_past(&ws, id)?;
    if ctx.json {
        json(&incident_json(&incident))?;
    } else {
        let tz = ws.pipeline()?.calendar.timezone;
        outln(&incident_text(ctx, tz, &incident))?;
    }
    Ok(0)
}
