//! Plays out a release's life step by step: each step is one history
//! event in its manifest and one commit with `--log-commits`.

use std::ops::Range;

use crate::clock::{at, work_time, DAY, HOUR};
use crate::manifest::{Approval, Event, Health, Release, Tick};
use crate::plan::{Ctx, Fate, Spec};
use crate::rng::{Rng, STREAM_LIFE};
use crate::words::{ACTORS, CLIENT, ENVS, MANAGER, PROD_ENTRY, PROD_EXIT, UAT_ITEM};

/// One step of a release's life: one history event, one commit in `--log-commits`.
pub struct Step {
    pub at: i64,
    pub by: &'static str,
    pub action: &'static str,
    /// What follows `rel: <action> ` in the commit subject, as rel writes it.
    pub subject: String,
    pub env: Option<&'static str>,
    pub overrides: Vec<&'static str>,
    pub reason: Option<&'static str>,
}

/// A release's life played out; `release` is its manifest after `limit` steps.
pub struct Life {
    pub release: Release,
    pub steps: Vec<Step>,
    limit: usize,
    /// Ticks, approvals and health reports as steps of their own.
    full_history: bool,
    /// The latest instant recorded anywhere in the full life.
    pub latest: i64,
    /// Each part of its incidents: grouped when, by whom, in which step.
    pub groups: Vec<Group>,
    /// When and by whom it was closed (released).
    pub closed: Option<(i64, &'static str)>,
}

/// One `group` step: the incidents it added.
#[derive(Clone)]
pub struct Group {
    pub at: i64,
    pub by: &'static str,
    /// Its index in `Life::steps`.
    pub step: usize,
    pub incidents: Range<usize>,
}

impl Life {
    /// Records a step; true when it is within `limit`, so the caller applies
    /// its effects to the manifest.
    fn step(&mut self, event: Event, subject: String) -> bool {
        let t = event.at.timestamp();
        self.latest = self.latest.max(t);
        let applies = self.steps.len() < self.limit;
        self.steps.push(Step {
            at: t,
            by: event.by,
            action: event.action,
            subject,
            env: event.env,
            overrides: event.overrides.clone(),
            reason: event.reason,
        });
        if applies {
            self.release.history.push(event);
        }
        applies
    }

    /// A tick, approval or health report: a step of its own with
    /// `--full-history`; otherwise part of the neighbouring main step, the
    /// `next` one to be recorded or else the last one recorded.
    fn side_step(&mut self, event: Event, subject: String, next: bool) -> bool {
        self.latest = self.latest.max(event.at.timestamp());
        if self.full_history {
            self.step(event, subject)
        } else if next {
            self.steps.len() < self.limit
        } else {
            self.steps.len() <= self.limit
        }
    }

    /// Promotes (or rolls back) from `ENVS[from]` to `ENVS[to]`.
    pub fn enter(&mut self, mut e: Event, from: usize) -> bool {
        let to = e.env.unwrap_or(ENVS[0]);
        e.from = Some(ENVS[from]);
        let subject = format!("{} to {to}", self.release.id);
        let applies = self.step(e, subject);
        if applies {
            self.release.environment = to;
            self.release.entered_at = self.release.history.last().expect("just pushed").at;
        }
        applies
    }

    /// Ticks `item` of `ENVS[env]`'s entry or exit checklist at `t`.
    pub fn tick(&mut self, t: i64, env: usize, checklist: &'static str, item: &'static str) {
        let mut e = event(t, MANAGER.0, "tick", Some(env));
        e.detail = Some(format!("{checklist}: {item}"));
        let subject = format!("{} {} {checklist}: {item}", self.release.id, ENVS[env]);
        if self.side_step(e, subject, true) {
            let revision = self.release.revision;
            self.release.ticks.push(Tick {
                env: ENVS[env],
                checklist,
                item,
                by: MANAGER.0,
                at: at(t),
                revision,
            });
        }
    }

    pub fn approve(
        &mut self,
        t: i64,
        env: usize,
        role: &'static str,
        (by, email): (&'static str, &'static str),
    ) {
        let revision = self.release.revision;
        let mut e = event(t, by, "approve", Some(env));
        e.detail = Some(format!("as {role} (revision {revision})"));
        let subject = format!("{} for {} as {role}", self.release.id, ENVS[env]);
        if self.side_step(e, subject, true) {
            self.release.approvals.push(Approval {
                env: ENVS[env],
                role,
                by,
                email,
                at: at(t),
                revision,
            });
        }
    }

    /// A passing health report from CI, recorded with `rel verify --passed`.
    pub fn verify(&mut self, t: i64, env: usize, rng: &mut Rng) {
        const CI: &str = "CI <ci@vendor.example>";
        let passed = rng.range(80, 400) as u64;
        let duration = rng.range(30_000, 900_000) as u64;
        let mut e = event(t, CI, "verify", Some(env));
        e.detail = Some(format!("health check passed: {passed} passed, 0 failed"));
        let subject = format!("{} in {}: passed", self.release.id, ENVS[env]);
        if self.side_step(e, subject, false) {
            let revision = self.release.revision;
            let report = format!("ci/health/{}-{}.html", self.release.id, ENVS[env]);
            self.release.health.push(Health {
                env: ENVS[env],
                passed: true,
                by: CI,
                at: at(t),
                revision,
                duration_ms: Some(duration),
                tests_passed: Some(passed),
                tests_failed: Some(0),
                report: Some(report),
            });
        }
    }
}

fn event(t: i64, by: &'static str, action: &'static str, env: Option<usize>) -> Event {
    Event {
        at: at(t),
        by,
        action,
        env: env.map(|e| ENVS[e]),
        from: None,
        incidents: Vec::new(),
        overrides: Vec::new(),
        reason: None,
        detail: None,
    }
}

/// Business days of soak in UAT and staging, as calendar time plus slack.
fn soak(kind: &str, env: usize, rng: &mut Rng) -> i64 {
    let days = match (kind, env) {
        ("major", 1) => 14,
        ("minor", 1) => 5,
        ("patch", _) => 0,
        _ => 7,
    };
    days * DAY + rng.range(2 * HOUR, 2 * DAY)
}

/// A commit subject naming a release and a few incidents, as rel writes it.
fn group_subject(release: &str, ids: &[String]) -> String {
    let mut s = format!("{release} {}", ids[..ids.len().min(3)].join(", "));
    if ids.len() > 3 {
        s.push_str(&format!(" and {} more", ids.len() - 3));
    }
    s
}

/// Plays out a release's life from `spec.t0`, applying the first `limit` steps.
pub fn live(spec: &Spec, limit: usize, ctx: &Ctx) -> Life {
    let mut rng = Rng::for_item(STREAM_LIFE, spec.seed);
    let creator = rng.pick(&ACTORS);
    let mut life = Life {
        release: Release {
            id: spec.id.clone(),
            title: spec.title.clone(),
            version: spec.version.clone(),
            kind: spec.kind,
            state: "open",
            environment: ENVS[0],
            entered_at: at(spec.t0),
            revision: 1,
            target: spec.target,
            created_at: at(spec.t0),
            created_by: creator,
            incidents: Vec::new(),
            approvals: Vec::new(),
            ticks: Vec::new(),
            health: Vec::new(),
            history: Vec::new(),
        },
        steps: Vec::new(),
        limit,
        full_history: ctx.full_history,
        latest: spec.t0,
        groups: Vec::new(),
        closed: None,
    };
    let mut t = spec.t0;
    let mut e = event(t, creator, "new", Some(0));
    e.detail = Some(format!("version {}, {}", spec.version, spec.kind));
    life.step(e, spec.id.clone());

    let (stop_env, stop_frozen) = match spec.fate {
        Fate::Cancelled => {
            cancelled_life(&mut life, &mut rng, t);
            return life;
        }
        Fate::Released => (usize::MAX, true),
        Fate::InProgress { env, frozen } => (env, frozen),
    };

    // Development: the incidents are grouped in one or two steps.
    let n = spec.incidents.len();
    let parts = match n {
        0 => 0,
        1 => 1,
        _ if stop_env == 0 || rng.chance(40) => 2,
        _ => 1,
    };
    let mut start = spec.incidents.start;
    for part in 0..parts {
        t = work_time(t + rng.range(4 * HOUR, 3 * DAY));
        let end = if part + 1 == parts {
            spec.incidents.end
        } else {
            start + n / 2
        };
        let ids: Vec<String> = (start..end).map(|k| ctx.incident_id(k)).collect();
        let mut e = event(t, rng.pick(&ACTORS), "group", None);
        life.groups.push(Group {
            at: t,
            by: e.by,
            step: life.steps.len(),
            incidents: start..end,
        });
        e.incidents = ids.clone();
        e.detail = Some(format!("revision {}", life.release.revision + 1));
        if life.step(e, group_subject(&spec.id, &ids)) {
            life.release.incidents.extend(ids);
            life.release.revision += 1;
        }
        start = end;
    }
    if stop_env == 0 {
        return life;
    }

    // UAT: an entry tick for majors, the soak, then the freeze.
    t = work_time(t + rng.range(DAY, 6 * DAY));
    if spec.kind == "major" {
        life.tick(t - rng.range(HOUR, 6 * HOUR), 1, "entry", UAT_ITEM);
    }
    life.enter(event(t, rng.pick(&ACTORS), "promote", Some(1)), 0);
    let rushed = rng.chance(3);
    let stay = if rushed {
        rng.range(12 * HOUR, 36 * HOUR)
    } else {
        soak(spec.kind, 1, &mut rng)
    };
    let freeze_at = work_time(t + stay * 4 / 5);
    if stop_env == 1 && !stop_frozen {
        return life;
    }
    let mut e = event(freeze_at, rng.pick(&ACTORS), "freeze", None);
    let count = life.release.incidents.len();
    let plural = if count == 1 { "" } else { "s" };
    e.detail = Some(format!(
        "revision {}, {count} incident{plural}",
        life.release.revision
    ));
    if life.step(e, spec.id.clone()) {
        life.release.state = "frozen";
    }
    if stop_env == 1 {
        return life;
    }

    // Staging: sometimes rushed in with the soak overridden; a health report
    // from CI for half of them.
    t = work_time(t.max(freeze_at) + stay / 5 + HOUR);
    let mut e = event(t, rng.pick(&ACTORS), "promote", Some(2));
    if rushed {
        e.overrides = vec!["soak"];
        e.reason = Some("Urgent fix requested by the client");
    }
    life.enter(e, 1);
    let stay = soak(spec.kind, 2, &mut rng).max(DAY);
    if rng.chance(50) {
        life.verify(t + stay / 2, 2, &mut rng);
    }
    if stop_env == 2 {
        return life;
    }

    // Production: approvals for some, the entry checklist, then the close
    // after the exit checklist.
    t = work_time(t + stay);
    if rng.chance(30) {
        life.approve(t - 3 * HOUR, 3, "client", CLIENT);
        life.approve(t - 2 * HOUR, 3, "release-manager", MANAGER);
    }
    for (k, item) in PROD_ENTRY.into_iter().enumerate() {
        life.tick(t - (40 - k as i64 * 10) * 60, 3, "entry", item);
    }
    life.enter(event(t, rng.pick(&ACTORS), "promote", Some(3)), 2);
    if stop_env == 3 {
        return life;
    }
    t = work_time(t + rng.range(4 * HOUR, 3 * DAY));
    life.tick(t - HOUR, 3, "exit", PROD_EXIT);
    let mut e = event(t, rng.pick(&ACTORS), "close", Some(3));
    e.detail = Some(format!("released {}", spec.version));
    life.closed = Some((t, e.by));
    if life.step(e, spec.id.clone()) {
        life.release.state = "released";
    }
    life
}

fn cancelled_life(life: &mut Life, rng: &mut Rng, t0: i64) {
    const REASONS: [&str; 3] = [
        "Superseded by a later release",
        "Client withdrew the change request",
        "Scope moved to the next release",
    ];
    let mut t = work_time(t0 + rng.range(4 * HOUR, 4 * DAY));
    life.enter(event(t, rng.pick(&ACTORS), "promote", Some(1)), 0);
    if rng.chance(30) {
        t = work_time(t + rng.range(DAY, 5 * DAY));
        let mut e = event(t, rng.pick(&ACTORS), "rollback", Some(0));
        e.reason = Some("Defects found in UAT");
        // A rollback is a new content revision, as rel records it.
        e.detail = Some(format!("revision {}", life.release.revision + 1));
        if life.enter(e, 1) {
            life.release.revision += 1;
        }
    }
    t = work_time(t + rng.range(DAY, 10 * DAY));
    let mut e = event(t, rng.pick(&ACTORS), "cancel", None);
    e.reason = Some(rng.pick(&REASONS));
    let subject = life.release.id.clone();
    if life.step(e, subject) {
        life.release.state = "cancelled";
    }
}
