//! git's configuration as git itself reads it, for the few settings a
//! write depends on (commit.gpgSign, and those deciding whether rel may
//! check its files out in-process: see `kept::checkout`).
//!
//! libgit2 reads config files in-process, but not always those git reads:
//! it ignores GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM and GIT_CONFIG_SYSTEM
//! (without `open_from_env`), `git -c` (GIT_CONFIG_PARAMETERS,
//! GIT_CONFIG_COUNT), and its system file is not always git's (a git
//! installed under /usr/local reads /usr/local/etc/gitconfig, libgit2
//! /etc/gitconfig). So the view is built in-process only where it is
//! certainly git's: the system file is settled by the environment
//! (GIT_CONFIG_NOSYSTEM, or GIT_CONFIG_SYSTEM naming it), no `-c` or
//! GIT_CONFIG is in play, and the files named by the environment hold no
//! conditional include (which libgit2 cannot judge outside a repository).
//! Anywhere else one `git config --list -z` answers for every setting at
//! once. Reading in-process spares a git process per write (2-3 ms, a
//! tenth of `rel new` on a 1,000-release repository).

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use git2::{ConfigLevel, Repository};

/// Settings, by name as `git config --list` prints it (section and key in
/// lower case, a subsection as written); the value git would use (the last
/// one); None for a key given without `=` (true for a boolean).
pub struct GitConfig {
    values: HashMap<String, Option<String>>,
}

/// Variables that make git read configuration libgit2 cannot see.
const PROCESS_ONLY: [&str; 3] = ["GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_CONFIG"];

impl GitConfig {
    /// git's configuration for the repository at `workdir`.
    pub fn read(repo: &Repository, workdir: &Path) -> anyhow::Result<GitConfig> {
        match in_process(repo) {
            Some(values) => Ok(GitConfig { values }),
            None => Ok(GitConfig {
                values: by_git(workdir)?,
            }),
        }
    }

    /// The raw value of `key` (e.g. `core.autocrlf`); Some(None) for a key
    /// given without `=`.
    pub fn get(&self, key: &str) -> Option<Option<&str>> {
        self.values.get(&normal_name(key)).map(|v| v.as_deref())
    }

    /// `key` as a boolean as git reads it; None when unset. A value git
    /// would refuse as a boolean is an error.
    pub fn get_bool(&self, key: &str) -> anyhow::Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(None) => Ok(Some(true)),
            Some(Some(v)) => parse_bool(v)
                .map(Some)
                .ok_or_else(|| anyhow::anyhow!("bad boolean config value '{v}' for '{key}'")),
        }
    }
}

/// git's configuration for `repo`, read once per process and git
/// directory: signing and the checkout after a commit ask the same view
/// (git too reads its configuration once per command).
pub fn cached(repo: &Repository, workdir: &Path) -> anyhow::Result<std::sync::Arc<GitConfig>> {
    use std::sync::{Arc, Mutex, OnceLock};
    static READ: OnceLock<Mutex<HashMap<std::path::PathBuf, Arc<GitConfig>>>> = OnceLock::new();
    let read = READ.get_or_init(Default::default);
    let key = repo.path().to_path_buf();
    if let Some(config) = read.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(config);
    }
    let config = Arc::new(GitConfig::read(repo, workdir)?);
    if let Ok(mut m) = read.lock() {
        m.insert(key, config.clone());
    }
    Ok(config)
}

/// git's boolean words (and integers: non-zero is true).
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" | "" => Some(false),
        other => other.parse::<i64>().ok().map(|n| n != 0),
    }
}

/// `section.key` in lower case; a subsection (between the first and the
/// last dot) kept as written.
fn normal_name(name: &str) -> String {
    match (name.find('.'), name.rfind('.')) {
        (Some(first), Some(last)) if first != last => format!(
            "{}{}{}",
            name[..first].to_ascii_lowercase(),
            &name[first..last],
            name[last..].to_ascii_lowercase()
        ),
        _ => name.to_ascii_lowercase(),
    }
}

/// Where a file's settings rank: a later rank wins, as git reads the
/// system, global, repository and worktree files in that order.
fn rank(level: ConfigLevel) -> Option<u8> {
    match level {
        ConfigLevel::ProgramData => Some(0),
        ConfigLevel::System => Some(1),
        ConfigLevel::XDG => Some(2),
        ConfigLevel::Global => Some(3),
        ConfigLevel::Local => Some(4),
        ConfigLevel::Worktree => Some(5),
        // Set by a program through libgit2, never by git: not git's view.
        ConfigLevel::App | ConfigLevel::Highest => None,
    }
}

/// The view read in-process, when it is certainly git's (see the module
/// comment); None otherwise.
fn in_process(repo: &Repository) -> Option<HashMap<String, Option<String>>> {
    if PROCESS_ONLY.iter().any(|v| std::env::var_os(v).is_some()) {
        return None;
    }
    let no_system = std::env::var("GIT_CONFIG_NOSYSTEM")
        .ok()
        .map(|v| parse_bool(&v))
        .unwrap_or(Some(false))?;
    let system_file = std::env::var_os("GIT_CONFIG_SYSTEM");
    if !no_system && system_file.is_none() {
        return None; // git's own system file: only git knows where it is
    }
    let global_file = std::env::var_os("GIT_CONFIG_GLOBAL");
    // (rank, order read, name, value): the last of the highest rank wins.
    let mut read: Vec<(u8, usize, String, Option<String>)> = Vec::new();
    let config = repo.config().ok()?;
    let mut entries = config.entries(None).ok()?;
    while let Some(entry) = entries.next() {
        let entry = entry.ok()?;
        let rank = rank(entry.level());
        let replaced = match entry.level() {
            ConfigLevel::ProgramData | ConfigLevel::System => true,
            ConfigLevel::XDG | ConfigLevel::Global => global_file.is_some(),
            _ => false,
        };
        let Some(rank) = rank.filter(|_| !replaced) else {
            continue;
        };
        let name = String::from_utf8_lossy(entry.name_bytes()).into_owned();
        if is_unjudged_include(&name) {
            return None;
        }
        let value = entry
            .has_value()
            .then(|| String::from_utf8_lossy(entry.value_bytes()).into_owned());
        read.push((rank, read.len(), name, value));
    }
    if !no_system {
        read_file(Path::new(system_file.as_ref()?), 1, &mut read)?;
    }
    if let Some(file) = &global_file {
        read_file(Path::new(file), 3, &mut read)?;
    }
    read.sort_by_key(|(rank, order, _, _)| (*rank, *order));
    Some(
        read.into_iter()
            .map(|(_, _, name, value)| (normal_name(&name), value))
            .collect(),
    )
}

/// A conditional include libgit2 does not judge as git does
/// (`hasconfig:`), in a file read with the repository.
fn is_unjudged_include(name: &str) -> bool {
    name.to_ascii_lowercase()
        .starts_with("includeif.hasconfig:")
}

/// The settings of a file the environment names, at `rank`; absent or
/// empty is nothing. None (ask git) when it holds a conditional include or
/// cannot be read.
fn read_file(
    path: &Path,
    rank: u8,
    read: &mut Vec<(u8, usize, String, Option<String>)>,
) -> Option<()> {
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(()),
        Err(_) => return None,
    };
    if text.is_empty() {
        return Some(());
    }
    if String::from_utf8_lossy(&text)
        .to_ascii_lowercase()
        .contains("includeif")
    {
        return None;
    }
    let config = git2::Config::open(path).ok()?;
    let mut entries = config.entries(None).ok()?;
    while let Some(entry) = entries.next() {
        let entry = entry.ok()?;
        let name = String::from_utf8_lossy(entry.name_bytes()).into_owned();
        let value = entry
            .has_value()
            .then(|| String::from_utf8_lossy(entry.value_bytes()).into_owned());
        read.push((rank, read.len(), name, value));
    }
    Some(())
}

/// `git config --list -z`: every setting as git reads it, the last value
/// of each name kept.
fn by_git(workdir: &Path) -> anyhow::Result<HashMap<String, Option<String>>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(workdir)
        .args(["config", "--list", "-z"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(crate::store::git::git_cli::not_run)?;
    if !out.status.success() {
        return Err(anyhow::anyhow!(
            "git config --list: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(parse_list(&out.stdout))
}

/// `git config --list -z` output: `name\nvalue\0`, or `name\0` for a key
/// without `=`.
fn parse_list(out: &[u8]) -> HashMap<String, Option<String>> {
    let mut values = HashMap::new();
    for record in out.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let text = String::from_utf8_lossy(record);
        let (name, value) = match text.split_once('\n') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (text.into_owned(), None),
        };
        values.insert(normal_name(&name), value);
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_compared_as_git_compares_them() {
        assert_eq!(normal_name("Core.AutoCRLF"), "core.autocrlf");
        assert_eq!(normal_name("Remote.Origin.URL"), "remote.Origin.url");
    }

    #[test]
    fn git_list_output_keeps_the_last_value_and_bare_keys() {
        let values = parse_list(b"core.autocrlf\nfalse\0core.autocrlf\ntrue\0commit.gpgsign\0");
        assert_eq!(values["core.autocrlf"].as_deref(), Some("true"));
        assert_eq!(values["commit.gpgsign"], None);
    }

    #[test]
    fn booleans_are_read_as_git_reads_them() {
        assert_eq!(parse_bool("Yes"), Some(true));
        assert_eq!(parse_bool("off"), Some(false));
        assert_eq!(parse_bool("2"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }
}
