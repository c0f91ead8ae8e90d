//! `rel freeze R` and `rel unfreeze R --reason T`: lock and unlock the
//! release's content. Unfreezing starts a new content revision, so what was
//! approved, ticked or health-checked for the frozen content no longer counts.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::incident::Incident;
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::rules::register::effects::{self, Stamp};
use crate::rules::register::{is_live, may_freeze, may_unfreeze};
use crate::store::{change_for, file_of, CommitMessage, Workspace};

use super::shared::args::{Id, Reason};
use super::shared::register::count;
use super::shared::{refuse, release_to_change, write, Decision, ReleaseOutcome};

pub fn freeze(ctx: &Context, release_id: &str) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        // Its environments are those of its own pipeline.
        let pipeline = pipeline.lane_of(&release);
        let incidents = content_of(ws, &release)?;
        let refs: Vec<&Incident> = incidents.iter().collect();
        let verdict = may_freeze(&release, &refs, pipeline.require_incidents);
        if !verdict.allowed() {
            return Err(refuse(
                Action::Freeze,
                Some(&release.id),
                &format!("cannot freeze {}", release.id),
                &verdict,
            ));
        }
        let by = actor.to_string();
        effects::freeze(
            &mut release,
            Stamp {
                at: ctx.now,
                by: &by,
            },
        );

        let mut message = CommitMessage::new(Action::Freeze, &release.id);
        message.body.push(format!(
            "{} frozen at revision {}: {}",
            release.id,
            release.revision,
            release.incidents.join(", ")
        ));
        message.release = Some(release.id.clone());
        let done = format!(
            "{} frozen at revision {} ({})",
            release.id,
            release.revision,
            count(release.incidents.len())
        );
        Ok(Decision::commit(
            vec![change_for(&release)?],
            message,
            ReleaseOutcome::done(release, done),
        ))
    })?
    .print(ctx)
}

pub fn unfreeze(ctx: &Context, release_id: &str, reason: &str) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    let reason = Reason::required(reason, "the content must change")?;
    write(ctx, |ws, actor| {
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        let verdict = may_unfreeze(&release, is_live(&ws.pipeline()?, &release));
        if !verdict.allowed() {
            return Err(refuse(
                Action::Unfreeze,
                Some(&release.id),
                &format!("cannot unfreeze {}", release.id),
                &verdict,
            ));
        }
        let by = actor.to_string();
        let stale = release.revision;
        effects::unfreeze(
            &mut release,
            reason.as_str(),
            Stamp {
                at: ctx.now,
                by: &by,
            },
        );
        // A content change: the update path is decided again.
        super::shared::paths::redecide(ws, &ws.pipeline()?, &mut release, &[], ctx.now, &by)?;

        let mut message = CommitMessage::new(Action::Unfreeze, &release.id);
        message.body.push(format!(
            "{} open again at revision {}; approvals, ticks and health reports of revision {stale} no longer count",
            release.id, release.revision
        ));
        message.release = Some(release.id.clone());
        message.reason = Some(reason.as_str().to_string());
        let done = format!(
            "{} unfrozen: revision {}; approvals, ticks and health reports of revision {stale} no longer count",
            release.id, release.revision
        );
        Ok(Decision::commit(
            vec![change_for(&release)?],
            message,
            ReleaseOutcome::done(release, done),
        ))
    })?
    .print(ctx)
}

/// The release's incidents as loaded; a listed incident without a file is
/// a broken repository (exit 2), not a rule.
fn content_of(ws: &Workspace, release: &Release) -> anyhow::Result<Vec<Incident>> {
    release
        .incidents
        .iter()
        .map(|id| {
            ws.resolve::<Incident>(id)
                .map_err(|_| {
                    invalid(format!(
                        "release {} lists incident {id} but {} does not exist; \
                         `rel ungroup {} {id}` removes it",
                        release.id,
                        file_of::<Incident>(id),
                        release.id
                    ))
                })
                .and_then(|stored| ws.load(&stored))
        })
        .collect()
}
