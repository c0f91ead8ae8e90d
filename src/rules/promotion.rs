//! May release R move from its environment S to target T now, and if not,
//! why and when? One verdict serves `check`, `promote`, `plan` and `status`,
//! so they can never disagree.

use chrono::{DateTime, Utc};

use crate::model::calendar::Calendar;
use crate::model::pipeline::{Environment, Pipeline};
use crate::model::quote::cut;
use crate::model::release::{ChecklistKind, Release};
use crate::model::rule::RuleCode;

use super::approvals::missing_approvals;
use super::checklists::not_ticked;
use super::depends::DependencyFact;
use super::history::soak_from;
use super::stays::round_began;
use super::time::{
    active_blackout, earliest_time_ok, next_window_open, soak_end, window_close, window_open,
};
use super::verdict::{when, Verdict, Violation};

/// Everything the promotion rules need, as values.
pub struct PromotionInput<'a> {
    pub pipeline: &'a Pipeline,
    pub release: &'a Release,
    /// Index of the target environment in the pipeline.
    pub target: usize,
    /// Other releases in progress that are in the target now.
    pub occupants: &'a [String],
    /// Where each release this one depends on stands (contract 11.4).
    pub dependencies: &'a [DependencyFact],
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionVerdict {
    pub from: String,
    /// The target's name; None only for a release that is over (released
    /// or cancelled) asked about without a target: nothing lies ahead.
    pub to: Option<String>,
    pub at: DateTime<Utc>,
    pub verdict: Verdict,
    /// The earliest instant >= `at` at which soak, window and blackout all
    /// pass together, whatever else blocks; None when that never happens.
    pub time_ready_at: Option<DateTime<Utc>>,
    /// When the target's window that is open at `at` closes (None: no
    /// windows, none open, or open beyond the horizon): "promote before X".
    pub window_closes_at: Option<DateTime<Utc>>,
}

impl PromotionVerdict {
    pub fn ready(&self) -> bool {
        self.verdict.allowed()
    }

    /// The move cannot happen at all as things stand: the release is not in
    /// progress (`state`) or must first pass through an environment in
    /// between (`order`). No instant makes it possible.
    pub fn impossible(&self) -> bool {
        self.verdict
            .violations
            .iter()
            .any(|v| matches!(v.rule, RuleCode::State | RuleCode::Order))
    }

    /// Contract's `ready_at` (rev 2): the instant the release becomes ready
    /// if nobody does anything more. `at` when ready; when only time rules
    /// (soak, window, blackout) block, the instant they all pass; None when
    /// someone must act first (any other rule), or time never passes.
    pub fn ready_at(&self) -> Option<DateTime<Utc>> {
        if self.ready() {
            return Some(self.at);
        }
        if self.blocking_codes().is_empty() {
            self.time_ready_at
        } else {
            None
        }
    }

    /// Contract's `earliest` (rev 2): when the time rules pass, whatever
    /// else blocks (what `rel plan` shows); None when the move is
    /// impossible or time never passes.
    pub fn earliest(&self) -> Option<DateTime<Utc>> {
        if self.impossible() {
            None
        } else {
            self.time_ready_at
        }
    }

    /// Non-time rules that block, as codes.
    pub fn blocking_codes(&self) -> Vec<RuleCode> {
        self.verdict
            .codes()
            .into_iter()
            .filter(|c| !c.is_time_rule())
            .collect()
    }

    /// The verdict with `overrides` set aside.
    pub fn without(&self, overrides: &[RuleCode]) -> Verdict {
        Verdict {
            violations: self
                .verdict
                .violations
                .iter()
                .filter(|v| !overrides.contains(&v.rule))
                .cloned()
                .collect(),
        }
    }
}

/// `state` when the release is over (released or cancelled): it moves no
/// more, and no other rule has anything to say about it.
pub fn finished(r: &Release) -> Option<Violation> {
    (!r.state.in_progress()).then(|| {
        Violation::new(
            RuleCode::State,
            format!(
                "{} is {}; only a release in progress can be promoted or planned",
                r.id, r.state
            ),
        )
    })
}

/// The verdict on a release that is over: only `state`, and no instant.
/// `target`: the environment asked about, if any.
pub fn finished_verdict(
    r: &Release,
    target: Option<&Environment>,
    now: DateTime<Utc>,
) -> Option<PromotionVerdict> {
    finished(r).map(|state| PromotionVerdict {
        from: r.environment.clone(),
        to: target.map(|t| t.name.clone()),
        at: now,
        verdict: Verdict {
            violations: vec![state],
        },
        time_ready_at: None,
        window_closes_at: None,
    })
}

/// Evaluates every promotion rule and returns all violations.
pub fn check_promotion(input: &PromotionInput) -> PromotionVerdict {
    let r = input.release;
    let effective = input.pipeline.for_release(r);
    let p: &Pipeline = &effective;
    let now = input.now;
    let target: &Environment = &p.environments[input.target.min(p.environments.len() - 1)];
    if let Some(over) = finished_verdict(r, Some(target), now) {
        return over;
    }
    let cal = &p.calendar;
    let current = p.position(&r.environment);
    let mut v = Verdict::default();

    // A hold stops every move, by hand or by schedule; never overridable.
    if let Some(h) = &r.held {
        v.push(Violation::new(
            RuleCode::Held,
            format!(
                "{} is on hold since {} by {} ({}); `rel resume {}` allows it to move again",
                r.id,
                when(cal, h.at),
                h.by,
                cut(&h.reason),
                r.id
            ),
        ));
    }

    // Releases this one waits for; someone must move them (no ready_at).
    for d in super::depends::violations(p, r, &target.name, input.dependencies) {
        v.push(d);
    }

    match current {
        None => v.push(Violation::new(
            RuleCode::Order,
            p.not_in_lane(r, " any more; roll it back to an environment that exists"),
        )),
        Some(i) if input.target <= i => v.push(Violation::new(
            RuleCode::Order,
            format!(
                "{} is already in {}; {} is not ahead of it (use `rel rollback` to go back)",
                r.id, r.environment, target.name
            ),
        )),
        Some(i) => {
            let skipped: Vec<&str> = p.environments[i + 1..input.target]
                .iter()
                .filter(|e| !e.may_be_passed_over())
                .map(|e| e.name.as_str())
                .collect();
            if !skipped.is_empty() {
                v.push(Violation::new(
                    RuleCode::Order,
                    format!(
                        "{} cannot pass over {} on the way to {}; promote it there first",
                        r.id,
                        skipped.join(", "),
                        target.name
                    ),
                ));
            }
        }
    }

    // Soak: counted in the environment the release is leaving, for the
    // content that is there now.
    let source = current.map(|i| &p.environments[i]);
    let soak_days = source.map(|s| s.soak.days(r.kind)).unwrap_or(0);
    let soaking_since = soak_from(r);
    let soak_until = soak_end(cal, soaking_since, soak_days);
    match soak_until {
        Some(end) if end <= now => {}
        end => v.push(Violation::at(
            RuleCode::Soak,
            match end {
                Some(end) => format!(
                    "{} must soak {soak_days} business day(s) in {} ({} release){}; it may leave at {}",
                    r.id,
                    r.environment,
                    r.kind,
                    if soaking_since > r.entered_at {
                        format!(" since its content changed at {}", when(cal, soaking_since))
                    } else {
                        String::new()
                    },
                    when(cal, end)
                ),
                None => format!(
                    "{} can never finish its {soak_days}-day soak in {}: the calendar has no business days ahead",
                    r.id, r.environment
                ),
            },
            end,
        )),
    }

    if target.requires_frozen && !r.is_frozen() {
        v.push(Violation::new(
            RuleCode::Frozen,
            format!(
                "{} only accepts frozen releases; run `rel freeze {}`",
                target.name, r.id
            ),
        ));
    }

    let others: Vec<&String> = input.occupants.iter().filter(|o| **o != r.id).collect();
    if target.exclusive && !others.is_empty() {
        let names: Vec<&str> = others.iter().map(|s| s.as_str()).collect();
        v.push(Violation::new(
            RuleCode::Exclusive,
            format!(
                "{} holds one release at a time and {} is there",
                target.name,
                names.join(", ")
            ),
        ));
    }

    for message in missing_approvals(p, target, r, now) {
        v.push(Violation::new(RuleCode::Approval, message));
    }

    // The pipeline's items and the release's own, as `rel tick` sees them.
    for message in not_ticked(target, r, ChecklistKind::Entry) {
        v.push(Violation::new(RuleCode::Checklist, message));
    }
    if let Some(s) = source {
        for message in not_ticked(s, r, ChecklistKind::Exit) {
            v.push(Violation::new(RuleCode::Checklist, message));
        }
    }

    if target.requires_health {
        // Only reports from the current stay count: after a rollback the
        // environment must be verified again.
        match r.latest_health(&r.environment).filter(|h| h.at >= r.entered_at) {
            None => v.push(Violation::new(
                RuleCode::Health,
                format!(
                    "{} needs a passing health report from {} since the release entered it{}; run `rel verify {}`",
                    target.name,
                    r.environment,
                    round_began(r)
                        .map(|at| format!(" (its current round began {})", when(cal, at)))
                        .unwrap_or_default(),
                    r.id
                ),
            )),
            Some(h) if !h.passed => v.push(Violation::new(
                RuleCode::Health,
                format!("the latest health report in {} failed", r.environment),
            )),
            Some(h) if h.revision != r.revision => v.push(Violation::new(
                RuleCode::Health,
                format!(
                    "the latest health report in {} is for an earlier content revision ({}, now {}); verify again",
                    r.environment, h.revision, r.revision
                ),
            )),
            Some(_) => {}
        }
    }

    // An installation's windows are read in its own timezone.
    let window_cal = &window_calendar(cal, target);
    if !window_open(window_cal, &target.windows, now) {
        let opens = next_window_open(window_cal, &target.windows, now);
        let texts: Vec<&str> = target.windows.iter().map(|w| w.text.as_str()).collect();
        v.push(Violation::at(
            RuleCode::Window,
            format!(
                "{} may only be entered within {} ({})",
                target.name,
                texts.join(", "),
                window_cal.timezone.name()
            ),
            opens,
        ));
    }
    if let Some(b) = active_blackout(cal, &target.blackouts, now) {
        // Blackouts may overlap or follow one another: the rule passes at the
        // first instant outside all of them, not when this one ends.
        let end = earliest_time_ok(cal, cal, now, &[], &target.blackouts);
        let reason = b
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        v.push(Violation::at(
            RuleCode::Blackout,
            match end {
                Some(end) => format!(
                    "{} is in a blackout{reason} until {}",
                    target.name,
                    when(cal, end)
                ),
                None => format!(
                    "{} is in a blackout{reason} with no end in sight",
                    target.name
                ),
            },
            end,
        ));
    }

    let time_ready_at = soak_until.map(|s| s.max(now)).and_then(|from| {
        earliest_time_ok(cal, window_cal, from, &target.windows, &target.blackouts)
    });

    PromotionVerdict {
        from: r.environment.clone(),
        to: Some(target.name.clone()),
        at: now,
        verdict: v,
        time_ready_at,
        window_closes_at: if target.windows.is_empty() {
            None
        } else {
            window_close(window_cal, &target.windows, now)
        },
    }
}

/// The calendar `target`'s windows are read in: the calendar's, or with
/// the timezone of the installation whose windows they are.
fn window_calendar(cal: &Calendar, target: &Environment) -> Calendar {
    let mut c = cal.clone();
    if let Some(tz) = target.windows_timezone {
        c.timezone = tz;
    }
    c
}

/// The target of a promotion: `to` when given, else the next environment
/// on the release's path. Err carries a message for exit 2.
pub fn resolve_target(p: &Pipeline, r: &Release, to: Option<&str>) -> Result<usize, String> {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let p: &Pipeline = &p.for_release(r);
    match to {
        Some(name) => p.find(name),
        None => match p.position(&r.environment) {
            Some(i) if i + 1 < p.environments.len() => Ok(p.environments[i + 1..]
                .iter()
                .position(|e| !e.off_path)
                .map_or(i + 1, |k| i + 1 + k)),
            Some(_) => Err(format!(
                "{} is in the last environment ({}); there is nothing to promote to (use `rel close`)",
                r.id, r.environment
            )),
            None => Err(p.not_in_lane(r, "; name the target with --to")),
        },
    }
}

#[cfg(test)]
#[path = "tests/promotion_props.rs"]
pub(crate) mod props;
