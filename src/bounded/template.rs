//! A project's notes template, rendered in a child process within 10 s and
//! 256 MB.
//!
//! Why a process: minijinja's fuel counts template instructions, not the
//! work inside one (`range(99999)|sort`, a string doubled sixty times, a
//! filter over a huge list): a single instruction may take minutes or
//! gigabytes. A thread can be neither stopped nor capped; a process can.
//! `rel` runs itself again (`rel __render-template`, hidden), hands over the
//! template and its context as JSON on stdin and reads the document on
//! stdout. The child caps its own address space (RLIMIT_AS: every byte the
//! renderer could take, stacks and all) and CPU time (RLIMIT_CPU, a backstop
//! should the parent die); the parent kills it at the wall-clock deadline.
//! Measured cost: one exec of rel, a few milliseconds (README, "Bounds").

use crate::error::Kind;
use crate::outcome::Outcome;
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The bounds of one rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub time: Duration,
    pub memory_mb: u64,
}

/// Far beyond what a real document needs (the repository's notes render in
/// under a millisecond with a few megabytes).
pub const LIMITS: Limits = Limits {
    time: Duration::from_secs(10),
    memory_mb: 256,
};

/// Internal, for rel's own tests only: `SECONDS,MEGABYTES` makes the bounds
/// tighter (never looser), so the suite need not wait 10 s per case.
pub const TEST_LIMITS_VAR: &str = "REL_INTERNAL_TEMPLATE_LIMITS";

/// The hidden subcommand the child runs.
pub const CHILD_COMMAND: &str = "__render-template";

/// Outcomes of the child: the template is at fault (message on stderr, exit
/// 2), or the renderer could not do its job (exit 4).
const CHILD_TEMPLATE_ERROR: Outcome = Outcome::Error(Kind::Invalid);
const CHILD_FAILED: Outcome = Outcome::Error(Kind::Internal);

impl Limits {
    pub fn in_force() -> Limits {
        Limits::tightened_by(std::env::var(TEST_LIMITS_VAR).ok().as_deref())
    }

    /// The default limits, made tighter by `SECONDS,MEGABYTES` when given
    /// and well-formed (otherwise ignored: it is no user's setting).
    fn tightened_by(text: Option<&str>) -> Limits {
        let Some(text) = text else {
            return LIMITS;
        };
        let mut parts = text.split(',').map(|p| p.trim().parse::<u64>().ok());
        match (parts.next().flatten(), parts.next().flatten(), parts.next()) {
            (Some(secs), Some(mb), None) if secs > 0 && mb > 0 => Limits {
                time: Duration::from_secs(secs).min(LIMITS.time),
                memory_mb: mb.min(LIMITS.memory_mb),
            },
            _ => LIMITS,
        }
    }
}

#[derive(Serialize)]
struct JobOut<'a, C: Serialize> {
    name: &'a str,
    template: &'a str,
    context: &'a C,
}

#[derive(Deserialize)]
struct JobIn {
    name: String,
    template: String,
    context: serde_json::Value,
}

/// Renders `template` (shown as `name` in messages) with `context`, within
/// the limits in force. The error is the message for the user, naming `name`.
pub fn render<C: Serialize>(template: &str, name: &str, context: &C) -> Result<String, String> {
    let limits = Limits::in_force();
    let job = serde_json::to_vec(&JobOut {
        name,
        template,
        context,
    })
    .map_err(|e| format!("{name}: cannot hand the notes to the renderer: {e}"))?;
    let exe = std::env::current_exe()
        .map_err(|e| format!("{name}: cannot find rel's own program to render it: {e}"))?;
    let mut child = Command::new(exe)
        .arg(CHILD_COMMAND)
        .arg(limits.memory_mb.to_string())
        // CPU time can only be at most the wall-clock time: one second more
        // never stops a child the parent is still watching.
        .arg((limits.time.as_secs() + 1).to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{name}: cannot start the renderer: {e}"))?;
    let deadline = Instant::now() + limits.time;

    let (done, closed) = mpsc::channel::<()>();
    let stdin = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let Some(mut stdin) = stdin {
            // A child that dies early closes the pipe: its status says why.
            let _ = stdin.write_all(&job);
        }
    });
    let stdout = drain(child.stdout.take(), done.clone());
    let stderr = drain(child.stderr.take(), done);

    // Both pipes close when the child ends; then it is reaped at once.
    let mut open = 2;
    while open > 0 {
        let left = deadline.saturating_duration_since(Instant::now());
        match closed.recv_timeout(left) {
            Ok(()) => open -= 1,
            Err(_) => break,
        }
    }
    let status = if open == 0 {
        wait_until(&mut child, deadline)
    } else {
        None
    };
    let status = match status {
        Some(status) => Some(status),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            None
        }
    };
    let _ = writer.join();
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    match status {
        None => Err(stopped(name, limits)),
        Some(status) => outcome(name, limits, status, out, &err),
    }
}

fn drain<R: Read + Send + 'static>(from: Option<R>, done: mpsc::Sender<()>) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut from) = from {
            let _ = from.read_to_end(&mut buf);
        }
        let _ = done.send(());
        buf
    })
}

/// The child's status, if it ends before `deadline`.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(1));
            }
            _ => return None,
        }
    }
}

fn stopped(name: &str, limits: Limits) -> String {
    format!(
        "{name}: stopped after {} s, the limit for a notes template",
        limits.time.as_secs()
    )
}

fn outcome(
    name: &str,
    limits: Limits,
    status: ExitStatus,
    out: Vec<u8>,
    err: &[u8],
) -> Result<String, String> {
    let err = String::from_utf8_lossy(err);
    if status.success() {
        return String::from_utf8(out)
            .map_err(|_| format!("{name}: the renderer's output is not UTF-8"));
    }
    if status.code() == Some(i32::from(CHILD_TEMPLATE_ERROR.exit_code())) {
        return Err(clip(err.trim_end()));
    }
    // The CPU backstop: SIGXCPU at the soft limit, SIGKILL at the hard one.
    if matches!(status.signal(), Some(libc::SIGXCPU | libc::SIGKILL)) {
        return Err(stopped(name, limits));
    }
    // Rust's allocator says this, then aborts, when the address space is full.
    if err.contains("memory allocation of") {
        return Err(format!(
            "{name}: used more than {} MB, the limit for a notes template",
            limits.memory_mb
        ));
    }
    if err.contains("overflowed its stack") {
        return Err(format!("{name}: nested too deeply (the stack overflowed)"));
    }
    Err(format!(
        "{name}: the template could not be rendered ({status}): {}",
        clip(err.trim_end())
    ))
}

/// A message from the child, cut short: it may quote the template.
fn clip(text: &str) -> String {
    const MAX: usize = 2000;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{} [...]", &text[..at]),
        None => text.to_string(),
    }
}

/// The child: limit itself, then render the job read from stdin. Returns
/// its outcome, told on stderr when it failed.
pub fn child_main(memory_mb: u64, cpu_seconds: u64) -> Outcome {
    if let Err(e) = limit_self(memory_mb, cpu_seconds) {
        return fail(&format!("cannot limit the renderer: {e}"));
    }
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut input) {
        return fail(&format!("cannot read the job: {e}"));
    }
    let job: JobIn = match serde_json::from_slice(&input) {
        Ok(job) => job,
        Err(e) => return fail(&format!("the job is not valid: {e}")),
    };
    drop(input);
    match crate::render::notes::from_template(&job.template, &job.name, &job.context) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => Outcome::Done,
                Err(e) => fail(&format!("cannot hand back the document: {e}")),
            }
        }
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "{message}");
            CHILD_TEMPLATE_ERROR
        }
    }
}

fn fail(message: &str) -> Outcome {
    let _ = writeln!(std::io::stderr(), "{message}");
    CHILD_FAILED
}

fn limit_self(memory_mb: u64, cpu_seconds: u64) -> std::io::Result<()> {
    let bytes = memory_mb.saturating_mul(1024 * 1024);
    set_limit(libc::RLIMIT_AS, bytes, bytes)?;
    set_limit(libc::RLIMIT_CPU, cpu_seconds, cpu_seconds.saturating_add(1))
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
type Resource = libc::__rlimit_resource_t;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
type Resource = libc::c_int;

fn set_limit(resource: Resource, soft: u64, hard: u64) -> std::io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: soft as libc::rlim_t,
        rlim_max: hard as libc::rlim_t,
    };
    // SAFETY: setrlimit reads the struct we pass and touches no memory of ours.
    if unsafe { libc::setrlimit(resource, &limit) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Limits, LIMITS};

    #[test]
    fn the_limits_are_10_s_and_256_mb_and_tests_may_only_tighten_them() {
        assert_eq!(LIMITS.time, Duration::from_secs(10));
        assert_eq!(LIMITS.memory_mb, 256);
        assert_eq!(Limits::tightened_by(None), LIMITS);
        let tight = Limits::tightened_by(Some("1,64"));
        assert_eq!((tight.time, tight.memory_mb), (Duration::from_secs(1), 64));
        assert_eq!(Limits::tightened_by(Some("60,100000")), LIMITS);
        for bad in ["", "1", "0,64", "1,0", "x,64", "1,64,5", "-1,64"] {
            assert_eq!(Limits::tightened_by(Some(bad)), LIMITS, "{bad:?}");
        }
    }
}
