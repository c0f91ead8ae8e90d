//! The releases in progress of a tree, kept so that `status`, `check`,
//! `plan` and the schedules cost what is in progress, not the archive.
//!
//! Two parts of the facts cache (`cache`), each one record keyed by the id
//! of the `releases` tree it was derived from:
//!
//! - `open-releases`: the files of the releases in progress (name, blob),
//!   a few dozen whatever the archive's size. A command on the same tree
//!   reads only this and those files.
//! - `listing-releases`: every file of the folder (name, blob, in
//!   progress or not), read only when the tree changed: when the new tree
//!   holds the same names, only the files whose blob changed are parsed
//!   (a promotion or a group changes one), so the first command after a
//!   write does not pay for the archive either. Any other change (a file
//!   added or removed) goes the long way, through the facts of every file.
//!
//! As the rest of the cache, it never outweighs the objects: a part that
//! is missing, damaged or keyed by another tree is rebuilt, and every
//! release it names is read again from its blob, its state checked, by the
//! caller. What it cannot show is a release it omits; a checksum catches
//! damage, not someone who rewrites `.git` (see `cache`). Both parts are
//! saved only from a listing that passed every check `listed` makes, and
//! `validated` says whether every file of it was also parsed in full
//! (`status` asks for that, as it always reported an invalid manifest;
//! the first `check` after a clone reads only each file's top lines).

use git2::Oid;

use crate::model::release::Release;

use super::cache;
use super::manifests::{parse_item, scan_head, ReleaseHead, Stored};
use super::source::{id_of, FileRef};
use super::workspace::Workspace;

const OPEN: &str = "open-releases";
const LISTING: &str = "listing-releases";

/// A file of the folder and whether its release is in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub name: String,
    pub blob: Oid,
    pub open: bool,
}

/// How thoroughly a set was derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Depth {
    /// Each file's top lines (full parse only of unusual ones).
    Heads,
    /// Every file parsed in full (or known from the facts cache, which
    /// holds only files that parsed).
    Validated,
}

impl Depth {
    /// Whether a set derived this deep answers a caller who wants `wanted`.
    fn serves(self, wanted: Depth) -> bool {
        self == Depth::Validated || wanted == Depth::Heads
    }
}

impl Workspace {
    /// The files of the releases in progress, in id order, for the tree
    /// read; `None` when reading the work tree (no blob ids to key on).
    /// With `Depth::Validated` an invalid manifest anywhere in the folder
    /// is the error it always was.
    pub(super) fn open_release_files(
        &self,
        depth: Depth,
    ) -> anyhow::Result<Option<Vec<(String, FileRef)>>> {
        let Some(tree) = self.releases_tree()? else {
            // A tree without the folder (or the work tree).
            return Ok(if self.reads_tree() {
                Some(Vec::new())
            } else {
                None
            });
        };
        let folder = cache::folder(self.repo.commondir());
        if let Some((saved, files)) = load_open(&folder, tree) {
            if saved.serves(depth) {
                return Ok(Some(files));
            }
        }
        let (entries, got) = self
            .reads
            .unrecorded(|| self.derive_listing(&folder, depth))?;
        save(&folder, tree, &entries, got);
        let mut open: Vec<(String, FileRef)> = entries
            .into_iter()
            .filter(|e| e.open)
            .map(|e| (id_of(&e.name).to_string(), FileRef::in_tree(e.name, e.blob)))
            .collect();
        open.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Some(open))
    }

    /// The heads of the releases in progress, each read again from its
    /// blob (the answer never rests on the cache for a release it names).
    pub(super) fn heads_from_open_set(&self) -> anyhow::Result<Option<Vec<ReleaseHead>>> {
        let Some(files) = self.open_release_files(Depth::Heads)? else {
            return Ok(None);
        };
        let mut heads = Vec::with_capacity(files.len());
        for (id, file) in &files {
            let text = self.read_listed(Release::DIR, file)?;
            let head = match scan_head(id, &text) {
                Some(head) => head,
                None => ReleaseHead::from(&parse_item::<Release>(id, &text)?),
            };
            if head.state.in_progress() {
                heads.push(head);
            }
        }
        Ok(Some(heads))
    }

    /// The id of the `releases` folder's tree, when reading a tree that has it.
    fn releases_tree(&self) -> anyhow::Result<Option<Oid>> {
        if !self.reads_tree() {
            return Ok(None);
        }
        self.folder_tree(Release::DIR)
    }

    /// Every file of the folder with its state, from the listing kept for
    /// an earlier tree when only blobs changed, else the long way. Returns
    /// how deep the result is.
    fn derive_listing(
        &self,
        folder: &std::path::Path,
        depth: Depth,
    ) -> anyhow::Result<(Vec<Entry>, Depth)> {
        let now = self.tree_files(Release::DIR)?;
        if let Some((before, was)) = load_listing(folder) {
            if was.serves(depth) {
                if let Some(entries) = self.update_listing(&before, &now) {
                    return Ok((entries, was));
                }
            }
        }
        self.full_listing(now, depth)
    }

    /// `before` brought up to `now` when both hold the same names: only
    /// the changed files are parsed (in full). None when names differ or a
    /// changed file does not parse (the long way reports it).
    fn update_listing(&self, before: &[Entry], now: &[FileRef]) -> Option<Vec<Entry>> {
        if before.len() != now.len() {
            return None;
        }
        let files = self.files();
        let reader = files.reader().ok()?;
        let mut entries = Vec::with_capacity(now.len());
        for (old, file) in before.iter().zip(now) {
            if old.name != file.name {
                return None;
            }
            let blob = file.blob()?;
            let open = if blob == old.blob {
                old.open
            } else {
                let text = files.read(&reader, Release::DIR, file).ok()?;
                let r: Release = parse_item(file.id(), &text).ok()?;
                r.state.in_progress()
            };
            entries.push(Entry {
                name: file.name.clone(),
                blob,
                open,
            });
        }
        Some(entries)
    }

    /// The state of every file, from the facts of each (`Validated`) or
    /// the heads (`Heads`), with every check of `listed`.
    fn full_listing(&self, now: Vec<FileRef>, depth: Depth) -> anyhow::Result<(Vec<Entry>, Depth)> {
        let open_ids: std::collections::HashSet<String> = match depth {
            Depth::Validated => self
                .facts::<Release>()?
                .into_iter()
                .filter(|l| l.facts.state.in_progress())
                .map(|l| l.file.id().to_string())
                .collect(),
            Depth::Heads => self
                .all_release_heads()?
                .into_iter()
                .filter(|h| h.state.in_progress())
                .map(|h| h.id)
                .collect(),
        };
        let entries = now
            .into_iter()
            .filter_map(|f| {
                let blob = f.blob()?;
                let open = f.name.ends_with(".toml") && open_ids.contains(id_of(&f.name));
                Some(Entry {
                    name: f.name,
                    blob,
                    open,
                })
            })
            .collect();
        Ok((entries, depth))
    }
}

fn load_open(folder: &std::path::Path, tree: Oid) -> Option<(Depth, Vec<(String, FileRef)>)> {
    let payload = cache::load(folder, OPEN).into_payload(tree)?;
    let (depth, entries) = decode(&payload, false)?;
    let files = entries
        .into_iter()
        .map(|e| (id_of(&e.name).to_string(), FileRef::in_tree(e.name, e.blob)))
        .collect();
    Some((depth, files))
}

fn load_listing(folder: &std::path::Path) -> Option<(Vec<Entry>, Depth)> {
    let (_, payload) = cache::load(folder, LISTING).into_only()?;
    let (depth, entries) = decode(&payload, true)?;
    Some((entries, depth))
}

fn save(folder: &std::path::Path, tree: Oid, entries: &[Entry], depth: Depth) {
    let open: Vec<Entry> = entries.iter().filter(|e| e.open).cloned().collect();
    // The listing first: a reader that finds the open set for a tree may
    // rely on the listing being at least as new.
    let listing = encode(entries, depth, true);
    cache::save(folder, LISTING, std::iter::once((tree, listing.as_slice())));
    let open = encode(&open, depth, false);
    cache::save(folder, OPEN, std::iter::once((tree, open.as_slice())));
}

/// `[depth u8][count u32]` then per entry `[name length u16][name][blob 20]`
/// and, in the listing, `[open u8]`.
fn encode(entries: &[Entry], depth: Depth, with_flags: bool) -> Vec<u8> {
    let mut out = vec![u8::from(depth == Depth::Validated)];
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for e in entries {
        let name = &e.name.as_bytes()[..e.name.len().min(u16::MAX as usize)];
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(e.blob.as_bytes());
        if with_flags {
            out.push(u8::from(e.open));
        }
    }
    out
}

fn decode(bytes: &[u8], with_flags: bool) -> Option<(Depth, Vec<Entry>)> {
    let depth = match *bytes.first()? {
        0 => Depth::Heads,
        1 => Depth::Validated,
        _ => return None,
    };
    let count = u32::from_le_bytes(bytes.get(1..5)?.try_into().ok()?) as usize;
    let mut at = 5;
    let mut entries = Vec::with_capacity(count.min(bytes.len() / 23));
    for _ in 0..count {
        let len = u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as usize;
        at += 2;
        let name = std::str::from_utf8(bytes.get(at..at + len)?)
            .ok()?
            .to_string();
        at += len;
        let blob = Oid::from_bytes(bytes.get(at..at + 20)?).ok()?;
        at += 20;
        let open = if with_flags {
            let flag = *bytes.get(at)?;
            at += 1;
            flag == 1
        } else {
            true
        };
        entries.push(Entry { name, blob, open });
    }
    (at == bytes.len()).then_some((depth, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).expect("20 bytes")
    }

    #[test]
    fn entries_round_trip_and_anything_short_or_long_is_refused() {
        let entries = vec![
            Entry {
                name: "R-1.toml".into(),
                blob: oid(1),
                open: true,
            },
            Entry {
                name: "R-2.toml".into(),
                blob: oid(2),
                open: false,
            },
        ];
        let bytes = encode(&entries, Depth::Validated, true);
        assert_eq!(decode(&bytes, true), Some((Depth::Validated, entries)));
        assert_eq!(decode(&bytes[..bytes.len() - 1], true), None);
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(decode(&long, true), None);
        let mut bad_depth = bytes;
        bad_depth[0] = 7;
        assert_eq!(decode(&bad_depth, true), None);
    }
}
