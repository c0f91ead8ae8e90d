//! Trees read from their raw objects, and the listing cache of the large
//! ones. The `releases/incidents` tree of a 100,000-incident register is a
//! 4.3 MB object, stored in the pack as a delta; inflating it took most of
//! `rel show` (a release with a handful of incidents). libgit2 would also
//! build an entry per file. rel instead parses the raw object once per
//! process into an index of (name, mode, id), and keeps the raw bytes of
//! its two large folders (`releases`, `releases/incidents`) under
//! `.git/rel/trees-v1/`, keyed by the tree's id.
//!
//! A tree id names its content, so the kept copy never goes stale: a file
//! for another tree (an older commit) is simply not used, and replaced.
//! As the facts cache, it is never trusted over the objects beyond that:
//! a missing, cut, edited or foreign file fails its checksum or its key and
//! the tree is read from git again (`cache::load`). One file per folder,
//! so it stays the size of the current tree.

use std::sync::Arc;

use git2::{Oid, Repository};

use super::cache;

/// Trees smaller than this are read from git every time: inflating them is
/// cheaper than the file (the 1,000-release register's `releases` tree is
/// 44 KB).
const KEEP_FROM_BYTES: usize = 64 << 10;

/// A folder of the tree cache, next to the facts cache.
fn folder(repo: &Repository) -> std::path::PathBuf {
    repo.commondir().join("rel").join("trees-v1")
}

/// One entry of a tree: its mode (as written), name and object id.
#[derive(Debug, Clone, Copy)]
struct Entry {
    mode: u32,
    /// Where the name starts and ends; the id follows the end's NUL.
    name: (u32, u32),
}

/// A tree's raw object with its entries indexed.
#[derive(Debug)]
pub struct RawTree {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    /// In git's order (names compared as if a folder's ended with `/`), as
    /// every tree git writes is: names are then found by binary search.
    sorted: bool,
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

impl RawTree {
    /// Indexes a raw tree object; `what` names it in the error when it is
    /// corrupt.
    pub fn parse(bytes: Vec<u8>, what: &str) -> anyhow::Result<RawTree> {
        let corrupt = || anyhow::anyhow!("{what} is corrupt");
        let mut entries = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            // `<mode in octal> <name>\0<20-byte id>`
            let rest = &bytes[at..];
            let space = rest.iter().position(|&b| b == b' ').ok_or_else(corrupt)?;
            let nul = rest.iter().position(|&b| b == 0).ok_or_else(corrupt)?;
            if nul < space || nul + 21 > rest.len() {
                return Err(corrupt());
            }
            let mode = std::str::from_utf8(&rest[..space])
                .ok()
                .and_then(|m| u32::from_str_radix(m, 8).ok())
                .ok_or_else(corrupt)?;
            let offset = |n: usize| u32::try_from(n).map_err(|_| corrupt());
            entries.push(Entry {
                mode,
                name: (offset(at + space + 1)?, offset(at + nul)?),
            });
            at += nul + 21;
        }
        let mut tree = RawTree {
            bytes,
            entries,
            sorted: true,
        };
        tree.sorted = tree
            .entries
            .windows(2)
            .all(|w| tree.entry_cmp(&w[0], &w[1]).is_lt());
        Ok(tree)
    }

    fn name(&self, e: &Entry) -> &[u8] {
        &self.bytes[e.name.0 as usize..e.name.1 as usize]
    }

    fn id(&self, e: &Entry) -> Oid {
        // 20 bytes, checked when parsed.
        let at = e.name.1 as usize + 1;
        Oid::from_bytes(&self.bytes[at..at + 20]).unwrap_or_else(|_| Oid::zero())
    }

    /// What git appends to a name when sorting: `/` for a folder.
    fn suffix(e: &Entry) -> &'static [u8] {
        if e.mode & 0o170000 == 0o040000 {
            b"/"
        } else {
            b""
        }
    }

    fn key_cmp(&self, e: &Entry, key: &[u8]) -> std::cmp::Ordering {
        self.name(e).iter().chain(Self::suffix(e)).cmp(key.iter())
    }

    fn entry_cmp(&self, a: &Entry, b: &Entry) -> std::cmp::Ordering {
        let b_key = self.name(b).iter().chain(Self::suffix(b));
        self.name(a).iter().chain(Self::suffix(a)).cmp(b_key)
    }

    /// The mode (as libgit2 reports it) and id of `name`.
    pub fn get(&self, name: &str) -> Option<(u32, Oid)> {
        let found = if self.sorted {
            // A file sorts as `name`, a folder as `name/`.
            let file = name.as_bytes().to_vec();
            let mut folder = file.clone();
            folder.push(b'/');
            [file, folder].iter().find_map(|key| {
                let at = self
                    .entries
                    .partition_point(|e| self.key_cmp(e, key).is_lt());
                self.entries
                    .get(at)
                    .filter(|e| self.key_cmp(e, key).is_eq())
            })
        } else {
            self.entries
                .iter()
                .find(|e| self.name(e) == name.as_bytes())
        }?;
        Some((normal_mode(found.mode), self.id(found)))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Every entry: mode (as written), name, id.
    pub fn entries(&self) -> impl Iterator<Item = (u32, &[u8], Oid)> + '_ {
        self.entries
            .iter()
            .map(|e| (e.mode, self.name(e), self.id(e)))
    }
}

/// The raw object of tree `id`. `slot` names the folder when it is one of
/// the large ones kept in the tree cache (`releases`, `incidents`); the
/// kept copy is used when it is this tree's, and written when it was not.
pub fn read(repo: &Repository, id: Oid, slot: Option<&str>) -> anyhow::Result<Vec<u8>> {
    let part = slot.map(|s| format!("tree-{s}"));
    if let Some(part) = &part {
        if let Some(bytes) = cache::load(&folder(repo), part).into_payload(id) {
            return Ok(bytes);
        }
    }
    let odb = repo.odb()?;
    let object = odb.read(id)?;
    if object.kind() != git2::ObjectType::Tree {
        return Err(anyhow::anyhow!("object {id} is not a tree"));
    }
    let bytes = object.data().to_vec();
    if let Some(part) = &part {
        if bytes.len() >= KEEP_FROM_BYTES {
            cache::save(&folder(repo), part, std::iter::once((id, bytes.as_slice())));
        }
    }
    Ok(bytes)
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
        let tree = Arc::new(RawTree::parse(read(repo, id, slot)?, what)?);
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
mod tests {
    use super::*;

    fn tree_of(entries: &[(&str, &str)]) -> RawTree {
        let mut bytes = Vec::new();
        for (i, (mode, name)) in entries.iter().enumerate() {
            bytes.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            bytes.extend_from_slice(&[i as u8 + 1; 20]);
        }
        RawTree::parse(bytes, "test tree").expect("parses")
    }

    #[test]
    fn names_are_found_in_gits_order_and_out_of_it() {
        // git's order: `a-b` < `a/` (folder a) < `a0`.
        let sorted = tree_of(&[("100644", "a-b"), ("40000", "a"), ("100664", "a0")]);
        assert!(sorted.sorted);
        assert_eq!(sorted.get("a").map(|(m, _)| m), Some(0o40000));
        assert_eq!(sorted.get("a0").map(|(m, _)| m), Some(0o100644));
        assert_eq!(sorted.get("a-b").map(|(_, id)| id.as_bytes()[0]), Some(1));
        assert!(sorted.get("b").is_none());
        let unsorted = tree_of(&[("100644", "b"), ("100755", "a")]);
        assert!(!unsorted.sorted);
        assert_eq!(unsorted.get("a").map(|(m, _)| m), Some(0o100755));
        assert!(RawTree::parse(b"100644 cut\0abc".to_vec(), "t").is_err());
        assert!(RawTree::parse(b"1x0644 a\0aaaaaaaaaaaaaaaaaaaa".to_vec(), "t").is_err());
    }
}
