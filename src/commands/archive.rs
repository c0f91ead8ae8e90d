//! `rel archive`: a repository made before revision 3 keeps its finished
//! releases in `releases/`; this moves every one of them (the incidents a
//! released one shipped, the health reports) into the archive in one
//! commit, unchanged, and adds the released ones to the archive's index.
//! It also splits the index a repository keeps as one file (as rel wrote
//! it before the index was split by major version) into its shards.

use crate::context::Context;
use crate::model::action::Action;
use crate::model::archive::{Index, Shard, Shipped, INDEX_DIR, LEGACY_INDEX_FILE};
use crate::model::incident::Incident;
use crate::model::release::{Release, State};
use crate::outcome::Outcome;
use crate::render::output::outln;
use crate::store::repo::toml_file;
use crate::store::{Change, CommitMessage};

use super::shared::{write, Decision};

pub fn run(ctx: &Context) -> anyhow::Result<Outcome> {
    let (moved, split) = write(ctx, |ws, _actor| {
        let finished: Vec<Release> = ws
            .ids::<Release>()?
            .iter()
            .map(|id| ws.load::<Release>(id))
            .filter(|r| r.as_ref().map_or(true, |r| !r.state.in_progress()))
            .collect::<anyhow::Result<_>>()?;
        // The legacy index file is split into shards in the same commit.
        let legacy = ws.index_shards()?.is_none();
        if finished.is_empty() && !legacy {
            return Ok(Decision::nothing(
                "no finished release lies outside the archive",
                (0, None),
            ));
        }
        let mut changes = Vec::new();
        let mut index = Index::clone(&*ws.archive_index()?);
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
                index = index.with(Shipped::of(release, &shipped));
            }
            changes.extend(ws.archive_moves_as_they_are(release, &shipped)?);
        }
        let released: Vec<Shard> = finished
            .iter()
            .filter(|r| r.state == State::Released)
            .map(|r| Shard::of(&r.version, r.installation.is_some()))
            .collect();
        let shards = index.split();
        for (shard, part) in &shards {
            // Split: every shard; else only the shards a release joins.
            if legacy || released.contains(shard) {
                changes.push(Change::file(
                    shard.path(),
                    toml_file::to_canonical(part)?.into_bytes(),
                ));
            }
        }
        if legacy {
            changes.push(Change::removal(LEGACY_INDEX_FILE));
            // A shard kept beside the legacy file was not the index.
            for stale in ws.index_shard_files()? {
                if !shards.contains_key(&stale) {
                    changes.push(Change::removal(stale.path()));
                }
            }
        }
        let n = finished.len();
        let split = legacy.then_some(shards.len());
        let mut message = CommitMessage::new(Action::Archive, &summary(n, split));
        for r in &finished {
            message
                .body
                .push(format!("{} {} {}", r.id, r.version, r.state));
        }
        Ok(Decision::commit(changes, message, (n, split)))
    })?;
    if !ctx.dry_run {
        if moved > 0 {
            outln(&format!(
                "{moved} finished release(s) moved into releases/archive"
            ))?;
        }
        if let Some(files) = split {
            outln(&format!(
                "{LEGACY_INDEX_FILE} split into {files} file(s) of {INDEX_DIR}"
            ))?;
        }
    }
    Ok(Outcome::Done)
}

/// The commit's subject: what moved, and the index split.
fn summary(moved: usize, split: Option<usize>) -> String {
    match (moved, split) {
        (n, None) => format!("{n} finished release(s)"),
        (0, Some(_)) => "the archive's index split by major version".to_string(),
        (n, Some(_)) => format!("{n} finished release(s), the index split by major version"),
    }
}
