//! Where `--output DIR` may write a set of files (`rel board`), with the
//! same rules as `--output FILE` (see `output_path`): DIR, as written, passes
//! through no symbolic link and is not one; no file lands in a git directory
//! or on a file rel owns; every file is written atomically.

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::error::invalid;

use super::output_path::{forbidden, real_folders, OutputFile};

/// A folder `--output` may write the files `names` into: checked, nothing
/// written yet.
#[derive(Debug)]
pub struct OutputDir {
    /// Absolute, through real folders only.
    dir: PathBuf,
    /// As the user wrote it, for messages.
    shown: String,
    /// Missing now: made (one level, its parent must exist) when written.
    missing: bool,
    files: Vec<String>,
}

impl OutputDir {
    /// Checks `given` (relative to `start_dir`) and each of the files to
    /// be written in it against the release repository at `release_root`.
    /// Exit 2 naming the path when rel may not write there; everything is
    /// checked before anything is written.
    pub fn check(
        start_dir: &Path,
        given: &Path,
        release_root: &Path,
        names: &[&str],
    ) -> anyhow::Result<OutputDir> {
        let shown = given.display().to_string();
        let refuse = |why: &str| invalid(format!("--output {shown}: {why}; nothing was written"));
        let parts: Vec<Component> = given.components().collect();
        let (dir, missing) = match parts.split_last() {
            Some((Component::Normal(name), folders)) => {
                let dir = real_folders(start_dir, given, folders, &refuse)?.join(name);
                match fs::symlink_metadata(&dir) {
                    Ok(m) if m.file_type().is_symlink() => {
                        return Err(refuse(
                            "it is a symbolic link; rel does not write through links",
                        ))
                    }
                    Ok(m) if !m.is_dir() => return Err(refuse("it exists and is not a folder")),
                    Ok(_) => (dir, false),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => (dir, true),
                    Err(e) => return Err(refuse(&format!("{}: {e}", dir.display()))),
                }
            }
            // `.`, `..`, `/`: a folder that exists, reached the same way.
            Some(_) => (real_folders(start_dir, given, &parts, &refuse)?, false),
            None => return Err(refuse("not a folder name")),
        };
        for name in names {
            let target = dir.join(name);
            if !missing {
                match fs::symlink_metadata(&target) {
                    Ok(m) if m.file_type().is_symlink() => {
                        return Err(refuse(&format!(
                            "{} is a symbolic link; rel does not write through links",
                            target.display()
                        )))
                    }
                    Ok(m) if !m.is_file() => {
                        return Err(refuse(&format!(
                            "{} exists and is not a regular file",
                            target.display()
                        )))
                    }
                    _ => {}
                }
            }
            if let Some(why) = forbidden(&target, release_root) {
                return Err(refuse(&why));
            }
        }
        Ok(OutputDir {
            dir,
            shown,
            missing,
            files: names.iter().map(|n| n.to_string()).collect(),
        })
    }

    /// The folder, absolute (through real folders only).
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes the files, in the order given, each atomically (temp file,
    /// sync, rename): a reader never sees half a file. Making the folder
    /// fails if anything appeared there meanwhile, so no link is followed.
    pub fn write(&self, contents: &[(&str, &[u8])]) -> anyhow::Result<()> {
        if self.missing {
            fs::create_dir(&self.dir)
                .map_err(|e| invalid(format!("{}: cannot make the folder: {e}", self.shown)))?;
        }
        for (name, content) in contents {
            if !self.files.iter().any(|f| f == name) {
                // A file that was not checked is a bug of the caller.
                anyhow::bail!("{name} was not checked for --output {}", self.shown);
            }
            let shown = format!("{}/{name}", self.shown.trim_end_matches('/'));
            OutputFile::checked(self.dir.join(name), shown).write(content)?;
        }
        Ok(())
    }
}
