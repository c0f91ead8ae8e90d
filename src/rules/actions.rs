//! The smaller decisions of the promotion engine: may this actor approve,
//! may this item be ticked, may the release roll back or close?

use crate::model::pipeline::Pipeline;
use crate::model::release::{ChecklistKind, Release};
use crate::model::rule::RuleCode;

use super::approvals::may_approve_as;
use super::checklists::not_ticked;
use super::history::has_entered;
use super::verdict::{Verdict, Violation};

fn in_progress(r: &Release, what: &str, v: &mut Verdict) {
    if !r.state.in_progress() {
        v.push(Violation::new(
            RuleCode::State,
            format!("{} is {}; {what} only a release in progress", r.id, r.state),
        ));
    }
}

/// Approving entry into environment `env` (an index) as `role` by `email`.
pub fn may_approve(p: &Pipeline, r: &Release, env: usize, role: &str, email: &str) -> Verdict {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    // An update's installation names its own members of a role.
    let p: &Pipeline = &p.for_release(r);
    let mut v = Verdict::default();
    in_progress(r, "one can approve", &mut v);
    let target = &p.environments[env];
    if p.position(&r.environment).is_some_and(|cur| env <= cur) {
        v.push(Violation::new(
            RuleCode::Order,
            format!(
                "{} has already entered {}; approvals are for environments ahead",
                r.id, target.name
            ),
        ));
    }
    if !may_approve_as(p, role, email) {
        v.push(Violation::new(
            RuleCode::Role,
            format!(
                "{email} is not a member of role `{role}` {}",
                match r.installation.as_deref().and_then(|n| p.installation(n)) {
                    Some(i) if i.roles.keys().any(|k| k.eq_ignore_ascii_case(role)) =>
                        format!("for installation {}", i.name),
                    _ => "in environments.toml".to_string(),
                }
            ),
        ));
    }
    v
}

/// Which checklist of `env` a tick applies to for this release: the exit
/// list of the environment it is in, or the entry list of one ahead.
pub fn checklist_for(p: &Pipeline, r: &Release, env: usize) -> Result<ChecklistKind, Verdict> {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let mut v = Verdict::default();
    in_progress(r, "one can tick checklists of", &mut v);
    let current = p.position(&r.environment);
    let kind = match current {
        Some(cur) if env == cur => Some(ChecklistKind::Exit),
        Some(cur) if env > cur => Some(ChecklistKind::Entry),
        _ => {
            v.push(Violation::new(
                RuleCode::Order,
                format!(
                    "{} is in {}; tick the exit items of that environment or the entry items of one ahead",
                    r.id, r.environment
                ),
            ));
            None
        }
    };
    match kind {
        Some(k) if v.allowed() => Ok(k),
        _ => Err(v),
    }
}

/// Rolling back to environment `to` (an index): only behind the release,
/// and only to an environment its history shows it entered (a rollback
/// goes back to where the release has been, never to one it passed over).
/// An exclusive environment holds one release at a time going back as going
/// forward: `occupants` are the other releases in progress there (asked
/// only when it is exclusive); with any, `exclusive`.
pub fn may_rollback(p: &Pipeline, r: &Release, to: usize, occupants: &[String]) -> Verdict {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let mut v = Verdict::default();
    in_progress(r, "one can roll back", &mut v);
    let target = &p.environments[to].name;
    let current = p.position(&r.environment);
    let behind = current.map(|cur| to < cur).unwrap_or(true);
    if !behind {
        v.push(Violation::new(
            RuleCode::Order,
            format!(
                "{} is in {}; {target} is not behind it (rollback only goes back)",
                r.id, r.environment
            ),
        ));
    } else if !has_entered(r, target) {
        let been: Vec<&str> = p
            .environments
            .iter()
            .take(current.unwrap_or(p.environments.len()))
            .map(|e| e.name.as_str())
            .filter(|name| has_entered(r, name))
            .collect();
        v.push(Violation::new(
            RuleCode::Order,
            format!(
                "{} never entered {target} (its history shows no stay there); rollback goes back \
                 only to where the release has been{}",
                r.id,
                if been.is_empty() {
                    String::new()
                } else {
                    format!(": {}", been.join(", "))
                }
            ),
        ));
    }
    let others: Vec<&str> = occupants
        .iter()
        .filter(|o| !o.eq_ignore_ascii_case(&r.id))
        .map(String::as_str)
        .collect();
    if p.environments[to].exclusive && !others.is_empty() {
        v.push(Violation::new(
            RuleCode::Exclusive,
            format!(
                "{target} holds one release at a time and {} is there; move it on (or cancel it) before rolling {} back",
                others.join(", "),
                r.id
            ),
        ));
    }
    v
}

/// Closing: in the last environment with its exit checklist ticked.
pub fn may_close(p: &Pipeline, r: &Release) -> Verdict {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let mut v = Verdict::default();
    in_progress(r, "one can close", &mut v);
    let last = p.last();
    if !last.name.eq_ignore_ascii_case(&r.environment) {
        v.push(Violation::new(
            RuleCode::Order,
            format!(
                "{} is in {}; only a release in {} can be closed",
                r.id, r.environment, last.name
            ),
        ));
    }
    for message in not_ticked(last, r, ChecklistKind::Exit) {
        v.push(Violation::new(RuleCode::Checklist, message));
    }
    v
}

/// Recording a health report: only for a release in progress, in an
/// environment the pipeline still has (a report elsewhere could never count).
pub fn may_verify(p: &Pipeline, r: &Release) -> Verdict {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let mut v = Verdict::default();
    in_progress(r, "one can verify", &mut v);
    if p.position(&r.environment).is_none() {
        v.push(Violation::new(
            RuleCode::Order,
            p.not_in_lane(r, " any more; roll it back to an environment that exists"),
        ));
    }
    v
}

/// Creating release `id` in the first environment: an exclusive one holds
/// one release at a time from the start too (`occupants`: the releases in
/// progress there, asked only when it is exclusive).
pub fn may_create(p: &Pipeline, id: &str, occupants: &[String]) -> Verdict {
    let mut v = Verdict::default();
    let first = p.first();
    if first.exclusive && !occupants.is_empty() {
        v.push(Violation::new(
            RuleCode::Exclusive,
            format!(
                "{} holds one release at a time and {} is there; promote it on (or cancel it) before creating {id}",
                first.name,
                occupants.join(", ")
            ),
        ));
    }
    v
}
