//! Error kinds that decide the exit code (contract section 5).

use thiserror::Error;

#[derive(Debug, Error)]
pub enum RelError {
    /// Exit 1: a rule refused the change; nothing was written. The message
    /// lists every violation.
    #[error("{0}")]
    Refused(String),
    /// Exit 2: usage or invalid input (unknown release, malformed file, bad id).
    #[error("{0}")]
    Invalid(String),
    /// Exit 3: lock held, uncommitted edits, branch moved, no confirmation.
    #[error("{0}")]
    Conflict(String),
    /// The command already printed its outcome; exit with this code.
    #[error("")]
    Quiet(i32),
}

impl RelError {
    pub fn exit_code(&self) -> i32 {
        match self {
            RelError::Refused(_) => 1,
            RelError::Invalid(_) => 2,
            RelError::Conflict(_) => 3,
            RelError::Quiet(code) => *code,
        }
    }
}

/// Shorthand constructors used across commands and the store.
pub fn invalid(msg: impl Into<String>) -> anyhow::Error {
    RelError::Invalid(msg.into()).into()
}

pub fn conflict(msg: impl Into<String>) -> anyhow::Error {
    RelError::Conflict(msg.into()).into()
}

/// The exit code for any error: ours carry one; anything else (an I/O or git
/// failure) is reported as exit 2, "could not do what was asked".
pub fn exit_code_of(err: &anyhow::Error) -> i32 {
    err.downcast_ref::<RelError>()
        .map(RelError::exit_code)
        .unwrap_or(2)
}
