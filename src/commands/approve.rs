//! `rel approve R --env E --role ROLE`: record the actor's approval.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::ids::validate_id;
use crate::model::quote::cut;
use crate::model::release::{Approval, Event};
use crate::rules::actions::may_approve;
use crate::store::{change_for, CommitMessage, Workspace};

pub fn run(ctx: &Context, release_id: &str, env: &str, role: &str) -> anyhow::Result<i32> {
    validate_id("role", role).map_err(invalid)?;
    let ws = Workspace::open_for_write(&ctx.start_dir)?;
    let pipeline = ws.pipeline()?;
    let mut release = super::release_to_change(ctx, &ws, release_id)?;
    let index = pipeline
        .position(env)
        .ok_or_else(|| invalid(format!("unknown environment `{}`", cut(env))))?;
    let target = &pipeline.environments[index];
    // The pipeline's spelling of the role, so the record matches it.
    let Some(role) = target
        .approvals
        .iter()
        .find(|r| r.eq_ignore_ascii_case(role))
        .map(String::as_str)
    else {
        return Err(invalid(format!(
            "{} does not ask for approval as `{role}` (it asks for: {})",
            target.name,
            if target.approvals.is_empty() {
                "none".to_string()
            } else {
                target.approvals.join(", ")
            }
        )));
    };
    let actor = super::actor(ctx, &ws)?;
    let verdict = may_approve(&pipeline, &release, index, role, &actor.email);
    if !verdict.allowed() {
        return Err(super::refuse(
            Action::Approve,
            Some(&release.id),
            &format!("{actor} cannot approve {} as {role}", release.id),
            &verdict,
        ));
    }
    let already = release
        .current_approvals(&target.name)
        .any(|a| a.role == role && a.email.eq_ignore_ascii_case(&actor.email));
    if already {
        crate::errln!(
            "{actor} already approved {} entering {} as {role}; nothing to record",
            release.id,
            target.name
        );
        super::release_unchanged(ctx, &release)?;
        return Ok(0);
    }
    release.approvals.push(Approval {
        env: target.name.clone(),
        role: role.to_string(),
        by: actor.to_string(),
        email: actor.email.clone(),
        at: ctx.now,
        revision: release.revision,
    });
    let mut event = Event::new(ctx.now, &actor.to_string(), Action::Approve);
    event.env = Some(target.name.clone());
    event.detail = Some(format!("as {role} (revision {})", release.revision));
    release.history.push(event);

    let made = super::zero_touch(ctx, &ws, &pipeline, &mut release, &actor.to_string())?;
    let mut message = CommitMessage::new(
        Action::Approve,
        &format!("{} for {} as {role}", release.id, target.name),
    );
    message.release = Some(release.id.clone());
    message.env = Some(target.name.clone());
    super::apply(ctx, &ws, &actor, &[change_for(&release)?], &message)?;
    super::notify_scheduled(ctx, &ws, &pipeline, &release, &made, &actor.to_string());
    super::release_done(
        ctx,
        &release,
        &format!(
            "{} approved for {} as {role} by {actor}",
            release.id, target.name
        ),
    )?;
    Ok(0)
}
