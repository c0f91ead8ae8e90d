//! Which files of the archive's index the audit checks in a commit, and
//! their values as the commit left them (the check itself is
//! `rules::audit::index_findings`).
//!
//! - The legacy index file: when the commit changed it (as before the
//!   index was split), against every released release of the archive.
//! - A shard: when the commit changed it; and, once the repository keeps
//!   no legacy file, when the commit archived, changed or removed a
//!   release of its major (or one of its incidents) without changing it,
//!   read then from the commit's tree. Deleting the legacy file checks
//!   every shard the archive's released releases need.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::archive::{Index, Shard, LEGACY_INDEX_FILE};
use crate::model::release::{Release, State};
use crate::rules::audit::{index_findings, Found, IndexFile, Placed, World, Written};

use super::audit_state::index_value;

/// A file's text at the commit judged (None: no such file).
pub type FileAt<'a> = dyn Fn(&str) -> anyhow::Result<Option<Result<String, String>>> + 'a;

/// What a commit did to the index, taken before it is folded.
pub struct IndexCheck {
    legacy: Option<Written<Index>>,
    changed: Vec<(Shard, Written<Index>)>,
    /// The releases the commit placed in the archive, changed there or
    /// took out of it, directly or through an incident (ids as filed).
    touched: BTreeSet<String>,
    /// Their shards as they were before the commit.
    shards_before: BTreeSet<Shard>,
}

fn shard_of(r: &Release) -> Shard {
    Shard::of(&r.version, r.installation.is_some())
}

impl IndexCheck {
    pub fn before(
        world: &World,
        legacy: Option<Written<Index>>,
        changed: Vec<(Shard, Written<Index>)>,
        archived: &[Placed],
    ) -> IndexCheck {
        let mut touched = BTreeSet::new();
        for p in archived {
            match p.what {
                "release" => {
                    touched.insert(p.id.clone());
                }
                "incident" => {
                    if let Some(release) = world.held_as(&p.id).and_then(|(_, h)| h.release()) {
                        touched.insert(release.to_string());
                    }
                }
                _ => {}
            }
        }
        let shards_before = touched
            .iter()
            .filter_map(|id| world.release(id).map(shard_of))
            .collect();
        IndexCheck {
            legacy,
            changed,
            touched,
            shards_before,
        }
    }

    /// The findings about the index after the commit is folded into
    /// `world`.
    pub fn findings(self, world: &World, file_at: &FileAt) -> anyhow::Result<Vec<Found>> {
        let mut found = Vec::new();
        let legacy_deleted = matches!(self.legacy, Some(None));
        if let Some(Some(value)) = self.legacy {
            let files = BTreeMap::from([(
                (),
                IndexFile {
                    path: LEGACY_INDEX_FILE.to_string(),
                    value,
                },
            )]);
            found.extend(index_findings(world, &files, |_| ()));
        }
        let mut keys: BTreeSet<Shard> = self.changed.iter().map(|(s, _)| *s).collect();
        let mut more: BTreeSet<Shard> = self.shards_before;
        more.extend(
            self.touched
                .iter()
                .filter_map(|id| world.release(id).map(shard_of)),
        );
        if legacy_deleted {
            more.extend(
                world
                    .releases
                    .iter()
                    .filter(|(id, r)| {
                        r.state == State::Released
                            && world.archived.contains(&id.to_ascii_lowercase())
                    })
                    .map(|(_, r)| shard_of(r)),
            );
        }
        // While the legacy file is there, it is the index: the shards a
        // commit did not change are not asked about.
        if !more.is_empty() && file_at(LEGACY_INDEX_FILE)?.is_none() {
            keys.extend(more);
        }
        if keys.is_empty() {
            return Ok(found);
        }
        let mut changed: BTreeMap<Shard, Written<Index>> = self.changed.into_iter().collect();
        let mut files = BTreeMap::new();
        for shard in keys {
            let path = shard.path();
            let written = match changed.remove(&shard) {
                Some(w) => w,
                None => index_value(&path, &file_at(&path)?),
            };
            let value = written.unwrap_or_else(|| Ok(Index::default()));
            files.insert(shard, IndexFile { path, value });
        }
        found.extend(index_findings(world, &files, shard_of));
        Ok(found)
    }
}
