//! `rel status`: one row per release in progress, with what it waits for.

use serde_json::json;

use crate::commands::shared::pipeline_filter::PipelineFilter;
use crate::context::Context;
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::render::output::{errln, json_seq, outln};
use crate::render::release::release_json;
use crate::render::table::{new_table, render, toned};
use crate::render::time::rfc3339;
use crate::rules::history::soak_from;
use crate::rules::time::business_days_elapsed;
use crate::store::ReleaseHead;

use super::shared::readiness::{next_verdict, readiness, Row};

pub fn run(
    ctx: &Context,
    installation: Option<&str>,
    pipeline_name: Option<&str>,
) -> anyhow::Result<Outcome> {
    let ws = crate::commands::shared::open_reading(ctx)?;
    let pipeline = ws.pipeline()?;
    let only = super::shared::installation_filter::filter(&ws, installation)?;
    let lane = PipelineFilter::new(&pipeline, pipeline_name)?;
    // Only the releases in progress are read (the set kept per tree says
    // which; each is read from its blob and its state checked): the
    // archive is not, whatever its size.
    let in_progress: Vec<Release> = ws.releases_in_progress()?;
    super::shared::note_unarchived(&ws, in_progress.len());
    let heads: Vec<ReleaseHead> = in_progress.iter().map(ReleaseHead::from).collect();
    // And where the finished releases they depend on stand (11.4).
    let heads = super::shared::promotion_facts::with_dependencies(&ws, heads, &in_progress)?;
    let rows: Vec<Row> = in_progress
        .iter()
        .filter(|r| only.admits(r.installation.as_deref()) && lane.admits(r.pipeline_name()))
        .map(|r| Row {
            release: r,
            // Days of soak: from the entry or the last content change there.
            days: business_days_elapsed(&pipeline.calendar, soak_from(r), ctx.now),
            next: next_verdict(&pipeline, &heads, r, ctx),
        })
        .collect();
    if ctx.json {
        json_seq(rows.iter().map(row_json))?;
        return Ok(Outcome::Done);
    }
    if rows.is_empty() {
        errln("no releases in progress");
        return Ok(Outcome::Done);
    }
    // Installations and paths get columns only where some release has one.
    let updates = rows.iter().any(|r| r.release.installation.is_some());
    let paths = rows.iter().any(|r| r.release.path.is_some());
    let mut headers = vec!["id", "version", "kind", "state"];
    // A pipeline column only where the file names pipelines (11.2).
    let pipelines = pipeline.has_named_pipelines();
    if pipelines {
        headers.push("pipeline");
    }
    if updates {
        headers.push("installation");
    }
    if paths {
        headers.push("path");
    }
    headers.extend(["environment", "days", "incidents", "next", "readiness"]);
    let mut table = new_table(ctx, &headers);
    for row in &rows {
        let r = row.release;
        let (readiness_text, tone) = readiness(&pipeline, row);
        let next = row
            .next
            .as_ref()
            .and_then(|v| v.to.clone())
            .unwrap_or_else(|| "-".into());
        let mut cells: Vec<crate::render::table::TableCell> = vec![
            r.id.clone().into(),
            r.version.clone().into(),
            r.kind.into(),
            r.state.into(),
        ];
        if pipelines {
            cells.push(r.pipeline_name().to_string().into());
        }
        if updates {
            cells.push(r.installation.clone().unwrap_or_else(|| "-".into()).into());
        }
        if paths {
            cells.push(
                r.path
                    .as_ref()
                    .map_or("-", |p| p.name.as_str())
                    .to_string()
                    .into(),
            );
        }
        cells.extend([
            r.environment.clone().into(),
            row.days.into(),
            r.incidents.len().into(),
            next.into(),
            toned(readiness_text, tone),
        ]);
        table.add_row(cells);
    }
    outln(&render(&table))?;
    Ok(Outcome::Done)
}

fn row_json(row: &Row) -> serde_json::Value {
    let mut v = release_json(row.release);
    if let Some(map) = v.as_object_mut() {
        map.insert("business_days".into(), json!(row.days));
        map.insert(
            "next".into(),
            json!(row.next.as_ref().and_then(|n| n.to.clone())),
        );
        map.insert("ready".into(), json!(row.next.as_ref().map(|n| n.ready())));
        map.insert(
            "ready_at".into(),
            json!(row.next.as_ref().and_then(|n| n.ready_at()).map(rfc3339)),
        );
        map.insert(
            "earliest".into(),
            json!(row.next.as_ref().and_then(|n| n.earliest()).map(rfc3339)),
        );
        map.insert(
            "blocked_by".into(),
            json!(row
                .next
                .as_ref()
                .map(|n| n.verdict.codes())
                .unwrap_or_default()),
        );
    }
    v
}
