//! The files one commit changed under a few paths, found by walking its
//! tree and its first parent's side by side, as `git log --first-parent
//! --raw -r --no-renames -- PATHS` lists them (same files, same order,
//! same blobs and modes), but handed over one at a time as they are found.
//! `git log` queues every change of a commit before it prints the first:
//! an import of a million files cost it some 560 MB. Only the two raw
//! tree objects being compared are held here; subtrees with the same id
//! are not read.
//!
//! Two readers use it: the audit (`first_parent_changes`: the blobs) and
//! `rel log` (`first_parent_diff`: the modes too, to tell a change of
//! type).

use std::cmp::Ordering;

use git2::{Commit, Odb, Oid, Repository};

/// Hands over a changed file: its path in the repository, its blob after
/// (`None`: deleted; `Err`: not a plain file, git's mode named) and before.
pub type Each<'e> = dyn FnMut(&str, Option<Result<Oid, String>>, Option<Oid>) + 'e;

/// Hands over a changed entry that is not a folder: its path in the
/// repository, and its mode (as git compares it: `canon`) and id after
/// and before (`None`: not on that side).
pub type EachRaw<'e> = dyn FnMut(&str, Option<(u32, Oid)>, Option<(u32, Oid)>) + 'e;

/// One entry of a raw tree: mode (as written), name, id.
type Entry<'a> = (u32, &'a [u8], Oid);

const FOLDER: u32 = 0o040000;
/// The bits of a mode that say what an entry is (file, link, folder,
/// submodule).
pub const TYPE: u32 = 0o170000;

/// The mode as git compares and prints it (`canon_mode`): a regular file
/// is 100644 unless executable.
fn canon(mode: u32) -> u32 {
    match mode & TYPE {
        0o100000 if mode & 0o100 != 0 => 0o100755,
        0o100000 => 0o100644,
        0o120000 => 0o120000,
        FOLDER => FOLDER,
        _ => 0o160000,
    }
}

fn is_folder(e: &Entry) -> bool {
    e.0 & TYPE == FOLDER
}

/// The entries of a raw tree object, in the order written (git's).
/// Stops at the first malformed entry (a corrupt tree; `corrupt` is set).
struct Entries<'a> {
    bytes: &'a [u8],
    corrupt: bool,
}

impl<'a> Iterator for Entries<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        if self.bytes.is_empty() {
            return None;
        }
        let parsed = (|| {
            let space = self.bytes.iter().position(|&b| b == b' ')?;
            let nul = space + 1 + self.bytes[space + 1..].iter().position(|&b| b == 0)?;
            let id = self.bytes.get(nul + 1..nul + 21)?;
            let mode = std::str::from_utf8(&self.bytes[..space])
                .ok()
                .and_then(|m| u32::from_str_radix(m, 8).ok())?;
            let entry = (mode, &self.bytes[space + 1..nul], Oid::from_bytes(id).ok()?);
            Some((entry, nul + 21))
        })();
        match parsed {
            Some((entry, end)) => {
                self.bytes = &self.bytes[end..];
                Some(entry)
            }
            None => {
                self.corrupt = true;
                self.bytes = &[];
                None
            }
        }
    }
}

/// How git orders two entries of a tree: by name, a folder's as if it
/// ended with `/`.
fn git_order(a: &Entry, b: &Entry) -> Ordering {
    let key = |e: &Entry<'_>| -> &'static [u8] {
        if is_folder(e) {
            b"/"
        } else {
            b""
        }
    };
    a.1.iter().chain(key(a)).cmp(b.1.iter().chain(key(b)))
}

/// Hands `each` every file under `prefix`'s entries `names` (in the
/// order of git's trees) that `commit` changed from its first parent
/// (from nothing for a root commit), its path relative to `prefix`.
pub fn first_parent_changes(
    repo: &Repository,
    commit: &Commit,
    prefix: &str,
    names: &[&str],
    each: &mut Each,
) -> anyhow::Result<()> {
    first_parent_diff(repo, commit, prefix, names, &mut |path, new, old| {
        let blob = new.map(|(mode, id)| match mode {
            0o100644 | 0o100755 => Ok(id),
            mode => Err(format!("not a plain file (git mode {mode:06o})")),
        });
        each(path, blob, old.map(|(_, id)| id))
    })
}

/// `first_parent_changes` with each side's mode and id.
pub fn first_parent_diff(
    repo: &Repository,
    commit: &Commit,
    prefix: &str,
    names: &[&str],
    each: &mut EachRaw,
) -> anyhow::Result<()> {
    let odb = repo.odb()?;
    let new_root = Some(commit.tree_id());
    let old_root = match commit.parent_count() {
        0 => None,
        _ => Some(commit.parent(0)?.tree_id()),
    };
    // The folder the paths are relative to (the release root inside the
    // work tree).
    let (mut old, mut new) = (old_root, new_root);
    for part in prefix.split('/').filter(|p| !p.is_empty()) {
        old = folder_in(&odb, old, part)?;
        new = folder_in(&odb, new, part)?;
    }
    let old = read_tree(&odb, old)?;
    let new = read_tree(&odb, new)?;
    let chosen = |e: &Entry| names.iter().any(|n| n.as_bytes() == e.1);
    let mut walk = Differ {
        odb: &odb,
        dir: String::new(),
        each,
    };
    let (mut a, mut b) = (entries(old.as_ref()), entries(new.as_ref()));
    walk.entries(a.by_ref().filter(chosen), b.by_ref().filter(chosen))?;
    check(&a, &old)?;
    check(&b, &new)
}

/// The ids of entries `names` (files or folders) in folder `prefix` of
/// tree `root` (`None`: not there), read from the raw objects: `rel log`
/// asks this of every commit's tree and its parent's.
pub fn ids_in<const N: usize>(
    repo: &Repository,
    root: Oid,
    prefix: &str,
    names: [&str; N],
) -> anyhow::Result<[Option<Oid>; N]> {
    let odb = repo.odb()?;
    let mut folder = Some(root);
    for part in prefix.split('/').filter(|p| !p.is_empty()) {
        folder = folder_in(&odb, folder, part)?;
    }
    let tree = read_tree(&odb, folder)?;
    let mut ids = [None; N];
    let mut all = entries(tree.as_ref());
    for e in all.by_ref() {
        if let Some(at) = names.iter().position(|n| n.as_bytes() == e.1) {
            ids[at].get_or_insert(e.2);
        }
    }
    check(&all, &tree)?;
    Ok(ids)
}

/// A raw tree object (`None`: no tree there).
fn read_tree<'o>(odb: &'o Odb, id: Option<Oid>) -> anyhow::Result<Option<git2::OdbObject<'o>>> {
    let Some(id) = id else { return Ok(None) };
    let object = odb.read(id)?;
    if object.kind() != git2::ObjectType::Tree {
        return Err(anyhow::anyhow!("object {id} is not a tree"));
    }
    Ok(Some(object))
}

fn entries<'a>(tree: Option<&'a git2::OdbObject>) -> Entries<'a> {
    Entries {
        bytes: tree.map(|t| t.data()).unwrap_or_default(),
        corrupt: false,
    }
}

/// Fails when the walk of a tree stopped at a malformed entry.
fn check(walked: &Entries, tree: &Option<git2::OdbObject>) -> anyhow::Result<()> {
    if walked.corrupt {
        let id = tree
            .as_ref()
            .map(|t| t.id().to_string())
            .unwrap_or_default();
        return Err(anyhow::anyhow!("the git tree {id} is corrupt"));
    }
    Ok(())
}

/// The folder `name` in tree `tree` (`None`: absent, or not a folder).
fn folder_in(odb: &Odb, tree: Option<Oid>, name: &str) -> anyhow::Result<Option<Oid>> {
    let Some(object) = read_tree(odb, tree)? else {
        return Ok(None);
    };
    let found = entries(Some(&object))
        .find(|e| e.1 == name.as_bytes() && is_folder(e))
        .map(|e| e.2);
    Ok(found)
}

struct Differ<'o, 'e, 'f> {
    odb: &'o Odb<'o>,
    /// The folder being compared, relative to the prefix, with its
    /// trailing `/` (empty at the prefix).
    dir: String,
    each: &'e mut EachRaw<'f>,
}

impl Differ<'_, '_, '_> {
    /// Compares two lists of entries in git's order.
    fn entries<'a, 'b>(
        &mut self,
        old: impl Iterator<Item = Entry<'a>>,
        new: impl Iterator<Item = Entry<'b>>,
    ) -> anyhow::Result<()> {
        let (mut old, mut new) = (old.peekable(), new.peekable());
        loop {
            let order = match (old.peek(), new.peek()) {
                (None, None) => return Ok(()),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(a), Some(b)) => git_order(a, b),
            };
            match order {
                Ordering::Less => self.pair(old.next(), None)?,
                Ordering::Greater => self.pair(None, new.next())?,
                Ordering::Equal => {
                    let (a, b) = (old.next(), new.next());
                    if let (Some(a), Some(b)) = (a, b) {
                        if a.2 == b.2 && canon(a.0) == canon(b.0) {
                            continue;
                        }
                    }
                    self.pair(a, b)?
                }
            }
        }
    }

    /// One entry changed: a file, or a folder whose files are compared.
    /// Both sides, when both are there, are folders or both are not (git's
    /// order keeps a folder apart from a file of the same name).
    fn pair(&mut self, old: Option<Entry>, new: Option<Entry>) -> anyhow::Result<()> {
        let name = old.or(new).map(|e| e.1).unwrap_or_default();
        let name = String::from_utf8_lossy(name);
        if old.or(new).is_some_and(|e| is_folder(&e)) {
            let old_tree = read_tree(self.odb, old.map(|e| e.2))?;
            let new_tree = read_tree(self.odb, new.map(|e| e.2))?;
            let len = self.dir.len();
            self.dir.push_str(&name);
            self.dir.push('/');
            let (mut a, mut b) = (entries(old_tree.as_ref()), entries(new_tree.as_ref()));
            self.entries(a.by_ref(), b.by_ref())?;
            self.dir.truncate(len);
            check(&a, &old_tree)?;
            return check(&b, &new_tree);
        }
        // The path made in the folder's buffer: no allocation per file.
        let len = self.dir.len();
        self.dir.push_str(&name);
        let side = |e: Entry| (canon(e.0), e.2);
        (self.each)(&self.dir, new.map(side), old.map(side));
        self.dir.truncate(len);
        Ok(())
    }
}
