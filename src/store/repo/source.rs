//! Where rel reads its state from. A decision is a pure function of a git
//! tree (HEAD's by default), the arguments and `now`; the work tree is read
//! only when asked (`--worktree`, what-if planning).
//!
//! Every path is walked one component at a time, so a symbolic link, a
//! submodule or a folder where one of rel's files or folders belongs is
//! invalid input naming it, and nothing is ever followed out of the
//! repository.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use git2::{Oid, Repository};

use crate::error::invalid;

use super::workspace::Workspace;
use crate::store::git::raw_tree::{normal_mode, RawTree};

/// The state rel decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A commit's tree; `None` while the branch has no commit yet.
    Tree(Option<Oid>),
    /// The files in the work tree, uncommitted edits included.
    WorkTree,
}

/// A plain file found in one of rel's folders.
#[derive(Debug, Clone)]
pub struct FileRef {
    pub name: String,
    /// Its blob, when reading from a tree.
    blob: Option<Oid>,
}

impl FileRef {
    /// The id its file holds: the name without `.toml`.
    pub fn id(&self) -> &str {
        id_of(&self.name)
    }

    /// Its blob id; None when read from the work tree.
    pub fn blob(&self) -> Option<Oid> {
        self.blob
    }
}

/// The id a file of rel's named `name` holds: the name without `.toml`.
pub fn id_of(name: &str) -> &str {
    name.strip_suffix(".toml").unwrap_or(name)
}

/// What reads file contents, one per thread (a `Repository` is not `Sync`).
pub enum Reader {
    Git(Repository),
    Disk,
}

/// What a path holds, as far as rel cares.
enum Kind {
    File(Option<Oid>),
    Folder(Option<Oid>),
}

/// What a thread needs to read rel's files (a `Workspace` holds a
/// `Repository`, which is not `Sync`).
#[derive(Debug, Clone)]
pub struct Files {
    git_dir: PathBuf,
    root: PathBuf,
    from_tree: bool,
}

impl Files {
    /// A reader for this thread.
    pub fn reader(&self) -> anyhow::Result<Reader> {
        if self.from_tree {
            Ok(Reader::Git(Repository::open(&self.git_dir)?))
        } else {
            Ok(Reader::Disk)
        }
    }

    /// The text of `file` in `dir` (relative to the release root).
    pub fn read(&self, reader: &Reader, dir: &str, file: &FileRef) -> anyhow::Result<String> {
        let relative = join(dir, &file.name);
        match reader {
            Reader::Git(repo) => read_blob(repo, &relative, file),
            Reader::Disk => {
                let path = self.root.join(&relative);
                // Checked when listed; checked again that it is no link now
                // (the work tree may change meanwhile).
                if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                    return Err(not_followed(&relative, "a symbolic link"));
                }
                let bytes = std::fs::read(&path)
                    .map_err(|e| invalid(format!("{relative}: cannot read: {e}")))?;
                decode(bytes, &relative)
            }
        }
    }
}

fn read_blob(repo: &Repository, relative: &str, file: &FileRef) -> anyhow::Result<String> {
    let id = file
        .blob
        .ok_or_else(|| anyhow::anyhow!("{relative}: no blob id while reading from a tree"))?;
    let blob = repo.find_blob(id)?;
    decode(blob.content().to_vec(), relative)
}

impl Workspace {
    /// What reading threads need.
    pub fn files(&self) -> Files {
        Files {
            git_dir: self.repo.path().to_path_buf(),
            root: self.root.clone(),
            from_tree: matches!(self.source, Source::Tree(_)),
        }
    }

    /// The text of a file listed in `dir`, read on this thread.
    pub(super) fn read_listed(&self, dir: &str, file: &FileRef) -> anyhow::Result<String> {
        self.reads.read_file(&join(dir, &file.name), file.blob);
        match self.source {
            Source::Tree(_) => read_blob(&self.repo, &join(dir, &file.name), file),
            Source::WorkTree => self.files().read(&Reader::Disk, dir, file),
        }
    }

    /// The text of one of rel's files; `None` when it does not exist.
    pub fn read_rel_file(&self, relative: &str) -> anyhow::Result<Option<String>> {
        match self.kind_of(relative)? {
            None => Ok(None),
            Some(Kind::Folder(_)) => Err(invalid(format!(
                "{relative} is a folder; rel expects a plain file there"
            ))),
            Some(Kind::File(blob)) => {
                self.reads.read_file(relative, blob);
                let file = FileRef {
                    name: relative.to_string(),
                    blob,
                };
                match self.source {
                    Source::Tree(_) => read_blob(&self.repo, relative, &file).map(Some),
                    Source::WorkTree => self.files().read(&Reader::Disk, "", &file).map(Some),
                }
            }
        }
    }

    /// The blob of one of rel's files in the tree read; None when absent or
    /// reading the work tree.
    pub fn blob_of(&self, relative: &str) -> anyhow::Result<Option<Oid>> {
        Ok(match self.kind_of(relative)? {
            Some(Kind::File(blob)) => blob,
            _ => None,
        })
    }

    /// The tree of one of rel's folders: None when it does not exist,
    /// `Some(None)` when reading the work tree; a file there is the error
    /// `list_rel_dir` gives.
    pub(super) fn folder_tree(&self, dir: &str) -> anyhow::Result<Option<Option<Oid>>> {
        match self.kind_of(dir)? {
            None => Ok(None),
            Some(Kind::File(_)) => Err(invalid(format!(
                "{dir} is a file; rel expects a folder there"
            ))),
            Some(Kind::Folder(tree)) => Ok(Some(tree)),
        }
    }

    /// Whether one of rel's files exists (and is a plain file).
    pub fn has_rel_file(&self, relative: &str) -> anyhow::Result<bool> {
        Ok(matches!(self.kind_of(relative)?, Some(Kind::File(_))))
    }

    /// The plain files of one of rel's folders, by name; empty when the
    /// folder does not exist. Sub-folders are skipped (they are rel's other
    /// folders); a link or submodule among the files is invalid input.
    pub fn list_rel_dir(&self, dir: &str) -> anyhow::Result<Vec<FileRef>> {
        match self.kind_of(dir)? {
            None => Ok(Vec::new()),
            Some(Kind::File(_)) => Err(invalid(format!(
                "{dir} is a file; rel expects a folder there"
            ))),
            Some(Kind::Folder(tree)) => {
                let files = match tree {
                    Some(id) => self.list_tree(dir, id)?,
                    None => self.list_disk(dir)?,
                };
                self.reads.listed_dir(dir, &files);
                Ok(files)
            }
        }
    }

    /// The names of the sub-folders of one of rel's folders (the years of
    /// the archive); empty when it does not exist. Nothing below is read.
    pub(super) fn folder_names(&self, dir: &str) -> anyhow::Result<Vec<String>> {
        let names = match self.kind_of(dir)? {
            Some(Kind::Folder(Some(tree))) => self
                .raw_tree(tree, dir)?
                .entries()
                .filter(|(mode, _, _)| normal_mode(*mode) == 0o040000)
                .filter_map(|(_, name, _)| std::str::from_utf8(name).ok().map(str::to_string))
                .collect(),
            Some(Kind::Folder(None)) => {
                let entries = std::fs::read_dir(self.path(dir))
                    .map_err(|e| invalid(format!("{dir}: cannot read: {e}")))?;
                let mut names = Vec::new();
                for entry in entries.flatten() {
                    let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                    if let (true, Some(name)) = (is_dir, entry.file_name().to_str()) {
                        names.push(name.to_string());
                    }
                }
                names
            }
            _ => Vec::new(),
        };
        Ok(names)
    }

    /// What `relative` holds in the current source, checking every folder on
    /// the way; `None` when it does not exist.
    fn kind_of(&self, relative: &str) -> anyhow::Result<Option<Kind>> {
        keep_trees_in_cache();
        match self.source {
            Source::Tree(None) => Ok(None),
            Source::Tree(Some(tree)) => self.kind_in_tree(tree, relative),
            Source::WorkTree => self.kind_on_disk(relative),
        }
    }

    fn kind_in_tree(&self, root: Oid, relative: &str) -> anyhow::Result<Option<Kind>> {
        let full = self.repo_path(relative);
        let parts: Vec<&str> = full.split('/').filter(|p| !p.is_empty()).collect();
        let mut current = root;
        let prefix_len = parts.len() - relative.split('/').filter(|p| !p.is_empty()).count();
        for (i, part) in parts.iter().enumerate() {
            let folder = if i < prefix_len {
                String::new()
            } else {
                parts[prefix_len..i].join("/")
            };
            let tree = self.raw_tree(current, &folder)?;
            let Some((mode, id)) = tree.get(part) else {
                return Ok(None);
            };
            let shown = if i < prefix_len {
                parts[..=i].join("/")
            } else {
                parts[prefix_len..=i].join("/")
            };
            let last = i + 1 == parts.len();
            match mode {
                0o040000 => {
                    if last {
                        return Ok(Some(Kind::Folder(Some(id))));
                    }
                    current = id;
                }
                0o100644 | 0o100755 if last => return Ok(Some(Kind::File(Some(id)))),
                0o100644 | 0o100755 => {
                    return Err(invalid(format!(
                        "{shown} is a file where rel expects a folder"
                    )))
                }
                0o120000 => return Err(not_followed(&shown, "a symbolic link")),
                0o160000 => return Err(not_followed(&shown, "a submodule")),
                other => {
                    return Err(invalid(format!(
                        "{shown} has git file mode {other:o}, which rel does not read"
                    )))
                }
            }
        }
        Ok(Some(Kind::Folder(Some(current))))
    }

    /// Tree `id`, which is rel's folder `folder` (relative to the release
    /// root; empty above it), read once per process.
    pub(in crate::store) fn raw_tree(&self, id: Oid, folder: &str) -> anyhow::Result<Arc<RawTree>> {
        let what = if folder.is_empty() {
            format!("tree {id}")
        } else {
            format!("{folder}: tree {id}")
        };
        self.trees.get(&self.repo, id, &what)
    }

    fn kind_on_disk(&self, relative: &str) -> anyhow::Result<Option<Kind>> {
        let parts: Vec<&str> = relative.split('/').filter(|p| !p.is_empty()).collect();
        let mut path = self.root.clone();
        for (i, part) in parts.iter().enumerate() {
            path.push(part);
            let shown = parts[..=i].join("/");
            let meta = match std::fs::symlink_metadata(&path) {
                Ok(m) => m,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(invalid(format!("{shown}: cannot read: {e}"))),
            };
            let last = i + 1 == parts.len();
            if meta.file_type().is_symlink() {
                return Err(not_followed(&shown, "a symbolic link"));
            }
            if meta.is_dir() {
                if last {
                    return Ok(Some(Kind::Folder(None)));
                }
            } else if meta.is_file() && last {
                return Ok(Some(Kind::File(None)));
            } else if meta.is_file() {
                return Err(invalid(format!(
                    "{shown} is a file where rel expects a folder"
                )));
            } else {
                return Err(invalid(format!("{shown} is not a plain file or folder")));
            }
        }
        Ok(Some(Kind::Folder(None)))
    }

    /// The files of a tree, from its raw object: a folder of 100,000
    /// incidents is listed without libgit2 building (and caching) an entry
    /// per file.
    fn list_tree(&self, dir: &str, tree: Oid) -> anyhow::Result<Vec<FileRef>> {
        let raw = self.raw_tree(tree, dir)?;
        let mut files = Vec::new();
        for (mode, name, id) in raw.entries() {
            let Ok(name) = std::str::from_utf8(name) else {
                continue;
            };
            match normal_mode(mode) {
                0o100644 | 0o100755 => files.push(FileRef {
                    name: name.to_string(),
                    blob: Some(id),
                }),
                0o120000 if name.ends_with(".toml") => {
                    return Err(not_followed(&join(dir, name), "a symbolic link"))
                }
                0o160000 if name.ends_with(".toml") => {
                    return Err(not_followed(&join(dir, name), "a submodule"))
                }
                _ => {}
            }
        }
        if raw.len() > FORGET_LISTED_FROM {
            self.trees.forget(tree);
        }
        Ok(files)
    }

    fn list_disk(&self, dir: &str) -> anyhow::Result<Vec<FileRef>> {
        let path = self.path(dir);
        let entries =
            std::fs::read_dir(&path).map_err(|e| invalid(format!("{dir}: cannot read: {e}")))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| invalid(format!("{dir}: cannot read: {e}")))?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let kind = entry
                .file_type()
                .map_err(|e| invalid(format!("{dir}/{name}: cannot read: {e}")))?;
            if kind.is_file() {
                files.push(FileRef { name, blob: None });
            } else if kind.is_symlink() && name.ends_with(".toml") {
                return Err(not_followed(&join(dir, &name), "a symbolic link"));
            }
        }
        Ok(files)
    }
}

/// A listed tree with more entries than this is not kept in memory after
/// its listing (a look-up in it reads it again from git).
const FORGET_LISTED_FROM: usize = 10_000;

/// libgit2 keeps in its object cache only trees up to 4 KB: the
/// `releases/incidents` tree (4.3 MB for 100,000 incidents) was read and
/// parsed again for every file looked up in it (`rel show` of a release
/// with 20 incidents: 20 times). Raised once, on the first look-up, before
/// any reading thread exists (the setting is process-wide and not
/// synchronised).
fn keep_trees_in_cache() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: called once, from the main thread, before rel starts any
        // thread that uses libgit2.
        let _ = unsafe { git2::opts::set_cache_object_limit(git2::ObjectType::Tree, 64 << 20) };
    });
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

pub(super) fn not_followed(shown: &str, what: &str) -> anyhow::Error {
    invalid(format!(
        "{shown} is {what}; rel reads only plain files and folders it owns and never \
         follows anything out of the repository: replace it with the real file or folder"
    ))
}

/// A file's bytes as UTF-8 text; `shown` is the path named in messages.
pub fn decode(bytes: Vec<u8>, shown: &str) -> anyhow::Result<String> {
    super::toml_file::text_of(bytes, Path::new(shown))
}
