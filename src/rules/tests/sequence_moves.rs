//! The promotion side's actions in the world of the sequence properties:
//! promote (with overrides), rollback, approve, tick, verify and close, each
//! decided by the rules and applied by the pure effects its command uses.

use crate::model::release::ChecklistKind;
use crate::rules::actions::{checklist_for, may_approve, may_close, may_rollback, may_verify};

use super::sequence_world::{Done, Nothing, Op, Outcome, Refused, World, ROLES};
use crate::rules::checklists;
use crate::rules::decide::promote::{promote, Ask};
use crate::rules::moves::{self, CheckResult};
use crate::rules::register::effects::Stamp;
use crate::rules::stays;

impl World {
    /// Applies a promotion-side `op` to release `r` (known, and allowed to
    /// change at `s.at`), acting as `email`.
    pub(super) fn promotion_side(&mut self, op: &Op, r: usize, s: Stamp, email: &str) -> Outcome {
        let now = s.at;
        let p = self.pipeline.clone();
        match op {
            Op::Promote(_, to, overrides) => {
                // The decision `rel promote` and the audit call.
                let ask = Ask::Person {
                    to: *to,
                    overrides,
                    reason: (!overrides.is_empty()).then_some("urgent"),
                };
                match promote(&p, &self.releases[..], &self.releases[r], ask, email, s) {
                    Ok(done) => {
                        self.releases[r] = done.release;
                        Done
                    }
                    Err(_) => Refused,
                }
            }
            Op::Rollback(_, to) => {
                let occupants = self.occupants(*to, (&self.releases[r]).into());
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
            Op::Approve(_, env, role) => {
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
            Op::Tick(_, env, item) => {
                let Ok(list) = checklist_for(&p, &self.releases[r], *env) else {
                    return Refused;
                };
                let target = &p.environments[*env];
                let release = &self.releases[r];
                let all = checklists::items(target, release, list);
                let Some(chosen) = all.get(*item) else {
                    return Refused;
                };
                if checklists::tick_of(release, target, list, chosen).is_some() {
                    return Nothing;
                }
                let text = chosen.text.to_string();
                moves::tick(&mut self.releases[r], &target.name, list, &text, s);
                Done
            }
            Op::Verify(_, passed) => {
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
                    log: None,
                };
                moves::record_health(release, &check, s);
                Done
            }
            Op::Close(_) => {
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
            Op::Repeat(_) => {
                if !stays::may_repeat(&p, &self.releases[r]).allowed()
                    || stays::round_starts_after(&self.releases[r], now).is_err()
                {
                    return Refused;
                }
                stays::repeat(&mut self.releases[r], "again", s);
                Done
            }
            Op::Untick(_, env, item) => {
                let Ok(list) = checklist_for(&p, &self.releases[r], *env) else {
                    return Refused;
                };
                let target = &p.environments[*env];
                let release = &self.releases[r];
                let all = checklists::items(target, release, list);
                let Some(chosen) = all.get(*item) else {
                    return Refused;
                };
                if checklists::tick_of(release, target, list, chosen).is_none() {
                    return Refused; // nothing to take back: exit 2
                }
                let (text, since) = (chosen.text.to_string(), chosen.since());
                stays::untick(
                    &mut self.releases[r],
                    &target.name,
                    list,
                    &text,
                    since,
                    "wrong",
                    s,
                );
                Done
            }
            Op::AddItem(_, env, exit) => {
                let list = if *exit {
                    ChecklistKind::Exit
                } else {
                    ChecklistKind::Entry
                };
                let release = &self.releases[r];
                if !stays::may_change_checklist(&p, release, *env, list, true).allowed() {
                    return Refused;
                }
                let target = &p.environments[*env];
                let existing = checklists::items(target, release, list);
                let Ok(texts) = stays::new_items(&existing, &["extra".to_string()]) else {
                    return Refused; // on the list already: exit 2
                };
                stays::add_items(&mut self.releases[r], &target.name, list, &texts, s);
                Done
            }
            Op::Depend(_, on, reached, before, off) => {
                // The decision `rel depend` and the audit call.
                let on = &self.releases[on % self.releases.len()].id;
                let name = |e: &Option<usize>| e.map(|i| p.environments[i].name.as_str());
                let ask = crate::rules::decide::depend::Ask {
                    on,
                    reached: name(reached),
                    before: name(before),
                    off: *off,
                    reason: off.then_some("not needed"),
                };
                match crate::rules::decide::depend::depend(
                    &p,
                    &self.releases[r],
                    ask,
                    &self.releases,
                    s,
                ) {
                    Ok(Some(after)) => {
                        self.releases[r] = after;
                        Done
                    }
                    Ok(None) => Nothing,
                    Err(_) => Refused,
                }
            }
            _ => Refused,
        }
    }
}
