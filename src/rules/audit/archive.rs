//! `Rel-Action: archive` (contract 11.1): a repository made before
//! revision 3 has its finished releases moved into the archive. The commit
//! may only move files: each release finished and unchanged, filed under
//! the year it finished; each incident unchanged and shipped by a release
//! the same commit files, under the same year; reports moved unchanged
//! with their release.

use std::collections::{BTreeMap, HashSet};

use crate::model::archive::{year_of, Index, Shipped};
use crate::model::release::{Release, State};

use super::{FindingKind, Found, Recorded, World};

pub fn judge(before: &World, rec: &Recorded) -> Vec<Found> {
    let mut found = Vec::new();
    let mut altered = |release: Option<&str>, m: String| {
        found.push(Found::new(FindingKind::Altered, release, m));
    };
    // What the commit filed, asked once per release and incident: a set,
    // not a scan (archiving a million incidents files a million).
    let placed: HashSet<(&str, String, i32)> = rec
        .archived
        .iter()
        .filter(|p| !p.removed)
        .map(|p| (p.what, p.id.to_ascii_lowercase(), p.year))
        .collect();
    let filed =
        |what: &str, id: &str, year: i32| placed.contains(&(what, id.to_ascii_lowercase(), year));
    // Released releases the commit files, by id in lower case, with their year.
    let mut released: BTreeMap<String, i32> = BTreeMap::new();
    let mut years: BTreeMap<String, i32> = BTreeMap::new();
    for (id, after) in &rec.releases {
        let (Some(b), Some(Ok(a))) = (before.release(id), after) else {
            altered(
                Some(id),
                format!(
                    "archive changes releases/{id}.toml; it only moves finished releases unchanged"
                ),
            );
            continue;
        };
        if a != b {
            altered(
                Some(id),
                format!("archive changes {id}; it only moves files unchanged"),
            );
            continue;
        }
        match year_of(a) {
            None => altered(Some(id), format!("archive moves {id}, which is in progress")),
            Some(year) if !filed("release", id, year) => altered(
                Some(id),
                format!("archive files {id} elsewhere than releases/archive/{year}, the year it finished"),
            ),
            Some(year) => {
                years.insert(id.to_ascii_lowercase(), year);
                if a.state == State::Released {
                    released.insert(id.to_ascii_lowercase(), year);
                }
            }
        }
    }
    for (id, after) in &rec.incidents {
        let (Some(b), Some(Ok(a))) = (before.held(id), after) else {
            altered(None, format!("archive changes releases/incidents/{id}.toml; it only moves shipped incidents unchanged"));
            continue;
        };
        let holder = a.release().map(str::to_ascii_lowercase);
        let year = holder.as_ref().and_then(|h| released.get(h));
        match year {
            _ if !before.same_incident(a, b) => altered(
                a.release(),
                format!("archive changes incident {id}; it only moves files unchanged"),
            ),
            None => altered(
                a.release(),
                format!("archive moves incident {id}, which no release it files shipped"),
            ),
            Some(&year) if !filed("incident", id, year) => altered(
                a.release(),
                format!("archive files incident {id} elsewhere than releases/archive/{year}, with its release"),
            ),
            Some(_) => {}
        }
    }
    for p in rec.archived.iter().filter(|p| p.what == "report") {
        if years.get(&p.id.to_ascii_lowercase()) != Some(&p.year) {
            altered(
                Some(&p.id),
                format!(
                    "archive files reports of {} under releases/archive/{} without the release",
                    p.id, p.year
                ),
            );
        }
    }
    for path in rec.reports.iter().chain(&rec.installations) {
        altered(
            None,
            format!("archive changes {path}; it only moves files unchanged"),
        );
    }
    found
}

/// A file of the archive's index as a commit left it: its path, and its
/// value or why it does not parse.
pub struct IndexFile {
    pub path: String,
    pub value: Result<Index, String>,
}

/// `inconsistent`: files of the archive's index, as a commit left them,
/// against the released releases the archive holds after that commit.
/// `key_of` says which file keeps a release's entry (the one legacy file
/// keeps all; a shard those of its major). The index is what update
/// paths read instead of the archive. One pass over the releases,
/// however many files are checked.
pub fn index_findings<K: Ord>(
    world: &World,
    files: &BTreeMap<K, IndexFile>,
    key_of: impl Fn(&Release) -> K,
) -> Vec<Found> {
    let mut expected: BTreeMap<&K, Vec<Shipped>> = BTreeMap::new();
    for (id, r) in &world.releases {
        if r.state != State::Released {
            continue;
        }
        // The file first: most releases are kept by a file not checked.
        let Some((key, _)) = files.get_key_value(&key_of(r)) else {
            continue;
        };
        if !world.archived.contains(&id.to_ascii_lowercase()) {
            continue;
        }
        // What the index keeps of an incident are its id and flags,
        // which the world keeps of every incident.
        expected.entry(key).or_default().push(Shipped::of_flags(
            r,
            r.incidents
                .iter()
                .filter_map(|i| world.held_as(i).map(|(id, h)| (id, h.flags()))),
        ));
    }
    let mut found = Vec::new();
    for (key, file) in files {
        match &file.value {
            Err(e) => found.push(Found::new(
                FindingKind::Inconsistent,
                None,
                format!("{} does not parse: {e}", file.path),
            )),
            Ok(index) => {
                let expected = expected.remove(key).unwrap_or_default();
                let differ = differing(expected, index.released.clone());
                if !differ.is_empty() {
                    found.push(Found::new(
                        FindingKind::Inconsistent,
                        None,
                        format!(
                            "{} disagrees with the archive about {}",
                            file.path,
                            differ.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    found
}

/// The ids of the entries in one list and not the other, sorted, once.
fn differing(mut expected: Vec<Shipped>, mut written: Vec<Shipped>) -> Vec<String> {
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    written.sort_by(|a, b| a.id.cmp(&b.id));
    // Equal entries have equal ids: each is looked for among those of its
    // id only (an archive of 10,000 releases is not 10,000 scans).
    let by_id = |list: &[Shipped]| {
        let mut map: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (n, s) in list.iter().enumerate() {
            map.entry(s.id.clone()).or_default().push(n);
        }
        map
    };
    let (expected_ids, written_ids) = (by_id(&expected), by_id(&written));
    let within = |list: &[Shipped], ids: &BTreeMap<String, Vec<usize>>, s: &Shipped| {
        ids.get(&s.id)
            .is_some_and(|at| at.iter().any(|&n| list[n] == *s))
    };
    let mut differ: Vec<String> = expected
        .iter()
        .filter(|e| !within(&written, &written_ids, e))
        .chain(
            written
                .iter()
                .filter(|w| !within(&expected, &expected_ids, w)),
        )
        .map(|e| e.id.clone())
        .collect();
    differ.sort();
    differ.dedup();
    differ
}
