//! What a reading command's answer used: the files it read in full (with
//! their blobs) and the folders it listed. The note about uncommitted edits
//! that are not counted checks these, not the whole register: comparing a
//! few files with their blobs is instant, where `git status` over 100,000
//! incidents costs a fifth of a second on every command.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use git2::{ObjectType, Oid};

use super::source::FileRef;

/// Recorded while reading from a commit's tree (nothing else to compare).
#[derive(Debug, Default)]
pub struct Reads {
    /// Off until a reading command asks for the note.
    on: std::cell::Cell<bool>,
    files: RefCell<BTreeMap<String, Option<Oid>>>,
    dirs: RefCell<BTreeMap<String, Names>>,
    /// Folders whose every file's facts the answer used (a listing).
    facts: RefCell<BTreeSet<String>>,
}

impl Reads {
    pub fn start(&self) {
        self.on.set(true);
    }

    pub fn read_file(&self, relative: &str, blob: Option<Oid>) {
        if self.on.get() {
            self.files.borrow_mut().insert(relative.to_string(), blob);
        }
    }

    pub fn listed_dir(&self, dir: &str, files: &[FileRef]) {
        if self.on.get() {
            let names = Names::new(files.iter().map(|f| f.name.as_str()));
            self.dirs.borrow_mut().insert(dir.to_string(), names);
        }
    }

    pub fn used_facts_of(&self, dir: &str) {
        if self.on.get() {
            self.facts.borrow_mut().insert(dir.to_string());
        }
    }

    /// Folders whose every file the answer used through its facts: a
    /// listing, for which git compares the whole folder.
    pub fn facts_dirs(&self) -> Vec<String> {
        self.facts.borrow().iter().cloned().collect()
    }

    /// Paths (relative to `root`) whose work-tree file may differ from what
    /// was read: a content that hashes differently, a file gone, a file
    /// added to or removed from a listed folder. git has the last word
    /// (filters, line endings): the caller asks it about these only.
    pub fn suspects(&self, root: &Path) -> Vec<String> {
        let mut suspects = BTreeSet::new();
        for (relative, blob) in self.files.borrow().iter() {
            if !same_as_blob(&root.join(relative), *blob) {
                suspects.insert(relative.clone());
            }
        }
        for (dir, names) in self.dirs.borrow().iter() {
            // Streamed: a folder of 100,000 incidents is compared without a
            // second list of its names.
            let mut seen = vec![false; names.len()];
            if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
                for entry in entries.flatten() {
                    if entry.file_type().is_ok_and(|t| t.is_dir()) {
                        continue;
                    }
                    let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                        continue;
                    };
                    match names.find(&name) {
                        Some(i) => seen[i] = true,
                        None => {
                            suspects.insert(format!("{dir}/{name}"));
                        }
                    }
                }
            }
            // A file gone from a folder whose every file git compares
            // (`facts_dirs`: `git diff-index HEAD` lists it) is left to
            // git: a sparse checkout lacks the archive's 100,000 files,
            // and asking about each cost seconds.
            if self.facts.borrow().contains(dir) {
                continue;
            }
            for (i, seen) in seen.iter().enumerate() {
                if !seen {
                    suspects.insert(format!("{dir}/{}", names.get(i)));
                }
            }
        }
        suspects.into_iter().collect()
    }
}

/// Whether the work-tree file at `path` holds exactly blob `blob`: a plain
/// file (a link is not followed) of a sane size whose content hashes to
/// it. Anything else is for git to judge.
pub fn same_as_blob(path: &Path, blob: Option<Oid>) -> bool {
    const LARGEST: u64 = 16 << 20;
    let Some(blob) = blob else {
        return false;
    };
    let plain = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() <= LARGEST);
    plain
        && std::fs::read(path)
            .ok()
            .and_then(|bytes| Oid::hash_object(ObjectType::Blob, &bytes).ok())
            == Some(blob)
}

/// A folder's file names, sorted, in one buffer (100,000 names in 1.8 MB
/// instead of 100,000 strings).
#[derive(Debug, Default)]
pub struct Names {
    text: String,
    ends: Vec<usize>,
}

impl Names {
    fn new<'a>(names: impl Iterator<Item = &'a str>) -> Names {
        let mut sorted: Vec<&str> = names.collect();
        sorted.sort_unstable();
        sorted.dedup();
        let mut all = Names::default();
        for name in sorted {
            all.text.push_str(name);
            all.ends.push(all.text.len());
        }
        all
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn find(&self, name: &str) -> Option<usize> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.get(mid).cmp(name) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}
