//! `rel promote R [--to E] [--override RULE... --reason T]`.

use crate::model::action::Action;
use dialoguer::Confirm;

use crate::context::Context;
use crate::error::{conflict, invalid, usage};
use crate::model::pipeline::Environment;
use crate::model::rule::RuleCode;
use crate::store::{change_for, CommitMessage, Workspace};

use crate::rules::moves;
use crate::rules::overrides::{permitted_overrides, Overridden};
use crate::rules::register::effects::Stamp;

use super::promotion_facts::evaluate;

pub fn run(
    ctx: &Context,
    release_id: &str,
    to: Option<&str>,
    overrides: &[RuleCode],
    reason: Option<&str>,
) -> anyhow::Result<i32> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if !overrides.is_empty() && reason.is_none() {
        return Err(usage(
            "--override needs --reason: say why the rules are set aside",
        ));
    }

    let ws = Workspace::open_for_write(&ctx.start_dir)?;
    let pipeline = ws.pipeline()?;
    let mut release = super::release_to_change(ctx, &ws, release_id)?;
    let verdict = evaluate(&ws, &pipeline, &release, to, ctx.now)?;
    // No target only for a release that is over: its `state` refuses.
    let Some(target) = verdict.to.as_deref().and_then(|to| pipeline.env(to)) else {
        // An override that can never be used is still bad input (exit 2):
        // asked of an environment that allows every overridable rule.
        permitted_overrides(&Environment::named(&verdict.from), overrides).map_err(invalid)?;
        return Err(super::refuse(
            Action::Promote,
            Some(&release.id),
            &format!("{} cannot move on from {}", release.id, verdict.from),
            &verdict.verdict,
        ));
    };
    let overrides = permitted_overrides(target, overrides).map_err(invalid)?;
    let Overridden {
        remaining,
        used,
        unused,
    } = verdict.overridden(&overrides);
    if !remaining.allowed() {
        return Err(super::refuse(
            Action::Promote,
            Some(&release.id),
            &format!(
                "{} cannot move {} -> {}",
                release.id, verdict.from, target.name
            ),
            &remaining,
        ));
    }
    for o in unused {
        crate::errln!("note: --override {o}: that rule passes; nothing to set aside");
    }

    if target.confirm && !ctx.yes && !ctx.dry_run {
        if !ctx.interactive {
            return Err(conflict(format!(
                "promoting to {} needs confirmation; run on a terminal or pass --yes",
                target.name
            )));
        }
        let question = format!(
            "Promote {} {} from {} to {}?",
            release.id, release.version, verdict.from, target.name
        );
        let yes = Confirm::new()
            .with_prompt(question)
            .default(false)
            .interact()
            .map_err(|e| conflict(format!("no confirmation: {e}")))?;
        if !yes {
            return Err(conflict("not confirmed; nothing written"));
        }
    }

    let actor = super::actor(ctx, &ws)?;
    let by = actor.to_string();
    moves::promote(
        &mut release,
        &target.name,
        &used,
        reason,
        Stamp {
            at: ctx.now,
            by: &by,
        },
    );

    let made = super::zero_touch(ctx, &ws, &pipeline, &mut release, &actor.to_string())?;
    let mut message = CommitMessage::new(
        Action::Promote,
        &format!("{} to {}", release.id, target.name),
    );
    message.body.push(format!(
        "{} {}: {} -> {}",
        release.id, release.version, verdict.from, target.name
    ));
    message.release = Some(release.id.clone());
    message.env = Some(target.name.clone());
    message.overrides = used;
    message.reason = reason.map(str::to_string);
    super::apply(ctx, &ws, &actor, &[change_for(&release)?], &message)?;
    super::notify_scheduled(ctx, &ws, &pipeline, &release, &made, &actor.to_string());
    super::release_done(
        ctx,
        &release,
        &format!(
            "{} promoted {} -> {}",
            release.id, verdict.from, target.name
        ),
    )?;
    Ok(0)
}
