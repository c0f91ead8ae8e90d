//! A checklist as it applies to one release: the pipeline's items for the
//! release's kind, then the release's own (`rel checklist add`), in that
//! order (the order of the numbers `rel tick` takes). The rules (`check`,
//! `promote`, `plan`, `status`, `close`, the audit) and the commands
//! (`tick`, `untick`, `checklist`) all read a checklist here, so an item
//! asked for is always an item that can be ticked, and the other way round.

use chrono::{DateTime, Utc};

use crate::model::pipeline::{ChecklistItem, Environment};
use crate::model::release::{ChecklistKind, OwnItem, Release, Tick};

use super::moves::list_name;

/// One item of an environment's entry or exit checklist for a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item<'a> {
    pub text: &'a str,
    /// The release's own item (with when it was added); None: the pipeline's.
    pub own: Option<&'a OwnItem>,
}

impl Item<'_> {
    /// Only a tick made since this instant counts (an own item's addition).
    pub fn since(&self) -> Option<DateTime<Utc>> {
        self.own.map(|o| o.at)
    }
}

/// `env`'s `list` for release `r`: the pipeline's items that apply to its
/// kind, then its own.
pub fn items<'a>(env: &'a Environment, r: &'a Release, list: ChecklistKind) -> Vec<Item<'a>> {
    let pipeline: Vec<&ChecklistItem> = match list {
        ChecklistKind::Entry => env.entry_items(r.kind).collect(),
        ChecklistKind::Exit => env.exit_items(r.kind).collect(),
    };
    let mut all: Vec<Item> = pipeline
        .into_iter()
        .map(|i| Item {
            text: &i.item,
            own: None,
        })
        .collect();
    all.extend(
        r.checklist
            .iter()
            .filter(|o| o.list == list && o.env.eq_ignore_ascii_case(&env.name))
            .map(|o| Item {
                text: &o.item,
                own: Some(o),
            }),
    );
    all
}

/// The tick that counts for `item` now (see `Release::counting_tick`).
pub fn tick_of<'a>(
    r: &'a Release,
    env: &Environment,
    list: ChecklistKind,
    item: &Item,
) -> Option<&'a Tick> {
    r.counting_tick(&env.name, list, item.text, item.since())
}

/// The ticks of `env`'s `list` that can count now (this content, this
/// stay), by item text, each item's in the release's order: a whole
/// checklist is checked in time linear in its items and ticks, where
/// `tick_of` for every item would cost items × ticks (100,000 items: 14 s).
pub struct Ticks<'a> {
    by_item: std::collections::HashMap<&'a str, Vec<&'a Tick>>,
}

impl<'a> Ticks<'a> {
    pub fn of(r: &'a Release, env: &Environment, list: ChecklistKind) -> Ticks<'a> {
        let mut by_item: std::collections::HashMap<&str, Vec<&Tick>> = Default::default();
        for t in &r.ticks {
            if t.revision == r.revision
                && t.checklist == list
                && t.env.eq_ignore_ascii_case(&env.name)
                && (list == ChecklistKind::Entry || t.at >= r.entered_at)
            {
                by_item.entry(t.item.as_str()).or_default().push(t);
            }
        }
        Ticks { by_item }
    }

    /// The tick that counts for `item`: what `tick_of` answers.
    pub fn of_item(&self, item: &Item) -> Option<&'a Tick> {
        let since = item.since();
        self.by_item
            .get(item.text)?
            .iter()
            .find(|t| since.is_none_or(|s| t.at >= s))
            .copied()
    }
}

/// One `checklist` message per item of `env`'s `list` not ticked for `r`.
pub fn not_ticked(env: &Environment, r: &Release, list: ChecklistKind) -> Vec<String> {
    let ticks = Ticks::of(r, env, list);
    items(env, r, list)
        .iter()
        .filter(|i| ticks.of_item(i).is_none())
        .map(|i| {
            format!(
                "{} item of {} not ticked: {:?}{}",
                list_name(list),
                env.name,
                i.text,
                if i.own.is_some() {
                    " (this release's own)"
                } else {
                    ""
                }
            )
        })
        .collect()
}

/// An item named by a person: its 1-based number, its exact text, or its
/// text ignoring case.
pub fn find<'a>(items: &[Item<'a>], wanted: &str) -> Option<Item<'a>> {
    let wanted = wanted.trim();
    if let Ok(n) = wanted.parse::<usize>() {
        return n.checked_sub(1).and_then(|i| items.get(i)).copied();
    }
    items
        .iter()
        .find(|i| i.text == wanted)
        .or_else(|| items.iter().find(|i| i.text.eq_ignore_ascii_case(wanted)))
        .copied()
}

/// The message for an item not on `env`'s `list`: the items there are.
pub fn no_such_item(env: &Environment, r: &Release, list: ChecklistKind, wanted: &str) -> String {
    let name = list_name(list);
    let listed: Vec<String> = items(env, r, list)
        .iter()
        .enumerate()
        .map(|(n, i)| format!("  {}. {}", n + 1, i.text))
        .collect();
    if listed.is_empty() {
        format!(
            "{} has no {name} checklist for {} (a {} release)",
            env.name, r.id, r.kind
        )
    } else {
        format!(
            "no {name} item {} in {}; its items are:\n{}",
            crate::model::quote::quoted(wanted),
            env.name,
            listed.join("\n")
        )
    }
}
