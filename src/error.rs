//! Outcomes and the kinds of failure, one per audience (contract section 5;
//! the shape of jj's `cli/src/command_error.rs`).
//!
//! A command returns `Ok(Outcome)` (`crate::outcome`) or an error. `main`
//! walks the error's chain for the first `RelError` to find the exit code; an error that carries
//! none is foreign (libgit2, the file system) and therefore *internal*,
//! exit 4: neither the user's input, nor a rule, nor a conflict. A hint
//! (what to do next) is kept apart from the message.

use std::fmt;
use std::path::Path;

use serde::Serialize;
use thiserror::Error;

use crate::rules::verdict::Violation;

/// Who has to act on a failure, and so its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Exit 2: a bad flag or a missing argument.
    Usage,
    /// Exit 2: unknown release, malformed file, bad id.
    Invalid,
    /// Exit 3: the lock is held, uncommitted edits, the branch moved, no
    /// confirmation, a file rel may not write.
    Conflict,
    /// Exit 4: not the input, not a rule, not a conflict (a corrupt git
    /// object, a full disk).
    Internal,
}

impl Kind {
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Usage | Kind::Invalid => 2,
            Kind::Conflict => 3,
            Kind::Internal => 4,
        }
    }

    /// The name scripts read in `{"error": {"kind": …}}`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Usage => "usage",
            Kind::Invalid => "invalid",
            Kind::Conflict => "conflict",
            Kind::Internal => "internal",
        }
    }
}

/// A refusal by the rules: what was refused, and every violation.
#[derive(Debug, Serialize)]
pub struct Refusal {
    /// The action refused, as in the commit's `Rel-Action` (`promote`).
    pub action: String,
    pub release: Option<String>,
    /// One line for people: "R-2026-001 cannot move uat -> staging".
    #[serde(skip)]
    pub summary: String,
    pub violations: Vec<Violation>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary)?;
        for v in &self.violations {
            write!(f, "\n  [{}] {}", v.rule, v.message)?;
        }
        Ok(())
    }
}

/// A failure's message and, apart from it, what to do next.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Debug, Error)]
pub enum RelError {
    /// Exit 1: a rule refused the change; nothing was written.
    #[error("{0}")]
    Refused(Box<Refusal>),
    /// Exit 2: a bad flag or argument combination.
    #[error("{0}")]
    Usage(Failure),
    /// Exit 2: invalid input (unknown release, malformed file, bad id).
    #[error("{0}")]
    Invalid(Failure),
    /// Exit 3: lock held, uncommitted edits, branch moved, no confirmation.
    #[error("{0}")]
    Conflict(Failure),
    /// Exit 4: rel could not do its own work (a git object that cannot be
    /// read, a full disk).
    #[error("{0}")]
    Internal(Failure),
}

impl RelError {
    pub fn new(kind: Kind, message: impl Into<String>, hint: Option<String>) -> RelError {
        let failure = Failure {
            message: message.into(),
            hint,
        };
        match kind {
            Kind::Usage => RelError::Usage(failure),
            Kind::Invalid => RelError::Invalid(failure),
            Kind::Conflict => RelError::Conflict(failure),
            Kind::Internal => RelError::Internal(failure),
        }
    }

    /// For tests: in a run, `outcome::report` turns a failure into its
    /// `Outcome`, and `main` that into the exit code.
    #[cfg(test)]
    pub fn exit_code(&self) -> u8 {
        match self {
            RelError::Refused(_) => 1,
            other => other.kind().map_or(4, Kind::exit_code),
        }
    }

    /// The kind of a failure; None for a refusal.
    pub fn kind(&self) -> Option<Kind> {
        match self {
            RelError::Usage(_) => Some(Kind::Usage),
            RelError::Invalid(_) => Some(Kind::Invalid),
            RelError::Conflict(_) => Some(Kind::Conflict),
            RelError::Internal(_) => Some(Kind::Internal),
            RelError::Refused(_) => None,
        }
    }

    /// What to do next, when the failure says.
    pub fn hint(&self) -> Option<&str> {
        match self {
            RelError::Usage(f)
            | RelError::Invalid(f)
            | RelError::Conflict(f)
            | RelError::Internal(f) => f.hint.as_deref(),
            RelError::Refused(_) => None,
        }
    }
}

/// Shorthand constructors used across commands and the store.
pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    RelError::new(Kind::Usage, msg, None).into()
}

pub fn invalid(msg: impl Into<String>) -> anyhow::Error {
    RelError::new(Kind::Invalid, msg, None).into()
}

pub fn conflict(msg: impl Into<String>) -> anyhow::Error {
    RelError::new(Kind::Conflict, msg, None).into()
}

pub fn internal(msg: impl Into<String>) -> anyhow::Error {
    RelError::new(Kind::Internal, msg, None).into()
}

/// A failure with a hint of what to do next.
pub fn hinted(kind: Kind, msg: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    RelError::new(kind, msg, Some(hint.into())).into()
}

/// A file-system failure on `path` (`doing` is "write", "read", "lock"…)
/// classified for its audience: a file where a folder belongs (or the
/// reverse) is invalid input naming it (exit 2); a permission denied or a
/// read-only file system is a conflict the user can mend (exit 3, naming
/// the path); anything else (a full disk, an I/O error) is internal (exit 4).
pub fn io_failure(doing: &str, path: &Path, e: &std::io::Error) -> anyhow::Error {
    use std::io::ErrorKind as K;
    let shown = path.display();
    if is_permission(e) {
        hinted(
            Kind::Conflict,
            format!("cannot {doing} {shown}: permission denied ({e})"),
            format!("check who owns {shown} and its folder, and that the file system is writable"),
        )
    } else if matches!(e.kind(), K::NotADirectory | K::IsADirectory) {
        hinted(
            Kind::Invalid,
            format!("cannot {doing} {shown}: {e}"),
            format!("a file or folder is in the way of {shown}: move it out of the way"),
        )
    } else {
        internal(format!("cannot {doing} {shown}: {e}"))
    }
}

/// EACCES, EPERM (both `PermissionDenied` in Rust) or EROFS.
pub fn is_permission(e: &std::io::Error) -> bool {
    const EROFS: i32 = 30;
    e.kind() == std::io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(EROFS)
}

/// A libgit2 failure while `doing` something: a lock git itself holds is a
/// conflict, a permission denied is a conflict naming what was denied,
/// anything else (a corrupt or missing object) is internal.
pub fn git_failure(doing: &str, e: &git2::Error) -> anyhow::Error {
    let message = format!("cannot {doing}: {}", e.message());
    if e.code() == git2::ErrorCode::Locked {
        hinted(
            Kind::Conflict,
            message,
            "another git command holds a lock on the repository; try again when it has finished",
        )
    } else if e.class() == git2::ErrorClass::Os && e.message().contains("ermission denied") {
        hinted(
            Kind::Conflict,
            message,
            "check who owns the repository's files, and that the file system is writable",
        )
    } else {
        internal(message)
    }
}

/// The exit code for any error: the first `RelError` in its chain decides;
/// anything else is foreign and internal (exit 4). For tests, as above.
#[cfg(test)]
pub fn exit_code_of(err: &anyhow::Error) -> u8 {
    rel_error_of(err).map_or(4, RelError::exit_code)
}

/// The first `RelError` in the chain, under any context added on top.
pub fn rel_error_of(err: &anyhow::Error) -> Option<&RelError> {
    err.chain().find_map(|e| e.downcast_ref::<RelError>())
}

/// True when the error comes from writing to a stdout nobody reads any
/// more (`rel list | head`): not a failure, exit 0 (ripgrep's main.rs).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_decide_exit_codes_through_context_and_hints() {
        let e = hinted(Kind::Invalid, "bad", "do this").context("while reading");
        assert_eq!(rel_error_of(&e).and_then(RelError::hint), Some("do this"));
        assert_eq!(exit_code_of(&e), 2);
        assert_eq!(exit_code_of(&conflict("x")), 3);
        assert_eq!(exit_code_of(&anyhow::anyhow!("foreign")), 4);
        let io = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&anyhow::Error::from(io).context("writing")));
    }

    #[test]
    fn permission_is_a_conflict_naming_the_path_and_a_full_disk_internal() {
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let e = io_failure("write", Path::new("releases/R-1.toml"), &denied);
        assert_eq!(exit_code_of(&e), 3);
        assert!(format!("{e:#}").contains("releases/R-1.toml"));
        let full = std::io::Error::from_raw_os_error(28); // ENOSPC
        assert_eq!(exit_code_of(&io_failure("write", Path::new("x"), &full)), 4);
    }
}
