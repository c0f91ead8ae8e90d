//! What a notifier was told: the test notifier appends one JSON event a line.

use serde_json::Value;

/// The events in the notifier's log, oldest first (none if it never ran).
#[must_use]
#[track_caller]
pub fn events(log: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("event JSON"))
        .collect()
}
