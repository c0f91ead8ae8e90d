//! git's index file (`.git/index`, gitformat-index(5)) patched as bytes:
//! entries replaced or added for a few paths, everything else copied as it
//! is. libgit2 reads and writes the whole index through its own structures,
//! twice as slow as `git restore` on 110,000 entries; a patch of the bytes
//! copies them once and hashes them once.
//!
//! The index is streamed, never held: a first pass checks it is one
//! patched here and keeps only the entries asked about, a second copies it
//! into git's lock file with the patch and a running checksum. A 12 MB
//! index (100,000 files) costs a write a 64 KB buffer, not 24 MB.
//!
//! Only what is certainly understood is patched: versions 2 and 3, no
//! conflict, and extensions known here: the cache tree (TREE, invalidated
//! along the paths patched, as git does), resolve-undo (REUC, kept), and
//! those git rebuilds when absent and that a patch would make wrong (UNTR,
//! FSMN, EOIE, IEOT: dropped), and the sparse index's marker (sdir, kept:
//! its folders kept as one entry are copied as they are, and no path under
//! one is patched). Anything else (version 4, a split index, an extension
//! not known) is `None`: git does it.

use std::io::{BufRead, BufReader, Read, Write};

use sha1::{Digest, Sha1};

use super::index_tree::invalidated_tree;

/// An entry's extended flag: outside a sparse checkout.
const SKIP_WORKTREE: u16 = 1 << 14;
/// The entry has extended flags (version 3).
const EXTENDED: u16 = 0x4000;
/// The entry is marked "assume unchanged".
const ASSUME_VALID: u16 = 0x8000;
/// An entry's extended flag: added with `git add --intent-to-add`.
const INTENT_TO_ADD: u16 = 1 << 13;
const NAME_MASK: u16 = 0x0fff;
/// A path longer than this is not one of rel's: the index is left to git.
const LONGEST_PATH: u64 = 4096;
/// The read buffer of a pass over the index.
const BUFFER: usize = 64 * 1024;

/// What a pass over an index found: that it is one patched here, how
/// many entries it has, the entries of the paths asked about, and the
/// extensions kept.
pub struct IndexFile {
    version: u32,
    count: u32,
    /// The entries of the paths asked about, in index order: (path, the
    /// entry's bytes).
    found: Vec<(Vec<u8>, Vec<u8>)>,
    /// The paths asked under a folder the sparse index keeps as one entry.
    covered: Vec<Vec<u8>>,
    /// Each extension kept: its signature, its data.
    extensions: Vec<([u8; 4], Vec<u8>)>,
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

/// One entry of the index as it lies in the file.
pub struct Entry<'a> {
    bytes: &'a [u8],
}

impl<'a> Entry<'a> {
    /// The entry whose bytes (as `entries_of` found them) are `bytes`.
    pub fn of(bytes: &'a [u8]) -> Entry<'a> {
        Entry { bytes }
    }

    /// The blob id staged.
    pub fn id(&self) -> &[u8] {
        &self.bytes[40..60]
    }

    pub fn mode(&self) -> u32 {
        be32(self.bytes, 24).unwrap_or(0)
    }

    /// 0, or the side of a conflict.
    pub fn stage(&self) -> u16 {
        (self.flags() >> 12) & 3
    }

    /// Marked "assume unchanged", "skip worktree" or "intent to add": git
    /// treats its file otherwise.
    pub fn marked(&self) -> bool {
        let flags = self.flags();
        let extended = if flags & EXTENDED != 0 {
            be16(self.bytes, 62).unwrap_or(0)
        } else {
            0
        };
        flags & ASSUME_VALID != 0 || extended & (SKIP_WORKTREE | INTENT_TO_ADD) != 0
    }

    fn flags(&self) -> u16 {
        be16(self.bytes, 60).unwrap_or(0)
    }
}

/// The entries of an index read in order from a stream.
struct Entries<R> {
    from: R,
    version: u32,
    left: u32,
    /// Bytes read so far, the header's included.
    read: u64,
}

impl<R: BufRead> Entries<R> {
    /// Reads the header; None when it is not an index of version 2 or 3.
    fn start(mut from: R) -> Option<(Entries<R>, u32)> {
        let mut header = [0u8; 12];
        from.read_exact(&mut header).ok()?;
        if &header[..4] != b"DIRC" {
            return None;
        }
        let version = be32(&header, 4)?;
        if version != 2 && version != 3 {
            return None;
        }
        let count = be32(&header, 8)?;
        Some((
            Entries {
                from,
                version,
                left: count,
                read: 12,
            },
            count,
        ))
    }

    /// The next entry's bytes into `buf`; its path is `buf[range]`.
    /// Some(None) after the last entry; None when it does not parse.
    fn next(&mut self, buf: &mut Vec<u8>) -> Option<Option<std::ops::Range<usize>>> {
        if self.left == 0 {
            return Some(None);
        }
        self.left -= 1;
        buf.clear();
        buf.resize(62, 0);
        self.from.read_exact(buf).ok()?;
        let flags = be16(buf, 60)?;
        let extended = flags & EXTENDED != 0;
        if extended {
            if self.version < 3 {
                return None;
            }
            buf.resize(64, 0);
            self.from.read_exact(&mut buf[62..]).ok()?;
        }
        let name_at = buf.len();
        (&mut self.from)
            .take(LONGEST_PATH + 1)
            .read_until(0, buf)
            .ok()?;
        if buf.last() != Some(&0) {
            return None;
        }
        let len = buf.len() - name_at - 1;
        if (flags & NAME_MASK) != NAME_MASK && usize::from(flags & NAME_MASK) != len {
            return None;
        }
        // NUL-padded to a multiple of eight, one NUL at least.
        let size = (name_at + len + 8) & !7;
        let padded_from = buf.len();
        buf.resize(size, 0);
        self.from.read_exact(&mut buf[padded_from..]).ok()?;
        self.read += size as u64;
        Some(Some(name_at..name_at + len))
    }
}

impl IndexFile {
    /// Reads the index of `len` bytes from `from` in one pass, keeping the
    /// entries of `asked` (any order). None: not an index patched here.
    pub fn read(from: impl Read, len: u64, asked: &[&[u8]]) -> Option<IndexFile> {
        let (mut entries, count) = Entries::start(BufReader::with_capacity(BUFFER, from))?;
        let end = len.checked_sub(20)?;
        let mut asked = asked.to_vec();
        asked.sort_unstable();
        let mut found = Vec::new();
        let mut covered = Vec::new();
        let mut buf = Vec::with_capacity(256);
        while let Some(path) = entries.next(&mut buf)? {
            if be16(&buf, 60)? >> 12 & 3 != 0 {
                return None; // a conflict
            }
            if asked.binary_search(&&buf[path.clone()]).is_ok() {
                found.push((buf[path.clone()].to_vec(), buf.clone()));
            }
            // A folder the sparse index keeps as one entry (`dir/`).
            if be32(&buf, 24)? == 0o040000 {
                let dir = &buf[path];
                covered.extend(
                    asked
                        .iter()
                        .filter(|p| p.starts_with(dir))
                        .map(|p| p.to_vec()),
                );
            }
            if entries.read > end {
                return None;
            }
        }
        let version = entries.version;
        let mut from = entries.from;
        let mut at = entries.read;
        let mut extensions = Vec::new();
        while at < end {
            let mut header = [0u8; 8];
            from.read_exact(&mut header).ok()?;
            let signature: [u8; 4] = header[..4].try_into().ok()?;
            let size = u64::from(be32(&header, 4)?);
            at += 8 + size;
            if at > end {
                return None;
            }
            let mut data = (&mut from).take(size);
            match &signature {
                // sdir: the index is sparse (an empty marker).
                b"TREE" | b"REUC" | b"sdir" => {
                    let mut kept = Vec::new();
                    data.read_to_end(&mut kept).ok()?;
                    extensions.push((signature, kept));
                }
                b"UNTR" | b"FSMN" | b"EOIE" | b"IEOT" => {
                    std::io::copy(&mut data, &mut std::io::sink()).ok()?;
                }
                _ => return None,
            }
        }
        Some(IndexFile {
            version,
            count,
            found,
            covered,
            extensions,
        })
    }

    /// The entries of `asked` (any order) in the index read from `from`,
    /// reading no further than the last of them. None: not an index read
    /// here (a version 4 one, say).
    pub fn entries_of(from: impl Read, asked: &[&[u8]]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
        let (mut entries, _) = Entries::start(BufReader::with_capacity(BUFFER, from))?;
        let mut asked = asked.to_vec();
        asked.sort_unstable();
        let last = *asked.last()?;
        let mut found = Vec::new();
        let mut buf = Vec::with_capacity(256);
        while let Some(path) = entries.next(&mut buf)? {
            let path = &buf[path];
            if path > last {
                break;
            }
            if asked.binary_search(&path).is_ok() {
                found.push((path.to_vec(), buf.clone()));
            }
        }
        Some(found)
    }

    /// The entry of `path` found by `read`.
    pub fn entry(&self, path: &[u8]) -> Option<Entry<'_>> {
        self.found
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, bytes)| Entry::of(bytes))
    }

    /// Whether `path` may be given a new entry: not outside a sparse
    /// checkout (marked skip-worktree, or under a folder the sparse index
    /// keeps as one entry).
    pub fn may_replace(&self, path: &[u8]) -> bool {
        !self.covered.iter().any(|c| c == path)
            && self.entry(path).is_none_or(|e| {
                e.flags() & EXTENDED == 0 || be16(e.bytes, 62).unwrap_or(0) & SKIP_WORKTREE == 0
            })
    }

    /// Copies the index (read again from `from`, the same bytes `read`
    /// read) into `to` with `new` (sorted by path, distinct, each among
    /// the paths `read` was asked about) in place of the entries of their
    /// paths, and the checksum. Other entries of files modified in or
    /// after the second `racy_since` (the old index's time) are "racily
    /// clean": as git does when it writes an index, each is compared with
    /// its file (`unchanged`: path, blob id) and marked for git to look at
    /// again (size 0) when they differ; a link or submodule is marked
    /// unlooked. None when the bytes are not those `read` read.
    pub fn write_patched(
        &self,
        from: impl Read,
        to: impl Write,
        new: &[NewEntry],
        racy_since: u32,
        unchanged: impl Fn(&[u8], &[u8]) -> bool,
    ) -> std::io::Result<Option<()>> {
        let Some((mut entries, count)) = Entries::start(BufReader::with_capacity(BUFFER, from))
        else {
            return Ok(None);
        };
        if count != self.count || entries.version != self.version {
            return Ok(None);
        }
        let added = new.iter().filter(|n| self.entry(&n.path).is_none()).count();
        let Some(total) = u32::try_from(added)
            .ok()
            .and_then(|added| self.count.checked_add(added))
        else {
            return Ok(None);
        };
        let mut out = Hashing {
            to: std::io::BufWriter::with_capacity(BUFFER, to),
            hash: Sha1::new(),
        };
        out.write_all(b"DIRC")?;
        out.write_all(&self.version.to_be_bytes())?;
        out.write_all(&total.to_be_bytes())?;
        let mut ours = new.iter().peekable();
        let mut buf = Vec::with_capacity(256);
        loop {
            let Some(next) = entries.next(&mut buf) else {
                return Ok(None);
            };
            let Some(path) = next else { break };
            let path = &buf[path];
            while let Some(n) = ours.next_if(|n| n.path.as_slice() < path) {
                push_new(&mut out, n)?;
            }
            if let Some(n) = ours.next_if(|n| n.path.as_slice() == path) {
                push_new(&mut out, n)?;
                continue;
            }
            let mode = be32(&buf, 24).unwrap_or(0);
            let mtime = be32(&buf, 8).unwrap_or(0);
            let size = be32(&buf, 36).unwrap_or(0);
            if mode != 0o160000 && mode != 0o040000 && size != 0 && mtime >= racy_since {
                let plain = mode == 0o100644 || mode == 0o100755;
                if !plain || !unchanged(path, &buf[40..60]) {
                    buf[36..40].copy_from_slice(&[0; 4]);
                }
            }
            out.write_all(&buf)?;
        }
        for n in ours {
            push_new(&mut out, n)?;
        }
        let paths: Vec<&[u8]> = new.iter().map(|n| n.path.as_slice()).collect();
        for (signature, data) in &self.extensions {
            let invalidated;
            let data = if signature == b"TREE" {
                match invalidated_tree(data, &paths) {
                    Some(d) => {
                        invalidated = d;
                        &invalidated
                    }
                    None => continue, // not understood: dropped, git rebuilds it
                }
            } else {
                data
            };
            out.write_all(signature)?;
            out.write_all(&(data.len() as u32).to_be_bytes())?;
            out.write_all(data)?;
        }
        let hash = out.hash.finalize();
        out.to.write_all(&hash)?;
        out.to.flush()?;
        Ok(Some(()))
    }
}

/// A writer that hashes what it writes: the index's trailing checksum.
struct Hashing<W: Write> {
    to: W,
    hash: Sha1,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.to.write(bytes)?;
        self.hash.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.to.flush()
    }
}

/// Appends `n` as a version 2 entry (no extended flags).
fn push_new(out: &mut impl Write, n: &NewEntry) -> std::io::Result<()> {
    let mut entry = Vec::with_capacity(64 + n.path.len() + 8);
    for v in [
        n.ctime.0, n.ctime.1, n.mtime.0, n.mtime.1, n.dev, n.ino, n.mode, n.uid, n.gid, n.size,
    ] {
        entry.extend_from_slice(&v.to_be_bytes());
    }
    entry.extend_from_slice(&n.id);
    let flags = n.path.len().min(usize::from(NAME_MASK)) as u16;
    entry.extend_from_slice(&flags.to_be_bytes());
    entry.extend_from_slice(&n.path);
    entry.resize((62 + n.path.len() + 8) & !7, 0);
    out.write_all(&entry)
}

#[cfg(test)]
#[path = "index_file_tests.rs"]
mod tests;
