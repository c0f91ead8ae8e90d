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

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

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
            .with_style(
                style("{msg} [{bar:30}] {pos}/{len} ({elapsed}{left})").with_key(
                    "left",
                    |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let guess = time_left(state.pos(), state.len(), state.elapsed());
                        if let Some(left) = guess {
                            let _ = write!(w, ", {} left", short(left));
                        }
                    },
                ),
            )
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

/// No guess of the time left before this much of the work is done...
const GUESS_AFTER_SHARE: f64 = 0.1;
/// ...and this much time has passed: the first steps (a cold cache, the
/// first objects read) say little about the rest. A guess from them once
/// read "20m left" on a run of 3 seconds.
const GUESS_AFTER_TIME: Duration = Duration::from_secs(2);

/// The time left, guessed from the average pace so far over `pos` of `len`
/// steps after `elapsed`; None until enough is done to say.
pub fn time_left(pos: u64, len: Option<u64>, elapsed: Duration) -> Option<Duration> {
    let len = len?;
    if pos == 0 || pos >= len || elapsed < GUESS_AFTER_TIME {
        return None;
    }
    let done = pos as f64 / len as f64;
    if done < GUESS_AFTER_SHARE {
        return None;
    }
    let left = elapsed.as_secs_f64() * (len - pos) as f64 / pos as f64;
    Duration::try_from_secs_f64(left).ok()
}

/// `7s`, `3m 20s`, `2h 05m`: short enough for the bar's line.
fn short(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

fn style(template: &str) -> ProgressStyle {
    // The templates are ours and fixed; a bad one (a bug) draws the default.
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn no_guess_from_the_first_steps_or_the_first_seconds() {
        // One commit of 1,200 after a second: "20m left" was the guess.
        assert_eq!(time_left(1, Some(1200), S(1)), None);
        assert_eq!(time_left(100, Some(1200), S(3)), None); // under a tenth
        assert_eq!(time_left(600, Some(1200), S(1)), None); // too soon
        assert_eq!(time_left(0, Some(10), S(5)), None);
        assert_eq!(time_left(10, Some(10), S(5)), None);
        assert_eq!(time_left(5, None, S(5)), None);
    }

    #[test]
    fn the_guess_is_the_average_pace_so_far() {
        assert_eq!(time_left(600, Some(1200), S(3)), Some(S(3)));
        assert_eq!(time_left(300, Some(1200), S(10)), Some(S(30)));
        assert_eq!(time_left(u64::MAX - 1, Some(u64::MAX), S(3)), Some(S(0)));
    }

    #[test]
    fn durations_are_short() {
        assert_eq!(short(S(7)), "7s");
        assert_eq!(short(S(200)), "3m 20s");
        assert_eq!(short(S(7500)), "2h 05m");
    }
}
