//! The lock that keeps two `rel` processes from interleaving their
//! read-check-write-commit. It lives in the git directory, out of the work tree.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{conflict, invalid};

/// Held until dropped; the OS releases it if the process dies.
pub struct Lock {
    _file: File,
}

/// How long a second process waits before giving up with exit 3:
/// REL_LOCK_TIMEOUT seconds (a huge value or `inf` waits for good), else 10.
fn wait_limit() -> anyhow::Result<Duration> {
    let raw = std::env::var_os("REL_LOCK_TIMEOUT").unwrap_or_default();
    let text = raw.to_string_lossy();
    if text.trim().is_empty() {
        return Ok(Duration::from_secs(10));
    }
    match text.trim().parse::<f64>() {
        Ok(secs) if secs >= 0.0 => Ok(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)),
        _ => Err(invalid(format!(
            "REL_LOCK_TIMEOUT={text:?}: expected a number of seconds such as 0.5 or 30"
        ))),
    }
}

pub fn acquire(git_dir: &Path) -> anyhow::Result<Lock> {
    let limit = wait_limit()?;
    let path: PathBuf = git_dir.join("rel.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| conflict(format!("cannot open the lock {}: {e}", path.display())))?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Lock { _file: file }),
            Err(TryLockError::WouldBlock) if started.elapsed() < limit => {
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(conflict(format!(
                    "another rel process holds the lock {} (waited {:.0} s); try again when it has finished",
                    path.display(),
                    limit.as_secs_f64()
                )))
            }
            Err(TryLockError::Error(e)) => {
                return Err(conflict(format!("cannot lock {}: {e}", path.display())))
            }
        }
    }
}

/// Whether process `pid` is another live `rel` (this program). This
/// process, a zombie, a gone process or a pid reused by another program is
/// not; when that cannot be told (no /proc), any live process counts, so
/// rel errs on leaving things alone.
pub fn rel_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return false; // the pid of a dead rel, reused by this one
    }
    #[cfg(target_os = "linux")]
    {
        let proc_dir = PathBuf::from(format!("/proc/{pid}"));
        let Ok(stat) = std::fs::read_to_string(proc_dir.join("stat")) else {
            return false;
        };
        // `pid (comm) S ...`: the state follows the last `)`.
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next());
        if matches!(state, Some('Z' | 'X' | 'x')) {
            return false;
        }
        match (
            std::fs::read_link(proc_dir.join("exe")),
            std::env::current_exe(),
        ) {
            (Ok(theirs), Ok(ours)) => same_program(&theirs, &ours),
            _ => true,
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let Ok(pid) = i32::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only asks whether the process exists.
        let answer = unsafe { libc::kill(pid, 0) };
        answer == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
}

#[cfg(target_os = "linux")]
fn same_program(theirs: &Path, ours: &Path) -> bool {
    // A binary rebuilt meanwhile shows as `path (deleted)`.
    let strip = |p: &Path| {
        let text = p.to_string_lossy();
        text.strip_suffix(" (deleted)").unwrap_or(&text).to_string()
    };
    strip(theirs) == strip(ours)
}

/// The live processes other than this one that hold `path` open (Linux:
/// read from /proc; elsewhere none can be told). A git that is writing
/// its `index.lock` keeps it open until it renames it into place.
pub fn holders(path: &Path) -> Vec<u32> {
    let mut found = Vec::new();
    #[cfg(target_os = "linux")]
    {
        let Ok(target) = path.canonicalize() else {
            return found;
        };
        let me = std::process::id();
        let Ok(procs) = std::fs::read_dir("/proc") else {
            return found;
        };
        for entry in procs.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            if pid == me {
                continue;
            }
            let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
                continue; // gone, or another user's
            };
            if fds
                .flatten()
                .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|p| p == target))
            {
                found.push(pid);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = path;
    found
}
