//! What an allowed action of the promotion side does to a release:
//! promotion, rollback, approval, tick, health report and close, as pure
//! effects on the values (the register's side is `register::effects`). The
//! caller passes who and when (the same `Stamp`), and writes the result.
//! Commands and the sequence properties (`sequence_props`) apply these very
//! functions, so what the properties prove holds for the program.

use crate::model::action::Action;
use crate::model::incident::{Incident, IncidentEvent, IncidentStatus};
use chrono::NaiveDate;

use crate::model::release::{Approval, ChecklistKind, HealthReport, Kind, Release, State, Tick};
use crate::model::rule::RuleCode;

use super::register::effects::Stamp;

/// Moves the release into `target` from where it is, recording the
/// overrides used and the reason. The soak there counts from now.
pub fn promote(
    release: &mut Release,
    target: &str,
    overrides: &[RuleCode],
    reason: Option<&str>,
    stamp: Stamp,
) {
    let mut event = stamp.event(Action::Promote);
    event.env = Some(target.to_string());
    event.from = Some(release.environment.clone());
    event.overrides = overrides.to_vec();
    event.reason = reason.map(str::to_string);
    release.environment = target.to_string();
    release.entered_at = stamp.at;
    release.history.push(event);
}

/// Moves the release back into `target` as a new stay: the soak there
/// starts again, and a new revision makes every approval, tick and health
/// report recorded before the rollback stale, so whatever leaving it again
/// needs (entry items and approvals ahead, exit items and the health report
/// here) is asked for again.
pub fn rollback(release: &mut Release, target: &str, reason: &str, stamp: Stamp) {
    let mut event = stamp.event(Action::Rollback);
    event.env = Some(target.to_string());
    event.from = Some(release.environment.clone());
    event.reason = Some(reason.to_string());
    release.revision += 1;
    event.detail = Some(format!("revision {}", release.revision));
    release.environment = target.to_string();
    release.entered_at = stamp.at;
    release.history.push(event);
}

/// Records `email`'s approval (signed as the stamp's `by`) of entry into
/// `env` as `role`, for the release's current content.
pub fn approve(release: &mut Release, env: &str, role: &str, email: &str, stamp: Stamp) {
    release.approvals.push(Approval {
        env: env.to_string(),
        role: role.to_string(),
        by: stamp.by.to_string(),
        email: email.to_string(),
        at: stamp.at,
        revision: release.revision,
    });
    let mut event = stamp.event(Action::Approve);
    event.env = Some(env.to_string());
    event.detail = Some(format!("as {role} (revision {})", release.revision));
    release.history.push(event);
}

/// Ticks `item` of `env`'s `list` checklist for the current content.
pub fn tick(release: &mut Release, env: &str, list: ChecklistKind, item: &str, stamp: Stamp) {
    release.ticks.push(Tick {
        env: env.to_string(),
        checklist: list,
        item: item.to_string(),
        by: stamp.by.to_string(),
        at: stamp.at,
        revision: release.revision,
    });
    let mut event = stamp.event(Action::Tick);
    event.env = Some(env.to_string());
    event.detail = Some(format!("{}: {item}", list_name(list)));
    release.history.push(event);
}

/// "entry" or "exit", as people and commit subjects name the lists.
pub fn list_name(list: ChecklistKind) -> &'static str {
    match list {
        ChecklistKind::Entry => "entry",
        ChecklistKind::Exit => "exit",
    }
}

/// What a health check found (run by rel, or reported from elsewhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The environment checked.
    pub env: String,
    /// The content revision checked, even if it changed while the check ran.
    pub revision: u32,
    pub passed: bool,
    pub duration_ms: Option<u64>,
    pub tests_passed: Option<u64>,
    pub tests_failed: Option<u64>,
    pub report: Option<String>,
    /// The command that ran; None when the result came from elsewhere.
    pub command: Option<String>,
    /// Why it failed when its exit code does not say (a timeout).
    pub detail: Option<String>,
    /// The file keeping the check's output (see `next_report_log`).
    pub log: Option<String>,
}

/// Where the output of the next health report of `release` in `env` is
/// kept: numbered by the reports in that environment, 1, 2, ...
pub fn next_report_log(release: &Release, env: &str) -> String {
    let n = release
        .health
        .iter()
        .filter(|h| h.env.eq_ignore_ascii_case(env))
        .count()
        + 1;
    crate::model::release::report_log_path(&release.id, env, n)
}

impl CheckResult {
    /// "passed" or "failed".
    pub fn verdict_word(&self) -> &'static str {
        if self.passed {
            "passed"
        } else {
            "failed"
        }
    }
}

/// Records a health report, passed or failed: either is evidence.
pub fn record_health(release: &mut Release, check: &CheckResult, stamp: Stamp) {
    let word = check.verdict_word();
    let mut event = stamp.event(Action::Verify);
    event.env = Some(check.env.clone());
    event.detail = Some(match (check.tests_passed, check.tests_failed) {
        (None, None) => match &check.detail {
            Some(why) => format!("health check {word}: {why}"),
            None => format!("health check {word}"),
        },
        (p, f) => format!(
            "health check {word}: {} passed, {} failed",
            p.unwrap_or(0),
            f.unwrap_or(0)
        ),
    });
    release.health.push(HealthReport {
        env: check.env.clone(),
        passed: check.passed,
        by: stamp.by.to_string(),
        at: stamp.at,
        revision: check.revision,
        duration_ms: check.duration_ms,
        tests_passed: check.tests_passed,
        tests_failed: check.tests_failed,
        report: check.report.clone(),
        command: check.command.clone(),
        detail: check.detail.clone(),
        log: check.log.clone(),
    });
    release.history.push(event);
}

/// The release is released; `incidents` (those it lists, as loaded) are
/// closed and name it as the release that shipped them.
pub fn close(release: &mut Release, incidents: &mut [Incident], stamp: Stamp) {
    release.state = State::Released;
    let mut event = stamp.event(Action::Close);
    event.env = Some(release.environment.clone());
    event.detail = Some(format!("released {}", release.version));
    release.history.push(event);
    for incident in incidents.iter_mut() {
        incident.status = IncidentStatus::Closed;
        incident.release = Some(release.id.clone());
        incident.history.push(IncidentEvent {
            at: stamp.at,
            by: stamp.by.to_string(),
            action: "close".into(),
            detail: Some(format!("released in {} {}", release.id, release.version)),
        });
    }
}

/// What a new release is made of.
#[derive(Debug, Clone)]
pub struct NewRelease<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub version: &'a semver::Version,
    pub kind: Kind,
    pub target: Option<NaiveDate>,
    /// The first environment of the pipeline, where every release starts.
    pub first: &'a str,
    /// The installation it updates, and the version it updates from.
    pub installation: Option<&'a str>,
    pub from_version: Option<&'a semver::Version>,
    /// The pipeline it belongs to; None: `default`.
    pub pipeline: Option<&'a str>,
    /// The path decided for it (`rules::paths::decide`).
    pub path: Option<crate::model::path::PathRecord>,
}

/// A new release, open, at revision 1, in the first environment since now.
pub fn create(new: &NewRelease, stamp: Stamp) -> Release {
    let mut event = stamp.event(Action::New);
    event.env = Some(new.first.to_string());
    event.detail = Some(format!("version {}, {}", new.version, new.kind));
    Release {
        id: new.id.to_string(),
        title: new.title.to_string(),
        version: new.version.to_string(),
        kind: new.kind,
        state: State::Open,
        environment: new.first.to_string(),
        entered_at: stamp.at,
        revision: 1,
        target: new.target,
        installation: new.installation.map(str::to_string),
        pipeline: new.pipeline.map(str::to_string),
        from_version: new.from_version.map(|v| v.to_string()),
        created_at: stamp.at,
        created_by: stamp.by.to_string(),
        incidents: Vec::new(),
        approvals: Vec::new(),
        ticks: Vec::new(),
        health: Vec::new(),
        schedules: Vec::new(),
        held: None,
        path: new.path.clone(),
        history: vec![event],
        checklist: Vec::new(),
        depends: Vec::new(),
    }
}

/// `rel hold` (`holding`) or `rel resume`: the release's hold set or
/// lifted, and the event recorded. The caller has checked that the release
/// is in progress and not already in that state.
pub fn set_hold(release: &mut Release, holding: bool, reason: Option<&str>, stamp: Stamp) {
    let action = if holding {
        Action::Hold
    } else {
        Action::Resume
    };
    release.held = holding.then(|| crate::model::schedule::Hold {
        by: stamp.by.to_string(),
        at: stamp.at,
        reason: reason.unwrap_or_default().to_string(),
    });
    let mut event = stamp.event(action);
    event.reason = reason.map(str::to_string);
    release.history.push(event);
}
