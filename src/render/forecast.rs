//! `rel forecast` for people (one line per step) and for scripts (the JSON
//! of contract 11.8).

use serde_json::{json, Value};

use crate::model::calendar::Calendar;
use crate::render::text::shown as safe;
use crate::render::time::rfc3339;
use crate::rules::forecast::{Forecast, ReleaseForecast, Stop, Wait, WaitKind};
use crate::rules::verdict::when;

/// The document of contract 11.8 (with `installation`, `closed_at`,
/// `stopped` and `waiting` besides, and each wait's `message`).
pub fn forecast_json(f: &Forecast, shown: &[&ReleaseForecast]) -> Value {
    json!({
        "at": rfc3339(f.at),
        "until": rfc3339(f.until),
        "releases": shown.iter().map(|r| release_json(r)).collect::<Vec<_>>(),
    })
}

fn release_json(r: &ReleaseForecast) -> Value {
    json!({
        "release": r.release,
        "pipeline": r.pipeline,
        "installation": r.installation,
        "steps": r.steps.iter().map(|s| json!({
            "env": s.env,
            "enter": rfc3339(s.enter),
            "leave": s.leave.map(rfc3339),
            "waits": s.waits.iter().map(wait_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "done_at": r.done_at.map(rfc3339),
        "closed_at": r.closed_at.map(rfc3339),
        "stopped": r.stopped.as_ref().map(stop_json),
        "waiting": r.waiting.iter().map(wait_json).collect::<Vec<_>>(),
    })
}

fn wait_json(w: &Wait) -> Value {
    let mut v = json!({
        "rule": w.kind.as_str(),
        "until": w.until.map(rfc3339),
        "message": w.message,
    });
    if let (Some(map), Some(other)) = (v.as_object_mut(), &w.behind) {
        // The release ahead in the queue; for a dependency, the one waited for.
        let key = match w.kind {
            WaitKind::Rule(crate::model::rule::RuleCode::Depends) => "on",
            _ => "behind",
        };
        map.insert(key.into(), json!(other));
    }
    v
}

fn stop_json(s: &Stop) -> Value {
    json!({"env": s.env, "at": rfc3339(s.at), "rule": s.rule, "message": s.message, "who": s.who})
}

/// One line per step: the stay a release is in now, each entry ahead with
/// why it came no sooner, and where it stops or what it still waits for.
pub fn forecast_lines(cal: &Calendar, f: &Forecast, shown: &[&ReleaseForecast]) -> Vec<String> {
    let t = |x| when(cal, x);
    let mut out = vec![format!("forecast from {} to {}", t(f.at), t(f.until))];
    let width = shown
        .iter()
        .flat_map(|r| r.steps.iter().map(|s| s.env.chars().count()))
        .max()
        .unwrap_or(0);
    // Ids of updates (`acme-5.3.0`) and of releases differ in length: the
    // columns line up on the longest shown.
    let id_width = shown
        .iter()
        .map(|r| safe(&r.release).chars().count())
        .max()
        .unwrap_or(0);
    for r in shown {
        let id = format!("{:id_width$}", safe(&r.release));
        for (n, s) in r.steps.iter().enumerate() {
            let env = format!("{:width$}", safe(&s.env));
            let leave = match s.leave {
                Some(l) => format!("leaves {}", t(l)),
                None if r.done_at == Some(s.enter) => match r.closed_at {
                    // Taken as closed because another waits for its release.
                    Some(c) => format!("done, closed {} (rel close)", t(c)),
                    None => "done".to_string(),
                },
                None => "stays".to_string(),
            };
            let mut line = if n == 0 {
                format!("{id}  {env}  in since {}, {leave}", t(s.enter))
            } else {
                format!("{id}  {env}  enters {}, {leave}", t(s.enter))
            };
            if !s.waits.is_empty() {
                line.push_str("; waited for ");
                line.push_str(&waits_text(cal, &s.waits));
            }
            out.push(line);
        }
        if let Some(s) = &r.stopped {
            let who = if s.who.is_empty() {
                String::new()
            } else {
                format!(" (who: {})", safe(&s.who.join("; ")))
            };
            // Done but stopped: in its last environment, left open for a
            // person to close (`--strict`).
            let place = if r.done_at.is_some() { "in" } else { "before" };
            out.push(format!(
                "{id}  stops {place} {} at {}: {}: {}{who}",
                safe(&s.env),
                t(s.at),
                s.rule,
                safe(&s.message)
            ));
        } else if r.done_at.is_none() {
            let waiting = if r.waiting.is_empty() {
                String::new()
            } else {
                format!("; waiting for {}", waits_text(cal, &r.waiting))
            };
            out.push(format!("{id}  not done by {}{waiting}", t(f.until)));
        }
    }
    out
}

fn waits_text(cal: &Calendar, waits: &[Wait]) -> String {
    waits
        .iter()
        .map(|w| {
            let who = match (&w.behind, w.kind) {
                (Some(o), WaitKind::Rule(crate::model::rule::RuleCode::Depends)) => {
                    format!(" on {}", safe(o))
                }
                (Some(o), _) => format!(" behind {}", safe(o)),
                (None, _) => String::new(),
            };
            let until = match w.until {
                Some(u) => format!(" until {}", when(cal, u)),
                None => String::new(),
            };
            format!("{}{who}{until}", w.kind.as_str())
        })
        .collect::<Vec<_>>()
        .join(", ")
}
