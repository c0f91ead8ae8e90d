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

/// `f(i)` for every i in `lo..hi` on a few threads, the results in order;
/// the first error wins.
pub fn parallel_map<T: Send>(
    lo: usize,
    hi: usize,
    f: impl Fn(usize) -> Res<T> + Sync,
) -> Res<Vec<T>> {
    let threads = std::thread::available_parallelism()
        .map(|t| t.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let n = hi.saturating_sub(lo);
    let chunk = n.div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (lo..hi)
            .step_by(chunk)
            .map(|a| {
                let f = &f;
                s.spawn(move || (a..(a + chunk).min(hi)).map(f).collect::<Res<Vec<T>>>())
            })
            .collect();
        let mut all = Vec::with_capacity(n);
        for h in handles {
            all.extend(h.join().map_err(|_| "a worker thread panicked")??);
        }
        Ok(all)
    })
}
