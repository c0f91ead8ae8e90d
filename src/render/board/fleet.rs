//! The fleet page, `fleet.html` (contract 11.9): the `Fleet` that `rel
//! fleet` prints, as a page beside the board: the summary, then a table
//! with a row per installation and its update in progress. Linked from the
//! board's header and back; an update links to its card on the board.
//! Every name, version and reason from the repository goes through `esc`.

use std::collections::BTreeMap;

use crate::render::fleet::health_word;
use crate::rules::fleet::{FleetLine, Summary};

use super::layout::{footer, head};
use super::{anchor, esc, time, Board, PAGE_FILE};

pub fn page(board: &Board) -> String {
    let fleet = &board.fleet;
    let asof = super::super::time::local(board.now, board.tz);
    let n = fleet.installations.len();
    let updates = fleet
        .installations
        .iter()
        .filter(|l| l.update.is_some())
        .count();
    let mut out = head(&format!("Fleet as of {asof}"));
    out.push_str(&format!(
        "<header class=\"top\">\n<h1>Fleet</h1>\n<p class=\"asof\">As of {}: {}, {}.</p>\n\
         <nav aria-label=\"Pages\">\n<ul>\n<li><a href=\"{PAGE_FILE}\">Release board</a></li>\n</ul>\n</nav>\n</header>\n",
        time(board.now, board.tz),
        count(n, "installation"),
        count(updates, "update in progress"),
    ));
    out.push_str("<main id=\"fleet\">\n");
    out.push_str(&summary(&fleet.summary));
    out.push_str(&table(board, &fleet.installations));
    out.push_str("</main>\n");
    out.push_str(&footer(board));
    out
}

/// "1 installation", "2 installations", "no installations".
fn count(n: usize, what: &str) -> String {
    match n {
        0 => format!("no {}", plural(what)),
        1 => format!("1 {what}"),
        n => format!("{n} {}", plural(what)),
    }
}

/// "installation" -> "installations", "update in progress" -> "updates in
/// progress": the first word takes the s.
fn plural(what: &str) -> String {
    match what.split_once(' ') {
        Some((first, rest)) => format!("{first}s {rest}"),
        None => format!("{what}s"),
    }
}

fn summary(s: &Summary) -> String {
    let counts = |m: &BTreeMap<String, usize>| -> String {
        if m.is_empty() {
            return "none".into();
        }
        m.iter()
            .map(|(k, n)| format!("{}: {n}", esc(k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::from(
        "<section class=\"summary\" aria-labelledby=\"summary-title\">\n\
         <h2 id=\"summary-title\">Summary</h2>\n<dl>\n",
    );
    for (term, value) in [
        ("Installations per version", counts(&s.versions)),
        ("Updates per environment", counts(&s.environments)),
        ("Blocked updates per rule", counts(&s.blocked)),
        (
            "Failed health reports waiting for a person",
            s.failed_health.to_string(),
        ),
    ] {
        out.push_str(&format!("<dt>{term}</dt><dd>{value}</dd>\n"));
    }
    if let Some(c) = s.campaign {
        out.push_str(&format!(
            "<dt>Campaign</dt><dd>{} done, {} on the way, {} not started</dd>\n",
            c.done, c.in_progress, c.not_started
        ));
    }
    out.push_str("</dl>\n</section>\n");
    out
}

fn table(board: &Board, lines: &[FleetLine]) -> String {
    let mut out = String::from(
        "<section class=\"fleet\" aria-labelledby=\"fleet-title\">\n\
         <h2 id=\"fleet-title\">Installations</h2>\n",
    );
    if lines.is_empty() {
        out.push_str(
            "<p class=\"empty\">No installations: register one with \
             <code>rel installation new</code>.</p>\n</section>\n",
        );
        return out;
    }
    out.push_str(
        "<table class=\"fleet\">\n<thead><tr><th scope=\"col\">Installation</th>\
         <th scope=\"col\">Runs</th><th scope=\"col\">Update</th><th scope=\"col\">To</th>\
         <th scope=\"col\">Environment</th><th scope=\"col\">State</th>\
         <th scope=\"col\">Next schedule</th><th scope=\"col\">Health</th>\
         <th scope=\"col\">Held</th><th scope=\"col\">Blocked by</th></tr></thead>\n<tbody>\n",
    );
    for l in lines {
        let name = format!(
            "<th scope=\"row\" id=\"{}\">{}</th><td>{}</td>",
            anchor("installation", &l.name),
            esc(&l.name),
            esc(&l.version)
        );
        let Some(u) = &l.update else {
            out.push_str(&format!(
                "<tr>{name}<td class=\"none\" colspan=\"8\">no update in progress</td></tr>\n"
            ));
            continue;
        };
        let next = u.next_schedule().map_or("-".to_string(), |(env, at)| {
            format!("{} at {}", esc(env), time(*at, board.tz))
        });
        let health = match u.health {
            None => "-".to_string(),
            Some(true) => health_word(true).to_string(),
            Some(false) => format!("<span class=\"problem\">{}</span>", health_word(false)),
        };
        let held = match &u.held {
            None => "no".to_string(),
            Some(reason) => format!("<span class=\"hold\">held: {}</span>", esc(reason)),
        };
        let blocked = if u.blocked_by.is_empty() {
            "<span class=\"badge ready\"><span aria-hidden=\"true\">&#10003; </span>Ready</span>"
                .to_string()
        } else {
            esc(&u.blocked_by.join(", "))
        };
        out.push_str(&format!(
            "<tr>{name}<td><a href=\"{PAGE_FILE}#{}\">{}</a></td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{next}</td><td>{health}</td><td>{held}</td><td>{blocked}</td></tr>\n",
            anchor("release", &u.release),
            esc(&u.release),
            esc(&u.version),
            esc(&u.environment),
            esc(&u.state),
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::{count, plural};

    #[test]
    fn counts_are_said_in_words() {
        assert_eq!(count(0, "installation"), "no installations");
        assert_eq!(count(1, "update in progress"), "1 update in progress");
        assert_eq!(count(3, "update in progress"), "3 updates in progress");
        assert_eq!(plural("rule"), "rules");
    }
}
