//! The facts schedules are decided with, gathered from the repository once:
//! releases in progress (occupants of exclusive environments, other
//! releases' slots), and the time a person typed.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};

use crate::context::parse_instant;
use crate::error::invalid;
use crate::model::calendar::Calendar;
use crate::model::pipeline::Pipeline;
use crate::model::quote::quoted;
use crate::model::release::Release;
use crate::model::schedule::Schedule;
use crate::rules::auto_schedule::after_change;
use crate::store::Workspace;

/// Releases in progress, in id order. Reads the head of every manifest
/// quickly and parses only those still in progress (a repository may hold
/// 10,000 releases, nearly all of them finished).
pub fn in_progress(ws: &Workspace) -> anyhow::Result<Vec<Release>> {
    ws.releases_in_progress()
}

/// The releases in progress, then the finished releases any of them
/// depends on (contract 11.4): the rules see where those stand, and pass
/// over them for everything else (they are not in progress).
pub fn in_progress_and_dependencies(ws: &Workspace) -> anyhow::Result<Vec<Release>> {
    let mut all = in_progress(ws)?;
    let mut wanted: Vec<String> = Vec::new();
    for r in &all {
        for d in &r.depends {
            let known = all.iter().any(|o| o.id.eq_ignore_ascii_case(&d.release))
                || wanted.iter().any(|w| w.eq_ignore_ascii_case(&d.release));
            if !known {
                wanted.push(d.release.clone());
            }
        }
    }
    for id in wanted {
        if let Ok(found) = ws.load_past::<Release>(&id) {
            all.push(found);
        }
    }
    Ok(all)
}

pub use crate::rules::schedule::Facts;

impl Facts {
    pub fn load(ws: &Workspace, p: &Pipeline, except: &str) -> anyhow::Result<Facts> {
        Ok(Facts::of(p, &in_progress_and_dependencies(ws)?, except))
    }
}

/// Zero-touch: adds to `release` (as it is after the change being
/// committed) the schedules its `auto_schedule` environments now get, and
/// returns them (to notify once committed). Reads other releases only when
/// the release's own pipeline has an `auto_schedule` environment.
pub fn zero_touch(
    ws: &Workspace,
    p: &Pipeline,
    release: &mut Release,
    by: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<Schedule>> {
    // `p` may be the whole file: the release's environments are those of
    // its own pipeline (contract 11.2), not the default one.
    if !p
        .lane_of(release)
        .environments
        .iter()
        .any(|e| e.auto_schedule)
    {
        return Ok(Vec::new());
    }
    let facts = Facts::load(ws, p, &release.id)?;
    let made = after_change(p, release, &facts.others(), now, by);
    release.schedules.extend(made.iter().cloned());
    Ok(made)
}

/// What `--at` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    At(DateTime<Utc>),
    Earliest,
}

/// `--at`: RFC 3339, `YYYY-MM-DD HH:MM` in the calendar's timezone, or
/// `earliest`. A local time that does not exist (skipped by a change to
/// summer time) or happens twice (the hour repeated in autumn) is exit 2:
/// rel does not guess which instant was meant.
pub fn parse_when(cal: &Calendar, text: &str) -> anyhow::Result<When> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("earliest") {
        return Ok(When::Earliest);
    }
    if let Ok(t) = parse_instant(text) {
        return Ok(When::At(t));
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").map_err(|_| {
        invalid(format!(
            "--at {}: expected an RFC 3339 instant (2026-12-05T02:00:00Z), a local time \
             `YYYY-MM-DD HH:MM` in {}, or `earliest`",
            quoted(text),
            cal.timezone.name()
        ))
    })?;
    match cal.timezone.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(When::At(t.with_timezone(&Utc))),
        LocalResult::Ambiguous(a, b) => Err(invalid(format!(
            "--at {}: {} happens twice in {} (clocks go back); give the instant with its offset: \
             {} or {}",
            quoted(text),
            local.format("%Y-%m-%d %H:%M"),
            cal.timezone.name(),
            a.to_rfc3339(),
            b.to_rfc3339()
        ))),
        LocalResult::None => Err(invalid(format!(
            "--at {}: {} does not exist in {} (clocks go forward then); choose another time",
            quoted(text),
            local.format("%Y-%m-%d %H:%M"),
            cal.timezone.name()
        ))),
    }
}
