//! Trees read from their raw objects. A large tree (the register, a year
//! of the archive) is parsed once per process into an index of (name,
//! mode, id) instead of libgit2 building an entry per file. Nothing is kept
//! between commands: a tree id names its content, and git's objects are
//! the only place a tree is read from.
//!
//! A name found is always that name: a look-up compares the whole name of
//! the entry it returns. A tree out of git's order (git never writes one; a
//! hand-made object can be) is searched entry by entry.

use std::sync::Arc;

use git2::{Oid, Repository};

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
#[derive(Debug)]
struct Full {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    /// In git's order (names compared as if a folder's ended with `/`), as
    /// every tree git writes is: names are then found by binary search.
    sorted: bool,
}

impl Full {
    /// Indexes a raw tree. None when it is corrupt.
    fn parse(bytes: Vec<u8>) -> Option<Full> {
        let mut entries = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let e = entry_at(&bytes, at)?;
            at = e.end();
            entries.push(e);
        }
        let sorted = entries
            .windows(2)
            .all(|w| entry_cmp(&bytes, &w[0], &w[1]).is_lt());
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
}

/// A tree's raw object with its entries indexed.
#[derive(Debug)]
pub struct RawTree {
    full: Full,
}

impl RawTree {
    /// Indexes a raw tree object; `what` names it in the error when it is
    /// corrupt.
    pub fn parse(bytes: Vec<u8>, what: &str) -> anyhow::Result<RawTree> {
        let full = Full::parse(bytes).ok_or_else(|| anyhow::anyhow!("{what} is corrupt"))?;
        Ok(RawTree { full })
    }

    /// The mode (as libgit2 reports it) and id of `name`.
    pub fn get(&self, name: &str) -> Option<(u32, Oid)> {
        self.full.get(name.as_bytes())
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.full.entries.len()
    }

    /// Every entry: mode (as written), name, id.
    pub fn entries(&self) -> impl Iterator<Item = (u32, &[u8], Oid)> + '_ {
        let full = &self.full;
        full.entries
            .iter()
            .map(|e| (e.mode, name_of(&full.bytes, e), id_of(&full.bytes, e)))
    }
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

/// Trees already read by this process, by id.
#[derive(Debug, Default)]
pub struct Trees(std::cell::RefCell<std::collections::HashMap<Oid, Arc<RawTree>>>);

impl Trees {
    /// Tree `id`, read from git and indexed once.
    pub fn get(&self, repo: &Repository, id: Oid, what: &str) -> anyhow::Result<Arc<RawTree>> {
        if let Some(tree) = self.0.borrow().get(&id) {
            return Ok(tree.clone());
        }
        let tree = Arc::new(RawTree::parse(read_object(repo, id)?, what)?);
        self.0.borrow_mut().insert(id, tree.clone());
        Ok(tree)
    }

    /// Drops tree `id` from memory: a listing holds its files already, and
    /// a large listing plus its tree would hold the names twice.
    pub fn forget(&self, id: Oid) {
        self.0.borrow_mut().remove(&id);
    }
}

#[cfg(test)]
#[path = "raw_tree_tests.rs"]
mod tests;
