//! The answer of every rule: all violations at once, each with its code, a
//! message a release manager understands and, for time rules, when it passes.

use chrono::{DateTime, Utc};

use crate::model::calendar::Calendar;
use serde::Serialize;

use crate::model::rule::RuleCode;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub rule: RuleCode,
    pub message: String,
    /// For time rules: the instant this rule alone stops failing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready_at: Option<DateTime<Utc>>,
}

impl Violation {
    pub fn new(rule: RuleCode, message: impl Into<String>) -> Violation {
        Violation {
            rule,
            message: message.into(),
            ready_at: None,
        }
    }

    pub fn at(
        rule: RuleCode,
        message: impl Into<String>,
        ready_at: Option<DateTime<Utc>>,
    ) -> Violation {
        Violation {
            rule,
            message: message.into(),
            ready_at,
        }
    }
}

/// Every violation found; empty means allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub violations: Vec<Violation>,
}

impl Verdict {
    pub fn allowed(&self) -> bool {
        self.violations.is_empty()
    }

    pub fn push(&mut self, v: Violation) {
        self.violations.push(v);
    }

    /// The distinct rule codes that fail, in order of first appearance.
    pub fn codes(&self) -> Vec<RuleCode> {
        let mut codes = Vec::new();
        for v in &self.violations {
            if !codes.contains(&v.rule) {
                codes.push(v.rule);
            }
        }
        codes
    }
}

/// An instant in the calendar's local time, for messages: `Thu 2026-11-26 15:00 GMT`.
pub fn when(cal: &Calendar, t: DateTime<Utc>) -> String {
    t.with_timezone(&cal.timezone)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}
