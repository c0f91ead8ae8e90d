//! Decides every release before its life is played out: fate, kind,
//! timing, id, version and the incidents it holds.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};

use crate::clock::{at, instant, work_time, DAY, HOUR};
use crate::life::live;
use crate::rng::{Rng, STREAM_KIND, STREAM_PLAN};
use crate::words::AREAS;

#[derive(Clone, Copy, PartialEq, Eq)]
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
pub fn plan(releases: usize, incidents: usize, ctx: &Ctx) -> Vec<Spec> {
    let n = releases;
    // A few dozen in progress, oldest furthest along, one alone in staging.
    // (36 at 10,000 releases, growing with the size: 360 at 100,000.
    // Keeping 36 at every size makes a step of some release fall after
    // `now` at 1,000 releases, a bug not found yet.)
    let k = (n * 36 / 10_000).max(4).min(n);
    let staging = usize::from(k >= 1);
    let production = if k >= 2 { (k * 5 / 36).max(1) } else { 0 };
    let uat = if k >= 3 { (k / 3).max(1) } else { 0 };
    let done = n - k;
    let mut specs: Vec<Spec> = (0..n)
        .map(|i| {
            let mut rng = Rng::for_item(STREAM_KIND, i);
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
            Spec {
                index: i,
                id: String::new(),
                title: String::new(),
                version: "0.0.0".into(),
                kind,
                fate,
                t0: 0,
                incidents: 0..0,
                target: None,
            }
        })
        .collect();

    // Incidents: a few percent unassigned, the rest spread over the
    // releases that hold some (all but the cancelled), in order.
    let unassigned = if n == 0 {
        incidents
    } else {
        (incidents * 3 / 100).min(incidents)
    };
    let held = incidents - unassigned;
    let mut plan_rng = Rng::for_item(STREAM_PLAN, 0);
    let weights: Vec<u64> = specs
        .iter()
        .map(|s| match s.fate {
            Fate::Cancelled => 0,
            Fate::Released => plan_rng.range(1, 20) as u64,
            Fate::InProgress { .. } => plan_rng.range(3, 12) as u64,
        })
        .collect();
    let total: u64 = weights.iter().sum::<u64>().max(1);
    let mut counts: Vec<usize> = weights
        .iter()
        .map(|w| (held as u64 * w / total) as usize)
        .collect();
    let mut rest = held - counts.iter().sum::<usize>();
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
        let mut rng = Rng::for_item(STREAM_PLAN, spec.index + 1);
        if spec.index < done {
            spec.t0 = work_time(start + spacing * spec.index as i64 + rng.range(0, spacing / 2));
            continue;
        }
        let end = ctx.now - rng.range(2 * HOUR, 8 * DAY);
        spec.t0 = end;
        // Office hours move steps forward, so settle by trial (a few rounds
        // as a rule; the bound only stops a loop that would not settle). A
        // step after `now` would make rel refuse every write.
        for _ in 0..1_000 {
            spec.t0 = work_time(spec.t0);
            let over = live(spec, usize::MAX, ctx).latest - end;
            if over <= 0 {
                break;
            }
            spec.t0 -= over + DAY;
        }
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
        let mut rng = Rng::for_item(STREAM_PLAN, n + 1 + spec.index);
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
    specs
}
