//! The register's rules. Inputs are values the command loaded; nothing here
//! reads a file or the clock.

use crate::model::incident::{Incident, IncidentStatus};
use crate::model::release::{Release, State};
use crate::model::rule::RuleCode;
use crate::rules::{Verdict, Violation};

/// The release an incident names as its holder (`incident.release`), as far
/// as the caller could load it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub id: String,
    /// `None` when no such release exists: a dangling reference left by a
    /// hand edit, which holds nothing.
    pub state: Option<State>,
}

impl Holder {
    /// Whether the holder still moves (open or frozen), and so keeps the
    /// incident to itself.
    pub fn in_progress(&self) -> bool {
        self.state.is_some_and(State::in_progress)
    }
}

/// An incident asked to join a release, with the release that holds it now.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub incident: &'a Incident,
    pub holder: Option<Holder>,
}

/// A change to one incident of the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentChange {
    Resolve,
    Reopen,
    Authorise,
    Test,
    Component,
    /// breaking, compat-work, client-work set or cleared (section 8).
    Flag,
}

impl IncidentChange {
    fn verb(self) -> &'static str {
        match self {
            IncidentChange::Resolve => "resolved",
            IncidentChange::Reopen => "reopened",
            IncidentChange::Authorise => "authorised",
            IncidentChange::Test => "given test evidence",
            IncidentChange::Component => "given components",
            IncidentChange::Flag => "flagged",
        }
    }
}

/// Whether `id` is in the release's content (ids compare ignoring case).
pub fn lists(release: &Release, id: &str) -> bool {
    release.incidents.iter().any(|i| i.eq_ignore_ascii_case(id))
}

/// `state` unless the release is open and not live: the content of a
/// frozen, released or cancelled release does not change, nor that of a
/// release that has entered the last environment of its pipeline (`live`,
/// contract 11.5: what went live is what was approved; ship more in a new
/// release, or roll back first).
fn content_may_change(release: &Release, live: bool, verdict: &mut Verdict) {
    let id = &release.id;
    if live && release.state.in_progress() {
        verdict.push(went_live(release));
        return;
    }
    let why = match release.state {
        State::Open => return,
        State::Frozen => format!(
            "release {id} is frozen: its content cannot change until \
             `rel unfreeze {id} --reason TEXT`"
        ),
        State::Released => format!("release {id} is released: its content is final"),
        State::Cancelled => format!("release {id} is cancelled: it takes no further change"),
    };
    verdict.push(Violation::new(RuleCode::State, why));
}

/// `state` when the release is released or cancelled: it is over.
fn still_in_progress(release: &Release, verdict: &mut Verdict) {
    let id = &release.id;
    let why = match release.state {
        State::Open | State::Frozen => return,
        State::Released => format!("release {id} is released: it takes no further change"),
        State::Cancelled => format!("release {id} is cancelled: it takes no further change"),
    };
    verdict.push(Violation::new(RuleCode::State, why));
}

/// May `candidates` join `release`? The release is open (`state`); each
/// incident is not closed (`state`), is resolved (`unresolved`), authorised by
/// the client (`unauthorised`) and not in another release in progress
/// (`grouped`). Incidents the release already lists are left out: they are
/// there already.
pub fn may_group(release: &Release, live: bool, candidates: &[Candidate]) -> Verdict {
    let mut verdict = Verdict::default();
    content_may_change(release, live, &mut verdict);
    for c in candidates {
        let i = c.incident;
        let id = &i.id;
        if lists(release, id) {
            continue;
        }
        if i.status == IncidentStatus::Closed {
            let shipped = i
                .release
                .as_deref()
                .map(|r| format!(" (shipped in {r})"))
                .unwrap_or_default();
            verdict.push(Violation::new(
                RuleCode::State,
                format!("incident {id} is closed{shipped}: it cannot be grouped again"),
            ));
            continue;
        }
        if i.status != IncidentStatus::Resolved {
            verdict.push(Violation::new(
                RuleCode::Unresolved,
                format!(
                    "incident {id} is {}: resolve it first (`rel incident resolve {id}`)",
                    i.status
                ),
            ));
        }
        if !i.is_authorised() {
            verdict.push(Violation::new(
                RuleCode::Unauthorised,
                format!(
                    "incident {id} has no client authorisation: record it first \
                     (`rel incident authorise {id} --by NAME`)"
                ),
            ));
        }
        if let Some(h) = &c.holder {
            if h.in_progress() && !h.id.eq_ignore_ascii_case(&release.id) {
                let state = h.state.map(State::as_str).unwrap_or("unknown");
                verdict.push(Violation::new(
                    RuleCode::Grouped,
                    format!(
                        "incident {id} is already in release {} ({state}): ungroup it there first \
                         (`rel ungroup {} {id}`)",
                        h.id, h.id
                    ),
                ));
            }
        }
    }
    verdict
}

/// May incidents leave `release`? Only while it is open (`state`). Whether
/// each incident is in the release is a question of input, not a rule: the
/// command answers it with exit 2.
pub fn may_ungroup(release: &Release, live: bool) -> Verdict {
    let mut verdict = Verdict::default();
    content_may_change(release, live, &mut verdict);
    verdict
}

/// May `release` be frozen? It is open (`state`), has incidents (`empty`,
/// unless the pipeline sets `require_incidents = false`), each resolved
/// (`unresolved`) and with test evidence (`untested`). `incidents` are the
/// release's incidents as loaded.
pub fn may_freeze(release: &Release, incidents: &[&Incident], require_incidents: bool) -> Verdict {
    let mut verdict = Verdict::default();
    let id = &release.id;
    match release.state {
        State::Open => {}
        State::Frozen => verdict.push(Violation::new(
            RuleCode::State,
            format!("release {id} is already frozen"),
        )),
        State::Released | State::Cancelled => still_in_progress(release, &mut verdict),
    }
    if require_incidents && release.incidents.is_empty() {
        verdict.push(Violation::new(
            RuleCode::Empty,
            format!(
                "release {id} has no incidents: group some first (`rel group {id} INCIDENT...`)"
            ),
        ));
    }
    for i in incidents {
        let iid = &i.id;
        if i.status == IncidentStatus::Open {
            verdict.push(Violation::new(
                RuleCode::Unresolved,
                format!("incident {iid} is open: resolve it first (`rel incident resolve {iid}`)"),
            ));
        }
        if !i.is_tested() {
            verdict.push(Violation::new(
                RuleCode::Untested,
                format!(
                    "incident {iid} has no test evidence: record it first \
                     (`rel incident test {iid} --evidence PATH-OR-URL`)"
                ),
            ));
        }
    }
    verdict
}

/// May `release` be unfrozen? Only a frozen one (`state`) that has not
/// gone live (`live`: it is in the last environment of its pipeline).
pub fn may_unfreeze(release: &Release, live: bool) -> Verdict {
    let mut verdict = Verdict::default();
    let id = &release.id;
    match release.state {
        State::Frozen if live => verdict.push(went_live(release)),
        State::Frozen => {}
        State::Open => verdict.push(Violation::new(
            RuleCode::State,
            format!("release {id} is not frozen"),
        )),
        State::Released | State::Cancelled => still_in_progress(release, &mut verdict),
    }
    verdict
}

/// The `state` violation of a release whose content is fixed because it is
/// live.
fn went_live(release: &Release) -> Violation {
    let id = &release.id;
    Violation::new(
        RuleCode::State,
        format!(
            "release {id} is live in {}: its content is fixed; ship more in a new release, \
             or roll back first (`rel rollback {id} --to ENV --reason TEXT`)",
            release.environment
        ),
    )
}

/// May `release` be cancelled? Not once released or cancelled (`state`).
pub fn may_cancel(release: &Release) -> Verdict {
    let mut verdict = Verdict::default();
    still_in_progress(release, &mut verdict);
    verdict
}

/// May `change` happen to `incident`, held by `holder`?
///
/// - Nothing changes while the holder is frozen (`state`): the frozen
///   content is what was approved and tested, incidents included; except
///   components and test evidence, which record what the content touched
///   and change no approval, tick or health report.
/// - Components may otherwise always be recorded, even after release: they
///   document what shipped.
/// - Anything else on a closed (shipped) incident: `state`.
/// - Resolving a resolved incident, or reopening an open one: `state`.
/// - Reopening an incident grouped in a release in progress: `state`. The
///   release's content would silently stop being resolved; ungroup first.
///   (`grouped` is the grouping rule, "already in another release"; here the
///   obstacle is the state of the release holding it.)
pub fn may_change_incident(
    incident: &Incident,
    change: IncidentChange,
    holder: Option<&Holder>,
) -> Verdict {
    let mut verdict = Verdict::default();
    let id = &incident.id;
    // What an incident touched and how it was tested are records, not
    // content (contract 11.5): they may be kept up to date while the
    // release is frozen or live, until it is released.
    let records = matches!(change, IncidentChange::Component | IncidentChange::Test);
    if let Some(h) = holder.filter(|h| h.state == Some(State::Frozen) && !records) {
        let hint = if change == IncidentChange::Reopen {
            format!(" and `rel ungroup {} {id}`", h.id)
        } else {
            String::new()
        };
        verdict.push(Violation::new(
            RuleCode::State,
            format!(
                "incident {id} is in release {}, which is frozen: it cannot be {} until \
                 `rel unfreeze {} --reason TEXT`{hint}",
                h.id,
                change.verb(),
                h.id
            ),
        ));
        return verdict;
    }
    if change == IncidentChange::Component {
        return verdict;
    }
    if incident.status == IncidentStatus::Closed {
        verdict.push(Violation::new(
            RuleCode::State,
            format!(
                "incident {id} is closed (shipped): it cannot be {}; only components may still be recorded",
                change.verb()
            ),
        ));
        return verdict;
    }
    match change {
        IncidentChange::Resolve if incident.status == IncidentStatus::Resolved => {
            verdict.push(Violation::new(
                RuleCode::State,
                format!("incident {id} is already resolved"),
            ));
        }
        IncidentChange::Reopen => {
            if incident.status == IncidentStatus::Open {
                verdict.push(Violation::new(
                    RuleCode::State,
                    format!("incident {id} is already open"),
                ));
            }
            // (A frozen holder was refused above.)
            if let Some(h) = holder.filter(|h| h.in_progress()) {
                let state = h.state.map(State::as_str).unwrap_or("unknown");
                verdict.push(Violation::new(
                    RuleCode::State,
                    format!(
                        "incident {id} is grouped in release {} ({state}, in progress): \
                         ungroup it first (`rel ungroup {} {id}`)",
                        h.id, h.id
                    ),
                ));
            }
        }
        _ => {}
    }
    verdict
}

/// Whether an allowed change to an incident held by `holder` changes that
/// release's content: it does while the release is open (a frozen one
/// refuses the change; one that is over keeps its record as it was), and
/// then the release moves to a new revision in the same commit.
pub fn changes_holder(holder: Option<&Holder>) -> bool {
    holder.is_some_and(|h| h.state == Some(State::Open))
}

/// Whether `release` has gone live: it is in the last environment of its
/// pipeline, so its content is fixed (contract 11.5).
pub fn is_live(pipeline: &crate::model::pipeline::Pipeline, release: &Release) -> bool {
    let pipeline = pipeline.lane_of(release);
    !pipeline.environments.is_empty()
        && release
            .environment
            .eq_ignore_ascii_case(&pipeline.last().name)
}
