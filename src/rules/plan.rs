//! The plan: when can a release enter each remaining environment? Asked of
//! the promotion rules with a moving `now`, never a second copy of them.

use chrono::{DateTime, Utc};

use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::model::rule::RuleCode;

use super::depends::DependencyFact;
use super::promotion::{check_promotion, PromotionInput};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStep {
    pub env: String,
    /// The earliest instant the release could enter, if every non-time
    /// blocker were cleared at once; None: never (as far as we look), or an
    /// earlier step never happens.
    pub earliest: Option<DateTime<Utc>>,
    /// Non-time rules that would still block entry then.
    pub blocked_by: Vec<RuleCode>,
}

/// `occupants[i]`: releases in progress in environment i now (other than R).
///
/// An environment can be entered from the one just before it or, passing
/// over `optional` ones only, from further back; its earliest entry is the
/// earliest over those ways in, so that `plan` agrees with `check --to`.
pub fn plan(
    p: &Pipeline,
    r: &Release,
    occupants: &[Vec<String>],
    dependencies: &[DependencyFact],
    now: DateTime<Utc>,
) -> Vec<PlanStep> {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    // The release's own pipeline: an update's windows, its path.
    let effective = p.for_release(r);
    let p: &Pipeline = &effective;
    let Some(current) = p.position(&r.environment) else {
        return Vec::new();
    };
    // reached[i]: the release as it would be in environment i at the
    // earliest instant it can get there (the instant is its `entered_at`).
    let mut reached: Vec<Option<Release>> = vec![None; p.environments.len()];
    reached[current] = Some(r.clone());
    let none = Vec::new();
    let mut steps = Vec::new();
    for target in current + 1..p.environments.len() {
        // Environments off the release's path are passed over, not planned.
        if p.environments[target].off_path {
            continue;
        }
        let name = p.environments[target].name.clone();
        // (earliest, blocked_by) of the best way in found so far.
        let mut best: Option<(Option<DateTime<Utc>>, Vec<RuleCode>)> = None;
        for source in (current..target).rev() {
            if let Some(sim) = &reached[source] {
                let at = if source == current {
                    now
                } else {
                    sim.entered_at
                };
                let verdict = check_promotion(&PromotionInput {
                    pipeline: p,
                    release: sim,
                    target,
                    occupants: occupants.get(target).unwrap_or(&none),
                    dependencies,
                    now: at,
                });
                let earliest = verdict.time_ready_at;
                let better = match &best {
                    None => true,
                    Some((None, _)) => earliest.is_some(),
                    Some((Some(b), _)) => earliest.is_some_and(|e| e < *b),
                };
                if better {
                    best = Some((earliest, verdict.blocking_codes()));
                }
            }
            // Only optional environments (and those off the path) may be
            // passed over.
            if !p.environments[source].may_be_passed_over() {
                break;
            }
        }
        let (earliest, blocked_by) = best.unwrap_or((None, Vec::new()));
        reached[target] = earliest.map(|e| {
            let mut sim = r.clone();
            sim.environment = name.clone();
            sim.entered_at = e;
            sim
        });
        steps.push(PlanStep {
            env: name,
            earliest,
            blocked_by,
        });
    }
    steps
}
