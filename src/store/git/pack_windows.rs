//! How much of git's pack files libgit2 keeps mapped. By default it maps a
//! pack in windows of up to 1 GB and keeps up to 8 GB mapped, so every page
//! a command touched stays in its resident memory: `incident list --all` on
//! 1,000,000 incidents (the register's 32,000 blobs scattered over a 500 MB
//! pack) had 175 MB of its 270 MB there, and an audit reading every blob of
//! an import had the whole pack (370 MB). Smaller windows, fewer kept
//! mapped (the least recently used unmapped first), bound that; each
//! command that reads a whole archive chooses its bound, since a tighter
//! one costs mapping calls (32 MB windows under 64 MB took a cold listing's
//! system time from 1 s to 16 s).

/// Maps packs in windows of `window_mb` MB, at most `mapped_mb` MB at once.
/// Process-wide: it must run on the main thread before the repository is
/// opened (a window mapped before stays) and before any thread reads git;
/// only the first call counts.
pub fn bound(window_mb: usize, mapped_mb: usize) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: libgit2's process-wide settings, set (per the contract
        // above) before rel starts any thread that uses libgit2.
        unsafe {
            let _ = git2::opts::set_mwindow_size(window_mb << 20);
            let _ = git2::opts::set_mwindow_mapped_limit(mapped_mb << 20);
        }
    });
}
