//! The answer to "may this release move?", for people and for scripts.

use serde_json::{json, Value};

use crate::model::calendar::Calendar;
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
        "ready_at": if v.ready() { Some(rfc3339(v.at)) } else { v.ready_at().map(rfc3339) },
        "violations": violations,
    })
}

pub fn check_text(cal: &Calendar, release: &str, v: &PromotionVerdict) -> String {
    let mut out = Vec::new();
    if v.ready() {
        out.push(format!(
            "{release}: ready to move {} -> {} ({})",
            v.from,
            v.to,
            when(cal, v.at)
        ));
        if let Some(close) = v.window_closes_at {
            out.push(format!("the window closes at {}", when(cal, close)));
        }
        return out.join("\n");
    }
    out.push(format!(
        "{release}: not ready to move {} -> {} ({})",
        v.from,
        v.to,
        when(cal, v.at)
    ));
    for x in &v.verdict.violations {
        out.push(format!("  [{}] {}", x.rule, x.message));
    }
    let blocking = v.blocking_codes();
    match v.time_ready_at.filter(|_| blocking.is_empty()) {
        Some(t) => out.push(format!("ready at {}", when(cal, t))),
        None if blocking.is_empty() => {
            out.push("ready at: never; the time rules never pass as configured".into())
        }
        None => {
            let codes: Vec<&str> = blocking.iter().map(|c| c.as_str()).collect();
            let time = match v.time_ready_at {
                Some(t) if t > v.at => format!("; the time rules pass at {}", when(cal, t)),
                Some(_) => String::new(),
                None => "; the time rules never pass as configured".into(),
            };
            out.push(format!(
                "ready at: not until {} {} met{time}",
                codes.join(", "),
                if codes.len() == 1 { "is" } else { "are" }
            ));
        }
    }
    out.join("\n")
}
