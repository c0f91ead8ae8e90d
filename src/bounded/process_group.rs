//! A command run in a process group of its own, killed with everything it
//! started when its time is up.
//!
//! Killing the shell alone is not enough: `sleep 1000 & sleep 1000` leaves a
//! grandchild that holds rel's output pipe open, and whoever reads that pipe
//! (a CI job) waits for it. So the command leads a new process group and the
//! whole group gets SIGKILL: at the timeout, and also when the command ends
//! (what it left running in the background dies with it). The group is
//! killed before its leader is reaped, so its id cannot name anyone else.
//!
//! A group of its own is outside the terminal's foreground group, so Ctrl-C
//! would reach rel but not the command: while it runs, rel passes SIGINT,
//! SIGTERM and SIGHUP on to the group, then dies of the signal as before.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

pub struct Finished {
    pub status: ExitStatus,
    /// The time was up: the group was killed.
    pub timed_out: bool,
    pub elapsed: Duration,
}

/// Runs `cmd` for at most `timeout`; `still_running` is called about every
/// `tick` with the time spent so far. `spawned` is given the child as soon
/// as it exists (to take its output pipes).
pub fn run(
    cmd: &mut Command,
    timeout: Duration,
    tick: Duration,
    mut still_running: impl FnMut(Duration),
    spawned: impl FnOnce(&mut Child),
) -> io::Result<Finished> {
    cmd.process_group(0);
    let started = Instant::now();
    // Handlers first: a signal from the moment the command exists reaches it.
    let forwarding = Forwarding::install();
    let mut child = cmd.spawn()?;
    spawned(&mut child);
    let group = libc::pid_t::try_from(child.id())
        .map_err(|_| io::Error::other("process id out of range"))?;
    GROUP.store(group, Ordering::SeqCst);
    // A timeout too large for the clock means none.
    let deadline = started.checked_add(timeout);
    let mut next_tick = tick;
    let mut pause = Duration::from_millis(1);
    let timed_out = loop {
        if has_ended(group) {
            break false;
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            break true;
        }
        if now - started >= next_tick {
            still_running(now - started);
            next_tick += tick;
        }
        let left = deadline.map_or(pause, |d| d - now);
        std::thread::sleep(pause.min(left));
        // Quick checks end quickly; long ones cost a wake-up every 50 ms.
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    kill_group(group);
    drop(forwarding);
    let status = child.wait()?;
    Ok(Finished {
        status,
        timed_out,
        elapsed: started.elapsed(),
    })
}

/// The leader has ended; it is left a zombie (not reaped) so that the group
/// id stays ours until `kill_group`.
fn has_ended(pid: libc::pid_t) -> bool {
    // SAFETY: waitid writes only into the siginfo_t we own.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        if libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, flags) != 0 {
            // EINTR: look again next time; ECHILD cannot happen (we own it).
            return io::Error::last_os_error().kind() != io::ErrorKind::Interrupted;
        }
        info.si_pid() != 0
    }
}

fn kill_group(group: libc::pid_t) {
    // SAFETY: kill takes plain integers. ESRCH (nothing left) is fine.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
}

/// The group to pass signals on to; 0 when none.
static GROUP: AtomicI32 = AtomicI32::new(0);

const FORWARDED: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

extern "C" fn forward(signal: libc::c_int) {
    let group = GROUP.load(Ordering::SeqCst);
    // SAFETY: kill, signal and raise are async-signal-safe.
    unsafe {
        if group > 0 {
            libc::kill(-group, signal);
        }
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// The handlers rel had before, put back on drop.
struct Forwarding {
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

impl Forwarding {
    fn install() -> Forwarding {
        let mut previous = Vec::new();
        for signal in FORWARDED {
            // SAFETY: sigaction reads and writes only the structs we own;
            // `forward` does only async-signal-safe work.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, std::ptr::null(), &mut old) != 0 {
                    continue;
                }
                // An ignored signal (`nohup`, a background job) stays ignored,
                // for rel and the command alike.
                if old.sa_sigaction != libc::SIG_DFL {
                    continue;
                }
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = forward as extern "C" fn(libc::c_int) as libc::sighandler_t;
                libc::sigemptyset(&mut new.sa_mask);
                if libc::sigaction(signal, &new, std::ptr::null_mut()) == 0 {
                    previous.push((signal, old));
                }
            }
        }
        Forwarding { previous }
    }
}

impl Drop for Forwarding {
    fn drop(&mut self) {
        for (signal, old) in &self.previous {
            // SAFETY: puts back the disposition read in `install`.
            unsafe {
                libc::sigaction(*signal, old, std::ptr::null_mut());
            }
        }
        GROUP.store(0, Ordering::SeqCst);
    }
}
