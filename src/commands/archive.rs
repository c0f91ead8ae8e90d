//! `rel archive`: a repository made before revision 3 keeps its finished
//! releases in `releases/`; this moves every one of them (the incidents a
//! released one shipped, the health reports) into the archive in one
//! commit, unchanged, and adds the released ones to the archive's index.

use crate::context::Context;
use crate::model::action::Action;
use crate::model::incident::Incident;
use crate::model::release::{Release, State};
use crate::outcome::Outcome;
use crate::render::output::outln;
use crate::store::CommitMessage;

use super::shared::{write, Decision};

pub fn run(ctx: &Context) -> anyhow::Result<Outcome> {
    let moved = write(ctx, |ws, _actor| {
        let finished: Vec<Release> = ws
            .ids::<Release>()?
            .iter()
            .map(|id| ws.load::<Release>(id))
            .filter(|r| r.as_ref().map_or(true, |r| !r.state.in_progress()))
            .collect::<anyhow::Result<_>>()?;
        if finished.is_empty() {
            return Ok(Decision::nothing(
                "no finished release lies outside the archive",
                0,
            ));
        }
        let mut changes = Vec::new();
        let mut index = crate::model::archive::Index::clone(&*ws.archive_index()?);
        for release in &finished {
            // What a released release shipped: its incidents whose files
            // name it (a file deleted by hand or naming another release
            // stays where it is).
            let mut shipped: Vec<Incident> = Vec::new();
            if release.state == State::Released {
                for id in &release.incidents {
                    if let Ok(stored) = ws.resolve::<Incident>(id) {
                        let incident: Incident = ws.load(&stored)?;
                        if incident.is_held_by(&release.id) {
                            shipped.push(incident);
                        }
                    }
                }
                index = index.with(crate::model::archive::Shipped::of(release, &shipped));
            }
            changes.extend(ws.archive_moves_as_they_are(release, &shipped)?);
        }
        if finished.iter().any(|r| r.state == State::Released) {
            changes.push(crate::store::Change::file(
                crate::model::archive::INDEX_FILE,
                crate::store::repo::toml_file::to_canonical(&index)?.into_bytes(),
            ));
        }
        let n = finished.len();
        let mut message = CommitMessage::new(Action::Archive, &format!("{n} finished release(s)"));
        for r in &finished {
            message
                .body
                .push(format!("{} {} {}", r.id, r.version, r.state));
        }
        Ok(Decision::commit(changes, message, n))
    })?;
    if moved > 0 && !ctx.dry_run {
        outln(&format!(
            "{moved} finished release(s) moved into releases/archive"
        ))?;
    }
    Ok(Outcome::Done)
}
