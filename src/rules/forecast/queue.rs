//! Exclusive environments as queues (contract 11.8): a release holds an
//! exclusive environment until it enters the next one; when it frees, the
//! waiting release that became ready first enters (ready: every rule but
//! `exclusive` passes, person steps taken as done), ties to the earlier
//! target date (none after any), then the smaller id. Who is *in* an
//! environment is never counted here: that is `rules::occupancy`, asked
//! through the verdict.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};

/// What a queue is: an environment, and for an update its installation
/// (an installation's environments are its own, as `occupancy` counts).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// Environment names repeat across pipelines (contract 11.2).
    pub pipeline: String,
    pub env: String,
    pub installation: Option<String>,
}

impl Key {
    pub fn new(pipeline: &str, env: &str, installation: Option<&str>) -> Key {
        Key {
            pipeline: pipeline.to_ascii_lowercase(),
            env: env.to_ascii_lowercase(),
            installation: installation.map(str::to_ascii_lowercase),
        }
    }
}

/// A release waiting in a queue, as the queue orders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place<'a> {
    /// The instant every rule but `exclusive` first passed.
    pub ready_since: DateTime<Utc>,
    pub target: Option<NaiveDate>,
    pub id: &'a str,
}

/// Queue order: first ready, then the earlier target date (a release with
/// none after those with one), then the smaller id.
pub fn order(a: &Place, b: &Place) -> Ordering {
    a.ready_since
        .cmp(&b.ready_since)
        .then_with(|| match (a.target, b.target) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.id.to_ascii_lowercase().cmp(&b.id.to_ascii_lowercase()))
}
