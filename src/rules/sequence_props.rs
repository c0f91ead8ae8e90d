//! Properties over random SEQUENCES of any actions, of both sides (register
//! and promotion), each decided and applied as its command does: the same
//! rules give the verdict, the same pure effects (`register::effects`,
//! `moves`) change the values, with the same `Stamp`. Only the gathering of
//! facts differs: here the world is values in memory, there a git tree.
//!
//! After every step: at most one release in progress per exclusive
//! environment (beyond those that entered with a recorded `exclusive`
//! override); an incident in at most one release in progress, and the
//! release's list and the incident's holder agree; history times never
//! decrease within a release; a refused action (a verdict that does not allow it, bad input,
//! or a time before the last event) leaves everything exactly as it was.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use crate::model::action::Action;
use crate::model::calendar::Calendar;
use crate::model::incident::{Incident, IncidentStatus};
use crate::model::pipeline::{ChecklistItem, Environment, Pipeline, Soak};
use crate::model::release::{ChecklistKind, Kind, Release, State};
use crate::model::rule::RuleCode;

use super::actions::{checklist_for, may_approve, may_close, may_create, may_rollback, may_verify};
use super::history::time_moves_forward;
use super::moves::{self, CheckResult, NewRelease};
use super::overrides::permitted_overrides;
use super::promotion::{check_promotion, finished_verdict, resolve_target, PromotionInput};
use super::register::effects::{self, Stamp};
use super::register::fixtures::incident;
use super::register::{
    changes_holder, lists, may_cancel, may_change_incident, may_freeze, may_group, may_unfreeze,
    may_ungroup, Candidate, Holder, IncidentChange,
};

const RELEASES: usize = 4;
const INCIDENTS: usize = 5;
const ENVS: usize = 3;
const ROLES: [&str; 2] = ["client", "rm"];
const ACTORS: [(&str, &str); 2] = [
    ("Ana <ana@x.example>", "ana@x.example"),
    ("Bo <bo@x.example>", "bo@x.example"),
];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0)
        .single()
        .expect("a valid instant")
}

#[derive(Debug, Clone)]
enum Op {
    New(Kind),
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
}

fn op() -> impl Strategy<Value = Op> {
    let r = 0..RELEASES;
    let i = 0..INCIDENTS;
    let e = 0..ENVS;
    let some = prop::collection::vec(0..INCIDENTS, 1..3);
    let kind = prop::sample::select(vec![Kind::Major, Kind::Minor, Kind::Patch]);
    let change = prop::sample::select(vec![
        IncidentChange::Resolve,
        IncidentChange::Reopen,
        IncidentChange::Authorise,
        IncidentChange::Test,
        IncidentChange::Component,
    ]);
    let overrides = prop::sample::subsequence(RuleCode::OVERRIDABLE.to_vec(), 0..=3);
    prop_oneof![
        3 => kind.prop_map(Op::New),
        8 => (r.clone(), some.clone()).prop_map(|(r, is)| Op::Group(r, is)),
        2 => (r.clone(), some).prop_map(|(r, is)| Op::Ungroup(r, is)),
        4 => r.clone().prop_map(Op::Freeze),
        2 => r.clone().prop_map(Op::Unfreeze),
        1 => r.clone().prop_map(Op::Cancel),
        6 => (i, change).prop_map(|(i, c)| Op::Change(i, c)),
        20 => (r.clone(), prop::option::weighted(0.3, e.clone()), prop_oneof![2 => Just(Vec::new()), 1 => overrides])
            .prop_map(|(r, to, o)| Op::Promote(r, to, o)),
        4 => (r.clone(), e.clone()).prop_map(|(r, to)| Op::Rollback(r, to)),
        6 => (r.clone(), e.clone(), 0..ROLES.len()).prop_map(|(r, e, role)| Op::Approve(r, e, role)),
        8 => (r.clone(), e, prop_oneof![3 => Just(0usize), 1 => Just(1usize)])
            .prop_map(|(r, e, item)| Op::Tick(r, e, item)),
        5 => (r.clone(), prop::bool::weighted(0.8)).prop_map(|(r, p)| Op::Verify(r, p)),
        4 => r.prop_map(Op::Close),
    ]
}

/// A small pipeline with at least one exclusive environment (possibly the
/// first), short soaks, some approvals, checklists and health gates, and
/// random overridable rules (`exclusive` among them at times).
fn pipeline() -> impl Strategy<Value = Pipeline> {
    let env = (
        prop_oneof![3 => Just(0u32), 1 => Just(1u32)],
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.15),
        prop_oneof![4 => Just(Vec::new()), 1 => prop::sample::subsequence(ROLES.to_vec(), 1..=2)],
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.2),
        prop::sample::subsequence(RuleCode::OVERRIDABLE.to_vec(), 0..=7),
        prop::bool::weighted(0.2),
    );
    (prop::collection::vec(env, ENVS), 0..ENVS).prop_map(|(envs, surely_exclusive)| {
        let environments = envs
            .into_iter()
            .enumerate()
            .map(
                |(
                    n,
                    (
                        soak,
                        frozen,
                        exclusive,
                        health,
                        approvals,
                        entry,
                        exit,
                        overridable,
                        optional,
                    ),
                )| {
                    let mut e = Environment::named(&format!("e{n}"));
                    e.soak = Soak {
                        major: soak,
                        minor: soak,
                        patch: 0,
                    };
                    e.requires_frozen = frozen;
                    e.exclusive = exclusive || n == surely_exclusive;
                    e.requires_health = health;
                    e.approvals = approvals.into_iter().map(str::to_string).collect();
                    let item = |text: &str| ChecklistItem {
                        item: text.to_string(),
                        kinds: Vec::new(),
                    };
                    if entry {
                        e.entry_checklist = vec![item("ready")];
                    }
                    if exit {
                        e.exit_checklist = vec![item("done")];
                    }
                    e.overridable = overridable;
                    e.optional = optional && n > 0 && n + 1 < ENVS;
                    e
                },
            )
            .collect();
        Pipeline {
            calendar: Calendar::default(),
            roles: Default::default(),
            environments,
            require_incidents: true,
        }
    })
}

#[derive(Debug, Clone, PartialEq)]
struct World {
    pipeline: Pipeline,
    releases: Vec<Release>,
    incidents: Vec<Incident>,
}

fn world() -> impl Strategy<Value = World> {
    let status = prop_oneof![1 => Just(IncidentStatus::Open), 3 => Just(IncidentStatus::Resolved)];
    let flags = (status, prop::bool::weighted(0.8), prop::bool::weighted(0.8));
    (pipeline(), prop::collection::vec(flags, INCIDENTS)).prop_map(|(pipeline, flags)| World {
        pipeline,
        releases: Vec::new(),
        incidents: flags
            .into_iter()
            .enumerate()
            .map(|(n, (s, a, t))| incident(&format!("I{n}"), s, a, t))
            .collect(),
    })
}

/// What became of one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    /// Allowed, nothing to change (already approved, already ticked).
    Nothing,
    /// Refused: a verdict, bad input, or time before the last event.
    Refused,
}
use Outcome::{Done, Nothing, Refused};

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

    fn incident_index(&self, id: &str) -> Option<usize> {
        self.incidents
            .iter()
            .position(|i| i.id.eq_ignore_ascii_case(id))
    }

    /// Releases in progress in environment `env` other than `except`, when
    /// it is exclusive (what `promotion_facts::occupants` reads).
    fn occupants(&self, env: usize, except: &str) -> Vec<String> {
        let e = &self.pipeline.environments[env];
        if !e.exclusive {
            return Vec::new();
        }
        self.releases
            .iter()
            .filter(|r| r.state.in_progress() && r.environment.eq_ignore_ascii_case(&e.name))
            .filter(|r| r.id != except)
            .map(|r| r.id.clone())
            .collect()
    }

    /// Incidents `idx`, to be changed and put back.
    fn take(&self, idx: &[usize]) -> Vec<Incident> {
        idx.iter().map(|&n| self.incidents[n].clone()).collect()
    }

    fn put_back(&mut self, idx: &[usize], changed: Vec<Incident>) {
        for (&n, i) in idx.iter().zip(changed) {
            self.incidents[n] = i;
        }
    }

    /// Applies `op` at `now` as its command does.
    fn apply(&mut self, op: &Op, now: DateTime<Utc>, who: usize) -> Outcome {
        let (by, email) = ACTORS[who];
        let s = Stamp { at: now, by };
        // The release an op names, loaded to be changed now; an unknown one
        // is exit 2.
        let r = match op {
            Op::New(_) | Op::Change(..) => None,
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
            | Op::Close(r) => {
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
            (Op::New(kind), _) => {
                let id = format!("R{}", self.releases.len());
                if self.releases.len() >= RELEASES
                    || !may_create(&p, &id, &self.occupants(0, &id)).allowed()
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
                        target: None,
                        first: &p.first().name,
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
                if !may_group(&self.releases[r], &candidates).allowed() {
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
                    || !may_ungroup(&self.releases[r]).allowed()
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
                if !may_unfreeze(&self.releases[r]).allowed() {
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
            (Op::Promote(_, to, overrides), Some(r)) => {
                let release = &self.releases[r];
                let named = to.map(|i| &p.environments[i]);
                if finished_verdict(release, named, now).is_some() {
                    return Refused;
                }
                let Ok(target) = resolve_target(&p, release, named.map(|e| e.name.as_str())) else {
                    return Refused;
                };
                let occupants = self.occupants(target, &release.id);
                let verdict = check_promotion(&PromotionInput {
                    pipeline: &p,
                    release,
                    target,
                    occupants: &occupants,
                    now,
                });
                let Ok(overrides) = permitted_overrides(&p.environments[target], overrides) else {
                    return Refused;
                };
                let o = verdict.overridden(&overrides);
                if !o.remaining.allowed() {
                    return Refused;
                }
                let reason = (!overrides.is_empty()).then_some("urgent");
                moves::promote(
                    &mut self.releases[r],
                    &p.environments[target].name,
                    &o.used,
                    reason,
                    s,
                );
                Done
            }
            (Op::Rollback(_, to), Some(r)) => {
                let occupants = self.occupants(*to, &self.releases[r].id);
                if !may_rollback(&p, &self.releases[r], *to, &occupants).allowed() {
                    return Refused;
                }
                moves::rollback(
                    &mut self.releases[r],
                    &p.environments[*to].name,
                    "broken",
                    s,
                );
                Done
            }
            (Op::Approve(_, env, role), Some(r)) => {
                let target = &p.environments[*env];
                let Some(role) = target
                    .approvals
                    .iter()
                    .find(|x| x.eq_ignore_ascii_case(ROLES[*role]))
                else {
                    return Refused;
                };
                if !may_approve(&p, &self.releases[r], *env, role, email).allowed() {
                    return Refused;
                }
                let release = &mut self.releases[r];
                if release
                    .current_approvals(&target.name)
                    .any(|a| &a.role == role && a.email == email)
                {
                    return Nothing;
                }
                moves::approve(release, &target.name, role, email, s);
                Done
            }
            (Op::Tick(_, env, item), Some(r)) => {
                let Ok(list) = checklist_for(&p, &self.releases[r], *env) else {
                    return Refused;
                };
                let target = &p.environments[*env];
                let release = &mut self.releases[r];
                let items: Vec<&ChecklistItem> = match list {
                    ChecklistKind::Entry => target.entry_items(release.kind).collect(),
                    ChecklistKind::Exit => target.exit_items(release.kind).collect(),
                };
                let Some(chosen) = items.get(*item) else {
                    return Refused;
                };
                if release.is_ticked(&target.name, list, &chosen.item) {
                    return Nothing;
                }
                moves::tick(release, &target.name, list, &chosen.item, s);
                Done
            }
            (Op::Verify(_, passed), Some(r)) => {
                if !may_verify(&p, &self.releases[r]).allowed() {
                    return Refused;
                }
                let release = &mut self.releases[r];
                let check = CheckResult {
                    env: release.environment.clone(),
                    revision: release.revision,
                    passed: *passed,
                    duration_ms: None,
                    tests_passed: Some(3),
                    tests_failed: Some(u64::from(!passed)),
                    report: None,
                    command: None,
                    detail: None,
                };
                moves::record_health(release, &check, s);
                Done
            }
            (Op::Close(_), Some(r)) => {
                if !may_close(&p, &self.releases[r]).allowed() {
                    return Refused;
                }
                let idx: Vec<usize> = self.releases[r]
                    .incidents
                    .iter()
                    .filter_map(|i| self.incident_index(i))
                    .collect();
                let mut changed = self.take(&idx);
                moves::close(&mut self.releases[r], &mut changed, s);
                self.put_back(&idx, changed);
                Done
            }
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
        };
        let id = i.id.clone();
        if let Some(r) = release {
            effects::incident_changed(&mut self.releases[r], &id, action, s);
        }
        Done
    }

    /// Everything that must hold between any two commands.
    fn check(&self) -> Result<(), TestCaseError> {
        // At most one release in progress per exclusive environment, but
        // for those that entered it with a recorded `exclusive` override.
        for e in self.pipeline.environments.iter().filter(|e| e.exclusive) {
            let plain: Vec<&str> = self
                .releases
                .iter()
                .filter(|r| r.state.in_progress() && r.environment == e.name)
                .filter(|r| !entered_overriding_exclusive(r))
                .map(|r| r.id.as_str())
                .collect();
            prop_assert!(plain.len() <= 1, "{} holds {plain:?}", e.name);
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

/// A step: an op, by whom, and how far from the clock (minutes; mostly
/// forward, sometimes back, as when two machines' clocks disagree).
fn step() -> impl Strategy<Value = (Op, usize, i64)> {
    (
        op(),
        0..ACTORS.len(),
        prop_oneof![6 => 0i64..4_000, 1 => -3_000i64..0],
    )
}

/// A sequence of steps; it starts by creating two releases (the second is
/// refused when the first environment is exclusive), so that most actions
/// find a release to act on.
fn sequence() -> impl Strategy<Value = Vec<(Op, usize, i64)>> {
    let new = (
        prop::sample::select(vec![Kind::Major, Kind::Minor, Kind::Patch]),
        0..ACTORS.len(),
    );
    (new.clone(), new, prop::collection::vec(step(), 1..=LONGEST)).prop_map(|(a, b, rest)| {
        let mut steps = vec![(Op::New(a.0), a.1, 0), (Op::New(b.0), b.1, 0)];
        steps.extend(rest);
        steps
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn any_sequence_of_actions_keeps_the_invariants(
        mut w in world(),
        steps in sequence(),
    ) {
        run(&mut w, &steps, |_, _| ())?;
    }
}

/// Runs `steps` on `w`, checking after each; `seen` hears each outcome.
fn run(
    w: &mut World,
    steps: &[(Op, usize, i64)],
    mut seen: impl FnMut(&Op, Outcome),
) -> Result<(), TestCaseError> {
    w.check()?;
    let mut clock = t0();
    for (op, who, minutes) in steps {
        let now = clock + Duration::minutes(*minutes);
        clock = clock.max(now);
        let before = w.clone();
        let outcome = w.apply(op, now, *who);
        match outcome {
            Refused | Nothing => prop_assert_eq!(&*w, &before, "{:?} changed something", op),
            Done => prop_assert_ne!(&*w, &before, "{:?} done but nothing changed", op),
        }
        w.check()?;
        seen(op, outcome);
    }
    Ok(())
}

/// The sequences reach every kind of action, done and refused: a property
/// over sequences that are all refused would prove little. Prints the
/// counts (`cargo test sequences_reach -- --nocapture`).
#[test]
fn sequences_reach_every_kind_of_action() {
    use proptest::strategy::ValueTree;
    use std::collections::BTreeMap;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (world(), sequence());
    let mut counts: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    let mut steps_run = 0;
    for _ in 0..300 {
        let (mut w, steps) = strategy.new_tree(&mut runner).expect("a case").current();
        steps_run += steps.len();
        run(&mut w, &steps, |op, outcome| {
            let name = format!("{op:?}");
            let name = name.split(['(', ' ']).next().unwrap_or("?").to_string();
            let slot = match outcome {
                Done => 0,
                Nothing => 1,
                Refused => 2,
            };
            counts.entry(Box::leak(name.into_boxed_str())).or_default()[slot] += 1;
        })
        .expect("the invariants hold");
    }
    eprintln!("{steps_run} steps in 300 sequences; done / nothing / refused:");
    for (name, [d, n, r]) in &counts {
        eprintln!("  {name:10} {d:6} {n:6} {r:6}");
    }
    for kind in [
        "New", "Group", "Ungroup", "Freeze", "Unfreeze", "Cancel", "Change", "Promote", "Rollback",
        "Approve", "Tick", "Verify", "Close",
    ] {
        let [d, _, r] = counts.get(kind).copied().unwrap_or_default();
        assert!(d > 0 && r > 0, "{kind}: done {d}, refused {r}");
    }
}

const CASES: u32 = 1024;
const LONGEST: usize = 80;
