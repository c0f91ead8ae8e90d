//! `rel status`: one row per release in progress, with what it waits for.

use serde_json::json;

use crate::commands::shared::pipeline_filter::PipelineFilter;
use crate::context::Context;
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::render::output::{errln, json_seq, outln};
use crate::render::release::release_json;
use crate::render::table::{new_table, render, toned, Tone};
use crate::render::time::rfc3339;
use crate::rules::actions::may_close;
use crate::rules::history::soak_from;
use crate::rules::promotion::resolve_target;
use crate::rules::promotion::PromotionVerdict;
use crate::rules::time::business_days_elapsed;
use crate::rules::verdict::when;
use crate::store::ReleaseHead;

use crate::rules::decide::promote::verdict_into;

/// One release's readiness, as `rel status` and `rel board` show it.
pub(super) struct Row<'a> {
    pub(super) release: &'a Release,
    pub(super) days: u32,
    /// The verdict for the next environment; None in the last one.
    pub(super) next: Option<PromotionVerdict>,
}

pub fn run(
    ctx: &Context,
    installation: Option<&str>,
    pipeline_name: Option<&str>,
) -> anyhow::Result<i32> {
    let ws = crate::commands::shared::open_reading(ctx)?;
    let pipeline = ws.pipeline()?;
    let only = super::installation::filter(&ws, installation)?;
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
        return Ok(0);
    }
    if rows.is_empty() {
        errln("no releases in progress");
        return Ok(0);
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
    Ok(0)
}

pub(super) fn next_verdict(
    p: &Pipeline,
    all: &[ReleaseHead],
    r: &Release,
    ctx: &Context,
) -> Option<PromotionVerdict> {
    // Only a release in progress with an environment ahead has a verdict.
    let target = resolve_target(p, r, None).ok()?;
    Some(verdict_into(p, all, r, target, ctx.now))
}

pub(super) fn readiness(p: &Pipeline, row: &Row) -> (String, Tone) {
    let p = &*p.lane_of(row.release);
    let Some(v) = &row.next else {
        return if p.position(&row.release.environment).is_some() {
            // In the last environment the next move is `rel close`.
            let close = may_close(p, row.release);
            if close.allowed() {
                ("last environment: ready to close".into(), Tone::Good)
            } else {
                let codes: Vec<&str> = close.codes().iter().map(|c| c.as_str()).collect();
                (
                    format!("last environment: close blocked: {}", codes.join(", ")),
                    Tone::Bad,
                )
            }
        } else {
            ("not in the pipeline: roll it back".into(), Tone::Bad)
        };
    };
    let (text, tone) = verdict_readiness(p, v, row.release);
    // What is planned, and what waits for a person (section 7).
    let mut text = text;
    if let Some(s) = crate::rules::schedule::in_pipeline_order(p, row.release).first() {
        text.push_str(&format!(
            "; scheduled into {} at {}",
            s.env,
            when(&p.calendar, s.at)
        ));
    }
    // A schedule a person cancelled stays so (contract 11.6).
    if let Some(target) = &v.to {
        if crate::rules::auto_schedule::cancelled_by_person(row.release, target).is_some() {
            text.push_str(&format!(
                "; not scheduled into {target}: cancelled by a person, zero-touch leaves it so"
            ));
        }
    }
    (text, tone)
}

fn verdict_readiness(p: &Pipeline, v: &PromotionVerdict, r: &Release) -> (String, Tone) {
    let failed = r
        .latest_health(&r.environment)
        .filter(|h| h.at >= r.entered_at)
        .is_some_and(|h| !h.passed);
    if failed
        && v.to
            .as_deref()
            .and_then(|t| p.env(t))
            .is_some_and(|e| e.auto_schedule)
    {
        return (
            "waits for a person: the latest health report failed (nothing scheduled)".into(),
            Tone::Bad,
        );
    }
    if v.ready() {
        return ("ready".into(), Tone::Good);
    }
    // "ready at" only when time alone clears it; else what must be done,
    // and the earliest the time rules allow.
    if v.blocking_codes().is_empty() {
        return match v.ready_at() {
            Some(t) => (format!("ready at {}", when(&p.calendar, t)), Tone::Waiting),
            None => ("never (time rules)".into(), Tone::Bad),
        };
    }
    let codes: Vec<&str> = v.verdict.codes().iter().map(|c| c.as_str()).collect();
    let earliest = match v.earliest() {
        Some(t) if t > v.at => format!("; earliest {}", when(&p.calendar, t)),
        _ => String::new(),
    };
    (
        format!("blocked: {}{earliest}", codes.join(", ")),
        Tone::Bad,
    )
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
