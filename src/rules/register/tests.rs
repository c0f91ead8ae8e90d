//! Examples of the register's rules; `props` holds the properties.

use super::effects;
use super::fixtures::{incident, ready, release, stamp};
use super::*;
use crate::model::incident::IncidentStatus;
use crate::model::release::State;
use crate::model::rule::RuleCode;

fn codes(v: &crate::rules::Verdict) -> Vec<RuleCode> {
    v.violations.iter().map(|x| x.rule).collect()
}

fn free(i: &crate::model::incident::Incident) -> Candidate<'_> {
    Candidate {
        incident: i,
        holder: None,
    }
}

#[test]
fn grouping_ready_incidents_into_an_open_release_is_allowed() {
    let r = release("R1", State::Open, &[]);
    let (a, b) = (ready("A"), ready("B"));
    assert!(may_group(&r, false, &[free(&a), free(&b)]).allowed());
}

#[test]
fn grouping_lists_every_violation_of_every_incident() {
    let r = release("R1", State::Frozen, &[]);
    let open = incident("OPEN", IncidentStatus::Open, false, false);
    let good = ready("GOOD");
    let taken = ready("TAKEN");
    let v = may_group(
        &r,
        false,
        &[
            free(&open),
            free(&good),
            Candidate {
                incident: &taken,
                holder: Some(Holder {
                    id: "R2".into(),
                    state: Some(State::Open),
                }),
            },
        ],
    );
    assert_eq!(
        codes(&v),
        vec![
            RuleCode::State,
            RuleCode::Unresolved,
            RuleCode::Unauthorised,
            RuleCode::Grouped
        ]
    );
    assert!(v.violations[1].message.contains("OPEN"));
    assert!(v.violations[2].message.contains("OPEN"));
    assert!(v.violations[3].message.contains("TAKEN") && v.violations[3].message.contains("R2"));
    assert!(!v.violations.iter().any(|x| x.message.contains("GOOD")));
}

#[test]
fn a_holder_that_is_over_or_missing_holds_nothing() {
    let r = release("R1", State::Open, &[]);
    let a = ready("A");
    for state in [Some(State::Cancelled), Some(State::Released), None] {
        let c = Candidate {
            incident: &a,
            holder: Some(Holder {
                id: "R0".into(),
                state,
            }),
        };
        assert!(may_group(&r, false, &[c]).allowed(), "{state:?}");
    }
    // Held by this very release (listed or not): not "another" release.
    let c = Candidate {
        incident: &a,
        holder: Some(Holder {
            id: "r1".into(),
            state: Some(State::Open),
        }),
    };
    assert!(may_group(&r, false, &[c]).allowed());
}

#[test]
fn incidents_already_listed_are_not_judged_again() {
    let r = release("R1", State::Open, &["a"]);
    let a = incident("A", IncidentStatus::Open, false, false);
    assert!(may_group(&r, false, &[free(&a)]).allowed());
}

#[test]
fn closed_incidents_cannot_be_grouped() {
    let r = release("R1", State::Open, &[]);
    let mut c = ready("C");
    c.status = IncidentStatus::Closed;
    c.release = Some("R0".into());
    let v = may_group(&r, false, &[free(&c)]);
    assert_eq!(codes(&v), vec![RuleCode::State]);
    assert!(v.violations[0].message.contains("R0"));
}

#[test]
fn released_and_cancelled_releases_refuse_content_changes() {
    for state in [State::Frozen, State::Released, State::Cancelled] {
        let r = release("R1", state, &["A"]);
        assert_eq!(codes(&may_ungroup(&r, false)), vec![RuleCode::State]);
        assert_eq!(codes(&may_group(&r, false, &[])), vec![RuleCode::State]);
    }
    assert!(may_ungroup(&release("R1", State::Open, &["A"]), false).allowed());
}

#[test]
fn freezing_needs_resolved_tested_content_in_an_open_release() {
    let a = ready("A");
    assert!(may_freeze(&release("R", State::Open, &["A"]), &[&a], true).allowed());
    assert_eq!(
        codes(&may_freeze(&release("R", State::Open, &[]), &[], true)),
        vec![RuleCode::Empty]
    );
    // A pipeline whose products are not tracked as incidents.
    assert!(may_freeze(&release("R", State::Open, &[]), &[], false).allowed());
    let open = incident("O", IncidentStatus::Open, true, false);
    assert_eq!(
        codes(&may_freeze(
            &release("R", State::Frozen, &["A", "O"]),
            &[&a, &open],
            true
        )),
        vec![RuleCode::State, RuleCode::Unresolved, RuleCode::Untested]
    );
}

#[test]
fn only_frozen_releases_unfreeze_and_finished_ones_never_cancel() {
    assert!(may_unfreeze(&release("R", State::Frozen, &[]), false).allowed());
    for s in [State::Open, State::Released, State::Cancelled] {
        assert_eq!(
            codes(&may_unfreeze(&release("R", s, &[]), false)),
            vec![RuleCode::State]
        );
    }
    for s in [State::Open, State::Frozen] {
        assert!(may_cancel(&release("R", s, &[])).allowed());
    }
    for s in [State::Released, State::Cancelled] {
        assert_eq!(
            codes(&may_cancel(&release("R", s, &[]))),
            vec![RuleCode::State]
        );
    }
}

#[test]
fn incident_changes() {
    use IncidentChange::*;
    let open = incident("A", IncidentStatus::Open, false, false);
    let resolved = ready("B");
    let mut closed = ready("C");
    closed.status = IncidentStatus::Closed;
    let held = Holder {
        id: "R1".into(),
        state: Some(State::Frozen),
    };
    let over = Holder {
        id: "R1".into(),
        state: Some(State::Cancelled),
    };

    assert!(may_change_incident(&open, Resolve, None).allowed());
    assert_eq!(
        codes(&may_change_incident(&resolved, Resolve, None)),
        vec![RuleCode::State]
    );
    assert!(may_change_incident(&resolved, Reopen, None).allowed());
    assert!(may_change_incident(&resolved, Reopen, Some(&over)).allowed());
    let v = may_change_incident(&resolved, Reopen, Some(&held));
    assert_eq!(codes(&v), vec![RuleCode::State]);
    assert!(v.violations[0].message.contains("R1"));
    assert_eq!(
        codes(&may_change_incident(&open, Reopen, None)),
        vec![RuleCode::State]
    );
    for change in [Resolve, Reopen, Authorise, Test] {
        assert_eq!(
            codes(&may_change_incident(&closed, change, None)),
            vec![RuleCode::State]
        );
    }
    // A frozen release's incidents do not change; components and test
    // evidence are records of what it touched, kept up to date (11.5).
    for change in [Test, Component] {
        assert!(may_change_incident(&resolved, change, Some(&held)).allowed());
    }
    for change in [Resolve, Reopen, Authorise, Flag] {
        let v = may_change_incident(&resolved, change, Some(&held));
        assert_eq!(codes(&v), vec![RuleCode::State], "{change:?}");
        assert!(v.violations[0].message.contains("rel unfreeze R1"));
    }
    let shipped = Holder {
        id: "R1".into(),
        state: Some(State::Released),
    };
    assert!(may_change_incident(&closed, Component, Some(&shipped)).allowed());
    let open_holder = Holder {
        id: "R1".into(),
        state: Some(State::Open),
    };
    assert!(may_change_incident(&open, Authorise, Some(&open_holder)).allowed());
    assert!(may_change_incident(&open, Test, Some(&open_holder)).allowed());
    assert!(changes_holder(Some(&open_holder)));
    assert!(!changes_holder(Some(&held)) && !changes_holder(Some(&shipped)));
    assert!(!changes_holder(Some(&over)) && !changes_holder(None));
}

#[test]
fn group_and_ungroup_keep_both_sides_in_step_and_bump_the_revision() {
    let mut r = release("R1", State::Open, &[]);
    let mut incidents = vec![ready("A"), ready("B")];
    effects::group(&mut r, &mut incidents, stamp());
    assert_eq!(r.revision, 2);
    assert_eq!(r.incidents, vec!["A", "B"]);
    assert!(incidents.iter().all(|i| i.release.as_deref() == Some("R1")));
    assert_eq!(r.history.last().map(|e| e.action.as_str()), Some("group"));

    let mut a = vec![incidents.remove(0)];
    effects::ungroup(&mut r, &["a".to_string()], &mut a, stamp());
    assert_eq!(r.revision, 3);
    assert_eq!(r.incidents, vec!["B"]);
    assert_eq!(a[0].release, None);
    assert_eq!(
        a[0].history.last().map(|e| e.action.as_str()),
        Some("ungroup")
    );
}

#[test]
fn cancel_frees_the_incidents_and_keeps_the_record() {
    let mut r = release("R1", State::Frozen, &["A", "B"]);
    let mut incidents = vec![ready("A"), ready("B")];
    incidents[0].release = Some("R1".into());
    incidents[1].release = Some("R9".into()); // a hand edit: left alone
    effects::cancel(&mut r, &mut incidents, "client withdrew", stamp());
    assert_eq!(r.state, State::Cancelled);
    assert_eq!(r.incidents, vec!["A", "B"]);
    assert_eq!(incidents[0].release, None);
    assert_eq!(incidents[1].release.as_deref(), Some("R9"));
    assert_eq!(
        r.history.last().and_then(|e| e.reason.as_deref()),
        Some("client withdrew")
    );
}

#[test]
fn unfreeze_bumps_the_revision_and_freeze_does_not() {
    let mut r = release("R1", State::Open, &["A"]);
    effects::freeze(&mut r, stamp());
    assert_eq!((r.state, r.revision), (State::Frozen, 1));
    effects::unfreeze(&mut r, "late fix", stamp());
    assert_eq!((r.state, r.revision), (State::Open, 2));
}

#[test]
fn components_are_deduplicated() {
    let mut i = ready("A");
    let dll = ("dll".to_string(), "Billing.dll".to_string());
    let perm = ("permission".to_string(), "billing.write".to_string());
    assert_eq!(
        effects::add_components(&mut i, &[dll.clone(), dll.clone()], stamp()).len(),
        1
    );
    assert_eq!(
        effects::add_components(&mut i, &[dll, perm], stamp()),
        vec!["permission:billing.write"]
    );
    assert_eq!(i.components.len(), 2);
    let n = effects::new_incident(
        "N",
        "t",
        Default::default(),
        None,
        &[("a".into(), "b".into()), ("a".into(), "b".into())],
        stamp(),
    );
    assert_eq!(n.components.len(), 1);
    assert_eq!(n.status, IncidentStatus::Open);
}
