//! What every command gets from the edge: flags, "now", the actor text, and
//! whether we talk to a terminal. Read once in `main`, passed down.

use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::{DateTime, SubsecRound, Utc};

use crate::error::invalid;

#[derive(Debug, Clone)]
pub struct Context {
    pub start_dir: PathBuf,
    pub json: bool,
    pub dry_run: bool,
    pub yes: bool,
    pub now: DateTime<Utc>,
    /// REL_ACTOR, when set.
    pub rel_actor: Option<String>,
    /// Colours: stdout is a terminal and NO_COLOR is unset.
    pub color: bool,
    /// stdin and stderr are terminals: we may ask questions.
    pub interactive: bool,
}

impl Context {
    pub fn from_env(
        dir: Option<PathBuf>,
        json: bool,
        dry_run: bool,
        yes: bool,
    ) -> anyhow::Result<Context> {
        let now = match std::env::var("REL_NOW") {
            Ok(text) if !text.trim().is_empty() => {
                parse_instant(&text).map_err(|m| invalid(format!("REL_NOW: {m}")))?
            }
            _ => Utc::now(),
        }
        .trunc_subsecs(0);
        let start_dir = match dir {
            Some(d) => d,
            None => std::env::current_dir()?,
        };
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Ok(Context {
            start_dir,
            json,
            dry_run,
            yes,
            now,
            rel_actor: std::env::var("REL_ACTOR").ok(),
            color: !no_color && !json && std::io::stdout().is_terminal(),
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
        })
    }
}

/// An RFC 3339 instant such as 2026-11-25T15:00:00Z.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("invalid instant {text:?}: {e}; expected RFC 3339 such as 2026-11-25T15:00:00Z")
        })
}
