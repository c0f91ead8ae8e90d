//! git's index file (`.git/index`, gitformat-index(5)) patched as bytes:
//! entries replaced or added for a few paths, everything else copied as it
//! is. libgit2 reads and writes the whole index through its own structures,
//! twice as slow as `git restore` on 110,000 entries; a patch of the bytes
//! copies them once and hashes them once.
//!
//! Only what is certainly understood is patched: versions 2 and 3, no
//! conflict, and extensions known here: the cache tree (TREE, invalidated
//! along the paths patched, as git does), resolve-undo (REUC, kept), and
//! those git rebuilds when absent and that a patch would make wrong (UNTR,
//! FSMN, EOIE, IEOT: dropped). Anything else (version 4, a split or sparse
//! index, an extension not known) is `None`: git does it.

use sha1::{Digest, Sha1};

/// An entry's extended flag: outside a sparse checkout.
const SKIP_WORKTREE: u16 = 1 << 14;
/// The entry has extended flags (version 3).
const EXTENDED: u16 = 0x4000;
const NAME_MASK: u16 = 0x0fff;

/// A parsed index: where each entry and extension lies in `bytes`.
pub struct IndexFile<'a> {
    bytes: &'a [u8],
    /// Each entry: its bytes, its path.
    entries: Vec<(&'a [u8], &'a [u8])>,
    /// Each extension kept: its signature, its data.
    extensions: Vec<(&'a [u8], &'a [u8])>,
}

/// The stat and blob of a file just written, for its entry.
pub struct NewEntry {
    pub path: Vec<u8>,
    pub ctime: (u32, u32),
    pub mtime: (u32, u32),
    pub dev: u32,
    pub ino: u32,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u32,
    pub id: [u8; 20],
}

impl NewEntry {
    /// The entry of a regular file just written at `path` (in the work
    /// tree) holding blob `id`: its stat, 32 bits of each as git keeps them.
    pub fn of_file(path: &str, id: git2::Oid, meta: &std::fs::Metadata) -> NewEntry {
        use std::os::unix::fs::MetadataExt;
        let mut raw = [0u8; 20];
        raw.copy_from_slice(id.as_bytes());
        NewEntry {
            path: path.as_bytes().to_vec(),
            ctime: (meta.ctime() as u32, meta.ctime_nsec() as u32),
            mtime: (meta.mtime() as u32, meta.mtime_nsec() as u32),
            dev: meta.dev() as u32,
            ino: meta.ino() as u32,
            mode: 0o100644,
            uid: meta.uid(),
            gid: meta.gid(),
            size: meta.len() as u32,
            id: raw,
        }
    }
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

impl<'a> IndexFile<'a> {
    /// Parses `bytes`; None when it is not an index patched here.
    pub fn parse(bytes: &'a [u8]) -> Option<IndexFile<'a>> {
        if bytes.len() < 12 + 20 || &bytes[..4] != b"DIRC" {
            return None;
        }
        let version = be32(bytes, 4)?;
        if version != 2 && version != 3 {
            return None;
        }
        let count = be32(bytes, 8)? as usize;
        let end = bytes.len() - 20;
        let mut at = 12;
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            let flags = be16(bytes, at + 60)?;
            if (flags >> 12) & 3 != 0 {
                return None; // a conflict
            }
            let extended = flags & EXTENDED != 0;
            if extended && version < 3 {
                return None;
            }
            let name_at = at + 62 + if extended { 2 } else { 0 };
            let rest = bytes.get(name_at..end)?;
            let len = rest.iter().position(|b| *b == 0)?;
            if (flags & NAME_MASK) != NAME_MASK && usize::from(flags & NAME_MASK) != len {
                return None;
            }
            let size = (name_at - at + len + 8) & !7;
            let entry = bytes.get(at..at + size)?;
            entries.push((entry, &rest[..len]));
            at += size;
            if at > end {
                return None;
            }
        }
        let mut extensions = Vec::new();
        while at < end {
            let signature = bytes.get(at..at + 4)?;
            let size = be32(bytes, at + 4)? as usize;
            let data = bytes.get(at + 8..(at + 8).checked_add(size)?)?;
            if at + 8 + size > end {
                return None;
            }
            match signature {
                b"TREE" | b"REUC" => extensions.push((signature, data)),
                b"UNTR" | b"FSMN" | b"EOIE" | b"IEOT" => {}
                _ => return None,
            }
            at += 8 + size;
        }
        Some(IndexFile {
            bytes,
            entries,
            extensions,
        })
    }

    /// Whether `path` may be given a new entry: not outside a sparse
    /// checkout.
    pub fn may_replace(&self, path: &[u8]) -> bool {
        match self.entries.binary_search_by(|(_, p)| (*p).cmp(path)) {
            Ok(i) => {
                let entry = self.entries[i].0;
                let flags = be16(entry, 60).unwrap_or(0);
                flags & EXTENDED == 0 || be16(entry, 62).unwrap_or(0) & SKIP_WORKTREE == 0
            }
            Err(_) => true,
        }
    }

    /// The index with `new` (sorted by path, distinct) in place of the
    /// entries of their paths. Other entries of files modified in or after
    /// the second `racy_since` (the old index's time) are "racily clean":
    /// as git does when it writes an index, each is compared with its file
    /// (`unchanged`: path, blob id) and marked for git to look at again
    /// (size 0) when they differ; a link or submodule is marked unlooked.
    pub fn with(
        &self,
        new: &[NewEntry],
        racy_since: u32,
        unchanged: impl Fn(&[u8], &[u8]) -> bool,
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes.len() + new.len() * 128);
        out.extend_from_slice(&self.bytes[..8]);
        let mut count = 0u32;
        out.extend_from_slice(&[0; 4]);
        let mut ours = new.iter().peekable();
        for (entry, path) in &self.entries {
            while let Some(n) = ours.next_if(|n| n.path.as_slice() < *path) {
                push_new(&mut out, n);
                count += 1;
            }
            if ours
                .next_if(|n| n.path.as_slice() == *path)
                .is_some_and(|n| {
                    push_new(&mut out, n);
                    true
                })
            {
                count += 1;
                continue;
            }
            let start = out.len();
            out.extend_from_slice(entry);
            let mode = be32(entry, 24).unwrap_or(0);
            let mtime = be32(entry, 8).unwrap_or(0);
            let size = be32(entry, 36).unwrap_or(0);
            if mode != 0o160000 && size != 0 && mtime >= racy_since {
                let plain = mode == 0o100644 || mode == 0o100755;
                if !plain || !unchanged(path, &entry[40..60]) {
                    out[start + 36..start + 40].copy_from_slice(&[0; 4]);
                }
            }
            count += 1;
        }
        for n in ours {
            push_new(&mut out, n);
            count += 1;
        }
        out[8..12].copy_from_slice(&count.to_be_bytes());
        let paths: Vec<&[u8]> = new.iter().map(|n| n.path.as_slice()).collect();
        for (signature, data) in &self.extensions {
            let data = if *signature == b"TREE" {
                match invalidated_tree(data, &paths) {
                    Some(d) => d,
                    None => continue, // not understood: dropped, git rebuilds it
                }
            } else {
                data.to_vec()
            };
            out.extend_from_slice(signature);
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            out.extend_from_slice(&data);
        }
        let hash = Sha1::digest(&out);
        out.extend_from_slice(&hash);
        out
    }
}

/// Appends `n` as a version 2 entry (no extended flags).
fn push_new(out: &mut Vec<u8>, n: &NewEntry) {
    let start = out.len();
    for v in [
        n.ctime.0, n.ctime.1, n.mtime.0, n.mtime.1, n.dev, n.ino, n.mode, n.uid, n.gid, n.size,
    ] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(&n.id);
    let flags = n.path.len().min(usize::from(NAME_MASK)) as u16;
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(&n.path);
    let size = (62 + n.path.len() + 8) & !7;
    out.resize(start + size, 0);
}

/// A node of the cache tree: a folder, the entries below it (-1: not
/// known), its sub-folders, its tree id when known.
struct Node<'a> {
    name: &'a [u8],
    count: i64,
    subtrees: Vec<Node<'a>>,
    id: Option<&'a [u8]>,
}

fn parse_node<'a>(data: &'a [u8], at: &mut usize) -> Option<Node<'a>> {
    let rest = data.get(*at..)?;
    let nul = rest.iter().position(|b| *b == 0)?;
    let name = &rest[..nul];
    let line_end = rest[nul..].iter().position(|b| *b == b'\n')? + nul;
    let line = std::str::from_utf8(&rest[nul + 1..line_end]).ok()?;
    let (count, subs) = line.split_once(' ')?;
    let count: i64 = count.parse().ok()?;
    let subs: usize = subs.parse().ok()?;
    *at += line_end + 1;
    let id = if count >= 0 {
        let id = data.get(*at..*at + 20)?;
        *at += 20;
        Some(id)
    } else {
        None
    };
    let mut subtrees = Vec::with_capacity(subs.min(1024));
    for _ in 0..subs {
        subtrees.push(parse_node(data, at)?);
    }
    Some(Node {
        name,
        count,
        subtrees,
        id,
    })
}

fn invalidate(node: &mut Node, path: &[u8]) {
    node.count = -1;
    node.id = None;
    if let Some(slash) = path.iter().position(|b| *b == b'/') {
        let (dir, rest) = (&path[..slash], &path[slash + 1..]);
        if let Some(sub) = node.subtrees.iter_mut().find(|s| s.name == dir) {
            invalidate(sub, rest);
        }
    }
}

fn write_node(node: &Node, out: &mut Vec<u8>) {
    out.extend_from_slice(node.name);
    out.push(0);
    out.extend_from_slice(format!("{} {}\n", node.count, node.subtrees.len()).as_bytes());
    if let Some(id) = node.id {
        out.extend_from_slice(id);
    }
    for sub in &node.subtrees {
        write_node(sub, out);
    }
}

/// The cache tree with every folder above `paths` invalidated; None when
/// it does not parse.
fn invalidated_tree(data: &[u8], paths: &[&[u8]]) -> Option<Vec<u8>> {
    if data.is_empty() {
        return Some(Vec::new());
    }
    let mut at = 0;
    let mut root = parse_node(data, &mut at)?;
    if at != data.len() {
        return None;
    }
    for path in paths {
        invalidate(&mut root, path);
    }
    let mut out = Vec::with_capacity(data.len());
    write_node(&root, &mut out);
    Some(out)
}

#[cfg(test)]
#[path = "index_file_tests.rs"]
mod tests;
