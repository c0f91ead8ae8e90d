//! The JSON cache: the JSON item of each file of a listing (an incident's
//! pretty JSON as it sits in `rel --json incident list`'s array), kept per
//! blob under the git directory (`rel/json-v1/<part>/<shard>`). An item
//! depends only on its blob, so a warm listing of 100,000 incidents copies
//! 230 MB of JSON instead of parsing 165 MB of TOML and building it again.
//!
//! Shards. The listing (in id order) is cut into shards of about 1,000
//! files, so that the walk holds one shard at a time and a change rewrites
//! one shard. A shard ends after an id whose hash is 0 modulo `SPREAD` (or
//! after `MAX_SHARD` files): the cuts depend on the ids themselves, not on
//! their number or length, so a new incident changes only the shard it
//! falls in, whatever the id scheme (`INC-000123` or `INC-1` to
//! `INC-100000`, whose lengths vary: a key made of the id's first
//! characters would not keep a shard's ids together in id order). A shard
//! is named after the id that ends the shard before it (`after-<id>`; the
//! first is `first`): ids are unique ignoring case, so two names never
//! differ only by case. A shard whose ids change is rewritten with only
//! the records of its files now (stale ones dropped).
//!
//! It is never trusted over the objects, as the facts cache (`cache`, whose
//! file format it shares, with its own header): a missing, truncated,
//! edited or foreign shard (another format, rel version, part or shard
//! name, or another JSON: the header holds a checksum of a sample item
//! made by the code that made the shard) is ignored and rebuilt; a record is found by the blob id of a file
//! of the tree read and must name that file's id. Shards are rewritten
//! atomically (a temporary file renamed over the old one), so two rel
//! processes filling them at once each leave whole files. A read-only
//! repository simply has no cache. A cached item's blob is not read: a
//! blob missing from a damaged object store is noticed only when its item
//! is not cached (as for the facts of the table; damage is `git fsck`'s
//! to find). A file that cannot be parsed never has an item, so it is
//! reported as without the cache (by the facts, before any output). Shards of ids that no longer exist stay
//! until the folder is deleted (which is always safe).

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::internal;

use super::cache::{self, Records};
use super::cache_load::Cached;
use super::manifests::{par_chunks, parse_item};
use super::source::FileRef;
use super::workspace::Workspace;

const MAGIC: &[u8] = b"rel json cache\n";
/// Bumped whenever how a record encodes an item changes (a change to the
/// item itself changes the sample in the headers).
const FORMAT: u32 = 1;
/// A shard ends after an id whose hash is 0 modulo this: 1,024 files on
/// average.
const SPREAD: u64 = 1024;
/// And after this many files at most (memory stays bounded).
const MAX_SHARD: usize = 4096;

/// The folder of a part's shards, under the common git directory.
pub fn folder(git_common_dir: &Path, part: &str) -> PathBuf {
    git_common_dir.join("rel").join("json-v1").join(part)
}

/// The shards of a listing of `ids` (in id order): each one's name and the
/// range of its files.
pub fn shards<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<(String, Range<usize>)> {
    let mut all = Vec::new();
    let (mut name, mut start) = ("first".to_string(), 0);
    let mut end = 0;
    for (i, id) in ids.enumerate() {
        end = i + 1;
        if cache::checksum(id.as_bytes()).is_multiple_of(SPREAD) || end - start == MAX_SHARD {
            all.push((
                std::mem::replace(&mut name, format!("after-{id}")),
                start..end,
            ));
            start = end;
        }
    }
    if start < end {
        all.push((name, start..end));
    }
    all
}

/// A record's payload: the id (one length byte, then its bytes), then the
/// item.
fn payload(id: &str, item: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + id.len() + item.len());
    out.push(id.len().min(255) as u8);
    out.extend_from_slice(&id.as_bytes()[..id.len().min(255)]);
    out.extend_from_slice(item);
    out
}

/// The item in a payload, when the payload names `id`.
fn item_of<'a>(payload: &'a [u8], id: &str) -> Option<&'a [u8]> {
    let (&len, rest) = payload.split_first()?;
    let (named, item) = rest.split_at_checked(usize::from(len))?;
    (named == id.as_bytes()).then_some(item)
}

/// The cached payload of `file`: a record for its blob that names its id.
fn cached<'a>(records: &'a Records, file: &FileRef) -> Option<&'a [u8]> {
    let payload = records.get(file.blob()?)?;
    item_of(payload, file.id()).map(|_| payload)
}

impl Workspace {
    /// The JSON items of the files of `files` (every file of T's folder, in
    /// id order) that are `wanted`, passed to `emit` in order. An item is
    /// `make` of the parsed file; reading a tree, it comes from the cache
    /// when the cache has it for the file's blob, and the shards that
    /// missed some (or held stale records) are saved again. The first file
    /// that cannot be read or parsed stops the items there and is the
    /// error returned. `sample` is what `make` gives for a sample item:
    /// kept in the headers, so that shards written by another `make` (a
    /// change to the JSON) are foreign.
    pub fn json_items<T: Cached>(
        &self,
        files: &[FileRef],
        wanted: &[bool],
        sample: &[u8],
        make: impl Fn(&T) -> anyhow::Result<Vec<u8>> + Sync,
        mut emit: impl FnMut(&[u8]) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        // The answer uses every file of the folder (as a listing's facts).
        self.reads.used_facts_of(T::DIR);
        let folder = self
            .reads_tree()
            .then(|| folder(self.repo.commondir(), T::PART));
        let reading = self.files();
        let maker = cache::checksum(sample);
        for (name, range) in shards(files.iter().map(FileRef::id)) {
            let (files, wanted) = (&files[range.clone()], &wanted[range]);
            let header = cache::header(MAGIC, FORMAT, &format!("{}/{name}/{maker:016x}", T::PART));
            let records = match &folder {
                Some(folder) => cache::load_file(&folder.join(&name), &header),
                None => Records::default(),
            };
            let hits: Vec<Option<&[u8]>> = files.iter().map(|f| cached(&records, f)).collect();
            let missing: Vec<usize> = (0..files.len())
                .filter(|&i| wanted[i] && hits[i].is_none())
                .collect();
            // The payloads of the missing files, made in parallel.
            let made: Vec<anyhow::Result<Vec<u8>>> = if missing.is_empty() {
                Vec::new()
            } else {
                par_chunks(&missing, |part| {
                    let reader = reading.reader()?;
                    Ok(part
                        .iter()
                        .map(|&i| {
                            let id = files[i].id();
                            let text = reading.read(&reader, T::DIR, &files[i])?;
                            let item: T = parse_item(id, &text)?;
                            Ok(payload(id, &make(&item)?))
                        })
                        .collect())
                })?
            };
            let known = hits.iter().flatten().count();
            if let Some(folder) = &folder {
                if made.iter().any(Result::is_ok) || records.len() > known {
                    save(folder, &name, &header, files, &hits, &missing, &made);
                }
            }
            let mut made = made.into_iter();
            for (i, file) in files.iter().enumerate() {
                if !wanted[i] {
                    continue;
                }
                let payload = match hits[i] {
                    Some(payload) => std::borrow::Cow::Borrowed(payload),
                    None => std::borrow::Cow::Owned(made.next().unwrap_or_else(|| {
                        Err(internal(format!(
                            "internal error: {}: no JSON was made",
                            file.name
                        )))
                    })?),
                };
                emit(item_of(&payload, file.id()).unwrap_or_default())?;
            }
        }
        Ok(())
    }
}

/// Writes a shard: the records of its files, cached or just made. Failing
/// to write is not an error: the cache is only a shortcut.
fn save(
    folder: &Path,
    name: &str,
    header: &[u8],
    files: &[FileRef],
    hits: &[Option<&[u8]>],
    missing: &[usize],
    made: &[anyhow::Result<Vec<u8>>],
) {
    let mut payloads: Vec<Option<&[u8]>> = hits.to_vec();
    for (&i, payload) in missing.iter().zip(made) {
        payloads[i] = payload.as_ref().ok().map(Vec::as_slice);
    }
    let records = files
        .iter()
        .zip(payloads)
        .filter_map(|(file, payload)| Some((file.blob()?, payload?)));
    let _ = cache::save_file(folder, name, header, records);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_follow_the_ids_whatever_their_lengths() {
        let padded: Vec<String> = (0..100_000).map(|n| format!("INC-{n:06}")).collect();
        let cut = shards(padded.iter().map(String::as_str));
        assert!((60..160).contains(&cut.len()), "{}", cut.len());
        assert!(cut.iter().all(|(_, r)| r.len() <= MAX_SHARD));
        // Contiguous, in order, covering every id.
        let mut next = 0;
        for (_, r) in &cut {
            assert_eq!(r.start, next);
            next = r.end;
        }
        assert_eq!(next, padded.len());
        // One more id changes only the shard it falls in.
        let mut more = padded.clone();
        more.insert(50_000, "INC-049999a".into());
        let again = shards(more.iter().map(String::as_str));
        let names = |c: &[(String, Range<usize>)]| -> Vec<String> {
            c.iter().map(|(n, _)| n.clone()).collect()
        };
        assert_eq!(names(&cut), names(&again));
        let grown: Vec<_> = cut
            .iter()
            .zip(&again)
            .filter(|(a, b)| a.1.len() != b.1.len())
            .collect();
        assert_eq!(grown.len(), 1, "{grown:?}");
        // Unpadded ids of mixed lengths are cut the same way.
        let mut plain: Vec<String> = (1..20_000).map(|n| format!("INC-{n}")).collect();
        plain.sort();
        let cut = shards(plain.iter().map(String::as_str));
        assert!((8..40).contains(&cut.len()), "{}", cut.len());
        assert!(shards(std::iter::empty()).is_empty());
    }

    #[test]
    fn a_payload_names_its_id() {
        let p = payload("INC-1", b"{}");
        assert_eq!(item_of(&p, "INC-1"), Some(b"{}".as_slice()));
        assert_eq!(item_of(&p, "INC-2"), None);
        assert_eq!(item_of(&p[..3], "INC-1"), None);
        assert_eq!(item_of(b"", "INC-1"), None);
    }
}
