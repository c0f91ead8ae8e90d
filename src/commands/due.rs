//! `rel due [--apply]`: the schedules whose time has come, each with its
//! verdict now; `--apply` promotes those that are ready, one commit each,
//! until nothing more is due and ready (contract section 7).

use super::shared::{release_to_change, write, Decision};
use crate::model::actor::Actor;
use crate::outcome::Outcome;
use serde_json::{json, Value};

use crate::context::Context;
use crate::model::action::Action;
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::render::output::{json as json_doc, outln};
use crate::render::table::{new_table, render};
use crate::render::time::rfc3339;
use crate::rules::auto_schedule::after_change;
use crate::rules::decide::promote::{promote, Ask};
use crate::rules::due::{due, DueItem};
use crate::rules::register::effects::Stamp;
use crate::rules::verdict::when;
use crate::store::{change_for, CommitMessage, Workspace};

use super::shared::notify::{self, Event};
use super::shared::schedule_facts::{in_progress_and_dependencies, Facts};

/// A line of the report.
struct Row {
    release: String,
    env: String,
    at: chrono::DateTime<chrono::Utc>,
    applied: bool,
    item: Option<DueItem>,
}

/// Each pass commits at most one change; this bounds a run on any input.
const MAX_PASSES: usize = 10_000;

pub fn run(ctx: &Context, apply: bool) -> anyhow::Result<Outcome> {
    let mut rows: Vec<Row> = Vec::new();
    let pipeline;
    if apply && !ctx.dry_run {
        pipeline = apply_all(ctx, &mut rows)?;
    } else {
        let ws = super::shared::open_reading(ctx)?;
        pipeline = ws.pipeline()?;
        let releases = in_progress_and_dependencies(&ws)?;
        for item in due(&pipeline, &releases, ctx.now) {
            rows.push(row(&releases, item, false));
        }
    }
    report(ctx, &pipeline, &rows)
}

fn row(releases: &[Release], item: DueItem, applied: bool) -> Row {
    Row {
        release: releases[item.release].id.clone(),
        env: item.schedule.env.clone(),
        at: item.schedule.at,
        applied,
        item: (!applied).then_some(item),
    }
}

/// What one pass of `apply_all` did.
enum Pass {
    /// One commit: a promotion (its row) or zero-touch schedules.
    Committed {
        row: Option<Row>,
        events: Vec<Event>,
    },
    /// Nothing more due and ready: the blocked rows, told once.
    Settled {
        rows: Vec<Row>,
        events: Vec<Event>,
        pipeline: Pipeline,
    },
}

/// Applies due and ready schedules one commit at a time, each decided
/// afresh by the write runner on the state the previous one left (a
/// promotion may free an exclusive environment, or make another release
/// eligible for zero-touch schedules). Stops when nothing more is due and
/// ready; the schedules left blocked are reported (and told) once.
fn apply_all(ctx: &Context, rows: &mut Vec<Row>) -> anyhow::Result<Pipeline> {
    for _ in 0..MAX_PASSES {
        match write(ctx, |ws, actor| one_pass(ctx, ws, actor))? {
            Pass::Committed { row, events } => {
                rows.extend(row);
                tell(ctx, events, true);
            }
            Pass::Settled {
                rows: blocked,
                events,
                pipeline,
            } => {
                rows.extend(blocked);
                tell(ctx, events, false);
                return Ok(pipeline);
            }
        }
    }
    Err(crate::error::internal(
        "rel due --apply did not settle after 10,000 changes; nothing more was applied",
    ))
}

/// Tells `events` once their commit is made (or, for blocked schedules,
/// with no commit): the runner's workspace is gone, so the state is read
/// again for the configuration.
fn tell(ctx: &Context, events: Vec<Event>, with_commit: bool) {
    if events.is_empty() || ctx.dry_run {
        return;
    }
    match super::shared::open::reading(&ctx.start_dir, false) {
        Ok(ws) => {
            let commit = if with_commit {
                notify::head_commit(&ws)
            } else {
                None
            };
            notify::send(ctx, &ws, events, commit);
        }
        Err(e) => crate::errln!("warning: nobody was told: {e}"),
    }
}

/// One decision of `apply_all` on the state `ws` holds.
fn one_pass(ctx: &Context, ws: &Workspace, actor: &Actor) -> anyhow::Result<Decision<Pass>> {
    let p = ws.pipeline()?;
    let releases = in_progress_and_dependencies(ws)?;
    let by = actor.to_string();
    if let Some(decision) = schedule_eligible(ctx, ws, &p, &releases, &by)? {
        return Ok(decision);
    }
    let items = due(&p, &releases, ctx.now);
    let Some(ready) = items.iter().position(|i| i.verdict.ready()) else {
        let mut events = Vec::new();
        let mut rows = Vec::new();
        for item in items {
            let r = &releases[item.release];
            events.push(
                Event::new(
                    &p,
                    "blocked",
                    r,
                    Some(&item.schedule.env),
                    item.schedule.at,
                    &by,
                )
                .because(Some(&blocked_reason(&item))),
            );
            rows.push(row(&releases, item, false));
        }
        return Ok(Decision::Nothing {
            notes: Vec::new(),
            output: Pass::Settled {
                rows,
                events,
                pipeline: p,
            },
        });
    };
    let item = items[ready].clone();
    let before = &releases[item.release];
    release_to_change(ctx, ws, &before.id)?;
    let ask = Ask::Schedule {
        // The position in the release's own pipeline, where `promote`
        // reads it: names repeat across pipelines (contract 11.2).
        to: p
            .lane_of(before)
            .find(&item.schedule.env)
            .map_err(crate::error::internal)?,
        at: item.schedule.at,
    };
    let stamp = Stamp {
        at: ctx.now,
        by: &by,
    };
    // The same decision `rel promote` and the audit make; `due` found it
    // ready, so a refusal here is a bug, not the user's input.
    let done = promote(&p, &releases[..], before, ask, &actor.email, stamp)
        .map_err(|r| crate::error::internal(format!("due --apply: {}", r.reasons())))?;
    let from = done.from;
    let mut release = done.release;
    let made = super::shared::schedule_facts::zero_touch(ws, &p, &mut release, &by, ctx.now)?;
    let env = item.schedule.env.clone();
    let mut message = CommitMessage::new(Action::Promote, &format!("{} to {env}", release.id));
    message.body.push(format!(
        "{} {}: {from} -> {env}, as scheduled for {}",
        release.id,
        release.version,
        rfc3339(item.schedule.at)
    ));
    message.release = Some(release.id.clone());
    message.env = Some(env.clone());
    message.schedule = Some(rfc3339(item.schedule.at));
    let mut events = vec![Event::new(
        &p,
        "promoted",
        &release,
        Some(&env),
        ctx.now,
        &by,
    )];
    events.extend(super::shared::zero_touch::scheduled_events_pub(
        &p, &release, &made, &by,
    ));
    let row = Row {
        release: release.id.clone(),
        env,
        at: item.schedule.at,
        applied: true,
        item: None,
    };
    Ok(Decision::commit(
        vec![change_for(&release)?],
        message,
        Pass::Committed {
            row: Some(row),
            events,
        },
    ))
}

/// Zero-touch by the passing of time: the first release in progress that
/// has become eligible for `auto_schedule` environments gets its schedules
/// in one commit (the caller decides again after it).
fn schedule_eligible(
    ctx: &Context,
    ws: &Workspace,
    p: &Pipeline,
    releases: &[Release],
    by: &str,
) -> anyhow::Result<Option<Decision<Pass>>> {
    if !p.any_auto_schedule() {
        return Ok(None);
    }
    for r in releases {
        // Each release by the environments of its own pipeline (11.2).
        if !p.lane_of(r).environments.iter().any(|e| e.auto_schedule) {
            continue;
        }
        let facts = Facts::of(p, releases, &r.id);
        let made = after_change(p, r, &facts.others(), ctx.now, by);
        if made.is_empty() {
            continue;
        }
        let mut release = release_to_change(ctx, ws, &r.id)?;
        release.schedules.extend(made.iter().cloned());
        let names: Vec<String> = made
            .iter()
            .map(|s| format!("{} at {}", s.env, rfc3339(s.at)))
            .collect();
        let mut event = crate::model::release::Event::new(ctx.now, by, Action::Schedule);
        event.env = made.first().map(|s| s.env.clone());
        event.detail = Some(format!("zero-touch: {}", names.join(", ")));
        release.history.push(event);
        let mut message = CommitMessage::new(
            Action::Schedule,
            &format!("{} zero-touch: {}", release.id, names.join(", ")),
        );
        message.release = Some(release.id.clone());
        message.env = made.first().map(|s| s.env.clone());
        let events = super::shared::zero_touch::scheduled_events_pub(p, &release, &made, by);
        return Ok(Some(Decision::commit(
            vec![change_for(&release)?],
            message,
            Pass::Committed { row: None, events },
        )));
    }
    Ok(None)
}

fn blocked_reason(item: &DueItem) -> String {
    item.verdict
        .verdict
        .violations
        .iter()
        .map(|v| format!("{}: {}", v.rule, v.message))
        .collect::<Vec<_>>()
        .join("; ")
}

fn report(ctx: &Context, p: &Pipeline, rows: &[Row]) -> anyhow::Result<Outcome> {
    let blocked = rows.iter().any(|r| !r.applied);
    if ctx.json {
        let docs: Vec<Value> = rows.iter().map(row_json).collect();
        json_doc(&Value::Array(docs))?;
    } else if rows.is_empty() {
        crate::errln!("nothing is due");
    } else {
        let mut table = new_table(ctx, &["release", "env", "scheduled", "outcome"]);
        for r in rows {
            table.add_row(vec![
                r.release.clone(),
                r.env.clone(),
                when(&p.calendar, r.at),
                outcome(p, r),
            ]);
        }
        outln(&render(&table))?;
    }
    if blocked {
        Ok(Outcome::NotReady)
    } else {
        Ok(Outcome::Done)
    }
}

fn outcome(p: &Pipeline, r: &Row) -> String {
    let Some(item) = &r.item else {
        return "applied".into();
    };
    if item.verdict.ready() {
        return "ready".into();
    }
    let codes: Vec<&str> = item
        .verdict
        .verdict
        .codes()
        .iter()
        .map(|c| c.as_str())
        .collect();
    let next = match item.verdict.ready_at().or(item.verdict.earliest()) {
        Some(t) if t > item.verdict.at => format!("; next possible {}", when(&p.calendar, t)),
        _ => String::new(),
    };
    format!("blocked: {}{next}", codes.join(", "))
}

fn row_json(r: &Row) -> Value {
    let (ready, violations, ready_at, earliest) = match &r.item {
        None => (true, Vec::new(), None, None),
        Some(item) => (
            item.verdict.ready(),
            item.verdict.verdict.violations.clone(),
            item.verdict.ready_at().map(rfc3339),
            item.verdict.earliest().map(rfc3339),
        ),
    };
    json!({
        "release": r.release,
        "env": r.env,
        "at": rfc3339(r.at),
        "ready": ready,
        "applied": r.applied,
        "violations": violations,
        "ready_at": ready_at,
        "earliest": earliest,
    })
}
