//! A release as JSON (show, list, status) and as text (show).

use serde_json::{json, Value};

use crate::context::Context;
use crate::model::incident::Incident;
use crate::model::pipeline::Pipeline;
use crate::model::release::{ChecklistKind, Event, Release};

use super::table::{new_table, render};
use super::text::shown_line;
use super::time::{local, rfc3339};

/// The JSON of a release: its manifest plus derived `frozen`.
pub fn release_json(r: &Release) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        map.insert("frozen".into(), json!(r.is_frozen()));
        map.insert("entered_at".into(), json!(rfc3339(r.entered_at)));
        map.insert("created_at".into(), json!(rfc3339(r.created_at)));
        // Contract section 7: always present, `held` null when not held.
        map.insert("schedules".into(), schedules_json(r));
        map.insert(
            "held".into(),
            r.held
                .as_ref()
                .map(|h| json!({"by": h.by, "at": rfc3339(h.at), "reason": h.reason}))
                .unwrap_or(Value::Null),
        );
        // Contract section 8: always present, null when not an update or
        // no path was decided.
        map.insert("installation".into(), json!(r.installation));
        // Contract 11.2: the pipeline it belongs to, `default` when unnamed.
        map.insert("pipeline".into(), json!(r.pipeline_name()));
        map.insert("from_version".into(), json!(r.from_version));
        map.insert(
            "path".into(),
            json!(r.path.as_ref().map(|p| p.name.as_str())),
        );
        map.insert(
            "path_record".into(),
            r.path
                .as_ref()
                .map(|p| {
                    json!({"path": p.name.as_str(), "set_by": p.set_by.as_str(), "at": rfc3339(p.at),
                        "by": p.by, "reason": p.reason, "reasons": p.reasons})
                })
                .unwrap_or(Value::Null),
        );
        // Section 8: the release's own checklist items, always present.
        map.insert(
            "checklist".into(),
            serde_json::to_value(&r.checklist).unwrap_or(Value::Null),
        );
        map.insert(
            "target".into(),
            r.target
                .map(|d| json!(d.to_string()))
                .unwrap_or(Value::Null),
        );
    }
    v
}

fn schedules_json(r: &Release) -> Value {
    Value::Array(
        r.schedules
            .iter()
            .map(|s| {
                json!({
                    "env": s.env,
                    "at": rfc3339(s.at),
                    "slot": s.slot.map(|slot| slot.to_string()),
                    "by": s.by,
                    "made_at": rfc3339(s.made_at),
                    "auto": s.auto,
                    "note": s.note,
                })
            })
            .collect(),
    )
}

/// Schedules and hold for people, one line each (show, status).
pub fn schedule_lines(r: &Release, tz: chrono_tz::Tz) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(h) = &r.held {
        lines.push(shown_line(format!(
            "ON HOLD since {} by {}: {}",
            local(h.at, tz),
            h.by,
            h.reason
        )));
    }
    for s in &r.schedules {
        let mut line = format!("scheduled into {} at {}", s.env, local(s.at, tz));
        if let Some(slot) = s.slot {
            line.push_str(&format!(" (slot {slot})"));
        }
        line.push_str(&format!(
            ", {} {}",
            if s.auto {
                "zero-touch, after a change by"
            } else {
                "by"
            },
            s.by
        ));
        if let Some(note) = &s.note {
            line.push_str(&format!(": {note}"));
        }
        lines.push(shown_line(line));
    }
    if r.state.in_progress() {
        for (env, e) in crate::rules::auto_schedule::cancelled_schedules(r) {
            lines.push(shown_line(format!(
                "not scheduled into {env}: cancelled by {} at {}; zero-touch leaves it so \
                 until someone runs `rel schedule {} --to {env}`",
                e.by,
                local(e.at, tz),
                r.id
            )));
        }
    }
    lines
}

/// The installation an update is of and the path a release takes, as
/// `show` and `plan` print them (nothing for a plain release without a path).
pub fn update_lines(r: &Release) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(i) = &r.installation {
        out.push(shown_line(format!(
            "installation {i} (update from {})",
            r.from_version.as_deref().unwrap_or("?")
        )));
    }
    if let Some(p) = &r.path {
        let why = match (&p.reason, p.reasons.is_empty()) {
            (Some(reason), _) => format!(": {reason}"),
            (None, false) => format!(": {}", p.reasons.join("; ")),
            (None, true) => String::new(),
        };
        out.push(shown_line(format!(
            "path         {} (set by {}){why}",
            p.name,
            p.set_by.as_str()
        )));
    }
    out
}

/// `rel show` for people.
pub fn release_text(
    ctx: &Context,
    pipeline: &Pipeline,
    r: &Release,
    incidents: &[(String, Option<Incident>)],
    carries: &[String],
    days_there: u32,
) -> String {
    let tz = pipeline.calendar.timezone;
    let mut out = Vec::new();
    out.push(shown_line(format!("{}  {}", r.id, r.title)));
    out.push(shown_line(format!(
        "  version      {} ({})",
        r.version, r.kind
    )));
    out.push(shown_line(format!("  state        {}", r.state)));
    // Named only where the file names pipelines (contract 11.2).
    if pipeline.has_named_pipelines() {
        out.push(shown_line(format!("  pipeline     {}", r.pipeline_name())));
    }
    out.push(shown_line(format!(
        "  environment  {} since {} ({days_there} business day{})",
        r.environment,
        local(r.entered_at, tz),
        if days_there == 1 { "" } else { "s" }
    )));
    if let Some(t) = r.target {
        out.push(shown_line(format!("  target       {t}")));
    }
    for line in update_lines(r) {
        out.push(shown_line(format!("  {line}")));
    }
    // An update's content includes the product releases it carries
    // (contract 11.3).
    if r.installation.is_some() {
        let carried = if carries.is_empty() {
            "no product release".to_string()
        } else {
            carries.join(", ")
        };
        out.push(shown_line(format!("  carries      {carried}")));
    }
    out.push(shown_line(format!("  revision     {}", r.revision)));
    for line in schedule_lines(r, tz) {
        out.push(shown_line(format!("  {line}")));
    }
    out.push(shown_line(format!(
        "  created      {} by {}",
        local(r.created_at, tz),
        r.created_by
    )));

    out.push(String::new());
    if incidents.is_empty() {
        out.push("Incidents: none".into());
    } else {
        out.push(shown_line(format!("Incidents ({}):", incidents.len())));
        let mut t = new_table(ctx, &["id", "status", "breaking", "title"]);
        for (id, inc) in incidents {
            match inc {
                Some(i) => t.add_row(vec![
                    i.id.clone(),
                    i.status.to_string(),
                    if i.breaking {
                        "yes".into()
                    } else {
                        String::new()
                    },
                    i.title.clone(),
                ]),
                None => t.add_row(vec![
                    id.clone(),
                    "missing".into(),
                    String::new(),
                    String::new(),
                ]),
            };
        }
        out.push(indent(&render(&t)));
    }

    let current = |rev: u32| if rev == r.revision { "" } else { " (stale)" };
    if !r.approvals.is_empty() {
        out.push(String::new());
        out.push("Approvals:".into());
        for a in &r.approvals {
            out.push(shown_line(format!(
                "  {} as {} by {} at {}{}",
                a.env,
                a.role,
                a.by,
                local(a.at, tz),
                current(a.revision)
            )));
        }
    }
    if !r.ticks.is_empty() {
        out.push(String::new());
        out.push("Checklist ticks:".into());
        for t in &r.ticks {
            let list = match t.checklist {
                ChecklistKind::Entry => "entry",
                ChecklistKind::Exit => "exit",
            };
            // An exit tick of an earlier stay here (before `rel repeat`).
            let earlier = t.checklist == ChecklistKind::Exit
                && t.revision == r.revision
                && t.env.eq_ignore_ascii_case(&r.environment)
                && t.at < r.entered_at;
            out.push(shown_line(format!(
                "  {} {list}: {} by {} at {}{}{}",
                t.env,
                t.item,
                t.by,
                local(t.at, tz),
                current(t.revision),
                if earlier { " (an earlier round)" } else { "" }
            )));
        }
    }
    if !r.checklist.is_empty() {
        out.push(String::new());
        out.push("Own checklist items:".into());
        for o in &r.checklist {
            let list = match o.list {
                ChecklistKind::Entry => "entry",
                ChecklistKind::Exit => "exit",
            };
            out.push(shown_line(format!(
                "  {} {list}: {} (added by {} at {})",
                o.env,
                o.item,
                o.by,
                local(o.at, tz)
            )));
        }
    }
    if !r.health.is_empty() {
        out.push(String::new());
        out.push("Health reports:".into());
        for h in &r.health {
            let verdict = if h.passed { "passed" } else { "FAILED" };
            let mut line = format!("  {} {verdict} at {} by {}", h.env, local(h.at, tz), h.by);
            if let (Some(p), Some(f)) = (h.tests_passed, h.tests_failed) {
                line.push_str(&format!(", {p} passed / {f} failed"));
            }
            if let Some(rep) = &h.report {
                line.push_str(&format!(", report {rep}"));
            }
            if let Some(detail) = &h.detail {
                line.push_str(&format!(" ({detail})"));
            }
            line.push_str(current(h.revision));
            if h.revision == r.revision
                && h.env.eq_ignore_ascii_case(&r.environment)
                && h.at < r.entered_at
            {
                line.push_str(" (an earlier round)");
            }
            out.push(line);
            if let Some(log) = &h.log {
                out.push(shown_line(format!("    output kept in {log}")));
            }
        }
    }

    out.push(String::new());
    out.push("History:".into());
    let mut t = new_table(ctx, &["at", "by", "action", "env", "details"]);
    for e in &r.history {
        t.add_row(vec![
            local(e.at, tz),
            e.by.clone(),
            e.action.clone(),
            e.env.clone().unwrap_or_default(),
            event_details(e),
        ]);
    }
    out.push(indent(&render(&t)));
    out.join("\n")
}

/// What an event says beyond who, what and where.
pub fn event_details(e: &Event) -> String {
    let mut parts = Vec::new();
    if let Some(from) = &e.from {
        parts.push(format!("from {from}"));
    }
    if !e.incidents.is_empty() {
        parts.push(e.incidents.join(", "));
    }
    if let Some(d) = &e.detail {
        parts.push(d.clone());
    }
    if !e.overrides.is_empty() {
        let o: Vec<&str> = e.overrides.iter().map(|c| c.as_str()).collect();
        parts.push(format!("override {}", o.join(", ")));
    }
    if let Some(r) = &e.reason {
        parts.push(format!("reason: {r}"));
    }
    shown_line(parts.join("; "))
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
