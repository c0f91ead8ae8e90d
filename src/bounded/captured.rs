//! A command's output shown live and kept, up to a bound: `rel verify`
//! passes the health check's stdout and stderr through to the user as they
//! come and keeps the first `LIMIT` bytes (both streams, in the order they
//! arrived) for the report file it commits.
//!
//! Bytes are kept as they came: a check that prints binary or text that is
//! not UTF-8 is kept as such (only a display of it may be lossy).

use std::io::{Read, Write};
use std::process::{ChildStderr, ChildStdout};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How much output is kept: the first MiB.
pub const LIMIT: usize = 1024 * 1024;

/// The streams being read; `finish` gives what was kept.
pub struct Capture {
    kept: Arc<Mutex<Kept>>,
    done: mpsc::Receiver<()>,
    readers: usize,
}

#[derive(Default)]
struct Kept {
    bytes: Vec<u8>,
    /// Everything seen, kept or not.
    total: u64,
}

/// Where the check's stdout is shown: rel's stdout, or its stderr when
/// stdout carries JSON.
#[derive(Clone, Copy)]
pub enum Shown {
    Stdout,
    Stderr,
}

impl Capture {
    /// Starts reading `stdout` and `stderr`: each is shown (stdout where
    /// `stdout_to` says, stderr on stderr) and kept.
    pub fn start(
        stdout: Option<ChildStdout>,
        stderr: Option<ChildStderr>,
        stdout_to: Shown,
        progress: Option<indicatif::ProgressBar>,
    ) -> Capture {
        let kept = Arc::new(Mutex::new(Kept::default()));
        let (tx, done) = mpsc::channel();
        let mut readers = 0;
        if let Some(out) = stdout {
            readers += 1;
            spawn_reader(out, stdout_to, kept.clone(), tx.clone(), progress.clone());
        }
        if let Some(err) = stderr {
            readers += 1;
            spawn_reader(err, Shown::Stderr, kept.clone(), tx, progress);
        }
        Capture {
            kept,
            done,
            readers,
        }
    }

    /// What was kept, once both streams ended. The command's process group
    /// is dead by now, so the pipes close; a process that left the group
    /// (`setsid`) could hold them open for ever, so after `grace` the
    /// output read so far is what is kept.
    pub fn finish(self, grace: Duration) -> Output {
        let until = Instant::now() + grace;
        for _ in 0..self.readers {
            let left = until.saturating_duration_since(Instant::now());
            if self.done.recv_timeout(left).is_err() {
                break;
            }
        }
        let kept = match self.kept.lock() {
            Ok(k) => k,
            Err(poisoned) => poisoned.into_inner(),
        };
        Output {
            bytes: kept.bytes.clone(),
            total: kept.total,
        }
    }
}

/// The most of an unended line held back while a spinner turns; a longer
/// one is shown (ended) rather than held.
const HELD: usize = 64 * 1024;

fn spawn_reader(
    mut from: impl Read + Send + 'static,
    shown: Shown,
    kept: Arc<Mutex<Kept>>,
    done: mpsc::Sender<()>,
    progress: Option<indicatif::ProgressBar>,
) {
    thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        let mut lines = Lines::default();
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            // Shown first: a user watching the check sees it as it comes.
            // A spinner on the terminal is set aside while the output is
            // written above it, whole lines only: the spinner is drawn on
            // the line the cursor is on, so it would erase a line not yet
            // ended.
            match &progress {
                Some(bar) => {
                    if let Some(whole) = lines.take(&buf[..n]) {
                        bar.suspend(|| show(shown, &whole));
                    }
                }
                None => show(shown, &buf[..n]),
            }
            if let Ok(mut k) = kept.lock() {
                k.total += n as u64;
                let room = LIMIT.saturating_sub(k.bytes.len());
                let take = room.min(n);
                k.bytes.extend_from_slice(&buf[..take]);
            }
        }
        // The last line, when the check did not end it: ended on the
        // screen (not in the report) so that no spinner erases it.
        if let (Some(bar), Some(rest)) = (&progress, lines.rest()) {
            bar.suspend(|| show(shown, &rest));
        }
        let _ = done.send(());
    });
}

/// Writes `bytes` where `shown` says. A closed terminal is no reason to
/// stop keeping the output: errors are ignored.
fn show(shown: Shown, bytes: &[u8]) {
    let _ = match shown {
        Shown::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes).and_then(|_| out.flush())
        }
        Shown::Stderr => std::io::stderr().lock().write_all(bytes),
    };
}

/// Output cut into whole lines for a terminal with a spinner: what is
/// read is shown up to its last new line; the rest waits for its end.
#[derive(Default)]
struct Lines {
    pending: Vec<u8>,
}

impl Lines {
    /// The whole lines to show now, with `more` read; None when none is
    /// whole yet. A line held longer than `HELD` is shown, ended.
    fn take(&mut self, more: &[u8]) -> Option<Vec<u8>> {
        self.pending.extend_from_slice(more);
        match self.pending.iter().rposition(|b| *b == b'\n') {
            Some(i) => Some(self.pending.drain(..=i).collect()),
            None if self.pending.len() > HELD => self.rest(),
            None => None,
        }
    }

    /// What is held, ended with a new line; None when nothing is.
    fn rest(&mut self) -> Option<Vec<u8>> {
        if self.pending.is_empty() {
            return None;
        }
        let mut rest = std::mem::take(&mut self.pending);
        rest.push(b'\n');
        Some(rest)
    }
}

/// What a command printed, as kept.
pub struct Output {
    /// The first `LIMIT` bytes.
    pub bytes: Vec<u8>,
    /// How many bytes it printed in all.
    pub total: u64,
}

impl Output {
    /// The report file's content: the output kept, then, when it was cut,
    /// a line saying so.
    pub fn report_file(&self) -> Vec<u8> {
        let mut file = self.bytes.clone();
        if self.total > self.bytes.len() as u64 {
            if !file.ends_with(b"\n") {
                file.push(b'\n');
            }
            file.extend_from_slice(
                format!(
                    "[rel: output cut here: the first {} bytes (1 MiB) of {} are kept]\n",
                    self.bytes.len(),
                    self.total
                )
                .as_bytes(),
            );
        }
        file
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_shown_whole_and_the_last_one_ended() {
        let mut lines = Lines::default();
        assert_eq!(lines.take(b"fir"), None);
        assert_eq!(lines.take(b"st\nsec").as_deref(), Some(&b"first\n"[..]));
        assert_eq!(
            lines.take(b"ond\nthi\n").as_deref(),
            Some(&b"second\nthi\n"[..])
        );
        assert_eq!(lines.take(b"done"), None);
        assert_eq!(lines.rest().as_deref(), Some(&b"done\n"[..]));
        assert_eq!(lines.rest(), None);
    }

    #[test]
    fn a_line_too_long_to_hold_is_shown() {
        let mut lines = Lines::default();
        let long = vec![b'x'; HELD + 1];
        let shown = lines.take(&long).expect("shown");
        assert_eq!(shown.len(), HELD + 2);
        assert_eq!(shown.last(), Some(&b'\n'));
        assert_eq!(lines.rest(), None);
    }
}
