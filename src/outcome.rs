//! How a failed run is told: a message (and a hint) on stderr for people,
//! and with `--json` one JSON document on stdout for scripts, unless the
//! command already printed its document (`check` not ready, `verify`
//! failed): stdout never holds two.
//!
//! ```json
//! {"refused": true, "action": "promote", "release": "R-2026-001", "violations": […]}
//! {"error": {"exit": 2, "kind": "invalid", "message": "…", "hint": "…"}}
//! ```

use serde_json::json;

use crate::error::{exit_code_of, is_broken_pipe, rel_error_of, Kind, RelError};
use crate::render::output::{self, errln};

/// What an internal failure tells people to do: it is not their input.
const INTERNAL_HINT: &str = "this is not a problem with your input: check the repository \
(`git fsck`) and the disk, then try again";

/// Prints the failure and returns the exit code.
pub fn report(err: &anyhow::Error, json: bool) -> i32 {
    if is_broken_pipe(err) {
        return 0;
    }
    let code = exit_code_of(err);
    match rel_error_of(err) {
        Some(RelError::Quiet(_)) => {}
        Some(RelError::Refused(refusal)) => {
            errln(&format!("refused: {refusal}"));
            if json {
                document(&json!({
                    "refused": true,
                    "action": refusal.action,
                    "release": refusal.release,
                    "violations": refusal.violations,
                    // Kept from revision 1, whose scripts test it.
                    "ok": false,
                }));
            }
        }
        found => {
            let kind = found.and_then(RelError::kind).unwrap_or(Kind::Internal);
            let hint = found
                .and_then(RelError::hint)
                .or((kind == Kind::Internal).then_some(INTERNAL_HINT));
            errln(&format!("error: {err}"));
            for cause in err.chain().skip(1) {
                errln(&format!("  caused by: {cause}"));
            }
            if let Some(hint) = hint {
                errln(&format!("hint: {hint}"));
            }
            if json {
                document(&error_json(kind, &format!("{err:#}"), hint));
            }
        }
    }
    code
}

/// A command line clap could not parse: clap's own output for people, and
/// with `--json` an error of kind `usage`. Help and version are not errors.
pub fn usage_error(e: &clap::Error, json: bool) -> i32 {
    use clap::error::ErrorKind;
    let _ = e.print();
    let code = e.exit_code();
    if json && code != 0 {
        let (message, hint) = match e.kind() {
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => (
                "a command is needed".to_string(),
                "`--help` after what you typed lists the commands it takes".to_string(),
            ),
            _ => {
                let text = e.render().to_string();
                let mut lines = text.trim().lines();
                let first = lines.next().unwrap_or("invalid command line");
                let message = first.strip_prefix("error: ").unwrap_or(first).to_string();
                let rest: Vec<&str> = lines.map(str::trim).filter(|l| !l.is_empty()).collect();
                (message, rest.join("\n"))
            }
        };
        let hint = Some(hint.as_str()).filter(|h| !h.is_empty());
        document(&error_json(Kind::Usage, &message, hint));
    }
    code
}

fn error_json(kind: Kind, message: &str, hint: Option<&str>) -> serde_json::Value {
    json!({"error": {
        "exit": kind.exit_code(),
        "kind": kind.name(),
        "message": message,
        "hint": hint,
    }})
}

/// The outcome's document, when stdout holds nothing yet. A closed stdout
/// or a failing one changes nothing: the exit code already tells.
fn document(value: &serde_json::Value) {
    if !output::stdout_used() {
        let _ = output::json(value);
    }
}
