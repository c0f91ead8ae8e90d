//! The world of the sequence properties (`sequence_props`): a pipeline,
//! releases and incidents as values, and each action applied as its command
//! applies it: the same rules decide, the same pure effects change the
//! values. The promotion side's actions are in `sequence_moves`.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

use crate::model::action::Action;
use crate::model::incident::{Incident, IncidentStatus};
use crate::model::named_pipelines::DEFAULT_PIPELINE;
use crate::model::pipeline::Pipeline;
use crate::model::release::{Kind, Release, State};
use crate::model::rule::RuleCode;

use crate::rules::actions::may_create;
use crate::rules::history::time_moves_forward;
use crate::rules::moves::{self, NewRelease};
use crate::rules::occupancy::Occupancy;
use crate::rules::register::effects::{self, Stamp};
use crate::rules::register::{
    changes_holder, is_live, lists, may_cancel, may_change_incident, may_freeze, may_group,
    may_unfreeze, may_ungroup, Candidate, Holder, IncidentChange,
};

pub const RELEASES: usize = 4;
/// A second pipeline with the same environment names (contract 11.2):
/// `exclusive` counts its releases apart.
pub const OTHER: &str = "other";
pub const INCIDENTS: usize = 5;
pub const ENVS: usize = 3;
pub const ROLES: [&str; 2] = ["client", "rm"];
pub const ACTORS: [(&str, &str); 2] = [
    ("Ana <ana@x.example>", "ana@x.example"),
    ("Bo <bo@x.example>", "bo@x.example"),
];

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0)
        .single()
        .expect("a valid instant")
}

#[derive(Debug, Clone)]
pub enum Op {
    /// `rel new`, in the default pipeline or (`true`) in `OTHER`.
    New(Kind, bool),
    Group(usize, Vec<usize>),
    Ungroup(usize, Vec<usize>),
    Freeze(usize),
    Unfreeze(usize),
    Cancel(usize),
    Change(usize, IncidentChange),
    Promote(usize, Option<usize>, Vec<RuleCode>),
    Rollback(usize, usize),
    Approve(usize, usize, usize),
    Tick(usize, usize, usize),
    Verify(usize, bool),
    Close(usize),
    Repeat(usize),
    Untick(usize, usize, usize),
    /// The release's own item of an environment: entry, or exit (`true`).
    AddItem(usize, usize, bool),
    /// `rel depend R --on R2 [--reached E] [--before E]`, or `--off`.
    Depend(usize, usize, Option<usize>, Option<usize>, bool),
}

#[derive(Debug, Clone, PartialEq)]
pub struct World {
    pub pipeline: Pipeline,
    pub releases: Vec<Release>,
    pub incidents: Vec<Incident>,
}

/// What became of one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Allowed, nothing to change (already approved, already ticked).
    Nothing,
    /// Refused: a verdict, bad input, or time before the last event.
    Refused,
}
pub use Outcome::{Done, Nothing, Refused};

impl World {
    fn holder(&self, i: &Incident) -> Option<Holder> {
        i.release.as_ref().map(|h| Holder {
            id: h.clone(),
            state: self
                .releases
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(h))
                .map(|r| r.state),
        })
    }

    pub(super) fn incident_index(&self, id: &str) -> Option<usize> {
        self.incidents
            .iter()
            .position(|i| i.id.eq_ignore_ascii_case(id))
    }

    /// Releases in progress in environment `env` of `asker`'s pipeline
    /// other than `asker`, when it is exclusive (what
    /// `promotion_facts::occupants` reads).
    pub(super) fn occupants(
        &self,
        env: usize,
        asker: crate::rules::occupancy::Asker,
    ) -> Vec<String> {
        let e = &self.pipeline.environments[env];
        if !e.exclusive {
            return Vec::new();
        }
        self.releases[..].occupants(&e.name, asker)
    }

    /// Incidents `idx`, to be changed and put back.
    pub(super) fn take(&self, idx: &[usize]) -> Vec<Incident> {
        idx.iter().map(|&n| self.incidents[n].clone()).collect()
    }

    pub(super) fn put_back(&mut self, idx: &[usize], changed: Vec<Incident>) {
        for (&n, i) in idx.iter().zip(changed) {
            self.incidents[n] = i;
        }
    }

    /// Applies `op` at `now` as its command does.
    pub fn apply(&mut self, op: &Op, now: DateTime<Utc>, who: usize) -> Outcome {
        let (by, email) = ACTORS[who];
        let s = Stamp { at: now, by };
        // The release an op names, loaded to be changed now; an unknown one
        // is exit 2.
        let r = match op {
            Op::New(..) | Op::Change(..) => None,
            Op::Group(r, _)
            | Op::Ungroup(r, _)
            | Op::Freeze(r)
            | Op::Unfreeze(r)
            | Op::Cancel(r)
            | Op::Promote(r, ..)
            | Op::Rollback(r, _)
            | Op::Approve(r, ..)
            | Op::Tick(r, ..)
            | Op::Verify(r, _)
            | Op::Close(r)
            | Op::Repeat(r)
            | Op::Untick(r, ..)
            | Op::AddItem(r, ..)
            | Op::Depend(r, ..) => {
                // Ops name releases by number among those there are.
                let Some(r) = r.checked_rem(self.releases.len()) else {
                    return Refused;
                };
                if time_moves_forward(&self.releases[r], now).is_err() {
                    return Refused;
                }
                Some(r)
            }
        };
        let p = self.pipeline.clone();
        match (op, r) {
            (Op::New(kind, other), _) => {
                let id = format!("R{}", self.releases.len());
                let pipeline = if *other { OTHER } else { DEFAULT_PIPELINE };
                let asker = crate::rules::occupancy::Asker {
                    id: &id,
                    installation: None,
                    pipeline,
                };
                if self.releases.len() >= RELEASES
                    || !may_create(&p, &id, &self.occupants(0, asker)).allowed()
                {
                    return Refused;
                }
                let version = semver::Version::new(1, 0, 0);
                self.releases.push(moves::create(
                    &NewRelease {
                        id: &id,
                        title: "t",
                        version: &version,
                        kind: *kind,
                        pipeline: other.then_some(OTHER),
                        target: None,
                        first: &p.first().name,
                        installation: None,
                        from_version: None,
                        path: None,
                    },
                    s,
                ));
                Done
            }
            (Op::Group(_, picks), Some(r)) => {
                let mut picks = picks.clone();
                picks.sort();
                picks.dedup();
                let candidates: Vec<Candidate> = picks
                    .iter()
                    .map(|&n| Candidate {
                        incident: &self.incidents[n],
                        holder: self.holder(&self.incidents[n]),
                    })
                    .collect();
                if !may_group(
                    &self.releases[r],
                    is_live(&p, &self.releases[r]),
                    &candidates,
                )
                .allowed()
                {
                    return Refused;
                }
                let new: Vec<usize> = picks
                    .into_iter()
                    .filter(|&n| !lists(&self.releases[r], &self.incidents[n].id))
                    .collect();
                if new.is_empty() {
                    return Nothing;
                }
                let mut changed = self.take(&new);
                effects::group(&mut self.releases[r], &mut changed, s);
                self.put_back(&new, changed);
                Done
            }
            (Op::Ungroup(_, picks), Some(r)) => {
                let mut ids: Vec<String> = picks
                    .iter()
                    .map(|&n| self.incidents[n].id.clone())
                    .collect();
                ids.sort();
                ids.dedup();
                // One the release does not list is exit 2.
                if ids.iter().any(|id| !lists(&self.releases[r], id))
                    || !may_ungroup(&self.releases[r], is_live(&p, &self.releases[r])).allowed()
                {
                    return Refused;
                }
                let idx: Vec<usize> = ids
                    .iter()
                    .filter_map(|id| self.incident_index(id))
                    .collect();
                let mut changed = self.take(&idx);
                effects::ungroup(&mut self.releases[r], &ids, &mut changed, s);
                self.put_back(&idx, changed);
                Done
            }
            (Op::Freeze(_), Some(r)) => {
                let content: Vec<&Incident> = self.releases[r]
                    .incidents
                    .iter()
                    .filter_map(|id| self.incident_index(id).map(|n| &self.incidents[n]))
                    .collect();
                if !may_freeze(&self.releases[r], &content, p.require_incidents).allowed() {
                    return Refused;
                }
                effects::freeze(&mut self.releases[r], s);
                Done
            }
            (Op::Unfreeze(_), Some(r)) => {
                if !may_unfreeze(&self.releases[r], is_live(&p, &self.releases[r])).allowed() {
                    return Refused;
                }
                effects::unfreeze(&mut self.releases[r], "late fix", s);
                Done
            }
            (Op::Cancel(_), Some(r)) => {
                if !may_cancel(&self.releases[r]).allowed() {
                    return Refused;
                }
                let id = self.releases[r].id.clone();
                let idx: Vec<usize> = self.releases[r]
                    .incidents
                    .iter()
                    .filter_map(|i| self.incident_index(i))
                    .filter(|&n| self.incidents[n].is_held_by(&id))
                    .collect();
                let mut held = self.take(&idx);
                effects::cancel(&mut self.releases[r], &mut held, "withdrawn", s);
                self.put_back(&idx, held);
                Done
            }
            (Op::Change(n, change), _) => self.change_incident(*n, *change, s),
            (
                Op::Promote(..)
                | Op::Rollback(..)
                | Op::Approve(..)
                | Op::Tick(..)
                | Op::Verify(..)
                | Op::Close(..)
                | Op::Repeat(..)
                | Op::Untick(..)
                | Op::AddItem(..)
                | Op::Depend(..),
                Some(r),
            ) => self.promotion_side(op, r, s, email),
            (_, None) => Refused,
        }
    }

    /// `rel incident resolve|reopen|authorise|test|component`.
    fn change_incident(&mut self, n: usize, change: IncidentChange, s: Stamp) -> Outcome {
        let holder = self.holder(&self.incidents[n]);
        if !may_change_incident(&self.incidents[n], change, holder.as_ref()).allowed() {
            return Refused;
        }
        // The open release listing it changes with it, at a new revision.
        let release = holder
            .clone()
            .filter(|_| changes_holder(holder.as_ref()))
            .and_then(|h| {
                self.releases
                    .iter()
                    .position(|r| r.id.eq_ignore_ascii_case(&h.id))
            })
            .filter(|&r| lists(&self.releases[r], &self.incidents[n].id));
        if release.is_some_and(|r| time_moves_forward(&self.releases[r], s.at).is_err()) {
            return Refused;
        }
        let i = &mut self.incidents[n];
        let action = match change {
            IncidentChange::Resolve => {
                effects::resolve(i, s);
                Action::IncidentResolve
            }
            IncidentChange::Reopen => {
                effects::reopen(i, s);
                Action::IncidentReopen
            }
            IncidentChange::Authorise => {
                effects::authorise(i, "Client", s);
                Action::IncidentAuthorise
            }
            IncidentChange::Test => {
                effects::add_evidence(i, "report.pdf", s);
                Action::IncidentTest
            }
            IncidentChange::Component => {
                let kinds = [("dll".to_string(), format!("c{}", i.components.len() % 2))];
                if effects::add_components(i, &kinds, s).is_empty() {
                    return Nothing;
                }
                Action::IncidentComponent
            }
            IncidentChange::Flag => {
                let mut flags = i.flags();
                flags.compat_work = !flags.compat_work;
                effects::set_flags(i, flags, s);
                Action::IncidentFlag
            }
        };
        let id = i.id.clone();
        if let Some(r) = release {
            effects::incident_changed(&mut self.releases[r], &id, action, s);
        }
        Done
    }

    /// Everything that must hold between any two commands.
    pub fn check(&self) -> Result<(), TestCaseError> {
        // At most one release in progress per exclusive environment, but
        // for those that entered it with a recorded `exclusive` override.
        // Counted per pipeline (both have the same environment names).
        for lane in [DEFAULT_PIPELINE, OTHER] {
            for e in self.pipeline.environments.iter().filter(|e| e.exclusive) {
                let plain: Vec<&str> = self
                    .releases
                    .iter()
                    .filter(|r| r.state.in_progress() && r.environment == e.name)
                    .filter(|r| r.pipeline_name() == lane)
                    .filter(|r| !entered_overriding_exclusive(r))
                    .map(|r| r.id.as_str())
                    .collect();
                prop_assert!(plain.len() <= 1, "{lane} {} holds {plain:?}", e.name);
            }
        }
        // An incident in at most one release in progress; both sides agree.
        for i in &self.incidents {
            let holders: Vec<&str> = self
                .releases
                .iter()
                .filter(|r| r.state.in_progress() && lists(r, &i.id))
                .map(|r| r.id.as_str())
                .collect();
            prop_assert!(holders.len() <= 1, "{} is in {holders:?}", i.id);
            if let Some(r) = holders.first() {
                prop_assert!(i.is_held_by(r), "{} in {r} but names {:?}", i.id, i.release);
            }
            if let Some(h) = self.holder(i).filter(Holder::in_progress) {
                prop_assert_eq!(holders, vec![h.id.as_str()], "{} names {}", i.id, h.id);
            }
        }
        // History times never decrease within a release. (Not within an
        // incident: the contract's "time moves forward" is about the release
        // a write changes, and a change to an incident outside any release
        // is deliberately not held back: tests/all/corrections_time.rs.)
        for r in &self.releases {
            prop_assert!(
                r.history.windows(2).all(|w| w[0].at <= w[1].at),
                "the history of {} runs backwards",
                r.id
            );
            // A released release shipped only closed incidents.
            if r.state == State::Released {
                for id in &r.incidents {
                    let n = self.incident_index(id).expect("listed incidents exist");
                    prop_assert_eq!(self.incidents[n].status, IncidentStatus::Closed);
                }
            }
        }
        Ok(())
    }
}

/// Whether the move that put `r` where it is was a promotion that set
/// `exclusive` aside (recorded in its history, as the commit records it).
fn entered_overriding_exclusive(r: &Release) -> bool {
    r.history
        .iter()
        .rev()
        .find(|e| ["new", "promote", "rollback"].contains(&e.action.as_str()))
        .is_some_and(|e| e.overrides.contains(&RuleCode::Exclusive))
}
