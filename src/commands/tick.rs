//! `rel tick R --env E ITEM`: tick a checklist item by text or number.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::pipeline::ChecklistItem;
use crate::model::quote::quoted;
use crate::model::release::ChecklistKind;
use crate::rules::actions::checklist_for;
use crate::rules::moves::{self, list_name};
use crate::rules::register::effects::Stamp;
use crate::store::CommitMessage;

use super::shared::args::{environment, Id};
use super::shared::{refuse, release_to_change, write, Decision, ReleaseOutcome};

pub fn run(ctx: &Context, release_id: &str, env: &str, item: &str) -> anyhow::Result<i32> {
    let id = Id::release(release_id)?;
    let outcome = write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        let index = environment(&pipeline, env)?;
        let target = &pipeline.environments[index];
        let list = checklist_for(&pipeline, &release, index).map_err(|v| {
            refuse(
                Action::Tick,
                Some(&release.id),
                &format!("cannot tick {} items for {}", target.name, release.id),
                &v,
            )
        })?;
        let items: Vec<&ChecklistItem> = match list {
            ChecklistKind::Entry => target.entry_items(release.kind).collect(),
            ChecklistKind::Exit => target.exit_items(release.kind).collect(),
        };
        let name = list_name(list);
        let chosen = find_item(&items, item).ok_or_else(|| {
            let listed: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(n, i)| format!("  {}. {}", n + 1, i.item))
                .collect();
            invalid(if listed.is_empty() {
                format!(
                    "{} has no {name} checklist for a {} release",
                    target.name, release.kind
                )
            } else {
                format!(
                    "no {name} item {} in {}; its items are:\n{}",
                    quoted(item),
                    target.name,
                    listed.join("\n")
                )
            })
        })?;
        let text = chosen.item.clone();
        if release.is_ticked(&target.name, list, &text) {
            return Ok(Decision::nothing(
                format!("already ticked for this content: {text}"),
                (ReleaseOutcome::unchanged(release), None),
            ));
        }
        let by = actor.to_string();
        let stamp = Stamp {
            at: ctx.now,
            by: &by,
        };
        moves::tick(&mut release, &target.name, list, &text, stamp);
        let made = super::zero_touch(ctx, ws, &pipeline, &mut release, &by)?;

        let mut message = CommitMessage::new(
            Action::Tick,
            &format!("{} {} {name}: {text}", release.id, target.name),
        );
        message.release = Some(release.id.clone());
        message.env = Some(target.name.clone());
        let done = format!("ticked {} {name} item: {text}", target.name);
        super::zero_touch_commit(release, message, done, made, by)
    })?;
    super::finish_zero_touch(ctx, outcome)
}

/// By 1-based number, exact text, or text ignoring case.
fn find_item<'a>(items: &[&'a ChecklistItem], wanted: &str) -> Option<&'a ChecklistItem> {
    let wanted = wanted.trim();
    if let Ok(n) = wanted.parse::<usize>() {
        return n.checked_sub(1).and_then(|i| items.get(i)).copied();
    }
    items
        .iter()
        .find(|i| i.item == wanted)
        .or_else(|| items.iter().find(|i| i.item.eq_ignore_ascii_case(wanted)))
        .copied()
}
