//! `--override`: which rules may be set aside to enter an environment, and
//! what a promotion verdict is once they are.

use crate::model::pipeline::{Environment, Pipeline};
use crate::model::rule::RuleCode;

use super::promotion::PromotionVerdict;
use super::verdict::{Verdict, Violation};

/// The overrides asked for, once each, when every one may be used to enter
/// `target`; else a message for exit 2. A rule such as `state`, `order` or
/// `frozen` can never be overridden; the others only where the target's
/// `overridable` lists them.
pub fn permitted_overrides(
    target: &Environment,
    asked: &[RuleCode],
) -> Result<Vec<RuleCode>, String> {
    let mut unique: Vec<RuleCode> = Vec::new();
    for o in asked {
        if !unique.contains(o) {
            unique.push(*o);
        }
    }
    if let Some(never) = unique.iter().find(|o| !o.is_overridable()) {
        return Err(format!(
            "rule `{never}` can never be overridden; only soak, window, blackout, approval, checklist, health and exclusive can"
        ));
    }
    if let Some(denied) = unique.iter().find(|o| !target.overridable.contains(o)) {
        let allowed: Vec<&str> = target.overridable.iter().map(|c| c.as_str()).collect();
        return Err(format!(
            "--override {denied} is not allowed for {} (its overridable rules: {})",
            target.name,
            if allowed.is_empty() {
                "none".to_string()
            } else {
                allowed.join(", ")
            }
        ));
    }
    Ok(unique)
}

/// A promotion verdict with overrides applied: what still refuses, which
/// overrides set a failing rule aside (recorded), and which had nothing to do.
pub struct Overridden {
    pub remaining: Verdict,
    pub used: Vec<RuleCode>,
    pub unused: Vec<RuleCode>,
}

impl PromotionVerdict {
    pub fn overridden(&self, overrides: &[RuleCode]) -> Overridden {
        let failing = self.verdict.codes();
        let (used, unused) = overrides.iter().partition(|o| failing.contains(o));
        Overridden {
            remaining: self.without(overrides),
            used,
            unused,
        }
    }
}

/// May `email` set `used` aside to enter `target` (contract 11.5)? With
/// `override_by` (the environment's, else the pipeline's), only a listed
/// member of one of those roles may; without it anyone may, except
/// `approval`, which only a member of an `override_by` role may set aside.
/// `p` is the release's effective pipeline (an installation's members).
pub fn may_override(p: &Pipeline, target: &Environment, used: &[RuleCode], email: &str) -> Verdict {
    let mut v = Verdict::default();
    if used.is_empty() {
        return v;
    }
    match p.override_roles(target) {
        Some(roles) if !roles.iter().any(|r| p.is_listed_member(r, email)) => {
            v.push(Violation::new(
                RuleCode::Role,
                format!(
                    "{email} may not use --override into {}: only members of {} may \
                     (override_by; a role's members are listed under [roles])",
                    target.name,
                    roles
                        .iter()
                        .map(|r| format!("`{r}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
        Some(_) => {}
        None if used.contains(&RuleCode::Approval) => v.push(Violation::new(
            RuleCode::Role,
            format!(
                "approval into {} can be set aside only by a member of an `override_by` role, \
                 and environments.toml names none",
                target.name
            ),
        )),
        None => {}
    }
    v
}
