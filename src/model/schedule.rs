//! Planned promotions and holds, kept in the release's manifest (contract
//! section 7): `[[schedules]]` and `[held]`.

use chrono::{DateTime, Duration, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::span::Span;

/// A planned promotion of the release into `env` at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub env: String,
    pub at: DateTime<Utc>,
    /// The maintenance window booked from `at`; absent means none (0).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "read_slot",
        serialize_with = "write_slot"
    )]
    pub slot: Option<Span>,
    /// `Name <email>` of who made it (for `auto`, who made the change that
    /// scheduled it).
    pub by: String,
    pub made_at: DateTime<Utc>,
    /// Made by rel (zero-touch), not by a person.
    #[serde(default)]
    pub auto: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Schedule {
    /// The end of the slot: a schedule without a slot still occupies its
    /// own instant, so two releases booked into an exclusive environment at
    /// the same instant overlap.
    pub fn until(&self) -> DateTime<Utc> {
        let secs = self.slot.map(|s| s.as_std().as_secs()).unwrap_or(1).max(1);
        let secs = i64::try_from(secs).unwrap_or(i64::MAX);
        Duration::try_seconds(secs)
            .and_then(|d| self.at.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Whether the half-open slots [at, until) of the two overlap.
    pub fn overlaps(&self, other: &Schedule) -> bool {
        self.at < other.until() && other.at < self.until()
    }
}

/// Why a release may not move (`rel hold`), until `rel resume`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hold {
    pub by: String,
    pub at: DateTime<Utc>,
    pub reason: String,
}

fn read_slot<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Span>, D::Error> {
    let text = String::deserialize(d)?;
    if text == "0" || text == "0s" {
        return Ok(None);
    }
    Span::parse(&text).map(Some).map_err(D::Error::custom)
}

fn write_slot<S: Serializer>(slot: &Option<Span>, s: S) -> Result<S::Ok, S::Error> {
    match slot {
        Some(span) => s.serialize_str(&span.to_string()),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&Utc)
    }

    fn booked(start: &str, slot: Option<&str>) -> Schedule {
        Schedule {
            env: "live".into(),
            at: at(start),
            slot: slot.map(|s| Span::parse(s).expect("span")),
            by: "A <a@x>".into(),
            made_at: at("2026-01-01T00:00:00Z"),
            auto: false,
            note: None,
        }
    }

    #[test]
    fn slots_are_half_open() {
        let a = booked("2026-12-05T02:00:00Z", Some("2h"));
        assert!(a.overlaps(&booked("2026-12-05T03:59:00Z", Some("1h"))));
        assert!(!a.overlaps(&booked("2026-12-05T04:00:00Z", Some("1h"))));
        assert!(
            booked("2026-12-05T04:00:00Z", None).overlaps(&booked("2026-12-05T04:00:00Z", None))
        );
        assert!(
            !booked("2026-12-05T04:00:00Z", None).overlaps(&booked("2026-12-05T04:00:01Z", None))
        );
    }
}
