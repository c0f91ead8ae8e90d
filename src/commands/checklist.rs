//! `rel checklist add R --env E [--exit] ITEM…` and `rel checklist remove R
//! --env E [--exit] ITEM --reason T`: the release's own checklist items
//! (the go-live list a dry run builds), ticked like the pipeline's. The
//! pipeline's items are changed in environments.toml, never here.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::release::ChecklistKind;
use crate::outcome::Outcome;
use crate::rules::checklists;
use crate::rules::moves::list_name;
use crate::rules::register::effects::Stamp;
use crate::rules::stays::{add_items, may_change_checklist, new_items, remove_item};
use crate::store::CommitMessage;

use super::shared::args::{environment, Id, Reason};
use super::shared::{refuse, release_to_change, write};

fn list_of(exit: bool) -> ChecklistKind {
    if exit {
        ChecklistKind::Exit
    } else {
        ChecklistKind::Entry
    }
}

pub fn add(
    ctx: &Context,
    release_id: &str,
    env: &str,
    exit: bool,
    items: &[String],
) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    let list = list_of(exit);
    let name = list_name(list);
    let outcome = write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        // Its environments are those of its own pipeline.
        let pipeline = pipeline.lane_of(&release);
        let index = environment(&pipeline, env)?;
        let target = &pipeline.environments[index];
        let verdict = may_change_checklist(&pipeline, &release, index, list, true);
        if !verdict.allowed() {
            return Err(refuse(
                Action::ChecklistAdd,
                Some(&release.id),
                &format!(
                    "cannot add {name} items of {} to {}",
                    target.name, release.id
                ),
                &verdict,
            ));
        }
        let existing = checklists::items(target, &release, list);
        let texts = new_items(&existing, items).map_err(invalid)?;
        let by = actor.to_string();
        let stamp = Stamp {
            at: ctx.now,
            by: &by,
        };
        add_items(&mut release, &target.name, list, &texts, stamp);
        let made = super::shared::zero_touch::zero_touch(ctx, ws, &pipeline, &mut release, &by)?;

        let subject = format!(
            "{} {} {name}: {}",
            release.id,
            target.name,
            texts.join("; ")
        );
        let mut message = CommitMessage::new(Action::ChecklistAdd, &subject);
        message.release = Some(release.id.clone());
        message.env = Some(target.name.clone());
        let done = format!(
            "added to {} {name} checklist of {}: {}",
            target.name,
            release.id,
            texts.join("; ")
        );
        super::shared::zero_touch::zero_touch_commit(release, message, done, made, by)
    })?;
    super::shared::zero_touch::finish_zero_touch(ctx, outcome)
}

pub fn remove(
    ctx: &Context,
    release_id: &str,
    env: &str,
    exit: bool,
    item: &str,
    reason: &str,
) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    let reason = Reason::required(reason, "the item is removed")?;
    let list = list_of(exit);
    let name = list_name(list);
    let outcome = write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        // Its environments are those of its own pipeline.
        let pipeline = pipeline.lane_of(&release);
        let index = environment(&pipeline, env)?;
        let target = &pipeline.environments[index];
        let verdict = may_change_checklist(&pipeline, &release, index, list, false);
        if !verdict.allowed() {
            return Err(refuse(
                Action::ChecklistRemove,
                Some(&release.id),
                &format!(
                    "cannot remove {name} items of {} from {}",
                    target.name, release.id
                ),
                &verdict,
            ));
        }
        let all = checklists::items(target, &release, list);
        let chosen = checklists::find(&all, item).ok_or_else(|| {
            let mut message = checklists::no_such_item(target, &release, list, item);
            if !exit {
                message.push_str("\n(the exit list is named with --exit)");
            }
            invalid(message)
        })?;
        if chosen.own.is_none() {
            return Err(invalid(format!(
                "{:?} is the pipeline's {name} item of {}; change environments.toml to remove it \
                 (rel checklist remove takes only the release's own items)",
                chosen.text, target.name
            )));
        }
        let text = chosen.text.to_string();
        let by = actor.to_string();
        let stamp = Stamp {
            at: ctx.now,
            by: &by,
        };
        remove_item(
            &mut release,
            &target.name,
            list,
            &text,
            reason.as_str(),
            stamp,
        );
        let made = super::shared::zero_touch::zero_touch(ctx, ws, &pipeline, &mut release, &by)?;

        let subject = format!("{} {} {name}: {text}", release.id, target.name);
        let mut message = CommitMessage::new(Action::ChecklistRemove, &subject);
        message.release = Some(release.id.clone());
        message.env = Some(target.name.clone());
        message.reason = Some(reason.as_str().to_string());
        let done = format!(
            "removed from {} {name} checklist of {}: {text}",
            target.name, release.id
        );
        super::shared::zero_touch::zero_touch_commit(release, message, done, made, by)
    })?;
    super::shared::zero_touch::finish_zero_touch(ctx, outcome)
}
