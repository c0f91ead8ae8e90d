//! The one cache rel keeps (issue 20): what `rel incident list --all`
//! shows of the incidents of one archived folder
//! (`releases/archive/<YYYY>/incidents`), in one file named by that
//! folder's git tree id under `.git/rel/archive-v1/`. An archived folder
//! never changes, and its tree id names its content exactly, so a file
//! can only ever answer for the very content it was made from.
//!
//! It never decides anything: a file missing, cut, edited, of another
//! version, too big, a link, a FIFO or anything but a plain file is not
//! used, and the folder is read from git instead, giving the same answer.
//! It is read with a bound (never more than `LARGEST` bytes) and written
//! beside then renamed, so a reader sees a whole file or none.
//!
//! One format: `MAGIC`, the tree id (20 bytes), the payload's length (u64
//! LE), the payload (`FactsBlock`), and one checksum: SHA-256 of all that.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use git2::Oid;
use sha2::{Digest, Sha256};

use crate::model::incident::IncidentStatus;

use crate::store::repo::listing::IncidentFacts;

const MAGIC: &[u8; 8] = b"RELAC\x001\n";
/// The folder under `.git/rel`; its name changes with the format.
const DIR: &str = "rel/archive-v1";
/// No cache file is read beyond this size (a year of 1,000,000 incidents
/// is about 70 MB).
const LARGEST: u64 = 256 << 20;
const HEAD_LEN: usize = 8 + 20 + 8;
const SUM_LEN: usize = 32;

/// The facts of an archived folder's incidents, in id order, encoded one
/// after another: id, status (u8), flags (u8: 1 release, 2 authorised,
/// 4 tested), release (when flag 1), title; each text a u32 LE length and
/// its UTF-8 bytes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FactsBlock {
    bytes: Vec<u8>,
}

impl FactsBlock {
    pub fn push(&mut self, f: &IncidentFacts) {
        put_text(&mut self.bytes, &f.id);
        self.bytes.push(match f.status {
            IncidentStatus::Open => 0,
            IncidentStatus::Resolved => 1,
            IncidentStatus::Closed => 2,
        });
        let flags = u8::from(f.release.is_some())
            | (u8::from(f.authorised) << 1)
            | (u8::from(f.tested) << 2);
        self.bytes.push(flags);
        if let Some(release) = &f.release {
            put_text(&mut self.bytes, release);
        }
        put_text(&mut self.bytes, &f.title);
    }

    /// Appends another block's rows (a chunk made on another thread).
    pub fn append(&mut self, other: FactsBlock) {
        self.bytes.extend_from_slice(&other.bytes);
    }

    /// Bytes held, for a caller that bounds what it keeps.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    /// The rows, in order, as views of the block's bytes (a listing of
    /// 1,000,000 incidents walks them twice without making a String). The
    /// bytes were checked when read (`from_bytes`), so the walk never
    /// fails half-way.
    pub fn rows_shown(&self) -> impl Iterator<Item = FactsRef<'_>> + '_ {
        let mut at = 0;
        std::iter::from_fn(move || decode_row(&self.bytes, &mut at))
    }

    /// A block from a payload: None unless every row decodes and nothing
    /// is left over.
    fn from_bytes(bytes: Vec<u8>) -> Option<FactsBlock> {
        let mut at = 0;
        while at < bytes.len() {
            decode_row(&bytes, &mut at)?;
        }
        Some(FactsBlock { bytes })
    }
}

/// One row of a block, borrowed from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactsRef<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub status: IncidentStatus,
    pub release: Option<&'a str>,
    pub authorised: bool,
    pub tested: bool,
}

#[cfg(test)]
impl FactsRef<'_> {
    fn to_owned(self) -> IncidentFacts {
        IncidentFacts {
            id: self.id.into(),
            title: self.title.into(),
            status: self.status,
            release: self.release.map(str::to_string),
            authorised: self.authorised,
            tested: self.tested,
        }
    }
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    // A text longer than 4 GB cannot come from a blob git gave rel here.
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&text.as_bytes()[..len as usize]);
}

fn take_text<'a>(bytes: &'a [u8], at: &mut usize) -> Option<&'a str> {
    let len = u32::from_le_bytes(bytes.get(*at..*at + 4)?.try_into().ok()?) as usize;
    let text = bytes.get(*at + 4..(*at + 4).checked_add(len)?)?;
    *at += 4 + len;
    std::str::from_utf8(text).ok()
}

fn decode_row<'a>(bytes: &'a [u8], at: &mut usize) -> Option<FactsRef<'a>> {
    if *at >= bytes.len() {
        return None;
    }
    let id = take_text(bytes, at)?;
    let status = match bytes.get(*at)? {
        0 => IncidentStatus::Open,
        1 => IncidentStatus::Resolved,
        2 => IncidentStatus::Closed,
        _ => return None,
    };
    let flags = *bytes.get(*at + 1)?;
    if flags > 7 {
        return None;
    }
    *at += 2;
    let release = if flags & 1 != 0 {
        Some(take_text(bytes, at)?)
    } else {
        None
    };
    let title = take_text(bytes, at)?;
    Some(FactsRef {
        id,
        title,
        status,
        release,
        authorised: flags & 2 != 0,
        tested: flags & 4 != 0,
    })
}

/// Where the block of tree `tree` is kept.
fn file_of(git_dir: &Path, tree: Oid) -> PathBuf {
    git_dir.join(DIR).join(tree.to_string())
}

/// The block kept for tree `tree`; None when there is no usable one.
pub fn load(git_dir: &Path, tree: Oid) -> Option<FactsBlock> {
    let bytes = read_bounded(&file_of(git_dir, tree))?;
    let (body, sum) = bytes.split_at(bytes.len().checked_sub(SUM_LEN)?);
    if Sha256::digest(body).as_slice() != sum {
        return None;
    }
    let (head, payload) = body.split_at(HEAD_LEN.min(body.len()));
    if head.len() != HEAD_LEN || &head[..8] != MAGIC || &head[8..28] != tree.as_bytes() {
        return None;
    }
    let len = u64::from_le_bytes(head[28..36].try_into().ok()?);
    if len != payload.len() as u64 {
        return None;
    }
    // The payload is moved to the front of the bytes read, not copied:
    // a year of 145,000 incidents is 10 MB.
    let mut bytes = bytes;
    bytes.truncate(HEAD_LEN + len as usize);
    bytes.drain(..HEAD_LEN);
    FactsBlock::from_bytes(bytes)
}

/// The bytes of a plain file no bigger than `LARGEST`: a link is not
/// followed, a FIFO or device is never read (it could block or never
/// end), a huge file is not read.
fn read_bounded(path: &Path) -> Option<Vec<u8>> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > LARGEST {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(LARGEST).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// Keeps `block` for tree `tree`, best effort: any failure leaves no
/// file (or an older whole one) and changes no answer. Files of trees
/// not in `current` (the archive's folders as they are now) are removed,
/// so the cache holds one file per archived year.
pub fn store(git_dir: &Path, tree: Oid, block: &FactsBlock, current: &[Oid]) {
    let _ = try_store(git_dir, tree, block, current);
}

fn try_store(
    git_dir: &Path,
    tree: Oid,
    block: &FactsBlock,
    current: &[Oid],
) -> std::io::Result<()> {
    let dir = git_dir.join(DIR);
    std::fs::create_dir_all(&dir)?;
    // Never write through a link someone put in place of the folders.
    for folder in [git_dir.join("rel"), dir.clone()] {
        if !std::fs::symlink_metadata(&folder)?.is_dir() {
            return Ok(());
        }
    }
    let mut bytes = Vec::with_capacity(HEAD_LEN + block.bytes.len() + SUM_LEN);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(tree.as_bytes());
    bytes.extend_from_slice(&(block.bytes.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&block.bytes);
    let sum = Sha256::digest(&bytes);
    bytes.extend_from_slice(&sum);
    let mut temp = tempfile::NamedTempFile::new_in(&dir)?;
    temp.write_all(&bytes)?;
    temp.persist(file_of(git_dir, tree)).map_err(|e| e.error)?;
    for entry in std::fs::read_dir(&dir)?.flatten() {
        let name = entry.file_name();
        let kept = name
            .to_str()
            .and_then(|n| Oid::from_str(n).ok())
            .is_some_and(|id| id == tree || current.contains(&id));
        if !kept && name.to_str().is_some_and(|n| n.len() == 40) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(id: &str, release: Option<&str>) -> IncidentFacts {
        IncidentFacts {
            id: id.into(),
            title: format!("Title of {id} é"),
            status: IncidentStatus::Closed,
            release: release.map(str::to_string),
            authorised: true,
            tested: false,
        }
    }

    fn block() -> FactsBlock {
        let mut b = FactsBlock::default();
        b.push(&facts("INC-1", Some("R-1")));
        b.push(&facts("INC-2", None));
        b
    }

    #[test]
    fn a_block_is_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let tree = Oid::hash_object(git2::ObjectType::Blob, b"x").unwrap();
        store(dir.path(), tree, &block(), &[]);
        let read = load(dir.path(), tree).expect("kept");
        assert_eq!(read, block());
        assert_eq!(
            read.rows_shown()
                .map(FactsRef::to_owned)
                .collect::<Vec<_>>(),
            [facts("INC-1", Some("R-1")), facts("INC-2", None)]
        );
        // Another tree is not answered by this file.
        let other = Oid::hash_object(git2::ObjectType::Blob, b"y").unwrap();
        assert_eq!(load(dir.path(), other), None);
    }

    #[test]
    fn a_file_cut_or_edited_anywhere_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let tree = Oid::hash_object(git2::ObjectType::Blob, b"x").unwrap();
        store(dir.path(), tree, &block(), &[]);
        let path = file_of(dir.path(), tree);
        let good = std::fs::read(&path).unwrap();
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x20;
            std::fs::write(&path, &bad).unwrap();
            assert_eq!(load(dir.path(), tree), None, "byte {i} edited");
            std::fs::write(&path, &good[..i]).unwrap();
            assert_eq!(load(dir.path(), tree), None, "cut at {i}");
        }
    }

    #[test]
    fn files_of_other_trees_are_removed_when_one_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let a = Oid::hash_object(git2::ObjectType::Blob, b"a").unwrap();
        let b = Oid::hash_object(git2::ObjectType::Blob, b"b").unwrap();
        let c = Oid::hash_object(git2::ObjectType::Blob, b"c").unwrap();
        store(dir.path(), a, &block(), &[]);
        store(dir.path(), b, &block(), &[a, b]);
        store(dir.path(), c, &block(), &[b, c]);
        assert!(load(dir.path(), a).is_none());
        assert!(load(dir.path(), b).is_some());
        assert!(load(dir.path(), c).is_some());
    }
}
