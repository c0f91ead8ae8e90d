//! The plan: when can a release enter each remaining environment? Asked of
//! the promotion rules with a moving `now`, never a second copy of them.

use chrono::{DateTime, Utc};

use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::model::rule::RuleCode;

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
pub fn plan(p: &Pipeline, r: &Release, occupants: &[Vec<String>], now: DateTime<Utc>) -> Vec<PlanStep> {
    let Some(current) = p.position(&r.environment) else {
        return Vec::new();
    };
    let mut sim = r.clone();
    let mut at = Some(now);
    let mut steps = Vec::new();
    for target in current + 1..p.environments.len() {
        let name = p.environments[target].name.clone();
        let Some(t) = at else {
            steps.push(PlanStep {
                env: name,
                earliest: None,
                blocked_by: Vec::new(),
            });
            continue;
        };
        let none = Vec::new();
        let verdict = check_promotion(&PromotionInput {
            pipeline: p,
            release: &sim,
            target,
            occupants: occupants.get(target).unwrap_or(&none),
            now: t,
        });
        let earliest = verdict.time_ready_at;
        steps.push(PlanStep {
            env: name.clone(),
            earliest,
            blocked_by: verdict.blocking_codes(),
        });
        // Move the simulated release on, as if it entered at the earliest time.
        if let Some(e) = earliest {
            sim.environment = name;
            sim.entered_at = e;
        }
        at = earliest;
    }
    steps
}
