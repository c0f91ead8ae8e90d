//! The forecast (contract 11.8): when each release in progress gets where
//! it is going, given all the others. A simulation on values: from now,
//! every release is asked the promotion verdict (`decide::promote::
//! verdict_into`, the one `check`, `promote` and `due` use) at each instant
//! something may change, and moves on with the promotion's own effect
//! (`moves::promote`, or `due::apply` for a schedule) when it passes; a
//! release another waits to see released is closed as `rel close` would
//! (`close`: `actions::may_close`, then `moves::close`). No
//! rule is written here a second time: this module only decides *when* to
//! ask, who goes first in a queue, and why a release waited.

mod close;
mod queue;
mod simulation;
mod waits;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

use crate::model::rule::RuleCode;

pub use simulation::forecast;

/// What is asked: from `now` to `until`; with `strict`, a release stops at
/// the first step that needs a person instead of taking it as done.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub now: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub strict: bool,
}

/// The forecast of every release in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub at: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// In id order.
    pub releases: Vec<ReleaseForecast>,
    /// Every promotion the simulation made, in the order it made them
    /// (several may share an instant): what following the forecast means.
    pub moves: Vec<Move>,
}

/// One promotion of the simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub release: String,
    pub env: String,
    pub at: DateTime<Utc>,
    /// Carried out as the release's schedule into `env` (`rel due --apply`).
    pub scheduled: bool,
    /// Not a promotion: the release, in `env` (its last environment), is
    /// closed there (`rel close`), because another waits for its release.
    pub closes: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseForecast {
    pub release: String,
    pub pipeline: String,
    pub installation: Option<String>,
    /// The stay it is in now (entered in the past), then each environment
    /// it enters.
    pub steps: Vec<Step>,
    /// When it is in the last environment of its path (its entry, if it is
    /// there already); None: not before the forecast ends.
    pub done_at: Option<DateTime<Utc>>,
    /// When the forecast takes its close (`rel close`) as done: only for a
    /// release another waits for (`rel depend` without `--reached`).
    pub closed_at: Option<DateTime<Utc>>,
    /// Why it stops for good (held, a person must act under `--strict`, a
    /// dependency that can never pass, time that never passes); for a
    /// release done under `--strict`, the close another waits for.
    pub stopped: Option<Stop>,
    /// Not done: what it was still waiting for when the forecast ended.
    pub waiting: Vec<Wait>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub env: String,
    pub enter: DateTime<Utc>,
    pub leave: Option<DateTime<Utc>>,
    /// Why the entry came no sooner (empty for the stay it is in now).
    pub waits: Vec<Wait>,
}

/// What held a release back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitKind {
    /// A rule of the verdict: soak, window, blackout, exclusive, depends.
    Rule(RuleCode),
    /// The release is scheduled into the environment later.
    Schedule,
}

impl WaitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WaitKind::Rule(c) => c.as_str(),
            WaitKind::Schedule => "schedule",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    pub kind: WaitKind,
    /// When it stopped holding the release back; None: it still did when
    /// the forecast ended.
    pub until: Option<DateTime<Utc>>,
    /// `exclusive`: the release in the environment (ahead in the queue);
    /// `depends`: the release waited for.
    pub behind: Option<String>,
    /// The verdict's own message the first time it was seen.
    pub message: String,
}

/// Why a release moves no more in the forecast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    /// The environment it would enter next.
    pub env: String,
    pub at: DateTime<Utc>,
    /// A rule code, or `confirm`.
    pub rule: String,
    pub message: String,
    /// Who must act (`--strict`): `role: members` for approvals.
    pub who: Vec<String>,
}

/// How far the forecast looks without `--until` (contract 11.8).
pub const HORIZON_DAYS: i64 = 365;

/// Steps a person takes (contract 11.8): taken as done the moment the
/// release would otherwise be ready, unless `--strict`.
pub const PERSON_STEPS: [RuleCode; 4] = [
    RuleCode::Approval,
    RuleCode::Checklist,
    RuleCode::Health,
    RuleCode::Frozen,
];
