//! `.git/rel-bench.env`: the ids bench/run.sh works on.

use std::path::Path;

use crate::incident::{build_incident, Holding};
use crate::plan::{Ctx, Fate, Spec};
use crate::Res;

/// The ids bench/run.sh works on, as shell assignments.
pub fn write_bench_env(
    dir: &Path,
    specs: &[Spec],
    holdings: &[Option<Holding>],
    ctx: &Ctx,
    log_commits: usize,
) -> Res<()> {
    let in_progress = |wanted: Fate| {
        specs
            .iter()
            .find(|s| s.fate == wanted)
            .or_else(|| {
                specs
                    .iter()
                    .find(|s| matches!(s.fate, Fate::InProgress { .. }))
            })
            .map(|s| s.id.clone())
            .unwrap_or_default()
    };
    let show = in_progress(Fate::InProgress {
        env: 3,
        frozen: true,
    });
    let check = in_progress(Fate::InProgress {
        env: 1,
        frozen: true,
    });
    let group = in_progress(Fate::InProgress {
        env: 0,
        frozen: false,
    });
    // A released release, filed in the archive.
    let past = specs
        .iter()
        .rev()
        .find(|s| s.fate == Fate::Released)
        .map(|s| s.id.clone())
        .unwrap_or_default();
    // A free incident that may be grouped: resolved and authorised.
    let free = (0..holdings.len())
        .filter(|&k| holdings[k].is_none())
        .map(|k| build_incident(k, None, ctx))
        .find(|inc| inc.status == "resolved" && inc.authorisation.is_some())
        .map(|inc| inc.id)
        .unwrap_or_default();
    let text = format!(
        "# Written by examples/gen_bench_repo: ids for bench/run.sh.\n\
         BENCH_RELEASES={}\nBENCH_INCIDENTS={}\nBENCH_LOG_COMMITS={log_commits}\n\
         BENCH_SHOW={show}\nBENCH_CHECK={check}\nBENCH_GROUP_RELEASE={group}\n\
         BENCH_GROUP_INCIDENT={free}\nBENCH_PAST={past}\n",
        specs.len(),
        holdings.len(),
    );
    std::fs::write(dir.join(".git/rel-bench.env"), &text)?;
    print!("{text}");
    Ok(())
}
