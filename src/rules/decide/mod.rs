//! One decision per action (STYLE, round 3): a pure function from what is
//! asked, the state the caller gathered (pipeline, the release, the other
//! releases in progress) and who acts when, to the effect or a refusal.
//! The command, `rel due --apply`, the audit's replay and the property
//! tests all call the same function, so the audit judges a commit with
//! exactly the code that made it.

pub mod depend;
pub mod promote;

use crate::rules::Verdict;

/// Why a decision says no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The request itself is wrong (an override that may never be used,
    /// a target that is not ahead): exit 2 for a command.
    Invalid(String),
    /// A rule refuses: exit 1, with every violation. `summary` is the
    /// one-line headline ("R-1 cannot move uat -> staging").
    Refused { summary: String, verdict: Verdict },
}

impl Refusal {
    /// One line naming every reason, for the audit's findings.
    pub fn reasons(&self) -> String {
        match self {
            Refusal::Invalid(m) => m.clone(),
            Refusal::Refused { verdict, .. } => verdict
                .violations
                .iter()
                .map(|x| format!("{}: {}", x.rule, x.message))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}
