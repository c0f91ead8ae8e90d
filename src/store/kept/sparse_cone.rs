//! git's sparse checkout in cone mode, as far as a checkout of rel's files
//! needs it: whether git would write a path's file (the path is in the
//! cone) or keep it out of the work tree. Only the patterns `git
//! sparse-checkout set --cone` writes are read here:
//!
//! ```text
//! /*                 files at the top
//! !/*/               no folder at the top, but
//! /releases/         releases/ and the files directly in it,
//! !/releases/*/      none of its folders, but
//! /releases/incidents/   everything under releases/incidents/
//! ```
//!
//! Anything else (a comment aside) is not a cone: `None`, and git checks
//! the files out itself.

use std::io::Read as _;
use std::path::Path;

/// Patterns files longer than this are left to git.
const LONGEST: u64 = 1 << 20;

#[derive(Debug, PartialEq, Eq)]
pub struct Cone {
    /// Folders whose whole content is in the cone.
    recursive: Vec<String>,
    /// Folders whose files (not sub-folders) are in the cone.
    parents: Vec<String>,
}

impl Cone {
    /// The cone `$GIT_DIR/info/sparse-checkout` names (None: no such
    /// plain file, or not cone patterns).
    pub fn read(git_dir: &Path) -> Option<Cone> {
        let path = git_dir.join("info/sparse-checkout");
        if !std::fs::symlink_metadata(&path).ok()?.is_file() {
            return None;
        }
        let mut text = String::new();
        std::fs::File::open(&path)
            .ok()?
            .take(LONGEST + 1)
            .read_to_string(&mut text)
            .ok()?;
        if text.len() as u64 > LONGEST {
            return None;
        }
        Cone::parse(&text)
    }

    pub fn parse(text: &str) -> Option<Cone> {
        let (mut top, mut no_top_folders) = (false, false);
        let mut dirs: Vec<String> = Vec::new();
        let mut parents: Vec<String> = Vec::new();
        for line in text.split('\n') {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line {
                "/*" => top = true,
                "!/*/" => no_top_folders = true,
                _ => match line.strip_prefix("!/").and_then(|l| l.strip_suffix("/*/")) {
                    Some(dir) => parents.push(plain(dir)?),
                    None => dirs.push(plain(line.strip_prefix('/')?.strip_suffix('/')?)?),
                },
            }
        }
        // git writes a folder's own line before it excludes its sub-folders.
        if !top || !no_top_folders || parents.iter().any(|p| !dirs.contains(p)) {
            return None;
        }
        let recursive = dirs.into_iter().filter(|d| !parents.contains(d)).collect();
        Some(Cone { recursive, parents })
    }

    /// Whether git checks `path` (a file, relative to the work tree) out.
    pub fn holds(&self, path: &str) -> bool {
        let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
        folder.is_empty()
            || self.parents.iter().any(|p| p == folder)
            || self.recursive.iter().any(|r| {
                folder == r
                    || (folder.starts_with(r.as_str()) && folder[r.len()..].starts_with('/'))
            })
    }
}

/// A folder named as it is, with nothing git would read as a pattern or
/// an escape.
fn plain(dir: &str) -> Option<String> {
    let special = |c: char| matches!(c, '\\' | '*' | '?' | '[' | ']' | '!' | '\r');
    (!dir.is_empty()
        && !dir.contains(special)
        && dir
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".."))
    .then(|| dir.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SET: &str = "/*\n!/*/\n/releases/\n!/releases/*/\n/releases/incidents/\n\
                       /releases/installations/\n/releases/reports/\n";

    #[test]
    fn cone_patterns_say_which_files_git_writes() {
        let cone = Cone::parse(SET).expect("a cone");
        for held in [
            "environments.toml",
            "releases/R-1.toml",
            "releases/incidents/INC-1.toml",
            "releases/reports/R-1/dev-1.log",
        ] {
            assert!(cone.holds(held), "{held}");
        }
        for outside in [
            "releases/archive/2026/R-1.toml",
            "releases/archive/index/1.toml",
            "docs/guide.md",
            "releases/incidentsx/INC-1.toml",
        ] {
            assert!(!cone.holds(outside), "{outside}");
        }
        // Everything at the top only.
        let top = Cone::parse("/*\n!/*/\n").expect("a cone");
        assert!(top.holds("environments.toml"));
        assert!(!top.holds("releases/R-1.toml"));
    }

    #[test]
    fn anything_but_cone_patterns_is_left_to_git() {
        for text in [
            "",
            "/*\n",
            "!/*/\n/releases/\n",
            "/*\n!/*/\n*.toml\n",
            "/*\n!/*/\nreleases/\n",
            "/*\n!/*/\n!/releases/*/\n",
            "/*\n!/*/\n/rel*ases/\n",
            "/*\n!/*/\n/a\\ b/\n",
            "/*\n!/*/\n/../\n",
            "/*\r\n!/*/\r\n",
        ] {
            assert_eq!(Cone::parse(text), None, "{text:?}");
        }
        assert!(Cone::parse("# set by hand\n/*\n!/*/\n").is_some());
    }
}
