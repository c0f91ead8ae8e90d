//! The latest time recorded on the branch (contract 11.5, "Time moves
//! forward on the whole branch"), read from HEAD's first-parent history:
//! the time a rel commit records is its author date.
//!
//! Not every commit need be read: a write is refused when it is more than
//! an hour before the latest time on the branch, so on a lawful branch
//! every commit before a rel commit recorded at `t` recorded at most
//! `t + 1 hour`. The walk stops at the first rel commit that cannot hold
//! anything later than what it has seen (usually the newest one), and in
//! any case after a bounded number of commits: what lies further back is
//! the audit's to judge (`time` findings), not a write's.

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::store::Workspace;

/// At most this many commits are read back from HEAD.
const MAX_COMMITS: usize = 2_000;

/// The slack the contract gives two machines' clocks.
pub const CLOCK_SLACK: Duration = Duration::hours(1);

/// The latest recorded time and the commit that recorded it.
#[derive(Debug, Clone)]
pub struct Latest {
    pub at: DateTime<Utc>,
    pub commit: String,
}

impl Workspace {
    /// The latest time a rel commit records on HEAD's first-parent line;
    /// None on a branch without rel commits (or without commits).
    pub fn latest_recorded(&self) -> anyhow::Result<Option<Latest>> {
        match self.head_at_open {
            Some(head) => self.latest_recorded_at(head),
            None => Ok(None),
        }
    }

    /// The latest time a rel commit records on `from`'s first-parent line.
    pub fn latest_recorded_at(&self, from: git2::Oid) -> anyhow::Result<Option<Latest>> {
        let mut latest: Option<Latest> = None;
        let mut id = from;
        for _ in 0..MAX_COMMITS {
            let commit = self.repo.find_commit(id)?;
            let message = commit.message_raw().unwrap_or("");
            let by_rel = git2::message_trailers_strs(message)
                .map(|t| t.iter().any(|(k, _)| k.eq_ignore_ascii_case("Rel-Action")))
                .unwrap_or(false);
            if by_rel {
                let Some(at) = Utc
                    .timestamp_opt(commit.author().when().seconds(), 0)
                    .single()
                else {
                    break;
                };
                if latest.as_ref().is_some_and(|l| at + CLOCK_SLACK <= l.at) {
                    break;
                }
                if latest.as_ref().is_none_or(|l| at > l.at) {
                    latest = Some(Latest {
                        at,
                        commit: id.to_string(),
                    });
                }
            }
            match commit.parent_id(0) {
                Ok(parent) => id = parent,
                Err(_) => break, // the first commit, or a shallow clone's graft
            }
        }
        Ok(latest)
    }
}
