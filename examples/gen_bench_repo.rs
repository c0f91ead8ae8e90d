//! Generates a large release repository for the benchmark (bench/run.sh).
//!
//! ```text
//! cargo run --release --example gen_bench_repo -- DIR \
//!     [--releases 10000] [--incidents 100000] [--log-commits 0] [--full-history]
//! ```
//!
//! DIR must be absent or empty. It becomes a git repository (branch `main`)
//! holding the default pipeline, one manifest per release spread over the
//! pipeline's life (most released, some cancelled, a few dozen in progress,
//! one alone in the exclusive staging), and the incident register (most
//! closed in a released release, a few thousand unassigned). Everything is
//! committed in one commit; `--log-commits N` then replays the last N steps
//! of the releases' lives as N commits carrying `Rel-*` trailers, for
//! `rel log`. A released release has 3 to 8 history events; with
//! `--full-history` its ticks, approvals and health reports are events (and
//! log commits) of their own too, as rel records them. The output is
//! deterministic: same arguments, same commit ids.
//!
//! The ids the benchmark needs (a release to show, one to check, one to
//! group into and a free incident) are written to `DIR/.git/rel-bench.env`,
//! outside the work tree.
//!
//! Files are TOML serialized with `toml::to_string` from structs that mirror
//! src/model/release.rs and src/model/incident.rs field for field, so they
//! are byte for byte what `rel` itself writes.

use std::error::Error;
use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use serde::Serialize;

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// What `rel init` writes.
const PIPELINE: &str = include_str!("../src/store/default_pipeline.toml");
const ENVS: [&str; 4] = ["development", "uat", "staging", "production"];
const UAT_ITEM: &str = "UAT data refreshed from production";
const PROD_ENTRY: [&str; 3] = [
    "Database structures compared with production",
    "Web service configuration changes reviewed",
    "Access permissions reviewed",
];
const PROD_EXIT: &str = "Post-release tests passed on production";

const SEED: u64 = 0x5EED_2026_0000_0001;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

const ACTORS: [&str; 6] = [
    "Alice Martin <alice@vendor.example>",
    "Bruno Silva <bruno@vendor.example>",
    "Chen Wei <chen@vendor.example>",
    "Dana Okafor <dana@vendor.example>",
    "Eva Novak <eva@vendor.example>",
    "Farid Haddad <farid@vendor.example>",
];
const CLIENT: (&str, &str) = ("Ana Costa <ana@client.example>", "ana@client.example");
const MANAGER: (&str, &str) = ("Rui Manager <rm@vendor.example>", "rm@vendor.example");
const CLIENT_CONTACTS: [&str; 3] = ["Ana Costa", "Marta Reis", "John Okoye"];
const AREAS: [&str; 12] = [
    "Billing",
    "Payments",
    "Customer portal",
    "Reporting",
    "Inventory",
    "Authentication",
    "Notifications",
    "Search",
    "Scheduling",
    "Data export",
    "Mobile app",
    "Admin console",
];
const VERBS: [&str; 7] = [
    "Fix", "Improve", "Add", "Remove", "Correct", "Speed up", "Validate",
];
const OBJECTS: [&str; 10] = [
    "rounding of totals",
    "timeout on login",
    "CSV export header",
    "duplicate e-mails",
    "date filter",
    "permission check",
    "invoice numbering",
    "sort order",
    "error message",
    "cache invalidation",
];
const IMPACTS: [&str; 5] = [
    "see a new column in the export",
    "must sign in again after the upgrade",
    "get search results faster",
    "no longer receive duplicate e-mails",
    "see corrected totals on invoices",
];

// ---------------------------------------------------------------- on disk
// Mirrors of the model structs: same field names, order and skip rules.

#[derive(Serialize, Clone)]
struct Release {
    id: String,
    title: String,
    version: String,
    kind: &'static str,
    state: &'static str,
    environment: &'static str,
    entered_at: DateTime<Utc>,
    revision: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    created_by: &'static str,
    incidents: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    approvals: Vec<Approval>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ticks: Vec<Tick>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    health: Vec<Health>,
    history: Vec<Event>,
}

#[derive(Serialize, Clone)]
struct Approval {
    env: &'static str,
    role: &'static str,
    by: &'static str,
    email: &'static str,
    at: DateTime<Utc>,
    revision: u32,
}

#[derive(Serialize, Clone)]
struct Tick {
    env: &'static str,
    checklist: &'static str,
    item: &'static str,
    by: &'static str,
    at: DateTime<Utc>,
    revision: u32,
}

#[derive(Serialize, Clone)]
struct Health {
    env: &'static str,
    passed: bool,
    by: &'static str,
    at: DateTime<Utc>,
    revision: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tests_passed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tests_failed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<String>,
}

#[derive(Serialize, Clone)]
struct Event {
    at: DateTime<Utc>,
    by: &'static str,
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    env: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    incidents: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    overrides: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

#[derive(Serialize)]
struct Incident {
    id: String,
    title: String,
    status: &'static str,
    breaking: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    impact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    release: Option<String>,
    created_at: DateTime<Utc>,
    created_by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    authorisation: Option<Authorisation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    evidence: Vec<Evidence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component>,
    history: Vec<IncidentEvent>,
}

#[derive(Serialize)]
struct Authorisation {
    by: &'static str,
    at: DateTime<Utc>,
    recorded_by: &'static str,
}

#[derive(Serialize)]
struct Evidence {
    reference: String,
    by: &'static str,
    at: DateTime<Utc>,
}

#[derive(Serialize)]
struct Component {
    kind: &'static str,
    name: String,
    by: &'static str,
    at: DateTime<Utc>,
}

#[derive(Serialize)]
struct IncidentEvent {
    at: DateTime<Utc>,
    by: &'static str,
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

// ------------------------------------------------------------- randomness

/// SplitMix64: small, fast, and good enough to make data look varied.
struct Rng(u64);

impl Rng {
    /// An independent stream per (purpose, item), so each release and
    /// incident can be rebuilt alone and in any order.
    fn for_item(stream: u64, item: usize) -> Rng {
        let mut rng = Rng(SEED
            ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (item as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next();
        rng
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

const STREAM_KIND: u64 = 1;
const STREAM_LIFE: u64 = 2;
const STREAM_PLAN: u64 = 3;
const STREAM_INCIDENT: u64 = 4;

// ------------------------------------------------------------------- time

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).expect("timestamp in range")
}

fn instant(y: i32, m: u32, d: u32, h: u32) -> i64 {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("valid date")
        .timestamp()
}

/// Moves `t` forward into office hours (08:00-18:00 UTC, Monday to Friday).
fn work_time(t: i64) -> i64 {
    let mut t = t;
    let hour = i64::from(at(t).hour());
    if hour < 8 {
        t += (8 - hour) * HOUR;
    } else if hour >= 18 {
        t += (24 - hour + 9) * HOUR;
    }
    match at(t).weekday() {
        Weekday::Sat => t + 2 * DAY,
        Weekday::Sun => t + DAY,
        _ => t,
    }
}

// ------------------------------------------------------------------- plan

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Released,
    Cancelled,
    /// In progress in `ENVS[env]`, frozen or open.
    InProgress {
        env: usize,
        frozen: bool,
    },
}

/// Everything decided about a release before its life is played out.
struct Spec {
    index: usize,
    id: String,
    title: String,
    version: String,
    kind: &'static str,
    fate: Fate,
    t0: i64,
    /// Incident numbers (0-based) it holds at the end.
    incidents: Range<usize>,
    target: Option<NaiveDate>,
}

struct Ctx {
    now: i64,
    incident_width: usize,
    full_history: bool,
}

impl Ctx {
    fn incident_id(&self, n: usize) -> String {
        format!("INC-{:0w$}", n + 1, w = self.incident_width)
    }
}

/// One step of a release's life: one history event, one commit in `--log-commits`.
struct Step {
    at: i64,
    by: &'static str,
    action: &'static str,
    /// What follows `rel: <action> ` in the commit subject, as rel writes it.
    subject: String,
    env: Option<&'static str>,
    overrides: Vec<&'static str>,
    reason: Option<&'static str>,
}

/// A release's life played out; `release` is its manifest after `limit` steps.
struct Life {
    release: Release,
    steps: Vec<Step>,
    limit: usize,
    /// Ticks, approvals and health reports as steps of their own.
    full_history: bool,
    /// The latest instant recorded anywhere in the full life.
    latest: i64,
    /// When each part of its incidents was grouped.
    groups: Vec<(i64, Range<usize>)>,
    closed_at: Option<i64>,
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
    fn enter(&mut self, mut e: Event, from: usize) -> bool {
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
    fn tick(&mut self, t: i64, env: usize, checklist: &'static str, item: &'static str) {
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

    fn approve(
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
    fn verify(&mut self, t: i64, env: usize, rng: &mut Rng) {
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
fn live(spec: &Spec, limit: usize, ctx: &Ctx) -> Life {
    let mut rng = Rng::for_item(STREAM_LIFE, spec.index);
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
        closed_at: None,
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
        life.groups.push((t, start..end));
        let mut e = event(t, rng.pick(&ACTORS), "group", None);
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
    if life.step(e, spec.id.clone()) {
        life.release.state = "released";
    }
    life.closed_at = Some(t);
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
        life.enter(e, 1);
    }
    t = work_time(t + rng.range(DAY, 10 * DAY));
    let mut e = event(t, rng.pick(&ACTORS), "cancel", None);
    e.reason = Some(rng.pick(&REASONS));
    let subject = life.release.id.clone();
    if life.step(e, subject) {
        life.release.state = "cancelled";
    }
}

/// Decides every release: fate, kind, timing, id, version, incidents held.
fn plan(releases: usize, incidents: usize, ctx: &Ctx) -> Vec<Spec> {
    let n = releases;
    // A few dozen in progress, oldest furthest along, one alone in staging.
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
        // Office hours move steps forward, so settle by trial (a few rounds).
        for _ in 0..20 {
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

// -------------------------------------------------------------- incidents

/// Who holds an incident at the end, and when it was grouped and shipped.
#[derive(Clone, Copy)]
struct Holding {
    spec: usize,
    grouped_at: i64,
    closed_at: Option<i64>,
}

fn component(rng: &mut Rng) -> (&'static str, String) {
    let kind = rng.pick(&[
        "dll",
        "parameter",
        "permission",
        "table",
        "service",
        "report",
    ]);
    let name = match kind {
        "dll" => format!(
            "Acme.{}.dll",
            rng.pick(&["Billing", "Payments", "Portal", "Reports", "Core", "Auth"])
        ),
        "parameter" => rng
            .pick(&[
                "MAX_RETRIES",
                "INVOICE_PREFIX",
                "SESSION_TIMEOUT",
                "EXPORT_BATCH_SIZE",
            ])
            .to_string(),
        "permission" => format!(
            "role:{}",
            rng.pick(&["finance-approver", "support-agent", "auditor", "admin"])
        ),
        "table" => rng
            .pick(&["dbo.Invoice", "dbo.Customer", "dbo.Payment", "dbo.AuditLog"])
            .to_string(),
        "service" => rng
            .pick(&["BillingService", "NotificationService", "SearchIndexer"])
            .to_string(),
        _ => rng
            .pick(&["Monthly revenue", "Overdue invoices", "User activity"])
            .to_string(),
    };
    (kind, name)
}

fn build_incident(n: usize, holding: Option<(Holding, &Spec)>, ctx: &Ctx) -> Incident {
    let mut rng = Rng::for_item(STREAM_INCIDENT, n);
    let id = ctx.incident_id(n);
    let by = rng.pick(&ACTORS);
    let area = rng.pick(&AREAS);
    let title = format!("{} {} in {area}", rng.pick(&VERBS), rng.pick(&OBJECTS));
    // `until`: when it was grouped, or now for a free incident.
    let (created, until) = match holding {
        Some((h, _)) => (h.grouped_at - rng.range(2 * DAY, 40 * DAY), h.grouped_at),
        None => {
            let created = ctx.now - rng.range(DAY, 120 * DAY);
            (created, ctx.now - HOUR)
        }
    };
    let when = |tenths: i64| created + (until - created) * tenths / 10;
    let (resolved, authorised, tested) = match holding {
        Some(_) => (true, true, true),
        None => {
            let resolved = rng.chance(60);
            let authorised = resolved && rng.chance(70);
            (resolved, authorised, authorised && rng.chance(70))
        }
    };
    let status = match holding {
        Some((h, _)) if h.closed_at.is_some() => "closed",
        _ if resolved => "resolved",
        _ => "open",
    };
    let mut history = vec![IncidentEvent {
        at: at(created),
        by,
        action: "new",
        detail: None,
    }];
    let mut components: Vec<Component> = Vec::new();
    if rng.chance(60) {
        for _ in 0..rng.range(1, 3) {
            let (kind, name) = component(&mut rng);
            if components.iter().any(|c| c.kind == kind && c.name == name) {
                continue;
            }
            history.push(IncidentEvent {
                at: at(when(3)),
                by,
                action: "component",
                detail: Some(format!("{kind}:{name}")),
            });
            components.push(Component {
                kind,
                name,
                by,
                at: at(when(3)),
            });
        }
    }
    if resolved {
        history.push(IncidentEvent {
            at: at(when(4)),
            by,
            action: "resolve",
            detail: None,
        });
    }
    let authorisation = authorised.then(|| {
        let contact = rng.pick(&CLIENT_CONTACTS);
        history.push(IncidentEvent {
            at: at(when(6)),
            by,
            action: "authorise",
            detail: Some(format!("by {contact}")),
        });
        Authorisation {
            by: contact,
            at: at(when(6)),
            recorded_by: by,
        }
    });
    let mut evidence = Vec::new();
    if tested {
        for k in 1..=rng.range(1, 2) {
            let reference = if rng.chance(50) {
                format!("https://tests.vendor.example/{id}/run-{k}.pdf")
            } else {
                format!("docs/tests/{id}-{k}.docx")
            };
            history.push(IncidentEvent {
                at: at(when(8)),
                by,
                action: "test",
                detail: Some(reference.clone()),
            });
            evidence.push(Evidence {
                reference,
                by,
                at: at(when(8)),
            });
        }
    }
    if let Some((h, release)) = holding {
        history.push(IncidentEvent {
            at: at(h.grouped_at),
            by,
            action: "group",
            detail: Some(format!("into {}", release.id)),
        });
        if let Some(closed) = h.closed_at {
            history.push(IncidentEvent {
                at: at(closed),
                by,
                action: "close",
                detail: Some(format!("released in {} {}", release.id, release.version)),
            });
        }
    }
    let breaking = rng.chance(4);
    let impact =
        (breaking || rng.chance(35)).then(|| format!("{area} users {}", rng.pick(&IMPACTS)));
    Incident {
        id,
        title,
        status,
        breaking,
        impact,
        release: holding.map(|(_, r)| r.id.clone()),
        created_at: at(created),
        created_by: by,
        authorisation,
        evidence,
        components,
        history,
    }
}

// ---------------------------------------------------------------- writing

fn write_file(root: &Path, relative: &str, text: &str) -> Res<()> {
    std::fs::write(root.join(relative), text).map_err(|e| format!("{relative}: {e}").into())
}

/// Runs `f(i)` for every i in `0..n` on a few threads; the first error wins.
fn parallel(n: usize, f: impl Fn(usize) -> Res<()> + Sync) -> Res<()> {
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

fn git(dir: &Path, args: &[&str], date: i64) -> Res<()> {
    let date = format!("@{date} +0000");
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Bench",
            "-c",
            "user.email=bench@example.com",
            "-c",
            "gc.auto=0",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.autocrlf=false",
        ])
        .args(args)
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .status()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("git {} failed: {status}", args.join(" ")).into())
    }
}

/// `rel: <action> <subject>` and the `Rel-*` trailers, as rel writes them.
fn commit_message(step: &Step, release: &str) -> String {
    let mut m = format!(
        "rel: {} {}\n\nRel-Action: {}\nRel-Release: {release}\n",
        step.action, step.subject, step.action
    );
    if let Some(env) = step.env {
        m.push_str(&format!("Rel-Env: {env}\n"));
    }
    for o in &step.overrides {
        m.push_str(&format!("Rel-Override: {o}\n"));
    }
    if let Some(r) = step.reason {
        m.push_str(&format!("Rel-Reason: {r}\n"));
    }
    m
}

/// `Name <email>` as a fast-import identity line with a date.
fn ident(kind: &str, by: &str, t: i64) -> String {
    format!("{kind} {by} {t} +0000\n")
}

/// Streams the log commits to `git fast-import`: one pack, trees stored as
/// deltas of their previous version, instead of thousands of loose objects.
fn log_commits(dir: &Path, specs: &[Spec], steps: &[(i64, usize, usize)], ctx: &Ctx) -> Res<()> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git fast-import: {e}"))?;
    let stdin = child.stdin.take().ok_or("no stdin for git fast-import")?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdin);
    for (k, &(_, i, s)) in steps.iter().enumerate() {
        let spec = &specs[i];
        let life = live(spec, s + 1, ctx);
        let step = &life.steps[s];
        let message = commit_message(step, &spec.id);
        let content = toml::to_string(&life.release)?;
        writeln!(out, "commit refs/heads/main")?;
        out.write_all(ident("author", step.by, step.at).as_bytes())?;
        out.write_all(ident("committer", step.by, step.at).as_bytes())?;
        write!(out, "data {}\n{message}\n", message.len())?;
        if k == 0 {
            writeln!(out, "from refs/heads/main^0")?;
        }
        writeln!(out, "M 100644 inline releases/{}.toml", spec.id)?;
        write!(out, "data {}\n{content}\n", content.len())?;
    }
    writeln!(out, "done")?;
    out.flush()?;
    drop(out);
    let status = child.wait()?;
    if !status.success() {
        return Err(format!("git fast-import failed: {status}").into());
    }
    Ok(())
}

// ------------------------------------------------------------------- main

struct Args {
    dir: PathBuf,
    releases: usize,
    incidents: usize,
    log_commits: usize,
    /// Ticks, approvals and health reports as history events and commits
    /// of their own, as rel records them (off: 3 to 8 events a release).
    full_history: bool,
}

fn parse_args() -> Res<Args> {
    let usage = "usage: gen_bench_repo DIR [--releases 10000] [--incidents 100000] \
                 [--log-commits 0] [--full-history]";
    let mut dir = None;
    let (mut releases, mut incidents, mut log_commits) = (10_000, 100_000, 0);
    let mut full_history = false;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> Res<usize> {
            let v = it.next().ok_or(format!("{name} needs a number\n{usage}"))?;
            v.parse()
                .map_err(|_| format!("{name}: not a number: {v:?}\n{usage}").into())
        };
        match arg.as_str() {
            "--releases" => releases = number("--releases")?,
            "--incidents" => incidents = number("--incidents")?,
            "--log-commits" => log_commits = number("--log-commits")?,
            "--full-history" => full_history = true,
            "-h" | "--help" => {
                println!("{usage}");
                std::process::exit(0);
            }
            _ if arg.starts_with('-') => {
                return Err(format!("unknown option {arg}\n{usage}").into())
            }
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg}\n{usage}").into()),
        }
    }
    Ok(Args {
        dir: dir.ok_or(usage)?,
        releases,
        incidents,
        log_commits,
        full_history,
    })
}

fn main() {
    if let Err(e) = run() {
        eprintln!("gen_bench_repo: {e}");
        std::process::exit(2);
    }
}

fn run() -> Res<()> {
    let args = parse_args()?;
    let dir = &args.dir;
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(format!("{} exists and is not empty", dir.display()).into());
    }
    std::fs::create_dir_all(dir.join("releases/incidents"))?;
    let ctx = Ctx {
        now: instant(2026, 11, 25, 12),
        incident_width: args.incidents.to_string().len().max(6),
        full_history: args.full_history,
    };
    let clock = Instant::now();
    let phase = |what: &str| eprintln!("{:>7.2}s  {what}", clock.elapsed().as_secs_f64());

    // Plan and play out every life.
    let specs = plan(args.releases, args.incidents, &ctx);
    let lives: Vec<Life> = specs.iter().map(|s| live(s, usize::MAX, &ctx)).collect();

    // The log commits are the latest steps of all, replayed in time order
    // on top of a first commit holding every manifest as it was before.
    let mut all_steps: Vec<(i64, usize, usize)> = lives
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.steps.iter().enumerate().map(move |(s, st)| (st.at, i, s)))
        .collect();
    all_steps.sort_unstable();
    if args.log_commits > all_steps.len() {
        eprintln!(
            "only {} steps in all; --log-commits {} reduced to that",
            all_steps.len(),
            args.log_commits
        );
    }
    let logged = all_steps.split_off(all_steps.len().saturating_sub(args.log_commits));
    let mut limits: Vec<usize> = lives.iter().map(|l| l.steps.len()).collect();
    for &(_, i, s) in &logged {
        limits[i] = limits[i].min(s);
    }
    let base_time = match logged.first() {
        Some(&(t, _, _)) => t - 60,
        None => lives
            .iter()
            .map(|l| l.latest)
            .max()
            .unwrap_or(ctx.now)
            .min(ctx.now),
    };

    // Which release holds each incident, and since when.
    let mut holdings: Vec<Option<Holding>> = vec![None; args.incidents];
    for (i, life) in lives.iter().enumerate() {
        for (t, range) in &life.groups {
            for k in range.clone() {
                holdings[k] = Some(Holding {
                    spec: i,
                    grouped_at: *t,
                    closed_at: life.closed_at,
                });
            }
        }
    }
    phase(&format!(
        "planned {} releases, {} incidents, {} log commits",
        specs.len(),
        args.incidents,
        logged.len()
    ));

    std::fs::write(dir.join("environments.toml"), PIPELINE)?;
    parallel(specs.len(), |i| {
        let text = if limits[i] == lives[i].steps.len() {
            toml::to_string(&lives[i].release)?
        } else if limits[i] == 0 {
            return Ok(());
        } else {
            toml::to_string(&live(&specs[i], limits[i], &ctx).release)?
        };
        write_file(dir, &format!("releases/{}.toml", specs[i].id), &text)
    })?;
    phase("wrote release manifests");
    parallel(args.incidents, |k| {
        let holding = holdings[k].map(|h| (h, &specs[h.spec]));
        let incident = build_incident(k, holding, &ctx);
        let text = toml::to_string(&incident)?;
        write_file(
            dir,
            &format!("releases/incidents/{}.toml", incident.id),
            &text,
        )
    })?;
    phase("wrote incidents");

    git(dir, &["init", "-q", "-b", "main"], base_time)?;
    git(dir, &["add", "-A"], base_time)?;
    phase("git add");
    let message = format!(
        "Import the release register ({} releases, {} incidents)",
        specs.len(),
        args.incidents
    );
    git(dir, &["commit", "-q", "-m", &message], base_time)?;
    phase("git commit");

    if !logged.is_empty() {
        log_commits(dir, &specs, &logged, &ctx)?;
        git(dir, &["reset", "-q", "--hard"], base_time)?;
        phase(&format!("{} log commits (git fast-import)", logged.len()));
    }

    write_bench_env(dir, &specs, &holdings, &ctx, logged.len())?;
    phase("done");
    Ok(())
}

/// The ids bench/run.sh works on, as shell assignments.
fn write_bench_env(
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
    // A free incident that may be grouped: resolved and authorised.
    let free = (0..holdings.len())
        .filter(|&k| holdings[k].is_none())
        .map(|k| build_incident(k, None, ctx))
        .find(|inc| inc.status == "resolved" && inc.authorisation.is_some())
        .map(|inc| inc.id)
        .unwrap_or_default();
    let text = format!(
        "# Written by examples/gen_bench_repo.rs: ids for bench/run.sh.\n\
         BENCH_RELEASES={}\nBENCH_INCIDENTS={}\nBENCH_LOG_COMMITS={log_commits}\n\
         BENCH_SHOW={show}\nBENCH_CHECK={check}\nBENCH_GROUP_RELEASE={group}\n\
         BENCH_GROUP_INCIDENT={free}\n",
        specs.len(),
        holdings.len(),
    );
    std::fs::write(dir.join(".git/rel-bench.env"), &text)?;
    print!("{text}");
    Ok(())
}
