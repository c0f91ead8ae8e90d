//! The answer to "may this release move?", for people and for scripts.

use serde_json::{json, Value};

use chrono::{DateTime, Utc};

use crate::model::calendar::Calendar;
use crate::model::rule::RuleCode;
use crate::rules::promotion::PromotionVerdict;
use crate::rules::verdict::when;

use super::time::rfc3339;

/// Contract section 5: `rel check --json`.
pub fn check_json(release: &str, v: &PromotionVerdict) -> Value {
    let violations: Vec<Value> = v
        .verdict
        .violations
        .iter()
        .map(|x| {
            let mut o = json!({"rule": x.rule, "message": x.message});
            if let Some(t) = x.ready_at {
                o["ready_at"] = json!(rfc3339(t));
            }
            o
        })
        .collect();
    json!({
        "release": release,
        "from": v.from,
        "to": v.to,
        "at": rfc3339(v.at),
        "ready": v.ready(),
        "ready_at": v.ready_at().map(rfc3339),
        "earliest": v.earliest().map(rfc3339),
        "violations": violations,
    })
}

/// For people: every violation, then "ready at" only when nobody needs to
/// act (time alone clears it); otherwise what must be done first and the
/// earliest instant the time rules allow. `now` is the clock's time: a
/// verdict asked for another time (`--at`) never says "now".
pub fn check_text(
    cal: &Calendar,
    release: &str,
    v: &PromotionVerdict,
    now: DateTime<Utc>,
) -> String {
    let mut out = Vec::new();
    if v.ready() {
        let to = v.to.as_deref().unwrap_or("-");
        out.push(format!(
            "{release}: ready to move {} -> {to} ({})",
            v.from,
            when(cal, v.at)
        ));
        if let Some(close) = v.window_closes_at {
            out.push(format!("the window closes at {}", when(cal, close)));
        }
        return out.join("\n");
    }
    out.push(match &v.to {
        Some(to) => format!(
            "{release}: not ready to move {} -> {to} ({})",
            v.from,
            when(cal, v.at)
        ),
        None => format!(
            "{release}: cannot move on from {} ({})",
            v.from,
            when(cal, v.at)
        ),
    });
    for x in &v.verdict.violations {
        out.push(format!("  [{}] {}", x.rule, x.message));
    }
    out.extend(waiting_text(cal, v, now));
    out.join("\n")
}

/// The lines after the violations: when a verdict that is not ready can be.
pub fn waiting_text(cal: &Calendar, v: &PromotionVerdict, now: DateTime<Utc>) -> Vec<String> {
    if v.ready() {
        return Vec::new();
    }
    if v.impossible() {
        let codes: Vec<&str> = v
            .blocking_codes()
            .into_iter()
            .filter(|c| matches!(c, RuleCode::State | RuleCode::Order))
            .map(|c| c.as_str())
            .collect();
        return vec![format!(
            "no earliest time: the move is not possible as things stand ({})",
            codes.join(", ")
        )];
    }
    let blocking = v.blocking_codes();
    if blocking.is_empty() {
        return vec![match v.ready_at() {
            Some(t) => format!("ready at {}", when(cal, t)),
            None => "ready at: never; the time rules never pass as configured".into(),
        }];
    }
    let codes: Vec<&str> = blocking.iter().map(|c| c.as_str()).collect();
    vec![
        format!("to be done first: {}", codes.join(", ")),
        match v.earliest() {
            Some(t) if t > v.at => format!("earliest: {} (the time rules pass then)", when(cal, t)),
            Some(_) if v.at == now => "earliest: now (the time rules pass)".into(),
            // Asked about another time (`--at`): the time rules already pass
            // at that instant, which is not "now".
            Some(_) => format!(
                "earliest: {}, the time asked (the time rules already pass then)",
                when(cal, v.at)
            ),
            None => "earliest: never; the time rules never pass as configured".into(),
        },
    ]
}
