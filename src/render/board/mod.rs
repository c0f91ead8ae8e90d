//! `rel board`: the pipeline as a static HTML page (plain HTML and CSS, no
//! script, nothing fetched), from what the commands computed: the same
//! readiness as `rel status`, the schedules and holds, the plan of
//! `rel plan`. Pure: values in, text out.
//!
//! Everything that comes from the repository (titles, notes, reasons,
//! names) is escaped with `esc`; nothing reaches the page raw.

mod cards;
pub mod css;
mod fleet;
mod forecast;
mod layout;
mod timeline;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::model::rule::RuleCode;
use crate::model::schedule::{Hold, Schedule};
use crate::rules::fleet::Fleet;

use super::table::Tone;

pub use layout::env_tags;

/// The files of a board, in the order they are written: the style sheet
/// first, so the page never refers to a sheet not yet there.
pub const STYLE_FILE: &str = "board.css";
pub const PAGE_FILE: &str = "index.html";
/// The fleet page (contract 11.9), linked from the page and back.
pub const FLEET_FILE: &str = "fleet.html";

/// Everything the page shows.
pub struct Board {
    pub now: DateTime<Utc>,
    /// The calendar's timezone: instants are shown in it.
    pub tz: Tz,
    pub columns: Vec<Column>,
    /// Client installations (contract section 8), by name.
    pub installations: Vec<InstallationRow>,
    /// The fleet, as `rel fleet` computes it, for the fleet page.
    pub fleet: Fleet,
    /// The forecast of every release in progress (`rel forecast`).
    pub forecast: Option<crate::rules::forecast::Forecast>,
}

/// An installation: what it runs and its updates in progress.
pub struct InstallationRow {
    pub name: String,
    pub version: String,
    pub windows: Vec<String>,
    pub timezone: Option<String>,
    /// (release id, environment) of each update in progress.
    pub updates: Vec<(String, String)>,
}

/// One environment (or, `outside`, releases in an environment the
/// pipeline no longer has).
pub struct Column {
    pub env: String,
    pub outside: bool,
    /// Its rules in a word or two each (`env_tags`).
    pub tags: Vec<String>,
    pub cards: Vec<Card>,
}

/// One release in progress.
pub struct Card {
    pub id: String,
    pub title: String,
    pub version: String,
    pub kind: String,
    pub state: String,
    pub environment: String,
    /// Its environment is not one of the pipeline's: it has no plan.
    pub outside: bool,
    pub entered_at: DateTime<Utc>,
    /// Business days of soak there (as `rel status` counts them).
    pub days: u32,
    pub next: Option<String>,
    /// `rel status`'s readiness: its words and its tone.
    pub readiness: (String, Tone),
    pub held: Option<Hold>,
    /// An update's installation and the version it starts from.
    pub update_of: Option<(String, String)>,
    /// The update path, when the pipeline has paths.
    pub path: Option<String>,
    /// The product releases an update carries (contract 11.3), oldest first.
    pub carries: Vec<String>,
    pub schedules: Vec<ScheduleCard>,
    /// The plan: one step per environment ahead.
    pub steps: Vec<Step>,
}

/// A schedule, with what deciding it again now finds.
pub struct ScheduleCard {
    pub schedule: Schedule,
    /// Rules that would refuse it now (time, order, conflict...).
    pub refusals: Vec<RuleCode>,
    /// Rules still to be met by then (approval, checklist...).
    pub to_do: Vec<RuleCode>,
}

/// A step of `rel plan`.
pub struct Step {
    pub env: String,
    pub earliest: Option<DateTime<Utc>>,
    pub blocked_by: Vec<RuleCode>,
    pub scheduled: Option<DateTime<Utc>>,
}

impl Board {
    pub fn release_count(&self) -> usize {
        self.columns.iter().map(|c| c.cards.len()).sum()
    }

    /// The card of release `id`.
    pub fn card(&self, id: &str) -> Option<&Card> {
        self.columns
            .iter()
            .flat_map(|c| &c.cards)
            .find(|c| c.id == id)
    }
}

/// The page, `index.html`.
pub fn page(board: &Board) -> String {
    layout::page(board)
}

/// The fleet page, `fleet.html`.
pub fn fleet_page(board: &Board) -> String {
    fleet::page(board)
}

/// The style sheet, `board.css`.
pub fn style() -> String {
    css::sheet()
}

/// Text made safe for HTML content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An instant as a `<time>` element: machine-readable, shown in the
/// calendar's timezone.
pub(crate) fn time(t: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "<time datetime=\"{}\">{}</time>",
        super::time::rfc3339(t),
        esc(&super::time::local(t, tz))
    )
}

/// A fragment id for `text` (ids are already safe; this keeps it so for
/// any name, and lower-case so links are stable).
pub(crate) fn anchor(prefix: &str, text: &str) -> String {
    let slug: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{prefix}-{slug}")
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            esc(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }
}
