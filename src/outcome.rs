//! What a run ends with: the `Outcome` every command returns, and how a
//! failed run is told: a message (and a hint) on stderr for people, and
//! with `--json` one JSON document on stdout for scripts, unless the
//! command already printed its document (`check` not ready, `verify`
//! failed): stdout never holds two.
//!
//! ```json
//! {"refused": true, "action": "promote", "release": "R-2026-001", "violations": […]}
//! {"error": {"exit": 2, "kind": "invalid", "message": "…", "hint": "…"}}
//! ```

use std::process::ExitCode;

use serde_json::json;

use crate::error::{is_broken_pipe, rel_error_of, Kind, RelError};
use crate::render::output::{self, errln};

/// How a run ended, told by its exit code (contract section 5). A command
/// returns `anyhow::Result<Outcome>`: `Ok` when it has said all it had to
/// say, its report included (a `check` not ready has printed why), `Err`
/// for a failure `main` must still tell ([`report`]). `main` alone turns
/// an outcome into the process's `ExitCode`; nothing else holds a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: done; `check`: ready; `verify`: the health check passed.
    Done,
    /// Exit 1: not ready, and the command's report says why: `check` (a
    /// rule blocks the move), `due` (something due could not be applied).
    NotReady,
    /// Exit 1: what was checked failed, and the command's report says how:
    /// `verify` (the health check failed; its report is still recorded),
    /// `audit` (a finding in the history).
    Failed,
    /// Exit 1: a rule refused, nothing was written: a refusal `main` told
    /// ([`report`]), or a push `audit --hook` refused and told itself.
    Refused,
    /// Exit 2, 3 or 4, the kind's code: a failure already told on stderr
    /// (by [`report`], by clap, or by the template renderer's child). A
    /// failure still to tell is an `Err(RelError)`, never this.
    Error(Kind),
}

impl Outcome {
    /// The process's exit status (contract section 5).
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Done => 0,
            Outcome::NotReady | Outcome::Failed | Outcome::Refused => 1,
            Outcome::Error(kind) => kind.exit_code(),
        }
    }
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        ExitCode::from(outcome.exit_code())
    }
}

/// What an internal failure tells people to do: it is not their input.
const INTERNAL_HINT: &str = "this is not a problem with your input: check the repository \
(`git fsck`) and the disk, then try again";

/// Prints the failure and returns the outcome it makes.
pub fn report(err: &anyhow::Error, json: bool) -> Outcome {
    if is_broken_pipe(err) {
        return Outcome::Done;
    }
    match rel_error_of(err) {
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
            Outcome::Refused
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
            Outcome::Error(kind)
        }
    }
}

/// A command line clap could not parse: clap's own output for people, and
/// with `--json` an error of kind `usage`. Help and version are not errors.
pub fn usage_error(e: &clap::Error, json: bool) -> Outcome {
    use clap::error::ErrorKind;
    let _ = e.print();
    // clap says 0 for help and version, 2 (usage) for anything else.
    if e.exit_code() == 0 {
        return Outcome::Done;
    }
    if json {
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
    Outcome::Error(Kind::Usage)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_exit_with_the_contracts_codes() {
        let codes: Vec<u8> = [
            Outcome::Done,
            Outcome::NotReady,
            Outcome::Failed,
            Outcome::Refused,
            Outcome::Error(Kind::Usage),
            Outcome::Error(Kind::Invalid),
            Outcome::Error(Kind::Conflict),
            Outcome::Error(Kind::Internal),
        ]
        .into_iter()
        .map(Outcome::exit_code)
        .collect();
        assert_eq!(codes, [0, 1, 1, 1, 2, 2, 3, 4]);
    }

    #[test]
    fn a_failure_told_makes_its_kinds_outcome_and_a_foreign_one_internal() {
        let e = crate::error::conflict("the lock is held").context("while promoting");
        assert_eq!(report(&e, false), Outcome::Error(Kind::Conflict));
        assert_eq!(
            report(&anyhow::anyhow!("foreign"), false),
            Outcome::Error(Kind::Internal)
        );
        let io = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert_eq!(report(&anyhow::Error::from(io), false), Outcome::Done);
    }
}
