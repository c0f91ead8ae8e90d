//! The forecast of every release in progress as one timeline (contract
//! 11.8): one row per release, its stays laid out between now and the end
//! of the forecast, and under it each entry with why it came no sooner
//! (the words of `rel forecast`). The bars are only a picture: every date
//! and reason is also text.

use chrono::{DateTime, Utc};

use crate::rules::forecast::{Forecast, ReleaseForecast, WaitKind};

use super::{anchor, esc, time, Board};

pub fn section(board: &Board) -> String {
    let Some(f) = &board.forecast else {
        return String::new();
    };
    if f.releases.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<section class=\"forecast\" aria-labelledby=\"forecast-title\">\n\
         <h2 id=\"forecast-title\">Forecast</h2>\n\
         <p class=\"note\">Every release in progress moved on from {} as soon as its rules pass, \
         given all the others, up to {} (as <code>rel forecast</code>; approvals, checklists, \
         health checks and freezes taken as done when due).</p>\n<ol class=\"forecast-rows\">\n",
        time(f.at, board.tz),
        time(f.until, board.tz)
    );
    for r in &f.releases {
        out.push_str(&row(board, f, r));
    }
    out.push_str("</ol>\n</section>\n");
    out
}

fn row(board: &Board, f: &Forecast, r: &ReleaseForecast) -> String {
    let mut out = format!(
        "<li class=\"forecast-row\">\n<p class=\"forecast-id\"><a href=\"#{}\">{}</a> {}</p>\n\
         <div class=\"forecast-track\" aria-hidden=\"true\">",
        anchor("release", &r.release),
        esc(&r.release),
        outcome(board, r)
    );
    // Stays follow one another on the line: each one's margin is the gap
    // since the end of the one before.
    let mut cursor = f.at;
    for s in &r.steps {
        let (from, to) = (s.enter.max(cursor), s.leave.unwrap_or(f.until).min(f.until));
        if to <= from {
            continue;
        }
        out.push_str(&format!(
            "<span class=\"forecast-stay\" style=\"margin-left:{:.2}%;width:{:.2}%\">{}</span>",
            share(f, cursor, from),
            share(f, from, to),
            esc(&s.env)
        ));
        cursor = to;
    }
    out.push_str("</div>\n<ul class=\"forecast-steps\">\n");
    for s in r.steps.iter().skip(1) {
        out.push_str(&format!(
            "<li><span class=\"env\">{}</span> {}",
            esc(&s.env),
            time(s.enter, board.tz)
        ));
        if !s.waits.is_empty() {
            let waits: Vec<String> = s
                .waits
                .iter()
                .map(|w| {
                    let who = match (&w.behind, w.kind) {
                        (Some(o), WaitKind::Rule(crate::model::rule::RuleCode::Depends)) => {
                            format!(" on {}", esc(o))
                        }
                        (Some(o), _) => format!(" behind {}", esc(o)),
                        (None, _) => String::new(),
                    };
                    let until = w
                        .until
                        .map(|u| format!(" until {}", time(u, board.tz)))
                        .unwrap_or_default();
                    format!("{}{who}{until}", w.kind.as_str())
                })
                .collect();
            out.push_str(&format!(
                " <span class=\"waited\">waited for {}</span>",
                waits.join(", ")
            ));
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n</li>\n");
    out
}

/// Done, stopped, or not done by the end, in words.
fn outcome(board: &Board, r: &ReleaseForecast) -> String {
    match (&r.stopped, r.done_at) {
        (Some(s), done) => format!(
            "<span class=\"forecast-stop\">stops {} {}: {} ({})</span>",
            // Done but left open for a person to close (`--strict`).
            if done.is_some() { "in" } else { "before" },
            esc(&s.env),
            esc(&s.rule),
            esc(&s.message)
        ),
        (None, Some(t)) => format!("done {}", time(t, board.tz)),
        (None, None) => "not done by the end of the forecast".to_string(),
    }
}

/// The part of the forecast's span from `a` to `b`, in percent.
fn share(f: &Forecast, a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    let span = (f.until - f.at).num_seconds().max(1) as f64;
    ((b - a).num_seconds() as f64 / span * 100.0).clamp(0.0, 100.0)
}
