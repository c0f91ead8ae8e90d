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
use std::io::{self, BufRead, BufReader, Write};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

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

    /// While drawn, shows what `cmd` writes line by line with the spinner
    /// set aside, instead of letting it run into the spinner: its stdout on
    /// rel's stdout, its stderr on rel's stderr, as without a terminal. Not
    /// drawn: `cmd` is left as it is. Call before spawning; drop `cmd` once
    /// it has ended (a pipe closes only when rel's copy of its end is
    /// gone), then `Relay::wait`.
    pub fn relay_output(&self, cmd: &mut Command) -> io::Result<Relay> {
        let Some(bar) = self.bar.as_ref().filter(|b| !b.is_hidden()) else {
            return Ok(Relay { done: None });
        };
        let (out_reader, out_writer) = io::pipe()?;
        let (err_reader, err_writer) = io::pipe()?;
        cmd.stdout(out_writer).stderr(err_writer);
        let (done, finished) = mpsc::channel();
        relay(out_reader, bar.clone(), Stream::Out, done.clone());
        relay(err_reader, bar.clone(), Stream::Err, done);
        Ok(Relay {
            done: Some(finished),
        })
    }
}

#[derive(Clone, Copy)]
enum Stream {
    Out,
    Err,
}

/// A thread showing each line read from `reader` on `stream`, the bar set
/// aside meanwhile; it ends at end of file (every process holding the
/// pipe is gone) and says so on `done`.
fn relay(reader: io::PipeReader, bar: ProgressBar, stream: Stream, done: mpsc::Sender<()>) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(reader);
        let mut line = Vec::new();
        while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
            if !line.ends_with(b"\n") {
                line.push(b'\n');
            }
            // A closed stdout or stderr loses the line, as it would have
            // without rel in between.
            bar.suspend(|| match stream {
                Stream::Out => {
                    let mut out = io::stdout().lock();
                    let _ = out.write_all(&line).and_then(|_| out.flush());
                }
                Stream::Err => {
                    let _ = io::stderr().lock().write_all(&line);
                }
            });
            line.clear();
        }
        let _ = done.send(());
    });
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// The thread relaying a command's output (see `Progress::relay_output`).
pub struct Relay {
    done: Option<mpsc::Receiver<()>>,
}

impl Relay {
    /// Waits until the command's last lines are shown, a second at most: a
    /// process that left the command's process group may hold a pipe open
    /// for ever, and rel must not wait for it.
    pub fn wait(self) {
        if let Some(done) = self.done {
            let deadline = Instant::now() + Duration::from_secs(1);
            for _ in 0..2 {
                let left = deadline.saturating_duration_since(Instant::now());
                if done.recv_timeout(left).is_err() {
                    break;
                }
            }
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    // The templates are ours and fixed; a bad one (a bug) draws the default.
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}
