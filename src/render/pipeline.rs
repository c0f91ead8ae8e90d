//! The pipeline as text and JSON (`rel env`).

use serde_json::{json, Value};

use crate::model::calendar::{Blackout, BlackoutBound};
use crate::model::pipeline::{ChecklistItem, Environment, Pipeline};
use crate::model::rule::RuleCode;

use super::time::rfc3339;

fn item_text(i: &ChecklistItem) -> String {
    if i.kinds.is_empty() {
        i.item.clone()
    } else {
        let kinds: Vec<&str> = i.kinds.iter().map(|k| k.as_str()).collect();
        format!("{} ({} only)", i.item, kinds.join(", "))
    }
}

fn bound_text(b: &BlackoutBound) -> String {
    match b {
        BlackoutBound::Date(d) => d.to_string(),
        BlackoutBound::Instant(t) => rfc3339(*t),
    }
}

pub fn blackout_text(b: &Blackout) -> String {
    let mut s = format!("{} to {}", bound_text(&b.from), bound_text(&b.to));
    if let Some(r) = &b.reason {
        s.push_str(&format!(" ({r})"));
    }
    s
}

/// The rules of one environment, one per line, for people.
pub fn rule_lines(e: &Environment) -> Vec<String> {
    let mut lines = Vec::new();
    if e.soak.major + e.soak.minor + e.soak.patch > 0 {
        lines.push(format!(
            "soak: major {}, minor {}, patch {} business days",
            e.soak.major, e.soak.minor, e.soak.patch
        ));
    }
    if e.requires_frozen {
        lines.push("requires frozen content".into());
    }
    if e.exclusive {
        lines.push("exclusive: one release at a time".into());
    }
    if let Some(h) = &e.health_check {
        lines.push(format!(
            "health check: {h} (stopped after {})",
            e.health_timeout
        ));
    }
    if e.requires_health {
        lines.push("requires a passing health report from the previous environment".into());
    }
    if !e.approvals.is_empty() {
        let distinct = if e.distinct_approvers {
            " (distinct people)"
        } else {
            ""
        };
        let valid = e
            .approvals_valid_for
            .map(|d| {
                format!(
                    ", each valid {d} business day{}",
                    if d == 1 { "" } else { "s" }
                )
            })
            .unwrap_or_default();
        lines.push(format!(
            "approvals: {}{distinct}{valid}",
            e.approvals.join(", ")
        ));
    }
    for (n, i) in e.entry_checklist.iter().enumerate() {
        lines.push(format!("entry {}. {}", n + 1, item_text(i)));
    }
    for (n, i) in e.exit_checklist.iter().enumerate() {
        lines.push(format!("exit {}. {}", n + 1, item_text(i)));
    }
    for w in &e.windows {
        lines.push(format!("window: {}", w.text));
    }
    for b in &e.blackouts {
        lines.push(format!("blackout: {}", blackout_text(b)));
    }
    if e.confirm {
        lines.push("asks for confirmation".into());
    }
    if e.optional {
        lines.push("optional: may be passed over".into());
    }
    if e.repeatable {
        lines.push("repeatable: another round with `rel repeat`".into());
    }
    if !e.paths.is_empty() {
        let paths: Vec<&str> = e.paths.iter().map(|p| p.as_str()).collect();
        lines.push(format!("only on the {} path", paths.join(" and ")));
    }
    if let Some(roles) = &e.override_by {
        lines.push(format!("override by: {}", roles.join(", ")));
    }
    if e.auto_schedule {
        lines.push("zero-touch: rel schedules entry at the earliest (auto_schedule)".into());
    }
    if let Some(n) = e.schedule_notice {
        lines.push(format!(
            "schedules fixed {n} before their time (schedule_notice)"
        ));
    }
    if !e.notify.is_empty() {
        lines.push(format!("notifies: {}", e.notify.join(", ")));
    }
    if let Some(events) = &e.notify_on {
        lines.push(format!("tells: {}", events.join(", ")));
    }
    // Only when narrowed: by default every overridable rule may be set aside.
    if !RuleCode::OVERRIDABLE
        .iter()
        .all(|c| e.overridable.contains(c))
    {
        let codes: Vec<&str> = e.overridable.iter().map(|c| c.as_str()).collect();
        lines.push(format!(
            "overridable: {}",
            if codes.is_empty() {
                "none".to_string()
            } else {
                codes.join(", ")
            }
        ));
    }
    lines
}

fn items_json(items: &[ChecklistItem]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|i| json!({"item": i.item, "kinds": i.kinds}))
            .collect(),
    )
}

/// `rel env --json`: the settings of the whole file and `lanes`, the
/// pipelines shown (contract 11.2); `environments` stays the first one's,
/// as before named pipelines.
pub fn pipeline_json(p: &Pipeline, lanes: &[std::borrow::Cow<Pipeline>]) -> Value {
    let first = lanes.first().map_or(p, |l| &**l);
    let envs: Vec<Value> = first.environments.iter().map(environment_json).collect();
    let pipelines: Vec<Value> = lanes
        .iter()
        .map(|l| {
            json!({
                "name": l.pipeline_name(),
                "description": l.pipeline_description(),
                "environments": l.environments.iter().map(environment_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    let workdays: Vec<String> = p
        .calendar
        .workdays
        .days()
        .map(|d| d.to_string().to_lowercase())
        .collect();
    json!({
        "calendar": {
            "timezone": p.calendar.timezone.name(),
            "workdays": workdays,
            "holidays": p.calendar.holidays.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        },
        "roles": p.roles,
        "override_by": p.override_by,
        "notify": p.notify,
        "notify_on": p.notify_on,
        "require_incidents": p.require_incidents,
        "audit": {
            "require_signed": p.audit.require_signed,
            "policy_owners": p.audit.policy_owners,
            "allowed_signers": p.audit.allowed_signers,
        },
        "paths": {"simple_max_hop": p.simple_max_hop.to_string()},
        "installations": {"pipeline": p.pipelines.updates},
        "pipelines": pipelines,
        "environments": envs,
    })
}

/// One environment's rules, as `rel env --json` shows them.
pub fn environment_json(e: &crate::model::pipeline::Environment) -> Value {
    json!({
        "name": e.name,
        "soak": {"major": e.soak.major, "minor": e.soak.minor, "patch": e.soak.patch},
        "requires_frozen": e.requires_frozen,
        "exclusive": e.exclusive,
        "health_check": e.health_check,
        "health_timeout": e.health_timeout.to_string(),
        "requires_health": e.requires_health,
        "approvals": e.approvals,
        "distinct_approvers": e.distinct_approvers,
        "approvals_valid_for": e.approvals_valid_for,
        "entry_checklist": items_json(&e.entry_checklist),
        "exit_checklist": items_json(&e.exit_checklist),
        "windows": e.windows.iter().map(|w| w.text.clone()).collect::<Vec<_>>(),
        "blackouts": e.blackouts.iter().map(|b| json!({
            "from": bound_text(&b.from), "to": bound_text(&b.to), "reason": b.reason,
        })).collect::<Vec<_>>(),
        "confirm": e.confirm,
        "overridable": e.overridable,
        "override_by": e.override_by,
        "optional": e.optional,
        "auto_schedule": e.auto_schedule,
        "schedule_notice": e.schedule_notice.map(|s| s.to_string()),
        "notify": e.notify,
        "notify_on": e.notify_on,
        "repeatable": e.repeatable,
        "paths": e.paths.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
    })
}
