//! Where `--output FILE` may write, and writing there atomically.
//!
//! FILE is the user's choice, but the folders it passes through may belong to
//! the repository, and a repository may be hostile: a committed symbolic link
//! `docs -> ../.git` must not turn `--output docs/notes.md` into a write
//! elsewhere. So FILE, as written, may pass through no symbolic link, and it
//! may land neither in a git directory nor on a file rel owns
//! (`environments.toml`, anything under `releases/`).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::error::invalid;

use crate::store::repo::workspace::{PIPELINE_FILE, RELEASES_DIR};

/// A file `--output` may write: checked, not yet written.
#[derive(Debug)]
pub struct OutputFile {
    /// Absolute, through real folders only.
    target: PathBuf,
    /// As the user wrote it, for messages.
    shown: String,
}

impl OutputFile {
    /// Checks `given` (relative to `start_dir`, as `-C` asks) against the
    /// release repository at `release_root`. Exit 2 naming the path when
    /// rel may not write there.
    pub fn check(
        start_dir: &Path,
        given: &Path,
        release_root: &Path,
    ) -> anyhow::Result<OutputFile> {
        let shown = given.display().to_string();
        let refuse = |why: &str| invalid(format!("--output {shown}: {why}; nothing was written"));
        let parts: Vec<Component> = given.components().collect();
        let Some((Component::Normal(name), folders)) = parts.split_last() else {
            return Err(refuse("not a file name"));
        };
        let dir = real_folders(start_dir, given, folders, &refuse)?;
        let target = dir.join(name);
        match fs::symlink_metadata(&target) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(refuse(
                    "it is a symbolic link; rel does not write through links",
                ))
            }
            Ok(m) if !m.is_file() => return Err(refuse("it exists and is not a regular file")),
            _ => {}
        }
        if let Some(why) = forbidden(&target, release_root) {
            return Err(refuse(&why));
        }
        Ok(OutputFile { target, shown })
    }

    /// A file inside a folder `OutputDir` has checked (same rules).
    pub(super) fn checked(target: PathBuf, shown: String) -> OutputFile {
        OutputFile { target, shown }
    }

    /// Writes `content`: a new file beside the target, synced, renamed over
    /// it, so the target is never half-written and no link is followed.
    pub fn write(&self, content: &[u8]) -> anyhow::Result<()> {
        let cannot = |e: std::io::Error| invalid(format!("{}: cannot write: {e}", self.shown));
        let dir = self.target.parent().unwrap_or(Path::new("/"));
        let name = self
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (temp, mut file) = new_temp(dir, &name).map_err(cannot)?;
        let written = file
            .write_all(content)
            .and_then(|()| keep_permissions(&self.target, &file))
            .and_then(|()| file.sync_all())
            .and_then(|()| fs::rename(&temp, &self.target));
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(cannot(e));
        }
        Ok(())
    }
}

/// The folder `folders` lead to from `start_dir` (or from `/` when `given`
/// is absolute), each step checked to be a real folder, never a link: the
/// base is canonical, so `..` after a real folder means what it says.
pub(super) fn real_folders(
    start_dir: &Path,
    given: &Path,
    folders: &[Component],
    refuse: &dyn Fn(&str) -> anyhow::Error,
) -> anyhow::Result<PathBuf> {
    let mut dir = if given.is_absolute() {
        PathBuf::from("/")
    } else {
        start_dir
            .canonicalize()
            .map_err(|e| refuse(&format!("cannot read {}: {e}", start_dir.display())))?
    };
    for part in folders {
        match part {
            Component::Normal(folder) => {
                dir.push(folder);
                match fs::symlink_metadata(&dir) {
                    Ok(m) if m.file_type().is_symlink() => {
                        return Err(refuse(&format!(
                            "{} is a symbolic link; rel does not write through links",
                            dir.display()
                        )))
                    }
                    Ok(m) if m.is_dir() => {}
                    Ok(_) => return Err(refuse(&format!("{} is not a folder", dir.display()))),
                    Err(e) => return Err(refuse(&format!("{}: {e}", dir.display()))),
                }
            }
            Component::ParentDir => {
                dir.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    Ok(dir)
}

/// Why rel may not write at `target` (absolute, no links), if it may not.
pub(super) fn forbidden(target: &Path, release_root: &Path) -> Option<String> {
    // Any `.git`: this repository's, a submodule's, a worktree's `.git` file.
    // Case-blind, as on a case-insensitive file system.
    if target
        .components()
        .any(|c| c.as_os_str().eq_ignore_ascii_case(".git"))
    {
        return Some("inside a git directory; rel never writes there".into());
    }
    let root = release_root.canonicalize().ok()?;
    if let Ok(repo) = git2::Repository::discover(&root) {
        for git_dir in [repo.path(), repo.commondir()] {
            if git_dir.canonicalize().is_ok_and(|g| target.starts_with(g)) {
                return Some("inside the git directory; rel never writes there".into());
            }
        }
    }
    let inside: Vec<String> = target
        .strip_prefix(&root)
        .ok()?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_ascii_lowercase())
        .collect();
    let owned = match inside.as_slice() {
        [only] => *only == PIPELINE_FILE,
        [first, _, ..] => *first == RELEASES_DIR,
        [] => false,
    };
    owned.then(|| {
        format!("a file rel owns ({PIPELINE_FILE} and everything under {RELEASES_DIR}/ change only through rel's commands)")
    })
}

/// A file that did not exist (never a link followed), named after `name`.
fn new_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, File)> {
    let mut attempt = 0;
    loop {
        let temp = dir.join(format!(".{name}.rel-tmp-{}-{attempt}", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// A file written again keeps its permissions (a world-readable page stays so).
fn keep_permissions(target: &Path, file: &File) -> std::io::Result<()> {
    match fs::symlink_metadata(target) {
        Ok(m) if m.is_file() => file.set_permissions(m.permissions()),
        _ => Ok(()),
    }
}
