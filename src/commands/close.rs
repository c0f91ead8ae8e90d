//! `rel close R`: released; its incidents closed.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::incident::Incident;
use crate::model::installation::Installation;
use crate::model::release::parse_version;
use crate::outcome::Outcome;
use crate::rules::actions::may_close;
use crate::rules::moves;
use crate::rules::register::effects::Stamp;
use crate::store::{change_for, CommitMessage};

use super::shared::args::Id;
use super::shared::{refuse, release_to_change, write, Decision, ReleaseOutcome};

pub fn run(ctx: &Context, release_id: &str) -> anyhow::Result<Outcome> {
    let id = Id::release(release_id)?;
    write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        // Its environments are those of its own pipeline.
        let pipeline = pipeline.lane_of(&release);
        let verdict = may_close(&pipeline, &release);
        if !verdict.allowed() {
            return Err(refuse(
                Action::Close,
                Some(&release.id),
                &format!("{} cannot be closed", release.id),
                &verdict,
            ));
        }
        let mut incidents: Vec<Incident> = release
            .incidents
            .iter()
            .map(|id| ws.load(id))
            .collect::<anyhow::Result<_>>()?;
        let by = actor.to_string();
        moves::close(
            &mut release,
            &mut incidents,
            Stamp {
                at: ctx.now,
                by: &by,
            },
        );
        // Released: the release, what it shipped and its reports move
        // into the archive in this same commit.
        let mut changes = ws.archive_moves(&release, &incidents)?;
        changes.push(ws.index_with(&release, &incidents)?);

        let mut message = CommitMessage::new(Action::Close, &release.id);
        message.body.push(format!(
            "{} {} released; {} incident(s) closed",
            release.id,
            release.version,
            release.incidents.len()
        ));
        // An update's installation now runs its version (never lowered:
        // a later update may have been closed first).
        if let Some(name) = &release.installation {
            let mut installation = ws.load::<Installation>(name)?;
            let runs = parse_version(&installation.version).ok();
            let new = parse_version(&release.version).map_err(invalid)?;
            if runs.is_none_or(|v| v < new) {
                message.body.push(format!(
                    "{} now runs {} (was {})",
                    installation.name, new, installation.version
                ));
                installation.version = new.to_string();
                changes.push(change_for(&installation)?);
            }
        }
        message.release = Some(release.id.clone());
        message.env = Some(release.environment.clone());
        let done = format!("{} {} released", release.id, release.version);
        Ok(Decision::commit(
            changes,
            message,
            ReleaseOutcome::done(release, done),
        ))
    })?
    .print(ctx)
}
