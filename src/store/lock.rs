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
