//! `rel tick R --env E ITEM`: tick a checklist item (the pipeline's or the
//! release's own) by text or number.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::outcome::Outcome;
use crate::rules::actions::checklist_for;
use crate::rules::checklists;
use crate::rules::moves::{self, list_name};
use crate::rules::register::effects::Stamp;
use crate::store::CommitMessage;

use super::shared::args::{environment, Id};
use super::shared::{refuse, release_to_change, write, Decision, ReleaseOutcome};

pub fn run(ctx: &Context, release_id: &str, env: &str, item: &str) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    let outcome = write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        // Its environments are those of its own pipeline.
        let pipeline = pipeline.lane_of(&release);
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
        let name = list_name(list);
        let all = checklists::items(target, &release, list);
        let chosen = checklists::find(&all, item)
            .ok_or_else(|| invalid(checklists::no_such_item(target, &release, list, item)))?;
        let text = chosen.text.to_string();
        if checklists::tick_of(&release, target, list, &chosen).is_some() {
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
        let made = super::shared::zero_touch::zero_touch(ctx, ws, &pipeline, &mut release, &by)?;

        let mut message = CommitMessage::new(
            Action::Tick,
            &format!("{} {} {name}: {text}", release.id, target.name),
        );
        message.release = Some(release.id.clone());
        message.env = Some(target.name.clone());
        let done = format!("ticked {} {name} item: {text}", target.name);
        super::shared::zero_touch::zero_touch_commit(release, message, done, made, by)
    })?;
    super::shared::zero_touch::finish_zero_touch(ctx, outcome)
}
