//! Writing files atomically: a temporary file beside the target, synced, then
//! renamed over it, so a reader never sees half a manifest.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file written but not yet in place.
pub struct Staged {
    pub temp: PathBuf,
    pub target: PathBuf,
}

pub fn stage(target: &Path, content: &[u8]) -> std::io::Result<Staged> {
    let dir = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.rel-tmp-{}", std::process::id()));
    let mut file = File::create(&temp)?;
    file.write_all(content)?;
    file.sync_all()?;
    Ok(Staged {
        temp,
        target: target.to_path_buf(),
    })
}

impl Staged {
    pub fn commit(self) -> std::io::Result<()> {
        fs::rename(&self.temp, &self.target)
    }
    pub fn discard(self) {
        let _ = fs::remove_file(&self.temp);
    }
}
