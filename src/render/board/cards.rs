//! One release's card: what it is, where it is and since when, its
//! readiness (a word and a sign as well as a colour), its hold, its
//! schedules and its plan.

use crate::model::rule::RuleCode;
use crate::render::table::Tone;

use super::{anchor, esc, time, timeline, Board, Card, ScheduleCard};

/// The class, the word and the sign of a readiness tone.
pub fn tone_words(tone: Tone) -> (&'static str, &'static str, &'static str) {
    match tone {
        Tone::Good => ("ready", "Ready", "&#10003;"),
        Tone::Waiting => ("waiting", "Waiting", "&#9719;"),
        Tone::Bad => ("blocked", "Blocked", "&#10005;"),
    }
}

pub fn card(board: &Board, c: &Card) -> String {
    let (class, word, sign) = tone_words(c.readiness.1);
    let id = anchor("release", &c.id);
    let mut out = format!(
        "<article class=\"card {class}\" id=\"{id}\" aria-labelledby=\"{id}-title\">\n\
         <h3 id=\"{id}-title\"><span class=\"id\">{}</span> <span class=\"version\">{}</span></h3>\n\
         <p class=\"title\">{}</p>\n",
        esc(&c.id),
        esc(&c.version),
        esc(&c.title)
    );
    let days = if c.days == 1 { "day" } else { "days" };
    let next = c
        .next
        .as_deref()
        .map(|n| format!(", next: {}", esc(n)))
        .unwrap_or_default();
    out.push_str(&format!(
        "<p class=\"meta\">{} {}, here since {} ({} business {days}){next}</p>\n",
        esc(&c.kind),
        esc(&c.state),
        time(c.entered_at, board.tz),
        c.days,
    ));
    out.push_str(&format!(
        "<p class=\"readiness\"><span class=\"badge {class}\"><span aria-hidden=\"true\">{sign} </span>{word}</span> {}</p>\n",
        esc(&c.readiness.0)
    ));
    if c.update_of.is_some() || c.path.is_some() {
        let mut parts = Vec::new();
        if let Some((i, from)) = &c.update_of {
            parts.push(format!("update of {} from {}", esc(i), esc(from)));
        }
        if let Some(p) = &c.path {
            parts.push(format!("{} path", esc(p)));
        }
        if c.update_of.is_some() {
            parts.push(super::layout::carries_text(&c.carries));
        }
        out.push_str(&format!("<p class=\"update\">{}</p>\n", parts.join(", ")));
    }
    if let Some(h) = &c.held {
        out.push_str(&format!(
            "<p class=\"hold\"><strong>On hold</strong> since {} by {}: {}</p>\n",
            time(h.at, board.tz),
            esc(&h.by),
            esc(&h.reason)
        ));
    }
    if !c.schedules.is_empty() {
        out.push_str("<ul class=\"schedules\" aria-label=\"Schedules\">\n");
        for s in &c.schedules {
            out.push_str(&schedule(board, s));
        }
        out.push_str("</ul>\n");
    }
    out.push_str(&timeline::plan(board, c));
    out.push_str("</article>");
    out
}

fn schedule(board: &Board, s: &ScheduleCard) -> String {
    let sc = &s.schedule;
    let slot = sc
        .slot
        .map(|slot| format!(" (slot {slot})"))
        .unwrap_or_default();
    let who = if sc.auto {
        format!("zero-touch, after a change by {}", esc(&sc.by))
    } else {
        format!("by {}", esc(&sc.by))
    };
    let note = sc
        .note
        .as_deref()
        .map(|n| format!(": {}", esc(n)))
        .unwrap_or_default();
    let mut out = format!(
        "<li class=\"schedule\"><strong>Scheduled</strong> into {} at {}{slot}, {who}{note}",
        esc(&sc.env),
        time(sc.at, board.tz)
    );
    if !s.refusals.is_empty() {
        out.push_str(&format!(
            " <span class=\"problem\">&#9888; cannot be applied then: {}</span>",
            codes(&s.refusals)
        ));
    }
    if !s.to_do.is_empty() {
        out.push_str(&format!(
            " <span class=\"todo\">still to do by then: {}</span>",
            codes(&s.to_do)
        ));
    }
    out.push_str("</li>\n");
    out
}

pub fn codes(codes: &[RuleCode]) -> String {
    codes
        .iter()
        .map(|c| esc(c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}
