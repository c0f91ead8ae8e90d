//! The branch's time, judged (contract 11.5, "Time in the audit"): a rel
//! commit's committer date is not more than an hour before the time it
//! records (an author date moved forward to pass a soak); the time it
//! records is not more than an hour before the latest time recorded by an
//! earlier commit on the first-parent line (history never runs backwards,
//! across releases too); nor more than an hour after the audit's now.

use chrono::{DateTime, Duration, Utc};

use super::{FindingKind, Found, Recorded};

const SLACK: Duration = Duration::hours(1);

/// The latest time recorded so far on the walk, oldest commit first.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    latest: Option<DateTime<Utc>>,
}

impl Clock {
    /// A clock that has already seen `latest` (what the history before the
    /// audited commits recorded).
    pub fn starting(latest: Option<DateTime<Utc>>) -> Clock {
        Clock { latest }
    }

    /// Judges the time of a rel commit (one with `Rel-*` trailers), then
    /// counts it. `now`: the audit's now; None where the answer must not
    /// depend on when it is asked (`rel evidence`).
    pub fn judge(&mut self, rec: &Recorded, now: Option<DateTime<Utc>>) -> Vec<Found> {
        let release = match &rec.trailers {
            Some(Ok(t)) => t.release.as_deref(),
            _ => return Vec::new(),
        };
        let when = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut found = Vec::new();
        if rec.committed_at + SLACK < rec.at {
            found.push(Found::new(
                FindingKind::Time,
                release,
                format!(
                    "records {}, but was committed at {}: its date was moved forward",
                    when(rec.at),
                    when(rec.committed_at)
                ),
            ));
        }
        if let Some(latest) = self.latest.filter(|l| rec.at + SLACK < *l) {
            found.push(Found::new(
                FindingKind::Time,
                release,
                format!(
                    "records {}, more than an hour before {}, recorded earlier on the branch",
                    when(rec.at),
                    when(latest)
                ),
            ));
        }
        if let Some(now) = now.filter(|n| rec.at > *n + SLACK) {
            found.push(Found::new(
                FindingKind::Time,
                release,
                format!(
                    "records {}, more than an hour after now ({})",
                    when(rec.at),
                    when(now)
                ),
            ));
        }
        if self.latest.is_none_or(|l| rec.at > l) {
            self.latest = Some(rec.at);
        }
        found
    }
}
