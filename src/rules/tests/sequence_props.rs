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
//! decrease within a release; a refused action (a verdict that does not
//! allow it, bad input, or a time before the last event) leaves everything
//! exactly as it was.

use chrono::Duration;
use proptest::prelude::*;

use crate::model::calendar::Calendar;
use crate::model::incident::IncidentStatus;
use crate::model::named_pipelines::{NamedPipeline, Pipelines, DEFAULT_PIPELINE};
use crate::model::pipeline::{ChecklistItem, Environment, Pipeline, Soak};
use crate::model::release::Kind;
use crate::model::rule::RuleCode;

use super::sequence_world::{
    t0, Done, Nothing, Op, Outcome, Refused, World, ACTORS, ENVS, INCIDENTS, OTHER, RELEASES, ROLES,
};
use crate::rules::register::fixtures::incident;
use crate::rules::register::IncidentChange;

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
        3 => (kind, prop::bool::ANY).prop_map(|(k, other)| Op::New(k, other)),
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
        8 => (r.clone(), e.clone(), prop_oneof![3 => Just(0usize), 1 => Just(1usize)])
            .prop_map(|(r, e, item)| Op::Tick(r, e, item)),
        5 => (r.clone(), prop::bool::weighted(0.8)).prop_map(|(r, p)| Op::Verify(r, p)),
        4 => r.clone().prop_map(Op::Close),
        3 => r.clone().prop_map(Op::Repeat),
        3 => (r.clone(), e.clone(), prop_oneof![3 => Just(0usize), 1 => Just(1usize)])
            .prop_map(|(r, e, item)| Op::Untick(r, e, item)),
        3 => (r.clone(), e.clone(), prop::bool::ANY).prop_map(|(r, e, exit)| Op::AddItem(r, e, exit)),
        4 => (r.clone(), r, prop::option::of(e.clone()), prop::option::of(e), prop::bool::weighted(0.2))
            .prop_map(|(r, on, reached, before, off)| Op::Depend(r, on, reached, before, off)),
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
        prop::bool::weighted(0.4),
    );
    (prop::collection::vec(env, ENVS), 0..ENVS).prop_map(|(envs, surely_exclusive)| {
        let environments: Vec<Environment> = envs
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
                        repeatable,
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
                    e.repeatable = repeatable;
                    e
                },
            )
            .collect();
        // A second pipeline, the same environments under the same names.
        let pipelines = Pipelines {
            all: std::sync::Arc::new(
                [DEFAULT_PIPELINE, OTHER]
                    .map(|name| NamedPipeline {
                        name: name.to_string(),
                        description: None,
                        environments: environments.clone(),
                    })
                    .to_vec(),
            ),
            ..Pipelines::default()
        };
        Pipeline {
            pipelines,
            override_by: None,
            notify_on: None,
            calendar: Calendar::default(),
            roles: Default::default(),
            environments,
            require_incidents: true,
            sync: None,
            notify: Vec::new(),
            simple_max_hop: Default::default(),
            paths_table: false,
            installations: Default::default(),
            updates: Default::default(),
            audit: Default::default(),
        }
    })
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
        prop::bool::ANY,
    );
    (new.clone(), new, prop::collection::vec(step(), 1..=LONGEST)).prop_map(|(a, b, rest)| {
        let mut steps = vec![(Op::New(a.0, false), a.1, 0), (Op::New(b.0, a.2), b.1, 0)];
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
        run(&mut w, &steps, |_, _, _| ())?;
    }
}

/// Runs `steps` on `w`, checking after each; `seen` hears each outcome.
fn run(
    w: &mut World,
    steps: &[(Op, usize, i64)],
    mut seen: impl FnMut(&Op, Outcome, &World),
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
        if outcome == Done {
            dependencies_held(&before, w, op)?;
        }
        w.check()?;
        seen(op, outcome, w);
    }
    Ok(())
}

/// A promotion into an environment a dependency guards happened only once
/// the release waited for had reached where it must (contract 11.4),
/// unless `depends` was set aside by a recorded override.
fn dependencies_held(before: &World, after: &World, op: &Op) -> Result<(), TestCaseError> {
    let Op::Promote(_, _, overrides) = op else {
        return Ok(());
    };
    if overrides.contains(&RuleCode::Depends) {
        return Ok(());
    }
    for (b, a) in before.releases.iter().zip(&after.releases) {
        if a.environment == b.environment {
            continue;
        }
        for d in &b.depends {
            if d.before.as_ref().is_some_and(|e| *e != a.environment) {
                continue;
            }
            let standing = before
                .releases
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(&d.release))
                .map(crate::model::release::ReleaseHead::from);
            prop_assert!(
                standing
                    .as_ref()
                    .is_some_and(|s| crate::rules::depends::has_reached(
                        &before.pipeline,
                        s,
                        d.reached.as_deref()
                    )),
                "{} entered {} while {:?} stands at {:?}",
                a.id,
                a.environment,
                d,
                standing
            );
        }
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
    // States where releases of both pipelines share an exclusive
    // environment: `exclusive` counts per pipeline, not per name.
    let mut shared = 0;
    for _ in 0..300 {
        let (mut w, steps) = strategy.new_tree(&mut runner).expect("a case").current();
        steps_run += steps.len();
        run(&mut w, &steps, |op, outcome, w| {
            shared += usize::from(shares_exclusive_across_pipelines(w));
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
        "Approve", "Tick", "Verify", "Close", "Repeat", "Untick", "AddItem", "Depend",
    ] {
        let [d, _, r] = counts.get(kind).copied().unwrap_or_default();
        assert!(d > 0 && r > 0, "{kind}: done {d}, refused {r}");
    }
    eprintln!("  {shared} states with both pipelines in one exclusive environment");
    assert!(
        shared > 0,
        "no state shared an exclusive environment across pipelines"
    );
}

fn shares_exclusive_across_pipelines(w: &World) -> bool {
    w.pipeline
        .environments
        .iter()
        .filter(|e| e.exclusive)
        .any(|e| {
            let lanes = |lane: &str| {
                w.releases.iter().any(|r| {
                    r.state.in_progress() && r.environment == e.name && r.pipeline_name() == lane
                })
            };
            lanes(DEFAULT_PIPELINE) && lanes(OTHER)
        })
}

/// Sequences per run, and the most random steps in one (after the two
/// `new`): about 1,024 x 42 = 43,000 actions decided and applied per run.
const CASES: u32 = 1024;
const LONGEST: usize = 80;
