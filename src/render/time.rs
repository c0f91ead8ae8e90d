//! Instants as people and scripts read them.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

/// RFC 3339 UTC, `2026-11-25T15:00:00Z`: what JSON and manifests carry.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Local time in the calendar's timezone for tables: `2026-11-25 15:00 GMT`.
pub fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}
