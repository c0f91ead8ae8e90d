//! What a release's own history says, read as facts for the rules: when its
//! content last changed, where it has been, and the latest instant it
//! records. Derived from the events the manifest keeps (each carries its
//! time), so no second record can disagree with them.

use chrono::{DateTime, Utc};

use crate::model::release::Release;

/// History actions that change a release's content: a soak counts the
/// content that is there now, so each of these starts it again.
pub const CONTENT_CHANGES: [&str; 3] = ["group", "ungroup", "unfreeze"];

/// History actions that put a release into the environment they name
/// (`env`); promotions and rollbacks also name the one left (`from`).
pub const MOVES: [&str; 3] = ["new", "promote", "rollback"];

/// The instant the soak in the current environment counts from: the later
/// of the entry into it and the last change of content while there (a
/// change before the entry is older than the entry, so the later of the two
/// is all it takes).
pub fn soak_from(r: &Release) -> DateTime<Utc> {
    r.history
        .iter()
        .filter(|e| CONTENT_CHANGES.contains(&e.action.as_str()))
        .map(|e| e.at)
        .fold(r.entered_at, DateTime::max)
}

/// Whether the history shows the release entered environment `env` (names
/// compare ignoring case): a move into it or out of it, or being in it now.
pub fn has_entered(r: &Release, env: &str) -> bool {
    r.environment.eq_ignore_ascii_case(env)
        || r.history
            .iter()
            .filter(|e| MOVES.contains(&e.action.as_str()))
            .flat_map(|e| [e.env.as_deref(), e.from.as_deref()])
            .flatten()
            .any(|name| name.eq_ignore_ascii_case(env))
}

/// The latest instant the release records and what happened then: its
/// history's events, and (for a manifest written without history) its
/// creation and its entry into its environment. Time never runs backwards
/// from here.
pub fn last_recorded(r: &Release) -> (DateTime<Utc>, String) {
    let mut latest = (r.created_at, "created".to_string());
    if r.entered_at > latest.0 {
        latest = (r.entered_at, format!("entered {}", r.environment));
    }
    for e in &r.history {
        if e.at >= latest.0 {
            latest = (e.at, e.action.clone());
        }
    }
    latest
}

/// Time moves forward: a change to `r` at `now` earlier than the latest
/// instant `r` records is invalid input (two machines' clocks disagree, or
/// `REL_NOW` is set back). Err carries a message naming both instants.
pub fn time_moves_forward(r: &Release, now: DateTime<Utc>) -> Result<(), String> {
    let (last, what) = last_recorded(r);
    if now >= last {
        return Ok(());
    }
    Err(format!(
        "now ({}) is earlier than the last event of {} ({what} at {}); history never runs \
         backwards: check the clock or REL_NOW",
        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        r.id,
        last.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    ))
}

/// The same for an incident: its newest recorded instant (created,
/// authorised, evidence, components, history) is not after `now`.
pub fn incident_time_moves_forward(
    i: &crate::model::incident::Incident,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let last = std::iter::once(i.created_at)
        .chain(i.authorisation.iter().map(|a| a.at))
        .chain(i.evidence.iter().map(|e| e.at))
        .chain(i.components.iter().map(|c| c.at))
        .chain(i.history.iter().map(|e| e.at))
        .max()
        .unwrap_or(i.created_at);
    if now >= last {
        return Ok(());
    }
    Err(format!(
        "now ({}) is earlier than the last event of incident {} ({}); history never runs \
         backwards: check the clock or REL_NOW",
        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        i.id,
        last.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    ))
}

#[cfg(test)]
#[path = "tests/history_tests.rs"]
mod tests;
