//! Dependencies between releases (contract 11.4): R may not enter
//! `before` (default: any environment) until R2 has reached `reached` in
//! its pipeline (default: R2 released). The facts are where each release
//! R waits for stands now, as the caller found it (`Occupancy::standing`);
//! the rule is `depends`, with a `ready_at` of null: someone must move R2.

use crate::model::pipeline::Pipeline;
use crate::model::release::{Dependency, Release, ReleaseHead, State};
use crate::model::rule::RuleCode;

use super::occupancy::Occupancy;
use super::verdict::Violation;

/// One dependency of a release with where the release it waits for
/// stands (None: no such release could be found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyFact {
    pub dependency: Dependency,
    pub standing: Option<ReleaseHead>,
}

/// The facts of every dependency of `release`, from `others`.
pub fn facts(release: &Release, others: &(impl Occupancy + ?Sized)) -> Vec<DependencyFact> {
    release
        .depends
        .iter()
        .map(|d| DependencyFact {
            dependency: d.clone(),
            standing: others.standing(&d.release),
        })
        .collect()
}

/// Whether `standing` has reached `reached` (None: released) in its own
/// pipeline (any pipeline of `p`'s file).
pub fn has_reached(p: &Pipeline, standing: &ReleaseHead, reached: Option<&str>) -> bool {
    match (standing.state, reached) {
        (State::Released, _) => true,
        (State::Cancelled, _) | (_, None) => false,
        (_, Some(env)) => {
            let Some(lane) = p.lane(standing.pipeline_name()) else {
                return false;
            };
            match (lane.position(&standing.environment), lane.position(env)) {
                (Some(now), Some(wanted)) => now >= wanted,
                _ => false,
            }
        }
    }
}

/// The `depends` violations of moving `release` into `target` (a name).
pub fn violations(
    p: &Pipeline,
    release: &Release,
    target: &str,
    facts: &[DependencyFact],
) -> Vec<Violation> {
    let mut out = Vec::new();
    for f in facts {
        let d = &f.dependency;
        if d.before
            .as_deref()
            .is_some_and(|b| !b.eq_ignore_ascii_case(target))
        {
            continue;
        }
        let goal = match &d.reached {
            Some(env) => format!("has reached {env}"),
            None => "is released".to_string(),
        };
        let message = match &f.standing {
            None => format!(
                "{} waits for {}, which does not exist: it can never pass; \
                 `rel depend {} --on {} --off --reason TEXT` drops it",
                release.id, d.release, release.id, d.release
            ),
            Some(s) if has_reached(p, s, d.reached.as_deref()) => continue,
            Some(s) if s.state == State::Cancelled => format!(
                "{} waits for {}, which is cancelled: it can never pass; \
                 `rel depend {} --on {} --off --reason TEXT` drops it",
                release.id, s.id, release.id, s.id
            ),
            Some(s) => format!(
                "{} may enter {target} only once {} {goal}; {} is in {} ({})",
                release.id, s.id, s.id, s.environment, s.state
            ),
        };
        out.push(Violation::new(RuleCode::Depends, message));
    }
    out
}
