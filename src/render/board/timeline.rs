//! A release's plan as a timeline: where it is now, then the earliest entry
//! into each environment ahead (`rel plan`'s steps), what still blocks each,
//! and the schedule booked for it.

use super::cards::codes;
use super::{esc, time, Board, Card};

pub fn plan(board: &Board, c: &Card) -> String {
    let mut out = String::from("<h4>Plan</h4>\n<ol class=\"timeline\">\n");
    out.push_str(&format!(
        "<li class=\"current\"><span class=\"env\">{}</span> now, since {}</li>\n",
        esc(&c.environment),
        time(c.entered_at, board.tz)
    ));
    if c.outside {
        out.push_str("<li>no plan: the pipeline has no such environment</li>\n");
    } else if c.steps.is_empty() {
        out.push_str("<li>nothing ahead: the last environment</li>\n");
    }
    for s in &c.steps {
        let when = match s.earliest {
            Some(t) => format!("earliest {}", time(t, board.tz)),
            None => "no date: it cannot get there as things stand".to_string(),
        };
        out.push_str(&format!(
            "<li><span class=\"env\">{}</span> {when}",
            esc(&s.env)
        ));
        if let Some(at) = s.scheduled {
            out.push_str(&format!("; scheduled {}", time(at, board.tz)));
        }
        if !s.blocked_by.is_empty() {
            out.push_str(&format!(
                " <span class=\"blocked-by\">still blocked by: {}</span>",
                codes(&s.blocked_by)
            ));
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
    out
}
