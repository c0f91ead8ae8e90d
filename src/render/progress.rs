//! Progress for long work (a health check, an audit over a long history),
//! drawn on a terminal only (contract section 10).
//!
//! A `Progress` draws (with indicatif, on stderr) only when the caller says
//! it may: `Context::progress`, true when stderr is a terminal and --json
//! is not given. Otherwise every call is a no-op, so what tests, CI logs and
//! scripts read never changes. What is drawn is cleared when the work ends
//! (or the value is dropped on an error path): the terminal keeps only the
//! messages and results, as without a terminal.
//!
//! ```ignore
//! let bar = Progress::bar(ctx.progress, commits.len() as u64, "audit");
//! for c in commits { ...; bar.inc(1); }
//! bar.finish();
//! ```

use std::borrow::Cow;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often a spinner turns, and so how often its elapsed time moves.
const TICK: Duration = Duration::from_millis(120);

/// A spinner or a bar on the terminal, or nothing at all.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Nothing drawn; every call a no-op.
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// A spinner with `message` and the time spent, turning by itself until
    /// `finish`: for work whose size is unknown (a health check).
    pub fn spinner(show: bool, message: impl Into<Cow<'static, str>>) -> Progress {
        if !show {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_style(style("{spinner} {msg} ({elapsed})"))
            .with_message(message);
        bar.enable_steady_tick(TICK);
        Progress { bar: Some(bar) }
    }

    /// A bar over `len` steps with `message`, moved by `inc`: for work whose
    /// size is known (the commits of an audit).
    pub fn bar(show: bool, len: u64, message: impl Into<Cow<'static, str>>) -> Progress {
        if !show {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
            .with_style(style(
                "{msg} [{bar:30}] {pos}/{len} ({elapsed}, {eta} left)",
            ))
            .with_message(message);
        Progress { bar: Some(bar) }
    }

    pub fn inc(&self, steps: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(steps);
        }
    }

    /// Clears what was drawn; the line is the terminal's again.
    pub fn finish(self) {
        drop(self);
    }

    /// The bar to set aside while something else is written to the
    /// terminal (None when nothing is drawn).
    pub fn suspender(&self) -> Option<ProgressBar> {
        self.bar.as_ref().filter(|b| !b.is_hidden()).cloned()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    // The templates are ours and fixed; a bad one (a bug) draws the default.
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}
