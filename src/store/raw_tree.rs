//! Trees read from their raw objects, and the kept copies of the large
//! ones. The `releases/incidents` tree of a 100,000-incident register is a
//! 4.3 MB object, stored in the pack as a delta; inflating it took most of
//! `rel show` (a release with a handful of incidents). libgit2 would also
//! build an entry per file. rel instead parses a raw object once per
//! process into an index of (name, mode, id), and keeps its two large
//! folders (`releases`, `releases/incidents`) under `.git/rel/trees-v1/`,
//! keyed by the tree's id, in a layout (`kept_tree`) where one name is
//! found by reading one chunk of about 4 KB: a look-up costs the same
//! whatever the size of the register. A listing reads the whole kept tree,
//! every chunk checked, and indexes it once.
//!
//! A tree id names its content, so the kept copy never goes stale: a file
//! for another tree (an older commit) is simply not used, and replaced.
//! As the facts cache, it is never trusted over the objects beyond that:
//! a missing, cut, edited or foreign file fails a checksum or its key and
//! the tree is read from git again. A chunk found damaged after the file
//! was opened (its header and index were whole) is handled the same way:
//! the tree is read from git, through a repository opened again from the
//! path (a `RawTree` cannot hold the caller's), and kept again. Only when
//! git then fails as well (the kept file damaged and the object unreadable)
//! does a look-up answer "absent" and a listing nothing, as `get` and
//! `entries` cannot fail.
//!
//! A name found is always that name: a look-up compares the whole name of
//! the entry it returns. A tree out of git's order (git never writes one; a
//! hand-made object can be) is searched entry by entry.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use git2::{Oid, Repository};

use super::cache;
use super::kept_tree::{self, EntryInfo, Kept};

/// Trees smaller than this are read from git every time. A look-up in a
/// kept tree reads its index and one chunk whatever its size, which is
/// cheaper than inflating 44 KB (the 1,000-release register's `releases`
/// tree, a delta in the pack: 0.8 ms of `rel show`'s 5 ms of CPU).
const KEEP_FROM_BYTES: usize = 16 << 10;

/// A folder of the tree cache, next to the facts cache.
fn folder(repo: &Repository) -> PathBuf {
    repo.commondir().join("rel").join("trees-v1")
}

/// One entry of a tree: its mode (as written), name and object id.
#[derive(Debug, Clone, Copy)]
struct Entry {
    mode: u32,
    /// Where the name starts and ends; the id follows the end's NUL.
    name: (u32, u32),
}

impl Entry {
    /// Where the next entry starts.
    fn end(&self) -> usize {
        self.name.1 as usize + 21
    }

    fn is_folder(&self) -> bool {
        self.mode & 0o170000 == 0o040000
    }
}

/// The entry that starts at `at`: `<mode in octal> <name>\0<20-byte id>`;
/// None when it is cut or malformed.
fn entry_at(bytes: &[u8], at: usize) -> Option<Entry> {
    let rest = bytes.get(at..)?;
    let space = rest.iter().position(|&b| b == b' ')?;
    let nul = rest.iter().position(|&b| b == 0)?;
    if nul < space || nul + 21 > rest.len() {
        return None;
    }
    let mode = std::str::from_utf8(&rest[..space])
        .ok()
        .and_then(|m| u32::from_str_radix(m, 8).ok())?;
    let offset = |n: usize| u32::try_from(n).ok();
    Some(Entry {
        mode,
        name: (offset(at + space + 1)?, offset(at + nul)?),
    })
}

fn name_of<'a>(bytes: &'a [u8], e: &Entry) -> &'a [u8] {
    bytes
        .get(e.name.0 as usize..e.name.1 as usize)
        .unwrap_or_default()
}

fn id_of(bytes: &[u8], e: &Entry) -> Oid {
    // 20 bytes, checked when parsed.
    let at = e.name.1 as usize + 1;
    bytes
        .get(at..at + 20)
        .and_then(|b| Oid::from_bytes(b).ok())
        .unwrap_or_else(Oid::zero)
}

/// How git orders `e`: its name, and `/` after a folder's.
fn key_cmp(bytes: &[u8], e: &Entry, key: &[u8]) -> std::cmp::Ordering {
    let suffix: &[u8] = if e.is_folder() { b"/" } else { b"" };
    name_of(bytes, e).iter().chain(suffix).cmp(key.iter())
}

/// How git orders two entries of one tree.
fn entry_cmp(bytes: &[u8], a: &Entry, b: &Entry) -> std::cmp::Ordering {
    let suffix = |e: &Entry| -> &'static [u8] {
        if e.is_folder() {
            b"/"
        } else {
            b""
        }
    };
    let b_key = name_of(bytes, b).iter().chain(suffix(b));
    name_of(bytes, a).iter().chain(suffix(a)).cmp(b_key)
}

/// Whether `e` is exactly the entry a look-up of `name` as a file (or, with
/// `folder`, as a folder) wants: the whole name compared, not only its key.
fn is_exactly(bytes: &[u8], e: &Entry, name: &[u8], folder: bool) -> bool {
    e.is_folder() == folder && name_of(bytes, e) == name
}

/// The keys a name sorts as: `name` for a file, `name/` for a folder.
fn keys_of(name: &[u8]) -> [(Vec<u8>, bool); 2] {
    let mut folder = name.to_vec();
    folder.push(b'/');
    [(name.to_vec(), false), (folder, true)]
}

/// A mode as libgit2 reports it: any regular file is 100644 unless
/// executable (old gits wrote 100664).
pub fn normal_mode(mode: u32) -> u32 {
    match mode {
        0o100755 => 0o100755,
        m if m & 0o170000 == 0o100000 => 0o100644,
        m => m,
    }
}

/// A whole tree in memory, its entries indexed.
#[derive(Debug, Default)]
struct Full {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    /// In git's order (names compared as if a folder's ended with `/`), as
    /// every tree git writes is: names are then found by binary search.
    sorted: bool,
}

impl Full {
    /// Indexes a raw tree; `sorted` is the order when already known (a
    /// kept tree's, checked when it was kept). None when it is corrupt.
    fn parse(bytes: Vec<u8>, sorted: Option<bool>) -> Option<Full> {
        let mut entries = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let e = entry_at(&bytes, at)?;
            at = e.end();
            entries.push(e);
        }
        let sorted = sorted.unwrap_or_else(|| {
            entries
                .windows(2)
                .all(|w| entry_cmp(&bytes, &w[0], &w[1]).is_lt())
        });
        Some(Full {
            bytes,
            entries,
            sorted,
        })
    }

    fn get(&self, name: &[u8]) -> Option<(u32, Oid)> {
        let found = if self.sorted {
            keys_of(name).into_iter().find_map(|(key, folder)| {
                let at = self
                    .entries
                    .partition_point(|e| key_cmp(&self.bytes, e, &key).is_lt());
                self.entries
                    .get(at)
                    .filter(|e| is_exactly(&self.bytes, e, name, folder))
            })
        } else {
            self.entries
                .iter()
                .find(|e| name_of(&self.bytes, e) == name)
        }?;
        Some((normal_mode(found.mode), id_of(&self.bytes, found)))
    }

    /// Each entry's start and name, for `kept_tree::save`.
    fn infos(&self) -> impl Iterator<Item = EntryInfo<'_>> {
        let starts = std::iter::once(0).chain(self.entries.iter().map(Entry::end));
        self.entries.iter().zip(starts).map(|(e, start)| EntryInfo {
            start,
            name: name_of(&self.bytes, e),
            folder: e.is_folder(),
        })
    }
}

/// Where a tree read from its kept copy came from, to read it again from
/// git if a chunk turns out damaged.
#[derive(Debug)]
struct FromKept {
    kept: Kept,
    git_dir: PathBuf,
    id: Oid,
    slot: String,
}

/// A tree's raw object with its entries indexed, or its kept copy, read a
/// chunk at a time until a listing needs it whole.
#[derive(Debug)]
pub struct RawTree {
    full: OnceLock<Full>,
    kept: Option<FromKept>,
}

impl RawTree {
    /// Indexes a raw tree object; `what` names it in the error when it is
    /// corrupt.
    pub fn parse(bytes: Vec<u8>, what: &str) -> anyhow::Result<RawTree> {
        let full = Full::parse(bytes, None).ok_or_else(|| anyhow::anyhow!("{what} is corrupt"))?;
        Ok(RawTree {
            full: OnceLock::from(full),
            kept: None,
        })
    }

    /// The whole tree, read (from its kept copy, or git if that is damaged)
    /// and indexed on first use.
    fn full(&self) -> &Full {
        self.full.get_or_init(|| {
            let Some(from) = &self.kept else {
                return Full::default();
            };
            let kept = &from.kept;
            kept.raw()
                .and_then(|bytes| Full::parse(bytes, Some(kept.sorted())))
                .filter(|full| full.entries.len() == kept.entries())
                .or_else(|| {
                    let repo = Repository::open(&from.git_dir).ok()?;
                    let full = Full::parse(read_object(&repo, from.id).ok()?, None)?;
                    keep(&repo, &from.slot, from.id, &full);
                    Some(full)
                })
                .unwrap_or_default()
        })
    }

    /// The mode (as libgit2 reports it) and id of `name`.
    pub fn get(&self, name: &str) -> Option<(u32, Oid)> {
        if let (None, Some(from)) = (self.full.get(), &self.kept) {
            if from.kept.sorted() {
                if let Some(found) = find_in_chunks(&from.kept, name.as_bytes()) {
                    return found;
                }
            }
        }
        self.full().get(name.as_bytes())
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match (self.full.get(), &self.kept) {
            (None, Some(from)) => from.kept.entries(),
            _ => self.full().entries.len(),
        }
    }

    /// Every entry: mode (as written), name, id.
    pub fn entries(&self) -> impl Iterator<Item = (u32, &[u8], Oid)> + '_ {
        let full = self.full();
        full.entries
            .iter()
            .map(|e| (e.mode, name_of(&full.bytes, e), id_of(&full.bytes, e)))
    }
}

/// `name` looked up in a sorted kept tree by reading only the chunks that
/// can hold it; None when a chunk is damaged (the caller reads the tree
/// whole, from git if need be).
fn find_in_chunks(kept: &Kept, name: &[u8]) -> Option<Option<(u32, Oid)>> {
    let mut read: Option<(usize, Vec<u8>)> = None;
    for (key, folder) in keys_of(name) {
        let Some(i) = kept.chunk_for(&key) else {
            continue;
        };
        if read.as_ref().is_none_or(|(at, _)| *at != i) {
            read = Some((i, kept.chunk(i)?));
        }
        let (_, bytes) = read.as_ref()?;
        let mut at = 0;
        while at < bytes.len() {
            let e = entry_at(bytes, at)?;
            match key_cmp(bytes, &e, &key) {
                std::cmp::Ordering::Less => at = e.end(),
                std::cmp::Ordering::Equal if is_exactly(bytes, &e, name, folder) => {
                    return Some(Some((normal_mode(e.mode), id_of(bytes, &e))));
                }
                _ => break,
            }
        }
    }
    Some(None)
}

/// The raw object of tree `id`, from git.
fn read_object(repo: &Repository, id: Oid) -> anyhow::Result<Vec<u8>> {
    let odb = repo.odb()?;
    let object = odb.read(id)?;
    if object.kind() != git2::ObjectType::Tree {
        return Err(anyhow::anyhow!("object {id} is not a tree"));
    }
    Ok(object.data().to_vec())
}

/// Keeps tree `id` as `slot` when it is large enough to be worth it.
fn keep(repo: &Repository, slot: &str, id: Oid, full: &Full) {
    if full.bytes.len() >= KEEP_FROM_BYTES {
        kept_tree::save(
            &folder(repo),
            slot,
            id,
            &full.bytes,
            full.infos(),
            full.sorted,
        );
    }
}

/// Tree `id` as an earlier rel kept it (format 1: the facts cache's
/// layout, the raw tree as its one record, checked whole), so that the
/// first command after an upgrade converts it instead of inflating the tree
/// from git again.
fn kept_by_earlier_rel(repo: &Repository, slot: &str, id: Oid) -> Option<Vec<u8>> {
    let folder = folder(repo);
    let part = format!("tree-{slot}");
    if !kept_tree::is_facts_cache_layout(&folder.join(&part)) {
        return None;
    }
    cache::load(&folder, &part).into_payload(id)
}

/// Trees already read by this process, by id.
#[derive(Debug, Default)]
pub struct Trees(std::cell::RefCell<std::collections::HashMap<Oid, Arc<RawTree>>>);

impl Trees {
    /// Tree `id`, read (through the tree cache for `slot`) and indexed once.
    pub fn get(
        &self,
        repo: &Repository,
        id: Oid,
        slot: Option<&str>,
        what: &str,
    ) -> anyhow::Result<Arc<RawTree>> {
        if let Some(tree) = self.0.borrow().get(&id) {
            return Ok(tree.clone());
        }
        let kept = slot.and_then(|s| Some((s, Kept::open(&folder(repo), s, id)?)));
        let tree = match kept {
            Some((slot, kept)) => RawTree {
                full: OnceLock::new(),
                kept: Some(FromKept {
                    kept,
                    git_dir: repo.path().to_path_buf(),
                    id,
                    slot: slot.to_string(),
                }),
            },
            None => {
                let earlier = slot.and_then(|s| kept_by_earlier_rel(repo, s, id));
                let bytes = match earlier {
                    Some(bytes) => bytes,
                    None => read_object(repo, id)?,
                };
                let tree = RawTree::parse(bytes, what)?;
                if let (Some(slot), Some(full)) = (slot, tree.full.get()) {
                    keep(repo, slot, id, full);
                }
                tree
            }
        };
        let tree = Arc::new(tree);
        self.0.borrow_mut().insert(id, tree.clone());
        Ok(tree)
    }

    /// Drops tree `id` from memory: a listing holds its files already, and
    /// 100,000 incidents' listing plus their tree would pass 64 MB.
    pub fn forget(&self, id: Oid) {
        self.0.borrow_mut().remove(&id);
    }
}

#[cfg(test)]
#[path = "raw_tree_tests.rs"]
mod tests;
