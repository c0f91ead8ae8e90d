//! A release's close in the forecast. `rel depend R --on R2` without
//! `--reached` waits for R2 to be *released* (contract 11.4), which only a
//! person does, with `rel close`. The forecast takes that close as a person
//! step, like an approval (contract 11.8): done the moment R2 is in its last
//! environment and nothing else keeps it there, or, with `--strict`, where
//! R2 stops and the forecast names it. Whether R2 may be closed is
//! `actions::may_close`, the decision `rel close` makes; what a close does is
//! `moves::close`. A release is closed only when a release in progress waits
//! for its release: otherwise the close changes nothing the forecast shows.

use chrono::{DateTime, Utc};

use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::model::rule::RuleCode;
use crate::rules::actions::may_close;

use super::{Stop, PERSON_STEPS};

/// What becomes of release `i`, now in its last environment, at `t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Close {
    /// Nobody waits for its release, or something keeps it open (a hold,
    /// a rule of `rel close` no person step satisfies): it stays as it is.
    Stays,
    /// Closed at `t`: the person steps `rel close` asks (its last
    /// environment's exit checklist) and the close itself taken as done.
    Closed,
    /// `--strict`: it stops open, the close (and the steps before it)
    /// left to a person.
    Stop(Stop),
}

/// The ids of the releases in progress in `world` that wait for release
/// `id` to be released (a dependency without `--reached`).
pub fn awaiting<'a>(world: &'a [Release], id: &str) -> Vec<&'a str> {
    world
        .iter()
        .filter(|r| r.state.in_progress() && !r.id.eq_ignore_ascii_case(id))
        .filter(|r| {
            r.depends
                .iter()
                .any(|d| d.reached.is_none() && d.release.eq_ignore_ascii_case(id))
        })
        .map(|r| r.id.as_str())
        .collect()
}

/// Whether and how `r` (in progress, in its last environment at `t`) is
/// closed, among `world`.
pub fn decide(
    p: &Pipeline,
    world: &[Release],
    r: &Release,
    t: DateTime<Utc>,
    strict: bool,
) -> Close {
    let waiting = awaiting(world, &r.id);
    // A held release does not move in the forecast; closing it is a move.
    if waiting.is_empty() || r.held.is_some() || !r.state.in_progress() {
        return Close::Stays;
    }
    let verdict = may_close(p, r);
    let all = &verdict.violations;
    if all.iter().any(|x| !PERSON_STEPS.contains(&x.rule)) {
        return Close::Stays;
    }
    if !strict {
        return Close::Closed;
    }
    let mut message: Vec<String> = all
        .iter()
        .filter(|x| x.rule == RuleCode::Checklist)
        .map(|x| x.message.clone())
        .collect();
    let verb = if waiting.len() == 1 { "waits" } else { "wait" };
    message.push(format!(
        "{} is in {}, its last environment: a person releases it with `rel close {}`; {} {verb} for that",
        r.id,
        r.environment,
        r.id,
        waiting.join(", ")
    ));
    Close::Stop(Stop {
        env: r.environment.clone(),
        at: t,
        rule: "close".to_string(),
        message: message.join("; "),
        // `rel close` asks for no role: anyone with the repository.
        who: vec![format!("anyone: rel close {}", r.id)],
    })
}
