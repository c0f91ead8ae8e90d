//! Decides every release before its life is played out: fate, kind,
//! timing, id, version and the incidents it holds.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};

use crate::clock::{at, instant, work_time, DAY, HOUR};
use crate::life::live;
use crate::rng::{Rng, STREAM_KIND, STREAM_PLAN};
use crate::words::AREAS;
use crate::Res;

/// Releases in progress at every size: the work in progress is the same
/// at 1,000, 10,000 and 100,000 releases, only the history grows.
pub const IN_PROGRESS: usize = 36;
/// Unassigned incidents at every size (fewer only with few incidents).
pub const UNASSIGNED: usize = 3_000;
/// Seeds of the releases in progress: the `j`-th one in progress draws
/// the same kind, life and incidents whatever the size (a finished
/// release's seed is its index, far below).
const IN_PROGRESS_SEED: usize = 1 << 40;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Released,
    Cancelled,
    /// In progress in `ENVS[env]`, frozen or open.
    InProgress {
        env: usize,
        frozen: bool,
    },
}

/// Everything decided about a release before its life is played out.
pub struct Spec {
    pub index: usize,
    /// What its randomness is drawn from (see `IN_PROGRESS_SEED`).
    pub seed: usize,
    pub id: String,
    pub title: String,
    pub version: String,
    pub kind: &'static str,
    pub fate: Fate,
    pub t0: i64,
    /// Incident numbers (0-based) it holds at the end.
    pub incidents: Range<usize>,
    pub target: Option<NaiveDate>,
}

pub struct Ctx {
    pub now: i64,
    pub incident_width: usize,
    pub full_history: bool,
}

impl Ctx {
    pub fn incident_id(&self, n: usize) -> String {
        format!("INC-{:0w$}", n + 1, w = self.incident_width)
    }
}

/// Decides every release: fate, kind, timing, id, version, incidents held.
/// Fails when a release in progress cannot be placed so that its whole
/// life lies before `ctx.now` (rel refuses to write before a recorded step).
pub fn plan(releases: usize, incidents: usize, ctx: &Ctx) -> Res<Vec<Spec>> {
    let n = releases;
    // A few dozen in progress, oldest furthest along, one alone in staging:
    // the same at every size, so the benchmark shows what history costs.
    let k = IN_PROGRESS.min(n);
    let staging = usize::from(k >= 1);
    let production = if k >= 2 { (k * 5 / 36).max(1) } else { 0 };
    let uat = if k >= 3 { (k / 3).max(1) } else { 0 };
    let done = n - k;
    let mut specs: Vec<Spec> = (0..n)
        .map(|i| {
            let seed = if i < done {
                i
            } else {
                IN_PROGRESS_SEED + i - done
            };
            let mut rng = Rng::for_item(STREAM_KIND, seed);
            let kind = match rng.below(100) {
                0..=1 => "major",
                2..=29 => "minor",
                _ => "patch",
            };
            let fate = if i < done {
                if rng.chance(7) {
                    Fate::Cancelled
                } else {
                    Fate::Released
                }
            } else {
                let j = i - done;
                if j < production {
                    Fate::InProgress {
                        env: 3,
                        frozen: true,
                    }
                } else if j < production + staging {
                    Fate::InProgress {
                        env: 2,
                        frozen: true,
                    }
                } else if j < production + staging + uat {
                    Fate::InProgress {
                        env: 1,
                        frozen: j.is_multiple_of(2),
                    }
                } else {
                    Fate::InProgress {
                        env: 0,
                        frozen: false,
                    }
                }
            };
            // Incidents a release in progress holds (numbered below).
            let holds = if i < done {
                0
            } else {
                rng.range(3, 12) as usize
            };
            Spec {
                index: i,
                seed,
                id: String::new(),
                title: String::new(),
                version: "0.0.0".into(),
                kind,
                fate,
                t0: 0,
                incidents: 0..holds,
                target: None,
            }
        })
        .collect();

    // Incidents: the same number unassigned at every size (3,000: 3 % at
    // 10,000 releases), 3 to 12 held by each release in progress (drawn
    // from its seed), the rest spread over the released ones, in order.
    let unassigned = if n == 0 {
        incidents
    } else {
        UNASSIGNED.min(incidents / 3)
    };
    let mut plan_rng = Rng::for_item(STREAM_PLAN, 0);
    let mut counts = vec![0; n];
    let mut left = incidents - unassigned;
    for (c, s) in counts.iter_mut().zip(&specs) {
        *c = s.incidents.len().min(left);
        left -= *c;
    }
    let held = left;
    let weights: Vec<u64> = specs
        .iter()
        .map(|s| match s.fate {
            Fate::Released => plan_rng.range(1, 20) as u64,
            _ => 0,
        })
        .collect();
    let total: u64 = weights.iter().sum::<u64>().max(1);
    for (c, w) in counts.iter_mut().zip(&weights) {
        *c += (held as u64 * w / total) as usize;
    }
    let mut rest = incidents - unassigned - counts.iter().sum::<usize>();
    // Flooring lost less than one per holder: hand the rest out in order.
    for (c, w) in counts.iter_mut().zip(&weights) {
        if rest > 0 && *w > 0 {
            *c += 1;
            rest -= 1;
        }
    }
    let mut next = 0;
    for (spec, count) in specs.iter_mut().zip(&counts) {
        spec.incidents = next..next + count;
        next += count;
    }

    // Timing: finished releases evenly from January 2020 to ten weeks ago;
    // those in progress backwards from now, so that they are where they
    // should be today, some past their soak and some not.
    let start = instant(2020, 1, 6, 9);
    let cutoff = ctx.now - 70 * DAY;
    let spacing = (cutoff - start) / done.max(1) as i64;
    for spec in &mut specs {
        let mut rng = Rng::for_item(STREAM_PLAN, spec.seed + 1);
        if spec.index < done {
            spec.t0 = work_time(start + spacing * spec.index as i64 + rng.range(0, spacing / 2));
            continue;
        }
        let end = ctx.now - rng.range(2 * HOUR, 8 * DAY);
        spec.t0 = settle(spec, end, ctx).ok_or_else(|| {
            format!(
                "internal error: release {} in progress: no start puts its life before {}",
                spec.index,
                at(end)
            )
        })?;
    }

    // Ids by creation order, numbered within each year; versions follow.
    specs.sort_by_key(|s| (s.t0, s.index));
    let (mut year, mut number) = (0, 0);
    let (mut major, mut minor, mut patch) = (1u32, 0u32, 0u32);
    for spec in specs.iter_mut() {
        let y = at(spec.t0).year();
        if y != year {
            year = y;
            number = 0;
        }
        number += 1;
        spec.id = format!("R-{year}-{number:04}");
        match spec.kind {
            "major" => (major, minor, patch) = (major + 1, 0, 0),
            "minor" => (minor, patch) = (minor + 1, 0),
            _ => patch += 1,
        }
        spec.version = format!("{major}.{minor}.{patch}");
        let mut rng = Rng::for_item(STREAM_PLAN, n + 1 + spec.seed);
        let label = match spec.kind {
            "major" => "platform upgrade",
            "minor" => "feature release",
            _ => "maintenance",
        };
        spec.title = format!("{} {label} {}", rng.pick(&AREAS), spec.version);
        if rng.chance(50) {
            spec.target = Some(at(spec.t0 + rng.range(20, 45) * DAY).date_naive());
        }
    }
    Ok(specs)
}

/// The start (in office hours) that ends the life of a release in
/// progress at or before `end`. Office hours move every step forward, so
/// it is found by trial: start at `end`, and while the life ends `over`
/// seconds late, move the start back by `over` and a day.
///
/// The trial start moves back from the last *trial* instant, never from
/// the office-hours instant it became: moved back from that, a start on a
/// Monday morning 8 hours late went back 32 hours into Sunday night and
/// office hours brought it to the same Monday morning, round after round,
/// and the life kept a step 8 hours after `end`, after `now` (a 17:01
/// promote at 1,000 releases with 36 in progress, and a 14:12 one at
/// 100,000). The trial instant falls by more than a day a round, so the
/// start falls too, and the life with it.
fn settle(spec: &mut Spec, end: i64, ctx: &Ctx) -> Option<i64> {
    let mut trial = end;
    for _ in 0..1_000 {
        spec.t0 = work_time(trial);
        let over = live(spec, usize::MAX, ctx).latest - end;
        if over <= 0 {
            return Some(spec.t0);
        }
        trial -= over + DAY;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::instant;

    fn ctx() -> Ctx {
        Ctx {
            now: instant(2026, 11, 25, 12),
            incident_width: 6,
            full_history: false,
        }
    }

    /// The releases in progress, as (fate, kind, start, incidents held).
    fn in_progress(specs: &[Spec]) -> Vec<(Fate, &'static str, i64, usize)> {
        specs
            .iter()
            .filter(|s| matches!(s.fate, Fate::InProgress { .. }))
            .map(|s| (s.fate, s.kind, s.t0, s.incidents.len()))
            .collect()
    }

    fn unassigned(specs: &[Spec], incidents: usize) -> usize {
        incidents - specs.iter().map(|s| s.incidents.len()).sum::<usize>()
    }

    #[test]
    fn the_work_in_progress_is_the_same_at_every_size_and_before_now() {
        let ctx = ctx();
        let small = plan(1_000, 10_000, &ctx).expect("1k planned");
        let large = plan(10_000, 100_000, &ctx).expect("10k planned");
        for specs in [&small, &large] {
            for spec in specs.iter() {
                let life = live(spec, usize::MAX, &ctx);
                assert!(life.latest <= ctx.now, "{} ends after now", spec.id);
                assert!(life.steps.iter().all(|s| s.at <= ctx.now), "{}", spec.id);
            }
        }
        assert_eq!(in_progress(&small).len(), IN_PROGRESS);
        assert_eq!(in_progress(&small), in_progress(&large));
        assert_eq!(unassigned(&small, 10_000), UNASSIGNED);
        assert_eq!(unassigned(&large, 100_000), UNASSIGNED);
    }

    /// A start that office hours move forward past the step back (Monday
    /// 08:00 moved back 32 hours is Sunday night, moved forward to the same
    /// Monday) kept a production release 8 hours after `now` at 1,000
    /// releases: any release in production must settle before its end.
    #[test]
    fn a_release_in_progress_settles_before_its_end_whatever_its_draws() {
        let ctx = ctx();
        for j in 0..2_000 {
            let mut spec = Spec {
                index: 0,
                seed: IN_PROGRESS_SEED + j,
                id: "R-2026-0001".into(),
                title: String::new(),
                version: "1.0.0".into(),
                kind: ["patch", "minor", "major"][j % 3],
                fate: Fate::InProgress {
                    env: 3,
                    frozen: true,
                },
                t0: 0,
                incidents: 0..1 + j % 12,
                target: None,
            };
            let end = ctx.now - (2 * HOUR + j as i64 * 1_789) % (8 * DAY);
            let t0 = settle(&mut spec, end, &ctx).expect("settled");
            assert_eq!(spec.t0, t0);
            assert!(live(&spec, usize::MAX, &ctx).latest <= end, "draw {j}");
        }
    }
}
