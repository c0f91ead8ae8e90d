//! An incident as JSON (`incident show`, `incident list`) and as text.

use chrono_tz::Tz;
use serde_json::{json, Value};

use crate::context::Context;
use crate::model::incident::Incident;

use super::table::{new_table, render};
use super::text::shown_line;
use super::time::{local, rfc3339};

/// Contract section 5: at least `id`, `title`, `status`, `authorised`,
/// `tested`, `components` and `release` (id or null), then the details.
pub fn incident_json(i: &Incident) -> Value {
    json!({
        "id": i.id,
        "title": i.title,
        "status": i.status,
        "breaking": i.breaking,
        "impact": i.impact,
        "release": i.release,
        "authorised": i.is_authorised(),
        "authorisation": i.authorisation.as_ref().map(|a| json!({
            "by": a.by,
            "at": rfc3339(a.at),
            "recorded_by": a.recorded_by,
        })),
        "tested": i.is_tested(),
        "evidence": i.evidence.iter().map(|e| json!({
            "reference": e.reference,
            "by": e.by,
            "at": rfc3339(e.at),
        })).collect::<Vec<_>>(),
        "components": i.components.iter().map(|c| json!({
            "kind": c.kind,
            "name": c.name,
            "by": c.by,
            "at": rfc3339(c.at),
        })).collect::<Vec<_>>(),
        "created_at": rfc3339(i.created_at),
        "created_by": i.created_by,
        "history": i.history.iter().map(|e| json!({
            "at": rfc3339(e.at),
            "by": e.by,
            "action": e.action,
            "detail": e.detail,
        })).collect::<Vec<_>>(),
    })
}

pub fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// `rel incident show` for people; instants in the calendar's timezone.
pub fn incident_text(ctx: &Context, tz: Tz, i: &Incident) -> String {
    let mut out = Vec::new();
    out.push(shown_line(format!("{}  {}", i.id, i.title)));
    out.push(shown_line(format!("  status      {}", i.status)));
    out.push(shown_line(format!(
        "  release     {}",
        i.release.as_deref().unwrap_or("none")
    )));
    out.push(shown_line(format!("  breaking    {}", yes_no(i.breaking))));
    if let Some(impact) = &i.impact {
        out.push(shown_line(format!("  impact      {impact}")));
    }
    match &i.authorisation {
        Some(a) => out.push(shown_line(format!(
            "  authorised  by {} (recorded by {} at {})",
            a.by,
            a.recorded_by,
            local(a.at, tz)
        ))),
        None => out.push("  authorised  no".into()),
    }
    out.push(shown_line(format!(
        "  created     {} by {}",
        local(i.created_at, tz),
        i.created_by
    )));

    out.push(String::new());
    if i.evidence.is_empty() {
        out.push("Test evidence: none".into());
    } else {
        out.push(shown_line(format!("Test evidence ({}):", i.evidence.len())));
        for e in &i.evidence {
            out.push(shown_line(format!(
                "  {} (by {} at {})",
                e.reference,
                e.by,
                local(e.at, tz)
            )));
        }
    }
    out.push(String::new());
    if i.components.is_empty() {
        out.push("Components: none".into());
    } else {
        out.push(shown_line(format!("Components ({}):", i.components.len())));
        for c in &i.components {
            out.push(shown_line(format!(
                "  {}:{} (by {} at {})",
                c.kind,
                c.name,
                c.by,
                local(c.at, tz)
            )));
        }
    }

    out.push(String::new());
    out.push("History:".into());
    let mut t = new_table(ctx, &["at", "by", "action", "details"]);
    for e in &i.history {
        t.add_row(vec![
            local(e.at, tz),
            e.by.clone(),
            e.action.clone(),
            e.detail.clone().unwrap_or_default(),
        ]);
    }
    out.extend(render(&t).lines().map(|l| format!("  {l}")));
    out.join("\n")
}
