//! The facts cache: what rel derives from a blob of one of its files (a
//! release's state and environment, an incident's status and release...),
//! kept under the git directory (`rel/cache-v1/<part>`) and keyed by blob
//! id. A blob id names its content, so an entry can never go stale; the
//! file is only ever a shortcut past parsing the blob again.
//!
//! It is never trusted over the objects: a missing, truncated, corrupt or
//! foreign file (another format, another rel version) is ignored and
//! rebuilt; every record is checked against the blob it is looked up for
//! (the id in it must be the file's stem), and rel reads the blob itself for
//! every release it shows or decides on. A checksum over the whole file
//! catches edits and truncation; it is no defence against someone who can
//! write `.git` (who could as well rewrite the commits).
//!
//! Writes go to a temporary file in the same folder, renamed over the old
//! one: two rel processes filling it at once each leave a whole file, and a
//! reader sees the old or the new one, never a mix. A cache that cannot be
//! written (a read-only repository) is simply not kept.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use git2::Oid;

const MAGIC: &[u8] = b"rel facts cache\n";
/// Bumped whenever what is derived from a blob, or how it is encoded, changes.
const FORMAT: u32 = 2;

/// The folder of the cache, under the common git directory (shared by
/// linked work trees).
pub fn folder(git_common_dir: &Path) -> PathBuf {
    git_common_dir.join("rel").join("cache-v1")
}

/// The records of one part of the cache (`releases`, `incidents`): blob id
/// to encoded facts.
#[derive(Debug, Default)]
pub struct Records {
    bytes: Vec<u8>,
    /// Blob id to the range of its payload in `bytes`.
    index: HashMap<Oid, (usize, usize)>,
}

impl Records {
    pub fn get(&self, blob: Oid) -> Option<&[u8]> {
        let (start, end) = *self.index.get(&blob)?;
        self.bytes.get(start..end)
    }

    /// The payload of `blob`, taking the buffer (no copy when it ends the
    /// file, as the one record of a kept tree does).
    pub fn into_payload(self, blob: Oid) -> Option<Vec<u8>> {
        let (start, end) = *self.index.get(&blob)?;
        let mut bytes = self.bytes;
        bytes.truncate(end);
        bytes.drain(..start);
        Some(bytes)
    }

    /// The one record of a part that holds one (a kept tree, a listing),
    /// whatever its key.
    pub fn into_only(self) -> Option<(Oid, Vec<u8>)> {
        if self.index.len() != 1 {
            return None;
        }
        let blob = *self.index.keys().next()?;
        Some((blob, self.into_payload(blob)?))
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

/// Reads a part; empty when it is missing or anything about it is wrong.
pub fn load(folder: &Path, part: &str) -> Records {
    load_file(&folder.join(part), &header(MAGIC, FORMAT, part))
}

/// Reads a file of records whose header must be `header`; empty when it is
/// missing or anything about it is wrong.
pub fn load_file(path: &Path, header: &[u8]) -> Records {
    read_plain(path)
        .and_then(|bytes| parse(bytes, header))
        .unwrap_or_default()
}

/// The bytes of a plain file rel keeps under `.git` (see `open_plain`).
pub fn read_plain(path: &Path) -> Option<Vec<u8>> {
    let mut file = open_plain(path)?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes).ok()?;
    Some(bytes)
}

/// A file of rel's caches, opened only when it is a plain file: a link is
/// not followed, and a FIFO or device (`/dev/zero`) in its place is never
/// read (it could block or never end); such a file is simply not used.
pub fn open_plain(path: &Path) -> Option<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    file.metadata().ok()?.is_file().then_some(file)
}

/// What a file of records starts with: what it is (`magic`, `format`),
/// the rel that wrote it and the part it holds. A file whose header is not
/// exactly the one expected is foreign and ignored.
pub fn header(magic: &[u8], format: u32, part: &str) -> Vec<u8> {
    let mut h = magic.to_vec();
    h.extend_from_slice(&format.to_le_bytes());
    for text in [env!("CARGO_PKG_VERSION"), part] {
        h.push(text.len().min(255) as u8);
        h.extend_from_slice(&text.as_bytes()[..text.len().min(255)]);
    }
    h
}

fn parse(bytes: Vec<u8>, header: &[u8]) -> Option<Records> {
    let body_len = bytes.len().checked_sub(8)?;
    let (body, sum) = bytes.split_at(body_len);
    if checksum(body).to_le_bytes() != sum {
        return None;
    }
    let mut at = header.len();
    if body.get(..at)? != header {
        return None;
    }
    let count = u32::from_le_bytes(body.get(at..at + 4)?.try_into().ok()?) as usize;
    at += 4;
    let mut index = HashMap::with_capacity(count.min(body.len() / 24));
    for _ in 0..count {
        let id = Oid::from_bytes(body.get(at..at + 20)?).ok()?;
        let len = u32::from_le_bytes(body.get(at + 20..at + 24)?.try_into().ok()?) as usize;
        let start = at + 24;
        let end = start.checked_add(len)?;
        body.get(start..end)?;
        index.insert(id, (start, end));
        at = end;
    }
    if at != body.len() {
        return None;
    }
    Some(Records { bytes, index })
}

/// Replaces a part with `records` (blob id, encoded facts), atomically.
/// Failing to write is not an error: the cache is only a shortcut.
pub fn save<P: AsRef<[u8]>>(folder: &Path, part: &str, records: impl Iterator<Item = (Oid, P)>) {
    let _ = save_file(folder, part, &header(MAGIC, FORMAT, part), records);
}

/// Replaces the file `name` in `folder` with `header` and `records`,
/// atomically (a temporary file renamed over it). Streamed: the records go
/// to the file as they come, and the checksum is computed by reading the
/// file back, so saving the facts of 100,000 incidents holds none of them
/// twice in memory.
pub fn save_file<P: AsRef<[u8]>>(
    folder: &Path,
    name: &str,
    header: &[u8],
    records: impl Iterator<Item = (Oid, P)>,
) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let temp = folder.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let written = std::fs::File::create_new(&temp)
        .and_then(|file| write_records(file, header, records))
        .and_then(|()| std::fs::rename(&temp, folder.join(name)));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

fn write_records<P: AsRef<[u8]>>(
    file: std::fs::File,
    header: &[u8],
    records: impl Iterator<Item = (Oid, P)>,
) -> std::io::Result<()> {
    use std::io::{Read, Seek};
    use std::os::unix::fs::FileExt;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    out.write_all(header)?;
    out.write_all(&0u32.to_le_bytes())?;
    let mut count: u32 = 0;
    for (id, payload) in records {
        let payload = payload.as_ref();
        let Ok(len) = u32::try_from(payload.len()) else {
            continue;
        };
        out.write_all(id.as_bytes())?;
        out.write_all(&len.to_le_bytes())?;
        out.write_all(payload)?;
        count += 1;
    }
    let mut file = out.into_inner().map_err(|e| e.into_error())?;
    file.write_all_at(&count.to_le_bytes(), header.len() as u64)?;
    // The checksum of the body as written, read back a block at a time.
    let body_len = file.seek(std::io::SeekFrom::End(0))?;
    file.seek(std::io::SeekFrom::Start(0))?;
    let mut sum = Checksum::new(body_len);
    let mut block = vec![0u8; 1 << 16];
    let mut reader = (&file).take(body_len);
    loop {
        let n = reader.read(&mut block)?;
        if n == 0 {
            break;
        }
        sum.update(&block[..n]);
    }
    file.seek(std::io::SeekFrom::End(0))?;
    file.write_all(&sum.finish().to_le_bytes())?;
    file.flush()
}

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// `checksum` computed over bytes given in pieces (their total length
/// known from the start).
struct Checksum {
    h: u64,
    pending: [u8; 8],
    filled: usize,
}

impl Checksum {
    fn new(len: u64) -> Checksum {
        Checksum {
            h: 0xcbf2_9ce4_8422_2325 ^ len.wrapping_mul(K),
            pending: [0; 8],
            filled: 0,
        }
    }

    fn update(&mut self, mut bytes: &[u8]) {
        if self.filled > 0 {
            let take = (8 - self.filled).min(bytes.len());
            self.pending[self.filled..self.filled + take].copy_from_slice(&bytes[..take]);
            self.filled += take;
            bytes = &bytes[take..];
            if self.filled < 8 {
                return;
            }
            self.h = mix_word(self.h, self.pending);
            self.filled = 0;
        }
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            self.h = mix_word(self.h, word);
        }
        let rest = words.remainder();
        self.pending[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    fn finish(self) -> u64 {
        let mut h = self.h;
        for &b in &self.pending[..self.filled] {
            h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(29);
        }
        h ^ (h >> 32)
    }
}

fn mix_word(h: u64, word: [u8; 8]) -> u64 {
    (h ^ u64::from_le_bytes(word))
        .wrapping_mul(K)
        .rotate_left(29)
}

/// A fast 64-bit checksum (words mixed by multiply and rotate), to notice
/// a truncated or edited file; not a cryptographic hash.
pub fn checksum(bytes: &[u8]) -> u64 {
    let mut sum = Checksum::new(bytes.len() as u64);
    sum.update(bytes);
    sum.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).expect("20 bytes")
    }

    #[test]
    fn the_checksum_is_the_same_over_bytes_given_in_pieces() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for cut in [0, 1, 7, 8, 9, 500, 999, 1000] {
            for second in [0, 3, 8, 13] {
                let mut sum = Checksum::new(bytes.len() as u64);
                let (a, rest) = bytes.split_at(cut);
                let (b, c) = rest.split_at(second.min(rest.len()));
                sum.update(a);
                sum.update(b);
                sum.update(c);
                assert_eq!(sum.finish(), checksum(&bytes), "cut {cut}, {second}");
            }
        }
        // The value the files on disk were written with stays the same.
        assert_eq!(
            checksum(b""),
            0xcbf2_9ce4_8422_2325 ^ (0xcbf2_9ce4_8422_2325 >> 32)
        );
    }

    #[test]
    fn records_round_trip_and_any_damage_empties_the_cache() {
        let dir = tempfile::tempdir().expect("tempdir");
        let folder = folder(dir.path());
        let records = [(oid(1), b"one".as_slice()), (oid(2), b"".as_slice())];
        save(&folder, "releases", records.iter().copied());
        let back = load(&folder, "releases");
        assert_eq!(back.len(), 2);
        assert_eq!(back.get(oid(1)), Some(b"one".as_slice()));
        assert_eq!(back.get(oid(2)), Some(b"".as_slice()));
        assert_eq!(back.get(oid(3)), None);
        // Another part's name, a flipped byte, a cut file: nothing.
        std::fs::copy(folder.join("releases"), folder.join("incidents")).expect("copy");
        assert!(load(&folder, "incidents").is_empty());
        let bytes = std::fs::read(folder.join("releases")).expect("read");
        for i in [0, bytes.len() / 2, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[i] ^= 1;
            std::fs::write(folder.join("releases"), &bad).expect("write");
            assert!(load(&folder, "releases").is_empty(), "byte {i}");
        }
        for len in [0, 7, bytes.len() - 1] {
            std::fs::write(folder.join("releases"), &bytes[..len]).expect("write");
            assert!(load(&folder, "releases").is_empty(), "length {len}");
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(&folder)
            .expect("list")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
