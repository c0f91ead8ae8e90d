//! Another round in an environment (`rel repeat`), a release's own
//! checklist items (`rel checklist add/remove`) and a tick taken back
//! (`rel untick`): the decisions and their pure effects, in the pattern of
//! `moves`. The commands and the audit's replay call these very functions.
//!
//! A stay starts at `entered_at`. `rel repeat` starts a new one in the same
//! environment: `entered_at` moves to now, so the soak counts from then
//! (`history::soak_from`), only health reports since then count, and only
//! exit ticks made since then count (`Release::counting_tick`). Nothing is
//! deleted: the earlier round's ticks and reports stay on record.

use chrono::{DateTime, Utc};

use crate::model::pipeline::Pipeline;
use crate::model::release::{ChecklistKind, OwnItem, Release};
use crate::model::rule::RuleCode;

use super::checklists::Item;
use super::history::MOVES;
use super::moves::list_name;
use super::register::effects::Stamp;
use super::verdict::{Verdict, Violation};
use crate::model::action::Action;

fn in_progress(r: &Release, what: &str, v: &mut Verdict) {
    if !r.state.in_progress() {
        v.push(Violation::new(
            RuleCode::State,
            format!("{} is {}; {what} only a release in progress", r.id, r.state),
        ));
    }
}

/// Another round in the environment the release is in: only a release in
/// progress (`state`), only where the environment is `repeatable` (`order`).
pub fn may_repeat(p: &Pipeline, r: &Release) -> Verdict {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let mut v = Verdict::default();
    in_progress(r, "one can repeat a round of", &mut v);
    if !v.allowed() {
        return v;
    }
    match p.env(&r.environment) {
        None => v.push(Violation::new(
            RuleCode::Order,
            p.not_in_lane(r, " any more; roll it back to an environment that exists"),
        )),
        Some(e) if !e.repeatable => v.push(Violation::new(
            RuleCode::Order,
            format!(
                "{} is not repeatable: a release there goes on with `rel promote`; \
                 `repeatable = true` on it in environments.toml allows another round",
                e.name
            ),
        )),
        Some(_) => {}
    }
    v
}

/// A new round must be told apart from the old one, and instants are
/// recorded to the second: an exit tick or a passing health report of the
/// current stay made in the very second of the repeat would count for the
/// new round too. Then the repeat is invalid input (wait a second); other
/// records of that second (a failed report, an approval for an environment
/// ahead) carry nothing over and do not stand in the way.
pub fn round_starts_after(r: &Release, now: DateTime<Utc>) -> Result<(), String> {
    let here = |env: &str| env.eq_ignore_ascii_case(&r.environment);
    let tick = r
        .ticks
        .iter()
        .find(|t| t.checklist == ChecklistKind::Exit && here(&t.env) && t.at >= now)
        .map(|t| format!("the tick of {:?}", t.item));
    let report = r
        .health
        .iter()
        .find(|h| h.passed && here(&h.env) && h.at >= now)
        .map(|_| "a passing health report".to_string());
    match tick.or(report) {
        None => Ok(()),
        Some(what) => Err(format!(
            "{what} in {} was recorded in this very second ({}) and would count for the new \
             round of {} too; repeat a second later",
            r.environment,
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            r.id
        )),
    }
}

/// The round a repeat starts: 1 + the repeats since the release last moved.
fn next_round(r: &Release) -> usize {
    let repeats = r
        .history
        .iter()
        .rev()
        .take_while(|e| !MOVES.contains(&e.action.as_str()))
        .filter(|e| e.action == Action::Repeat.name())
        .count();
    repeats + 2
}

/// When the current stay began with `rel repeat` (rather than an entry):
/// its instant, for messages that say what counts since then.
pub fn round_began(r: &Release) -> Option<DateTime<Utc>> {
    r.history
        .iter()
        .rev()
        .find(|e| MOVES.contains(&e.action.as_str()) || e.action == Action::Repeat.name())
        .filter(|e| e.action == Action::Repeat.name())
        .map(|_| r.entered_at)
}

/// A new stay in the environment the release is in, since now.
pub fn repeat(r: &mut Release, reason: &str, stamp: Stamp) {
    let mut event = stamp.event(Action::Repeat);
    event.env = Some(r.environment.clone());
    event.reason = Some(reason.to_string());
    event.detail = Some(format!(
        "round {}: exit items, health report and soak start again",
        next_round(r)
    ));
    r.entered_at = stamp.at;
    r.history.push(event);
}

/// Changing the release's own items of environment `env` (an index):
/// only a release in progress (`state`), frozen or not. Adding (`adding`)
/// only where the list is still asked for: entry items of an environment
/// ahead, exit items of the current one or one ahead (`order`).
pub fn may_change_checklist(
    p: &Pipeline,
    r: &Release,
    env: usize,
    list: ChecklistKind,
    adding: bool,
) -> Verdict {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let mut v = Verdict::default();
    in_progress(r, "one can change the checklists of", &mut v);
    if !adding || !v.allowed() {
        return v;
    }
    let current = p.position(&r.environment);
    let asked = match (current, list) {
        (Some(cur), ChecklistKind::Entry) => env > cur,
        (Some(cur), ChecklistKind::Exit) => env >= cur,
        (None, _) => false,
    };
    if !asked {
        v.push(Violation::new(
            RuleCode::Order,
            format!(
                "{} is in {}; {} items of {} would never be asked for (add entry items of an \
                 environment ahead, or exit items of this one or one ahead)",
                r.id,
                r.environment,
                list_name(list),
                p.environments[env].name
            ),
        ));
    }
    v
}

/// The texts of new items, checked: one line each, not blank, not a bare
/// number (`rel tick` reads a number as a position), not on the list
/// already (the pipeline's or the release's own, ignoring case), each once.
/// Err is invalid input.
pub fn new_items(existing: &[Item], texts: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for raw in texts {
        let text = raw.trim();
        if text.is_empty() {
            return Err("a checklist item needs text".into());
        }
        if text.chars().any(char::is_control) {
            return Err(format!(
                "checklist item {text:?} holds a line break or control character; an item is one line"
            ));
        }
        if text.chars().count() > MAX_ITEM_CHARS {
            return Err(format!(
                "a checklist item is at most {MAX_ITEM_CHARS} characters"
            ));
        }
        if text.parse::<usize>().is_ok() {
            return Err(format!(
                "checklist item {text:?} is a bare number, which `rel tick` reads as a position; say what is to be done"
            ));
        }
        let same = |other: &str| other.eq_ignore_ascii_case(text);
        if let Some(i) = existing.iter().find(|i| same(i.text)) {
            return Err(format!(
                "{:?} is on the list already ({})",
                i.text,
                if i.own.is_some() {
                    "the release's own"
                } else {
                    "the pipeline's; environments.toml keeps it"
                }
            ));
        }
        if out.iter().any(|o| same(o)) {
            return Err(format!("{text:?} is named twice"));
        }
        out.push(text.to_string());
    }
    Ok(out)
}

/// Long enough for any instruction, short enough for a table row.
pub const MAX_ITEM_CHARS: usize = 300;

/// Adds the release's own `items` to `env`'s `list`.
pub fn add_items(r: &mut Release, env: &str, list: ChecklistKind, items: &[String], stamp: Stamp) {
    for item in items {
        r.checklist.push(OwnItem {
            env: env.to_string(),
            list,
            item: item.clone(),
            by: stamp.by.to_string(),
            at: stamp.at,
        });
    }
    let mut event = stamp.event(Action::ChecklistAdd);
    event.env = Some(env.to_string());
    event.detail = Some(format!("{}: {}", list_name(list), items.join("; ")));
    r.history.push(event);
}

/// Removes the release's own `item` of `env`'s `list` (its ticks stay on
/// record; added again, it needs a new tick).
pub fn remove_item(
    r: &mut Release,
    env: &str,
    list: ChecklistKind,
    item: &str,
    reason: &str,
    stamp: Stamp,
) {
    if let Some(i) = r
        .checklist
        .iter()
        .position(|o| o.list == list && o.env.eq_ignore_ascii_case(env) && o.item == item)
    {
        r.checklist.remove(i);
    }
    let mut event = stamp.event(Action::ChecklistRemove);
    event.env = Some(env.to_string());
    event.reason = Some(reason.to_string());
    event.detail = Some(format!("{}: {item}", list_name(list)));
    r.history.push(event);
}

/// Takes back the tick that counts for `item` (added at `since`, for an
/// own item) of `env`'s `list`: it leaves the manifest, and the history
/// says who had ticked it, when, and why it was taken back.
pub fn untick(
    r: &mut Release,
    env: &str,
    list: ChecklistKind,
    item: &str,
    since: Option<DateTime<Utc>>,
    reason: &str,
    stamp: Stamp,
) {
    let counting = r.counting_tick(env, list, item, since).cloned();
    let mut detail = format!("{}: {item}", list_name(list));
    if let Some(t) = counting {
        detail.push_str(&format!(
            " (ticked by {} at {})",
            t.by,
            t.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ));
        if let Some(i) = r.ticks.iter().position(|x| *x == t) {
            r.ticks.remove(i);
        }
    }
    let mut event = stamp.event(Action::Untick);
    event.env = Some(env.to_string());
    event.reason = Some(reason.to_string());
    event.detail = Some(detail);
    r.history.push(event);
}

#[cfg(test)]
#[path = "tests/stays_props.rs"]
mod props;
