//! Turning a refused verdict into the outcome that exits 1.

use crate::error::{Refusal, RelError};
use crate::model::action::Action;
use crate::rules::Verdict;

/// The error that exits 1 carrying every violation; `main` prints it (on
/// stderr, and with --json as `{"refused": true, "action", "release",
/// "violations"}`). `action` is the refused action as commits name it
/// (`promote`), `release` the release concerned, `summary` one line for
/// people saying what was refused.
pub fn refuse(
    action: Action,
    release: Option<&str>,
    summary: &str,
    verdict: &Verdict,
) -> anyhow::Error {
    RelError::Refused(Box::new(Refusal {
        action: action.name().to_string(),
        release: release.map(str::to_string),
        summary: summary.to_string(),
        violations: verdict.violations.clone(),
    }))
    .into()
}
