//! `rel fleet` (contract 11.9) as JSON and as a table with its summary.
//! The board's fleet page renders the same `Fleet` (`board::fleet`).

use serde_json::{json, Value};

use crate::context::Context;
use crate::model::calendar::Calendar;
use crate::rules::fleet::{Fleet, FleetLine, Summary};

use super::table::{new_table, render};
use super::time::{local, rfc3339};

/// The JSON document of contract 11.9.
pub fn json(f: &Fleet) -> Value {
    json!({
        "at": rfc3339(f.at),
        "version": f.campaign.as_ref().map(|v| v.to_string()),
        "installations": f.installations.iter().map(line_json).collect::<Vec<_>>(),
        "summary": summary_json(&f.summary),
    })
}

fn line_json(l: &FleetLine) -> Value {
    json!({
        "name": l.name,
        "version": l.version,
        "update": l.update.as_ref().map(|u| json!({
            "release": u.release,
            "version": u.version,
            "environment": u.environment,
            "state": u.state,
            "schedules": u.schedules.iter()
                .map(|(env, at)| json!({"env": env, "at": rfc3339(*at)}))
                .collect::<Vec<_>>(),
            "health": u.health.map(health_word),
            "held": u.held.is_some(),
            "blocked_by": u.blocked_by,
        })),
    })
}

fn summary_json(s: &Summary) -> Value {
    json!({
        "versions": s.versions,
        "environments": s.environments,
        "blocked": s.blocked,
        "failed_health": s.failed_health,
        "campaign": s.campaign.map(|c| json!({
            "done": c.done, "in_progress": c.in_progress, "not_started": c.not_started,
        })),
    })
}

/// A health report's outcome in a word.
pub fn health_word(passed: bool) -> &'static str {
    if passed {
        "passed"
    } else {
        "failed"
    }
}

/// The table, then the summary. Instants in the calendar's time zone, as
/// `rel status` shows them (the JSON keeps RFC 3339 UTC).
pub fn text(ctx: &Context, cal: &Calendar, f: &Fleet) -> String {
    let mut table = new_table(
        ctx,
        &[
            "installation",
            "version",
            "update",
            "environment",
            "next schedule",
            "health",
            "blocked by",
        ],
    );
    for l in &f.installations {
        let u = l.update.as_ref();
        table.add_row(vec![
            l.name.clone(),
            l.version.clone(),
            u.map_or("-".into(), |u| u.release.clone()),
            u.map_or("-".into(), |u| {
                let held = if u.held.is_some() { " (held)" } else { "" };
                format!("{}{held}", u.environment)
            }),
            u.and_then(|u| u.next_schedule())
                .map_or("-".into(), |(env, at)| {
                    format!("{env} at {}", local(*at, cal.timezone))
                }),
            u.and_then(|u| u.health)
                .map_or("-".into(), |ok| health_word(ok).into()),
            u.map_or("-".into(), |u| {
                if u.blocked_by.is_empty() {
                    "ready".into()
                } else {
                    u.blocked_by.join(", ")
                }
            }),
        ]);
    }
    format!("{}\n{}", render(&table), summary_text(&f.summary))
}

/// `name: count` pairs, or "none".
pub fn pairs(counts: &std::collections::BTreeMap<String, usize>) -> String {
    if counts.is_empty() {
        return "none".into();
    }
    counts
        .iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn summary_text(s: &Summary) -> String {
    let mut out = vec![
        format!("versions: {}", pairs(&s.versions)),
        format!("updates per environment: {}", pairs(&s.environments)),
        format!("blocked updates per rule: {}", pairs(&s.blocked)),
        format!(
            "failed health reports waiting for a person: {}",
            s.failed_health
        ),
    ];
    if let Some(c) = s.campaign {
        out.push(format!(
            "campaign: {} done, {} on the way, {} not started",
            c.done, c.in_progress, c.not_started
        ));
    }
    out.join("\n")
}
