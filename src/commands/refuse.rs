//! Turning a refused verdict into output and exit 1.

use serde_json::json;

use crate::context::Context;
use crate::error::RelError;
use crate::render::output;
use crate::rules::Verdict;

/// Prints every violation (stderr; with --json also an object on stdout) and
/// returns the error that exits 1. `what` says what was refused.
pub fn refuse(ctx: &Context, what: &str, verdict: &Verdict) -> anyhow::Error {
    if ctx.json {
        let _ =
            output::json(&json!({"ok": false, "refused": what, "violations": verdict.violations}));
    }
    let mut text = what.to_string();
    for v in &verdict.violations {
        text.push_str(&format!("\n  [{}] {}", v.rule, v.message));
    }
    RelError::Refused(text).into()
}
