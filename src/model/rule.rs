//! Rule codes: the stable names scripts see in refusals (contract section 4).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::quote::cut;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleCode {
    State,
    Order,
    Soak,
    Frozen,
    Exclusive,
    Approval,
    Checklist,
    Health,
    Window,
    Blackout,
    Empty,
    Unresolved,
    Unauthorised,
    Untested,
    Grouped,
    Role,
    Held,
    Conflict,
    Notice,
    /// Reclassified to the simple path while a condition fails (section 8).
    Path,
    /// Another release this one waits for is not where it must be (11.4).
    Depends,
}

impl RuleCode {
    pub const ALL: [RuleCode; 21] = [
        RuleCode::State,
        RuleCode::Order,
        RuleCode::Soak,
        RuleCode::Frozen,
        RuleCode::Exclusive,
        RuleCode::Approval,
        RuleCode::Checklist,
        RuleCode::Health,
        RuleCode::Window,
        RuleCode::Blackout,
        RuleCode::Empty,
        RuleCode::Unresolved,
        RuleCode::Unauthorised,
        RuleCode::Untested,
        RuleCode::Grouped,
        RuleCode::Role,
        RuleCode::Held,
        RuleCode::Conflict,
        RuleCode::Notice,
        RuleCode::Path,
        RuleCode::Depends,
    ];

    /// Rules `--override` may ever set aside (contract section 4).
    pub const OVERRIDABLE: [RuleCode; 8] = [
        RuleCode::Soak,
        RuleCode::Window,
        RuleCode::Blackout,
        RuleCode::Approval,
        RuleCode::Checklist,
        RuleCode::Health,
        RuleCode::Exclusive,
        RuleCode::Depends,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleCode::State => "state",
            RuleCode::Order => "order",
            RuleCode::Soak => "soak",
            RuleCode::Frozen => "frozen",
            RuleCode::Exclusive => "exclusive",
            RuleCode::Approval => "approval",
            RuleCode::Checklist => "checklist",
            RuleCode::Health => "health",
            RuleCode::Window => "window",
            RuleCode::Blackout => "blackout",
            RuleCode::Empty => "empty",
            RuleCode::Unresolved => "unresolved",
            RuleCode::Unauthorised => "unauthorised",
            RuleCode::Untested => "untested",
            RuleCode::Grouped => "grouped",
            RuleCode::Role => "role",
            RuleCode::Held => "held",
            RuleCode::Conflict => "conflict",
            RuleCode::Notice => "notice",
            RuleCode::Path => "path",
            RuleCode::Depends => "depends",
        }
    }

    /// Soak, window and blackout pass by themselves with time.
    pub fn is_time_rule(self) -> bool {
        matches!(self, RuleCode::Soak | RuleCode::Window | RuleCode::Blackout)
    }

    pub fn is_overridable(self) -> bool {
        RuleCode::OVERRIDABLE.contains(&self)
    }
}

impl fmt::Display for RuleCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RuleCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RuleCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = RuleCode::ALL.iter().map(|c| c.as_str()).collect();
                format!(
                    "unknown rule `{}`; expected one of {}",
                    cut(s),
                    names.join(", ")
                )
            })
    }
}
