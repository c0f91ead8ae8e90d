//! What every command gets from the edge: flags, "now", the actor text, and
//! whether we talk to a terminal. Read once in `main`, passed down.

use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::{DateTime, SubsecRound, Utc};

use crate::error::invalid;
use crate::model::quote::{cut, quoted};

#[derive(Debug, Clone)]
pub struct Context {
    pub start_dir: PathBuf,
    pub json: bool,
    pub dry_run: bool,
    pub yes: bool,
    /// Reading commands evaluate the work tree instead of HEAD's tree.
    pub worktree: bool,
    /// Reading commands fetch first: `Some(true)` with `--fetch`,
    /// `Some(false)` with `--no-fetch`, None: as `[sync] fetch_on_read` says.
    pub fetch: Option<bool>,
    pub now: DateTime<Utc>,
    /// REL_ACTOR, when set.
    pub rel_actor: Option<String>,
    /// Colours: stdout is a terminal and NO_COLOR is unset.
    pub color: bool,
    /// stdin and stderr are terminals: we may ask questions.
    pub interactive: bool,
    /// stderr is a terminal and --json is not given: long work may draw
    /// progress there (`render::progress`).
    pub progress: bool,
}

impl Context {
    pub fn from_env(
        dir: Option<PathBuf>,
        json: bool,
        dry_run: bool,
        yes: bool,
        worktree: bool,
    ) -> anyhow::Result<Context> {
        let now = match env_text("REL_NOW")? {
            Some(text) if !text.trim().is_empty() => {
                parse_instant(&text).map_err(|m| invalid(format!("REL_NOW: {m}")))?
            }
            _ => Utc::now(),
        }
        .trunc_subsecs(0);
        let rel_actor = env_text("REL_ACTOR")?;
        let start_dir = match dir {
            Some(d) => checked_dir(d)?,
            None => std::env::current_dir()
                .map_err(|e| invalid(format!("cannot read the current folder: {e}")))?,
        };
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Ok(Context {
            start_dir,
            json,
            dry_run,
            yes,
            worktree,
            fetch: None,
            now,
            rel_actor,
            color: !no_color && !json && std::io::stdout().is_terminal(),
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            progress: !json && std::io::stderr().is_terminal(),
        })
    }
}

/// A variable of the environment as text; None when unset. Set but not
/// UTF-8 is exit 2: silently falling back to the clock or to git's identity
/// would act at another time or as someone else.
fn env_text(name: &str) -> anyhow::Result<Option<String>> {
    match std::env::var(name) {
        Ok(text) => Ok(Some(text)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(raw)) => Err(invalid(format!(
            "{name} is not valid UTF-8: {}",
            cut(&raw.to_string_lossy())
        ))),
    }
}

/// `-C DIR` must name an existing folder: said plainly here rather than
/// as "no environments.toml above it" or a failing `git init`.
fn checked_dir(dir: PathBuf) -> anyhow::Result<PathBuf> {
    match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => Ok(dir),
        Ok(_) => Err(invalid(format!("-C {}: not a folder", dir.display()))),
        Err(e) => Err(invalid(format!("-C {}: {e}", dir.display()))),
    }
}

/// An RFC 3339 instant such as 2026-11-25T15:00:00Z.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!(
                "invalid instant {}: {e}; expected RFC 3339 such as 2026-11-25T15:00:00Z",
                quoted(text)
            )
        })
}
