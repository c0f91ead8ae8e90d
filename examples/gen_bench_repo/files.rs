//! Writing the work tree's files, many at a time.

use std::path::Path;

use crate::Res;

pub fn write_file(root: &Path, relative: &str, text: &str) -> Res<()> {
    std::fs::write(root.join(relative), text).map_err(|e| format!("{relative}: {e}").into())
}

/// Runs `f(i)` for every i in `0..n` on a few threads; the first error wins.
pub fn parallel(n: usize, f: impl Fn(usize) -> Res<()> + Sync) -> Res<()> {
    let threads = std::thread::available_parallelism()
        .map(|t| t.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = n.div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|lo| {
                let f = &f;
                s.spawn(move || (lo..(lo + chunk).min(n)).try_for_each(f))
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().map_err(|_| "a writer thread panicked")?)
    })
}
