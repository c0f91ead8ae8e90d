//! `rel status`: one row per release in progress.

use serde_json::json;

use crate::context::Context;
use crate::model::release::Release;
use crate::render::output::{json, outln};
use crate::render::release::release_json;
use crate::render::table::{new_table, render};
use crate::rules::time::business_days_elapsed;
use crate::store::Workspace;

pub fn run(ctx: &Context) -> anyhow::Result<i32> {
    let ws = Workspace::open(&ctx.start_dir)?;
    let pipeline = ws.pipeline()?;
    let releases: Vec<Release> = ws
        .load_all::<Release>()?
        .into_iter()
        .filter(|r| r.state.in_progress())
        .collect();
    let rows: Vec<Row> = releases
        .iter()
        .map(|r| Row {
            release: r,
            days: business_days_elapsed(&pipeline.calendar, r.entered_at, ctx.now),
            next: pipeline.next_after(&r.environment).map(|e| e.name.clone()),
        })
        .collect();
    if ctx.json {
        let all: Vec<_> = rows
            .iter()
            .map(|row| {
                let mut v = release_json(row.release);
                if let Some(map) = v.as_object_mut() {
                    map.insert("business_days".into(), json!(row.days));
                    map.insert("next".into(), json!(row.next));
                }
                v
            })
            .collect();
        json(&all)?;
        return Ok(0);
    }
    if rows.is_empty() {
        eprintln!("no releases in progress");
        return Ok(0);
    }
    let mut table = new_table(
        ctx,
        &[
            "id",
            "version",
            "kind",
            "state",
            "environment",
            "days",
            "next",
            "incidents",
        ],
    );
    for row in &rows {
        let r = row.release;
        table.add_row(vec![
            r.id.clone(),
            r.version.clone(),
            r.kind.to_string(),
            r.state.to_string(),
            r.environment.clone(),
            row.days.to_string(),
            row.next.clone().unwrap_or_else(|| "-".into()),
            r.incidents.len().to_string(),
        ]);
    }
    outln(&render(&table));
    Ok(0)
}

struct Row<'a> {
    release: &'a Release,
    days: u32,
    next: Option<String>,
}
