//! Properties of the register over random sequences of operations, applied
//! as the commands apply them: ask the rules, and only when allowed apply the
//! effects. The world is values: releases and incidents in memory.

use crate::model::action::Action;
use proptest::prelude::*;

use super::effects;
use super::fixtures::{incident, release, stamp};
use super::*;
use crate::model::incident::{Incident, IncidentStatus};
use crate::model::release::{Release, State};
use crate::model::rule::RuleCode;

const RELEASES: usize = 4;
const INCIDENTS: usize = 6;

#[derive(Debug, Clone)]
enum Op {
    Group(usize, Vec<usize>),
    Ungroup(usize, Vec<usize>),
    Freeze(usize),
    Unfreeze(usize),
    Cancel(usize),
    Resolve(usize),
    Reopen(usize),
    Authorise(usize),
    Test(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let r = 0..RELEASES;
    let i = 0..INCIDENTS;
    let some = prop::collection::vec(0..INCIDENTS, 1..4);
    prop_oneof![
        8 => (r.clone(), some.clone()).prop_map(|(r, is)| Op::Group(r, is)),
        4 => (r.clone(), some).prop_map(|(r, is)| Op::Ungroup(r, is)),
        3 => r.clone().prop_map(Op::Freeze),
        2 => r.clone().prop_map(Op::Unfreeze),
        1 => r.prop_map(Op::Cancel),
        2 => i.clone().prop_map(Op::Resolve),
        2 => i.clone().prop_map(Op::Reopen),
        1 => i.clone().prop_map(Op::Authorise),
        1 => i.prop_map(Op::Test),
    ]
}

fn status() -> impl Strategy<Value = IncidentStatus> {
    prop_oneof![1 => Just(IncidentStatus::Open), 3 => Just(IncidentStatus::Resolved)]
}

/// Mostly true: most incidents of a register get authorised and tested.
fn likely() -> impl Strategy<Value = bool> {
    prop::bool::weighted(0.75)
}

#[derive(Debug, Clone)]
struct World {
    releases: Vec<Release>,
    incidents: Vec<Incident>,
}

fn world() -> impl Strategy<Value = World> {
    prop::collection::vec((status(), likely(), likely()), INCIDENTS).prop_map(|flags| World {
        releases: (0..RELEASES)
            .map(|n| release(&format!("R{n}"), State::Open, &[]))
            .collect(),
        incidents: flags
            .into_iter()
            .enumerate()
            .map(|(n, (s, a, t))| incident(&format!("I{n}"), s, a, t))
            .collect(),
    })
}

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

    fn index_of(&self, id: &str) -> Option<usize> {
        self.incidents
            .iter()
            .position(|i| i.id.eq_ignore_ascii_case(id))
    }

    /// Applies `op` as the command would; returns whether it was allowed.
    fn apply(&mut self, op: &Op) -> bool {
        let s = stamp();
        match op {
            Op::Group(r, picks) => {
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
                if !may_group(&self.releases[*r], false, &candidates).allowed() {
                    return false;
                }
                let new: Vec<usize> = picks
                    .into_iter()
                    .filter(|&n| !decide::lists(&self.releases[*r], &self.incidents[n].id))
                    .collect();
                if new.is_empty() {
                    return true;
                }
                let mut changed: Vec<Incident> =
                    new.iter().map(|&n| self.incidents[n].clone()).collect();
                effects::group(&mut self.releases[*r], &mut changed, s);
                for (n, i) in new.into_iter().zip(changed) {
                    self.incidents[n] = i;
                }
                true
            }
            Op::Ungroup(r, picks) => {
                // Ids the release does not list are exit 2 in the command;
                // here they are simply not asked for.
                let mut ids: Vec<String> = picks
                    .iter()
                    .map(|&n| self.incidents[n].id.clone())
                    .filter(|id| decide::lists(&self.releases[*r], id))
                    .collect();
                ids.sort();
                ids.dedup();
                if ids.is_empty() || !may_ungroup(&self.releases[*r], false).allowed() {
                    return false;
                }
                let idx: Vec<usize> = ids.iter().filter_map(|id| self.index_of(id)).collect();
                let mut changed: Vec<Incident> =
                    idx.iter().map(|&n| self.incidents[n].clone()).collect();
                effects::ungroup(&mut self.releases[*r], &ids, &mut changed, s);
                for (n, i) in idx.into_iter().zip(changed) {
                    self.incidents[n] = i;
                }
                true
            }
            Op::Freeze(r) => {
                let content: Vec<&Incident> = self.releases[*r]
                    .incidents
                    .iter()
                    .filter_map(|id| self.index_of(id).map(|n| &self.incidents[n]))
                    .collect();
                if !may_freeze(&self.releases[*r], &content, true).allowed() {
                    return false;
                }
                effects::freeze(&mut self.releases[*r], s);
                true
            }
            Op::Unfreeze(r) => {
                if !may_unfreeze(&self.releases[*r], false).allowed() {
                    return false;
                }
                effects::unfreeze(&mut self.releases[*r], "why not", s);
                true
            }
            Op::Cancel(r) => {
                if !may_cancel(&self.releases[*r]).allowed() {
                    return false;
                }
                let idx: Vec<usize> = self.releases[*r]
                    .incidents
                    .iter()
                    .filter_map(|id| self.index_of(id))
                    .collect();
                let mut changed: Vec<Incident> =
                    idx.iter().map(|&n| self.incidents[n].clone()).collect();
                effects::cancel(&mut self.releases[*r], &mut changed, "stop", s);
                for (n, i) in idx.into_iter().zip(changed) {
                    self.incidents[n] = i;
                }
                true
            }
            Op::Resolve(n) | Op::Reopen(n) | Op::Authorise(n) | Op::Test(n) => {
                let change = match op {
                    Op::Resolve(_) => IncidentChange::Resolve,
                    Op::Reopen(_) => IncidentChange::Reopen,
                    Op::Authorise(_) => IncidentChange::Authorise,
                    _ => IncidentChange::Test,
                };
                let holder = self.holder(&self.incidents[*n]);
                if !may_change_incident(&self.incidents[*n], change, holder.as_ref()).allowed() {
                    return false;
                }
                let i = &mut self.incidents[*n];
                match change {
                    IncidentChange::Resolve => effects::resolve(i, s),
                    IncidentChange::Reopen => effects::reopen(i, s),
                    IncidentChange::Authorise => effects::authorise(i, "Client", s),
                    _ => effects::add_evidence(i, "report.pdf", s),
                }
                // The open release holding it changes in the same commit.
                if changes_holder(holder.as_ref()) {
                    let id = i.id.clone();
                    if let Some(r) = holder.and_then(|h| {
                        self.releases
                            .iter_mut()
                            .find(|r| r.id.eq_ignore_ascii_case(&h.id))
                    }) {
                        effects::incident_changed(r, &id, Action::IncidentTest, s);
                    }
                }
                true
            }
        }
    }

    /// Everything that must hold between any two commands.
    fn check(&self) -> Result<(), TestCaseError> {
        for i in &self.incidents {
            let holders: Vec<&str> = self
                .releases
                .iter()
                .filter(|r| r.state.in_progress() && decide::lists(r, &i.id))
                .map(|r| r.id.as_str())
                .collect();
            prop_assert!(
                holders.len() <= 1,
                "{} is in several releases in progress: {holders:?}",
                i.id
            );
            // Both sides agree for releases in progress.
            if let Some(r) = holders.first() {
                prop_assert!(i.is_held_by(r), "{} in {r} but names {:?}", i.id, i.release);
                prop_assert_eq!(i.status, IncidentStatus::Resolved);
                prop_assert!(i.is_authorised());
            }
            if let Some(h) = self.holder(i) {
                if h.in_progress() {
                    prop_assert_eq!(holders, vec![h.id.as_str()]);
                }
            }
        }
        for r in self.releases.iter().filter(|r| r.state == State::Frozen) {
            for id in &r.incidents {
                let i = self.index_of(id).map(|n| &self.incidents[n]);
                prop_assert!(
                    i.is_some_and(|i| i.is_tested() && i.status == IncidentStatus::Resolved)
                );
            }
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// An incident is never in two releases in progress, the release's list
    /// and the incident's holder agree, and grouped content stays resolved,
    /// authorised (and, once frozen, tested) after any sequence of commands.
    #[test]
    fn the_register_stays_consistent(mut w in world(), ops in prop::collection::vec(op(), 1..80)) {
        w.check()?;
        for op in &ops {
            let before = w.clone();
            let allowed = w.apply(op);
            if !allowed {
                // Refused means nothing changed.
                prop_assert_eq!(&w.releases, &before.releases);
                prop_assert_eq!(&w.incidents, &before.incidents);
            }
            // Revisions never go back; content changes always move them.
            for (a, b) in before.releases.iter().zip(&w.releases) {
                prop_assert!(b.revision >= a.revision);
                if a.incidents != b.incidents {
                    prop_assert_eq!(b.revision, a.revision + 1);
                }
            }
            // An incident of a frozen release never changes but for its
            // records (components, test evidence); a change to one of an
            // open release moves that release to a new revision.
            for (n, (a, b)) in before.incidents.iter().zip(&w.incidents).enumerate() {
                if a == b {
                    continue;
                }
                let holder = before.holder(a);
                prop_assert!(holder.as_ref().is_none_or(|h| h.state != Some(State::Frozen)) || matches!(op, Op::Cancel(_) | Op::Ungroup(..) | Op::Test(_)),
                    "incident {} of a frozen release changed by {:?}", n, op);
                if matches!(op, Op::Resolve(_) | Op::Reopen(_) | Op::Authorise(_) | Op::Test(_)) {
                    if let Some(h) = holder.filter(|h| h.state == Some(State::Open)) {
                        let r = before.releases.iter().position(|r| r.id == h.id).unwrap();
                        prop_assert_eq!(w.releases[r].revision, before.releases[r].revision + 1);
                    }
                }
            }
            w.check()?;
        }
    }

    /// Freezing is allowed exactly when the release is open, has incidents,
    /// and each is resolved and tested; each failing condition is named.
    #[test]
    fn freezing_is_allowed_exactly_when_every_condition_holds(
        state in prop_oneof![Just(State::Open), Just(State::Frozen), Just(State::Released), Just(State::Cancelled)],
        content in prop::collection::vec((status(), any::<bool>()), 0..5),
    ) {
        let incidents: Vec<Incident> = content
            .iter()
            .enumerate()
            .map(|(n, (s, t))| incident(&format!("I{n}"), *s, true, *t))
            .collect();
        let ids: Vec<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
        let r = release("R", state, &ids);
        let refs: Vec<&Incident> = incidents.iter().collect();
        let v = may_freeze(&r, &refs, true);
        // Without required incidents, only `empty` goes away.
        let lax = may_freeze(&r, &refs, false);
        prop_assert!(lax.violations.iter().all(|x| x.rule != RuleCode::Empty));
        prop_assert_eq!(lax.violations.len() + usize::from(incidents.is_empty()), v.violations.len());

        let open = state == State::Open;
        let nonempty = !incidents.is_empty();
        let resolved = incidents.iter().all(|i| i.status != IncidentStatus::Open);
        let tested = incidents.iter().all(Incident::is_tested);
        prop_assert_eq!(v.allowed(), open && nonempty && resolved && tested);
        let codes = v.codes();
        prop_assert_eq!(codes.contains(&RuleCode::State), !open);
        prop_assert_eq!(codes.contains(&RuleCode::Empty), !nonempty);
        prop_assert_eq!(codes.contains(&RuleCode::Unresolved), !resolved);
        prop_assert_eq!(codes.contains(&RuleCode::Untested), !tested);
        // One message per failing incident and condition, naming it.
        for i in &incidents {
            let named = v.violations.iter().filter(|x| x.message.contains(&format!("incident {} ", i.id))).count();
            let expected = usize::from(i.status == IncidentStatus::Open) + usize::from(!i.is_tested());
            prop_assert_eq!(named, expected);
        }
    }

    /// Grouping is allowed exactly when the release is open and every new
    /// incident is resolved, authorised and free; every bad incident is named.
    #[test]
    fn grouping_names_every_bad_incident(
        state in prop_oneof![Just(State::Open), Just(State::Frozen), Just(State::Cancelled)],
        content in prop::collection::vec(
            (status(), any::<bool>(), prop::option::of(prop_oneof![
                Just(Some(State::Open)), Just(Some(State::Frozen)),
                Just(Some(State::Cancelled)), Just(Some(State::Released)), Just(None)])),
            0..6),
    ) {
        let incidents: Vec<Incident> = content
            .iter()
            .enumerate()
            .map(|(n, (s, a, _))| incident(&format!("I{n}"), *s, *a, false))
            .collect();
        let candidates: Vec<Candidate> = incidents
            .iter()
            .zip(&content)
            .map(|(i, (_, _, h))| Candidate {
                incident: i,
                holder: h.map(|state| Holder { id: "OTHER".into(), state }),
            })
            .collect();
        let r = release("R", state, &[]);
        let v = may_group(&r, false, &candidates);
        let mut all_good = state == State::Open;
        for c in &candidates {
            let bad = c.incident.status != IncidentStatus::Resolved
                || !c.incident.is_authorised()
                || c.holder.as_ref().is_some_and(Holder::in_progress);
            all_good &= !bad;
            let named = v.violations.iter().any(|x| x.message.contains(&format!("incident {} ", c.incident.id)));
            prop_assert_eq!(named, bad, "{}", c.incident.id);
        }
        prop_assert_eq!(v.allowed(), all_good);
    }
}
