//! `rel incident list [--unassigned] [--status S]` and `rel incident show ID`.

use crate::context::Context;
use crate::error::invalid;
use crate::model::incident::{Incident, IncidentStatus};
use crate::render::incident::{incident_json, incident_json_sample, incident_text, yes_no};
use crate::render::output::{errln, json, json_item, json_items, json_seq_of_results, outln};
use crate::render::table::print_rows;
use crate::store::cache_facts::IncidentFacts;

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
    // The table is made of each incident's facts (cached per blob).
    let all = ws.facts::<Incident>()?;
    if ctx.json && !ctx.worktree && archived.is_empty() {
        // The JSON of each wanted incident, from the JSON cache (per blob)
        // or its file; the facts say which are wanted.
        let (files, keep): (Vec<_>, Vec<bool>) = all
            .into_iter()
            .map(|l| {
                let keep = wanted(&l.facts.release, l.facts.status);
                (l.file, keep)
            })
            .unzip();
        let sample = incident_json_sample()?;
        json_items(|emit| {
            let make = |i: &Incident| json_item(&incident_json(i));
            ws.json_items::<Incident>(&files, &keep, &sample, make, emit)
        })?;
        return Ok(0);
    }
    let listed: Vec<_> = all
        .into_iter()
        .filter(|l| wanted(&l.facts.release, l.facts.status))
        .collect();
    if ctx.json {
        // --worktree (no blob ids, so no cache) or the archive's too:
        // read a chunk at a time.
        let files: Vec<_> = listed.iter().map(|l| &l.file).collect();
        let items = ws
            .parse_each::<Incident>(&files)
            .map(|i| i.map(|i| wanted(&i.release, i.status).then(|| incident_json(&i))))
            .chain(archived.iter().map(|i| Ok(Some(incident_json(i)))));
        json_seq_of_results(items)?;
        return Ok(0);
    }
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
