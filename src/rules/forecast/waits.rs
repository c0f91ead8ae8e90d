//! Why a release waited before each entry: what blocked it each time it was
//! asked, gathered into one entry per reason (rule, and for `exclusive`
//! and `depends` the release in the way), each with the instant it stopped
//! holding the release back.

use chrono::{DateTime, Utc};

use super::{Wait, WaitKind};

/// The waits of the entry a release is working towards.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    entries: Vec<Wait>,
    /// `open[i]`: entry i has no known end yet (a queue, a dependency).
    open: Vec<bool>,
}

impl Pending {
    /// What blocks the release at `t` (`until`: known for time rules and
    /// schedules, None for what waits on another release).
    pub fn observe(&mut self, t: DateTime<Utc>, now_blocking: Vec<Wait>) {
        // What no longer blocks ended at `t` at the latest.
        for (i, e) in self.entries.iter_mut().enumerate() {
            if self.open[i] && !now_blocking.iter().any(|w| same(w, e)) {
                e.until = Some(t);
                self.open[i] = false;
            }
        }
        for w in now_blocking {
            match self.entries.iter().rposition(|e| same(e, &w)) {
                Some(i) => {
                    // Seen again: it lasts until its new end.
                    self.open[i] = w.until.is_none();
                    self.entries[i].until = w.until;
                }
                None => {
                    self.open.push(w.until.is_none());
                    self.entries.push(w);
                }
            }
        }
    }

    /// The waits of an entry made at `t`: whatever was still open ended then.
    pub fn finish(&mut self, t: DateTime<Utc>) -> Vec<Wait> {
        let mut out = std::mem::take(&mut self.entries);
        for (e, open) in out.iter_mut().zip(std::mem::take(&mut self.open)) {
            if open || e.until.is_some_and(|u| u > t) {
                e.until = Some(t);
            }
        }
        out
    }

    /// The waits still holding the release when the forecast ends at
    /// `end` (open ones stay open); a soak that ended before is not one.
    pub fn unfinished(&self, end: DateTime<Utc>) -> Vec<Wait> {
        self.entries
            .iter()
            .filter(|e| e.until.is_none_or(|u| u > end))
            .cloned()
            .collect()
    }
}

fn same(a: &Wait, b: &Wait) -> bool {
    a.kind == b.kind && a.behind == b.behind
}

/// A wait on a time rule or a schedule, ending at `until`.
pub fn timed(kind: WaitKind, until: Option<DateTime<Utc>>, message: &str) -> Wait {
    Wait {
        kind,
        until,
        behind: None,
        message: message.to_string(),
    }
}

/// A wait on another release (`exclusive`: the one in the way; `depends`:
/// the one waited for), open until it moves.
pub fn behind(kind: WaitKind, other: &str, message: &str) -> Wait {
    Wait {
        kind,
        until: None,
        behind: Some(other.to_string()),
        message: message.to_string(),
    }
}
