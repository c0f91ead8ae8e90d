//! `rel tick R --env E ITEM`: tick a checklist item by text or number.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::pipeline::ChecklistItem;
use crate::model::quote::{cut, quoted};
use crate::model::release::{ChecklistKind, Event, Tick};
use crate::rules::actions::checklist_for;
use crate::store::{change_for, CommitMessage, Workspace};

pub fn run(ctx: &Context, release_id: &str, env: &str, item: &str) -> anyhow::Result<i32> {
    let ws = Workspace::open_for_write(&ctx.start_dir)?;
    let pipeline = ws.pipeline()?;
    let mut release = super::release_to_change(ctx, &ws, release_id)?;
    let index = pipeline
        .position(env)
        .ok_or_else(|| invalid(format!("unknown environment `{}`", cut(env))))?;
    let target = &pipeline.environments[index];
    let list = checklist_for(&pipeline, &release, index).map_err(|v| {
        super::refuse(
            Action::Tick,
            Some(&release.id),
            &format!("cannot tick {} items for {}", target.name, release.id),
            &v,
        )
    })?;
    let (items, list_name): (Vec<&ChecklistItem>, &str) = match list {
        ChecklistKind::Entry => (target.entry_items(release.kind).collect(), "entry"),
        ChecklistKind::Exit => (target.exit_items(release.kind).collect(), "exit"),
    };
    let chosen = find_item(&items, item).ok_or_else(|| {
        let listed: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(n, i)| format!("  {}. {}", n + 1, i.item))
            .collect();
        invalid(if listed.is_empty() {
            format!(
                "{} has no {list_name} checklist for a {} release",
                target.name, release.kind
            )
        } else {
            format!(
                "no {list_name} item {} in {}; its items are:\n{}",
                quoted(item),
                target.name,
                listed.join("\n")
            )
        })
    })?;
    let text = chosen.item.clone();
    if release.is_ticked(&target.name, list, &text) {
        crate::errln!("already ticked for this content: {text}");
        super::release_unchanged(ctx, &release)?;
        return Ok(0);
    }
    let actor = super::actor(ctx, &ws)?;
    release.ticks.push(Tick {
        env: target.name.clone(),
        checklist: list,
        item: text.clone(),
        by: actor.to_string(),
        at: ctx.now,
        revision: release.revision,
    });
    let mut event = Event::new(ctx.now, &actor.to_string(), Action::Tick);
    event.env = Some(target.name.clone());
    event.detail = Some(format!("{list_name}: {text}"));
    release.history.push(event);

    let made = super::zero_touch(ctx, &ws, &pipeline, &mut release, &actor.to_string())?;
    let mut message = CommitMessage::new(
        Action::Tick,
        &format!("{} {} {list_name}: {text}", release.id, target.name),
    );
    message.release = Some(release.id.clone());
    message.env = Some(target.name.clone());
    super::apply(ctx, &ws, &actor, &[change_for(&release)?], &message)?;
    super::notify_scheduled(ctx, &ws, &pipeline, &release, &made, &actor.to_string());
    super::release_done(
        ctx,
        &release,
        &format!("ticked {} {list_name} item: {text}", target.name),
    )?;
    Ok(0)
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
