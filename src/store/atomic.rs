//! Writing files atomically: a temporary file beside the target, synced, then
//! renamed over it, so a reader never sees half a manifest.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file written but not yet in place.
pub struct Staged {
    pub temp: PathBuf,
    pub target: PathBuf,
    /// Folders made to hold the file, deepest first: removed again when the
    /// file is discarded, so a failed command leaves no trace.
    created: Vec<PathBuf>,
}

pub fn stage(target: &Path, content: &[u8]) -> std::io::Result<Staged> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let created: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .map(Path::to_path_buf)
        .collect();
    fs::create_dir_all(dir)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.rel-tmp-{}", std::process::id()));
    let staged = Staged {
        temp,
        target: target.to_path_buf(),
        created,
    };
    let written = File::create(&staged.temp).and_then(|mut file| {
        file.write_all(content)?;
        file.sync_all()
    });
    match written {
        Ok(()) => Ok(staged),
        Err(e) => {
            staged.discard();
            Err(e)
        }
    }
}

impl Staged {
    pub fn commit(self) -> std::io::Result<()> {
        fs::rename(&self.temp, &self.target)
    }
    pub fn discard(self) {
        let _ = fs::remove_file(&self.temp);
        // Only empty folders go: another staged file may share one, and its
        // own discard removes it after.
        for d in &self.created {
            let _ = fs::remove_dir(d);
        }
    }
}
