//! The file a large tree is kept in (`.git/rel/trees-v1/tree-<slot>`),
//! laid out so that one name is looked up by reading a few kilobytes,
//! whatever the size of the tree: `rel show` of a release with a handful of
//! incidents no longer reads, checks and indexes the whole 4.3 MB
//! `releases/incidents` tree of a 100,000-incident register.
//!
//! ```text
//! header   magic, format, rel version, slot, tree id, raw length, entries,
//!          chunks, keys length, sorted flag; its checksum
//! index    per chunk: start in the raw tree (u32), start of its first key
//!          (u32), checksum of its bytes (u64); then the keys; its checksum
//! raw      the tree object exactly as git stores it
//! ```
//!
//! The raw tree is cut, at entry boundaries, into chunks of about 4 KB. A
//! chunk's key is its first entry's name as git sorts it (a folder's with
//! `/` appended). A look-up reads the header and index once per process
//! (about 33 KB for 100,000 entries), finds by binary search the one chunk
//! that can hold the name, and reads and checks only that chunk.
//!
//! Nothing is trusted beyond its own checksum: the header's and the
//! index's are checked on opening, and the file's length against the one
//! they give (a cut file is refused at once); each chunk is checked when it
//! is read. Every checksum is seeded with the tree id and the chunk's
//! number, so a chunk of another tree or from another place does not pass.
//! A missing, cut, edited or foreign file (another format, another rel
//! version, another slot or tree) is not used and the tree is read from git
//! again, as before; the checksums catch damage, they are no defence
//! against someone who can write `.git` (who could as well rewrite the
//! commits). The file is only ever replaced by a rename, and a process reads
//! through the one descriptor it opened, so a file replaced meanwhile never
//! mixes into its reads.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::Path;

use git2::Oid;

const MAGIC: &[u8] = b"rel kept tree\n";
/// Bumped whenever the layout changes (format 1 was the facts cache's
/// layout with the whole tree as one record).
const FORMAT: u32 = 2;
/// Size from which a chunk is closed: one look-up reads and checks about
/// this much of the tree.
const CHUNK_BYTES: usize = 4096;
/// The first read on opening: the header and, up to about 200,000
/// entries, the whole index in one system call.
const FIRST_READ: usize = 64 << 10;
/// One chunk's record in the index: start, key start, checksum.
const RECORD: usize = 16;

/// A kept tree, opened: its header and index read and checked, its chunks
/// read on demand.
#[derive(Debug)]
pub struct Kept {
    file: File,
    /// The chunk records, then the keys.
    index: Vec<u8>,
    chunks: usize,
    raw_at: u64,
    raw_len: usize,
    entries: usize,
    sorted: bool,
    seed: u64,
}

/// One entry of the tree, as [`save`] needs it.
pub struct EntryInfo<'a> {
    /// Where the entry starts in the raw tree.
    pub start: usize,
    pub name: &'a [u8],
    pub folder: bool,
}

fn file_name(slot: &str) -> String {
    format!("tree-{slot}")
}

/// The header up to its checksum, for tree `id` in `slot`.
fn header(slot: &str, id: Oid, counts: [u32; 4], sorted: bool) -> Vec<u8> {
    let mut h = MAGIC.to_vec();
    h.extend_from_slice(&FORMAT.to_le_bytes());
    for text in [env!("CARGO_PKG_VERSION"), slot] {
        h.push(text.len().min(255) as u8);
        h.extend_from_slice(&text.as_bytes()[..text.len().min(255)]);
    }
    h.extend_from_slice(id.as_bytes());
    for n in counts {
        h.extend_from_slice(&n.to_le_bytes());
    }
    h.push(u8::from(sorted));
    h
}

fn seed_of(id: Oid) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&id.as_bytes()[..8]);
    u64::from_le_bytes(b)
}

/// Seeds of the header's, the index's and chunk `i`'s checksums.
fn header_seed(seed: u64) -> u64 {
    seed
}
fn index_seed(seed: u64) -> u64 {
    seed ^ 0x5bd1_e995_5bd1_e995
}
fn chunk_seed(seed: u64, i: usize) -> u64 {
    seed ^ (i as u64 + 1).wrapping_mul(0xff51_afd7_ed55_8ccd)
}

/// A fast seeded 64-bit checksum (words mixed by multiply and rotate), to
/// notice a cut, edited or misplaced part; not a cryptographic hash.
fn checksum(seed: u64, bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed ^ (bytes.len() as u64).wrapping_mul(K);
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(word))
            .wrapping_mul(K)
            .rotate_left(29);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(29);
    }
    h ^ (h >> 32)
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(b.try_into().ok()?))
}

/// Reads from `at` until `buf` is full or the file ends; the count read.
fn read_at_most(file: &File, buf: &mut [u8], at: u64) -> Option<usize> {
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], at + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(done)
}

fn read_exact(file: &File, len: usize, at: u64) -> Option<Vec<u8>> {
    let mut buf = vec![0; len];
    file.read_exact_at(&mut buf, at).ok()?;
    Some(buf)
}

impl Kept {
    /// The kept file of `slot` when it holds tree `id` and its header and
    /// index are whole; None otherwise (missing, cut, damaged, foreign).
    pub fn open(folder: &Path, slot: &str, id: Oid) -> Option<Kept> {
        let file = super::cache::open_plain(&folder.join(file_name(slot)))?;
        let mut buf = vec![0; FIRST_READ];
        let n = read_at_most(&file, &mut buf, 0)?;
        buf.truncate(n);
        let seed = seed_of(id);
        let expected = header(slot, id, [0; 4], false);
        // Everything before the counts and the flag must be as expected.
        let fixed = expected.len() - 17;
        let header_len = expected.len();
        if buf.get(..fixed)? != &expected[..fixed] {
            return None;
        }
        let header_bytes = buf.get(..header_len)?;
        if u64_at(&buf, header_len)? != checksum(header_seed(seed), header_bytes) {
            return None;
        }
        let count = |k: usize| u32_at(&buf, fixed + 4 * k);
        let (raw_len, entries, chunks, keys_len) = (count(0)?, count(1)?, count(2)?, count(3)?);
        let sorted = match buf.get(header_len - 1)? {
            0 => false,
            1 => true,
            _ => return None,
        };
        let index_at = header_len + 8;
        let index_len = chunks.checked_mul(RECORD)?.checked_add(keys_len)?;
        let index_end = index_at.checked_add(index_len)?;
        let raw_at = index_end.checked_add(8)?;
        let total = raw_at.checked_add(raw_len)?;
        // A cut or grown file is refused before anything else is read.
        if file.metadata().ok()?.len() != total as u64 {
            return None;
        }
        if buf.len() < raw_at {
            let rest = read_exact(&file, raw_at - buf.len(), buf.len() as u64)?;
            buf.extend_from_slice(&rest);
        }
        let index = buf.get(index_at..index_end)?;
        if u64_at(&buf, index_end)? != checksum(index_seed(seed), index) {
            return None;
        }
        let kept = Kept {
            index: index.to_vec(),
            file,
            chunks,
            raw_at: raw_at as u64,
            raw_len,
            entries,
            sorted,
            seed,
        };
        kept.table_is_whole().then_some(kept)
    }

    /// Chunk starts and key starts increase and stay in bounds (the index
    /// passed its checksum; this keeps every later slice in range).
    fn table_is_whole(&self) -> bool {
        let keys_len = self.index.len() - self.chunks * RECORD;
        let mut last = None;
        for i in 0..self.chunks {
            let (Some(start), Some(key)) = (
                u32_at(&self.index, i * RECORD),
                u32_at(&self.index, i * RECORD + 4),
            ) else {
                return false;
            };
            let ok = match last {
                None => start == 0 && key == 0,
                Some((s, k)) => start > s && key >= k,
            };
            if !ok || start >= self.raw_len || key > keys_len {
                return false;
            }
            last = Some((start, key));
        }
        self.chunks > 0 || self.raw_len == 0
    }

    /// Number of entries of the tree.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// Whether the tree is in git's order (names are then found by chunk).
    pub fn sorted(&self) -> bool {
        self.sorted
    }

    fn raw_range(&self, i: usize) -> (usize, usize) {
        let start = u32_at(&self.index, i * RECORD).unwrap_or(0);
        let end = if i + 1 < self.chunks {
            u32_at(&self.index, (i + 1) * RECORD).unwrap_or(0)
        } else {
            self.raw_len
        };
        (start, end)
    }

    fn chunk_sum(&self, i: usize) -> u64 {
        u64_at(&self.index, i * RECORD + 8).unwrap_or(0)
    }

    fn key(&self, i: usize) -> &[u8] {
        let keys = &self.index[self.chunks * RECORD..];
        let start = u32_at(&self.index, i * RECORD + 4).unwrap_or(0);
        let end = if i + 1 < self.chunks {
            u32_at(&self.index, (i + 1) * RECORD + 4).unwrap_or(0)
        } else {
            keys.len()
        };
        keys.get(start..end).unwrap_or_default()
    }

    /// The chunk that holds `key` if any entry sorts as `key` (the last
    /// whose first key is not after it); None when `key` sorts before all.
    pub fn chunk_for(&self, key: &[u8]) -> Option<usize> {
        let after = partition(self.chunks, |i| self.key(i) <= key);
        after.checked_sub(1)
    }

    /// Chunk `i`'s bytes (whole entries), checked; None when damaged.
    pub fn chunk(&self, i: usize) -> Option<Vec<u8>> {
        let (start, end) = self.raw_range(i);
        let bytes = read_exact(
            &self.file,
            end.checked_sub(start)?,
            self.raw_at + start as u64,
        )?;
        (checksum(chunk_seed(self.seed, i), &bytes) == self.chunk_sum(i)).then_some(bytes)
    }

    /// The whole raw tree, every chunk checked; None when damaged.
    pub fn raw(&self) -> Option<Vec<u8>> {
        let bytes = read_exact(&self.file, self.raw_len, self.raw_at)?;
        (0..self.chunks)
            .all(|i| {
                let (start, end) = self.raw_range(i);
                bytes.get(start..end).is_some_and(|chunk| {
                    checksum(chunk_seed(self.seed, i), chunk) == self.chunk_sum(i)
                })
            })
            .then_some(bytes)
    }
}

/// The first of `0..n` for which `is_before` is false (it must be true,
/// then false).
fn partition(n: usize, is_before: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut high) = (0, n);
    while low < high {
        let mid = low + (high - low) / 2;
        if is_before(mid) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    low
}

/// Whether `path` starts as a file of the facts cache does: a tree kept by
/// an earlier rel (format 1), read once through `cache::load`.
pub fn is_facts_cache_layout(path: &Path) -> bool {
    const FACTS_MAGIC: &[u8] = b"rel facts cache\n";
    let mut start = [0u8; FACTS_MAGIC.len()];
    super::cache::open_plain(path)
        .is_some_and(|f| f.read_exact_at(&mut start, 0).is_ok() && start == FACTS_MAGIC)
}

/// Keeps tree `id` (`raw`, whose `entries` are given in order) as `slot`,
/// replacing the file atomically. Failing to write is not an error: the
/// file is only a shortcut.
pub fn save<'a>(
    folder: &Path,
    slot: &str,
    id: Oid,
    raw: &[u8],
    entries: impl Iterator<Item = EntryInfo<'a>>,
    sorted: bool,
) {
    let _ = try_save(folder, slot, id, raw, entries, sorted);
}

fn try_save<'a>(
    folder: &Path,
    slot: &str,
    id: Oid,
    raw: &[u8],
    entries: impl Iterator<Item = EntryInfo<'a>>,
    sorted: bool,
) -> std::io::Result<()> {
    let too_large = || std::io::Error::other("tree too large to keep");
    let seed = seed_of(id);
    let mut starts = Vec::new();
    let mut keys = Vec::new();
    let mut key_starts = Vec::new();
    let mut count = 0usize;
    for e in entries {
        count += 1;
        if starts.last().is_none_or(|&s| e.start - s >= CHUNK_BYTES) {
            starts.push(e.start);
            key_starts.push(keys.len());
            keys.extend_from_slice(e.name);
            if e.folder {
                keys.push(b'/');
            }
        }
    }
    let mut index = Vec::with_capacity(starts.len() * RECORD + keys.len());
    for (i, (&start, &key)) in starts.iter().zip(&key_starts).enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(raw.len());
        let bytes = raw.get(start..end).ok_or_else(too_large)?;
        let start = u32::try_from(start).map_err(|_| too_large())?;
        let key = u32::try_from(key).map_err(|_| too_large())?;
        index.extend_from_slice(&start.to_le_bytes());
        index.extend_from_slice(&key.to_le_bytes());
        index.extend_from_slice(&checksum(chunk_seed(seed, i), bytes).to_le_bytes());
    }
    index.extend_from_slice(&keys);
    let counts = [raw.len(), count, starts.len(), keys.len()]
        .map(|n| u32::try_from(n).map_err(|_| too_large()));
    let mut fixed = [0u32; 4];
    for (slot, n) in fixed.iter_mut().zip(counts) {
        *slot = n?;
    }
    let mut body = header(slot, id, fixed, sorted);
    body.extend_from_slice(&checksum(header_seed(seed), &body).to_le_bytes());
    body.extend_from_slice(&index);
    body.extend_from_slice(&checksum(index_seed(seed), &index).to_le_bytes());
    body.extend_from_slice(raw);

    std::fs::create_dir_all(folder)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = file_name(slot);
    let temp = folder.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let written = File::create_new(&temp).and_then(|mut f| {
        f.write_all(&body)?;
        f.flush()
    });
    match written.and_then(|()| std::fs::rename(&temp, folder.join(name))) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

#[cfg(test)]
#[path = "kept_tree_tests.rs"]
mod tests;
