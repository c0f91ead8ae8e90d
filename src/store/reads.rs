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
    dirs: RefCell<BTreeMap<String, BTreeSet<String>>>,
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
            let names = files.iter().map(|f| f.name.clone()).collect();
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
            let same = match (std::fs::read(root.join(relative)), blob) {
                (Ok(bytes), Some(blob)) => {
                    Oid::hash_object(ObjectType::Blob, &bytes).ok() == Some(*blob)
                }
                _ => false,
            };
            if !same {
                suspects.insert(relative.clone());
            }
        }
        for (dir, names) in self.dirs.borrow().iter() {
            let on_disk: BTreeSet<String> = match std::fs::read_dir(root.join(dir)) {
                Ok(entries) => entries
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .collect(),
                Err(_) => BTreeSet::new(),
            };
            for name in on_disk.symmetric_difference(names) {
                suspects.insert(format!("{dir}/{name}"));
            }
        }
        suspects.into_iter().collect()
    }
}
