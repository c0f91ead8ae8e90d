//! The lock that keeps two `rel` processes from interleaving their
//! read-check-write-commit. It lives in the git directory, out of the work tree.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::conflict;

/// Held until dropped; the OS releases it if the process dies.
pub struct Lock {
    _file: File,
}

/// How long a second process waits before giving up with exit 3.
fn wait_limit() -> Duration {
    std::env::var("REL_LOCK_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(Duration::from_secs(10))
}

pub fn acquire(git_dir: &Path) -> anyhow::Result<Lock> {
    let path: PathBuf = git_dir.join("rel.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| conflict(format!("cannot open the lock {}: {e}", path.display())))?;
    let started = Instant::now();
    let limit = wait_limit();
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
