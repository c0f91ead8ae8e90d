//! `rel untick R --env E ITEM --reason T`: take a tick back. The tick that
//! counts leaves the manifest; the history and the commit say who had
//! ticked it and why it was taken back.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::outcome::Outcome;
use crate::rules::actions::checklist_for;
use crate::rules::checklists;
use crate::rules::moves::list_name;
use crate::rules::register::effects::Stamp;
use crate::rules::stays::untick;
use crate::store::CommitMessage;

use super::shared::args::{environment, Id, Reason};
use super::shared::{refuse, release_to_change, write};

pub fn run(
    ctx: &Context,
    release_id: &str,
    env: &str,
    item: &str,
    reason: &str,
) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    let reason = Reason::required(reason, "the tick is taken back")?;
    let outcome = write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        // Its environments are those of its own pipeline.
        let pipeline = pipeline.lane_of(&release);
        let index = environment(&pipeline, env)?;
        let target = &pipeline.environments[index];
        // The same lists `rel tick` ticks: exit items here, entry items ahead.
        let list = checklist_for(&pipeline, &release, index).map_err(|v| {
            refuse(
                Action::Untick,
                Some(&release.id),
                &format!("cannot untick {} items for {}", target.name, release.id),
                &v,
            )
        })?;
        let name = list_name(list);
        let all = checklists::items(target, &release, list);
        let chosen = checklists::find(&all, item)
            .ok_or_else(|| invalid(checklists::no_such_item(target, &release, list, item)))?;
        if checklists::tick_of(&release, target, list, &chosen).is_none() {
            return Err(invalid(format!(
                "{name} item {:?} of {} is not ticked for {} (now); there is no tick to take back",
                chosen.text, target.name, release.id
            )));
        }
        let (text, since) = (chosen.text.to_string(), chosen.since());
        let by = actor.to_string();
        let stamp = Stamp {
            at: ctx.now,
            by: &by,
        };
        untick(
            &mut release,
            &target.name,
            list,
            &text,
            since,
            reason.as_str(),
            stamp,
        );
        let made = super::shared::zero_touch::zero_touch(ctx, ws, &pipeline, &mut release, &by)?;

        let subject = format!("{} {} {name}: {text}", release.id, target.name);
        let mut message = CommitMessage::new(Action::Untick, &subject);
        message.release = Some(release.id.clone());
        message.env = Some(target.name.clone());
        message.reason = Some(reason.as_str().to_string());
        let done = format!("took back the tick of {} {name} item: {text}", target.name);
        super::shared::zero_touch::zero_touch_commit(release, message, done, made, by)
    })?;
    super::shared::zero_touch::finish_zero_touch(ctx, outcome)
}
