//! The replay of `repeat`, `checklist-add`, `checklist-remove` and
//! `untick`: decided again by the rules their commands ask (`rules::stays`,
//! `rules::checklists`), their effect applied again with the arguments the
//! committed manifest records (the items added, the item removed, the tick
//! taken back), so `compare` finds any other change.

use crate::model::action::{Action, Trailers};
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::rules::actions::checklist_for;
use crate::rules::checklists;
use crate::rules::register::effects::Stamp;
use crate::rules::stays;

use super::replay::{check, env_index, refused, Altered, Refused, Stop};

pub(super) fn replay_stay(
    p: &Pipeline,
    t: &Trailers,
    after: &Release,
    r: &mut Release,
    stamp: Stamp,
) -> Result<(), Stop> {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let reason = t.reason.as_deref().unwrap_or("");
    match t.action {
        Action::Repeat => {
            check(stays::may_repeat(p, r))?;
            stays::round_starts_after(r, stamp.at).map_err(Refused)?;
            stays::repeat(r, reason, stamp);
        }
        Action::ChecklistAdd => {
            let index = env_index(p, t)?;
            let added = after
                .checklist
                .get(r.checklist.len()..)
                .filter(|a| !a.is_empty())
                .ok_or_else(|| Altered(format!("checklist-add adds no item to {}", r.id)))?;
            let list = added[0].list;
            check(stays::may_change_checklist(p, r, index, list, true))?;
            let env = &p.environments[index];
            let texts: Vec<String> = added.iter().map(|a| a.item.clone()).collect();
            let existing = checklists::items(env, r, list);
            let texts = stays::new_items(&existing, &texts).map_err(Refused)?;
            stays::add_items(r, &env.name, list, &texts, stamp);
        }
        Action::ChecklistRemove => {
            let index = env_index(p, t)?;
            let gone = first_missing(&r.checklist, &after.checklist)
                .ok_or_else(|| Altered(format!("checklist-remove removes no item of {}", r.id)))?;
            let list = gone.list;
            check(stays::may_change_checklist(p, r, index, list, false))?;
            let env = &p.environments[index];
            let own = checklists::items(env, r, list)
                .iter()
                .any(|i| i.own.is_some() && i.text == gone.item);
            if !own {
                return Err(Refused(format!(
                    "{:?} is not an own item of {} in {}",
                    gone.item, r.id, env.name
                )));
            }
            stays::remove_item(r, &env.name, list, &gone.item, reason, stamp);
        }
        Action::Untick => {
            let index = env_index(p, t)?;
            let list = checklist_for(p, r, index).map_err(|v| refused(&v))?;
            let gone = first_missing(&r.ticks, &after.ticks)
                .ok_or_else(|| Altered(format!("untick takes back no tick of {}", r.id)))?;
            let env = &p.environments[index];
            let all = checklists::items(env, r, list);
            let item = all
                .iter()
                .find(|i| i.text == gone.item)
                .filter(|i| checklists::tick_of(r, env, list, i).is_some())
                .ok_or_else(|| {
                    Refused(format!(
                        "{:?} of {} is not ticked for {} then",
                        gone.item, env.name, r.id
                    ))
                })?;
            let (text, since) = (item.text.to_string(), item.since());
            stays::untick(r, &env.name, list, &text, since, reason, stamp);
        }
        other => return Err(Altered(format!("`{other}` is not a stay action"))),
    }
    Ok(())
}

/// The first element of `before` that `after` no longer holds in its place
/// (a removal keeps the others in order).
fn first_missing<T: PartialEq + Clone>(before: &[T], after: &[T]) -> Option<T> {
    before
        .iter()
        .enumerate()
        .find(|(i, x)| after.get(*i) != Some(x))
        .map(|(_, x)| x.clone())
}
