//! Loading release manifests and incident files from the state rel decides
//! on (see `source`). Loading is linear in the number of files; reading and
//! parsing are spread over the cores.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::invalid;
use crate::model::ids::{id_key, validate_id};
use crate::model::incident::Incident;
use crate::model::installation::{Installation, InstallationRules};
use crate::model::release::{Release, State};

use super::source::FileRef;
use super::toml_file;
use super::workspace::{Workspace, INCIDENTS_DIR, INSTALLATIONS_DIR, RELEASES_DIR};

/// Something stored one file per id, whose file stem must equal its `id`.
pub trait Stored: DeserializeOwned + Send + 'static {
    const DIR: &'static str;
    const WHAT: &'static str;
    fn id(&self) -> &str;
}

impl Stored for Release {
    const DIR: &'static str = RELEASES_DIR;
    const WHAT: &'static str = "release";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Stored for Incident {
    const DIR: &'static str = INCIDENTS_DIR;
    const WHAT: &'static str = "incident";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Stored for Installation {
    const DIR: &'static str = INSTALLATIONS_DIR;
    const WHAT: &'static str = "installation";
    fn id(&self) -> &str {
        &self.name
    }
}

fn key_hash(key: &str) -> u64 {
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// The relative path of an item's file.
pub fn file_of<T: Stored>(id: &str) -> String {
    format!("{}/{id}.toml", T::DIR)
}

impl Workspace {
    /// The files of T's folder with their validated ids, unique
    /// case-insensitively, in id order.
    pub(super) fn listed<T: Stored>(&self) -> anyhow::Result<Vec<(String, FileRef)>> {
        let mut listed: Vec<(String, FileRef)> = Vec::new();
        // Hashes of the ids' keys; the rare equal hash is checked against
        // the ids themselves (100,000 incidents without a second copy of
        // their ids).
        let mut seen: HashSet<u64> = HashSet::new();
        for file in self.list_rel_dir(T::DIR)? {
            let Some(stem) = file.name.strip_suffix(".toml") else {
                continue;
            };
            if file.name.starts_with('.') {
                continue;
            }
            let stem = stem.to_string();
            validate_id(T::WHAT, &stem)
                .map_err(|m| invalid(format!("{}/{}: {m}", T::DIR, file.name)))?;
            let key = id_key(&stem);
            let twin = if seen.insert(key_hash(&key)) {
                None
            } else {
                listed.iter().find(|(id, _)| id_key(id) == key)
            };
            if let Some((other, _)) = twin {
                return Err(invalid(format!(
                    "{}: {} ids {other:?} and {stem:?} differ only by case; ids must be unique ignoring case",
                    T::DIR,
                    T::WHAT
                )));
            }
            listed.push((stem, file));
        }
        listed.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(listed)
    }

    /// Ids of the files in T's folder, validated and unique case-insensitively.
    pub fn ids<T: Stored>(&self) -> anyhow::Result<Vec<String>> {
        Ok(self.listed::<T>()?.into_iter().map(|(id, _)| id).collect())
    }

    /// The stored id matching `wanted` ignoring case, or exit 2 naming it.
    pub fn resolve<T: Stored>(&self, wanted: &str) -> anyhow::Result<String> {
        validate_id(T::WHAT, wanted).map_err(invalid)?;
        if self.has_rel_file(&file_of::<T>(wanted))? {
            // Exact file; a case-twin would be caught when listing.
            return Ok(wanted.to_string());
        }
        let key = id_key(wanted);
        self.ids::<T>()?
            .into_iter()
            .find(|id| id_key(id) == key)
            .ok_or_else(|| invalid(format!("unknown {} `{wanted}`", T::WHAT)))
    }

    /// Loads one item by (case-insensitive) id.
    pub fn load<T: Stored>(&self, wanted: &str) -> anyhow::Result<T> {
        let id = self.resolve::<T>(wanted)?;
        self.load_exact(&id)
    }

    /// Every installation, validated, by name in lower case. Few files, so
    /// read on every command that reads the pipeline.
    pub fn installations(&self) -> anyhow::Result<Vec<Installation>> {
        self.ids::<Installation>()?
            .iter()
            .map(|id| self.load_exact::<Installation>(id))
            .collect()
    }

    pub(super) fn installation_rules(
        &self,
    ) -> anyhow::Result<std::collections::BTreeMap<String, InstallationRules>> {
        let mut all = std::collections::BTreeMap::new();
        for i in self.installations()? {
            let rules = i
                .rules()
                .map_err(|m| invalid(format!("{}: {m}", file_of::<Installation>(&i.name))))?;
            all.insert(i.name.to_ascii_lowercase(), rules);
        }
        Ok(all)
    }

    fn load_exact<T: Stored>(&self, id: &str) -> anyhow::Result<T> {
        let relative = file_of::<T>(id);
        let text = self
            .read_rel_file(&relative)?
            .ok_or_else(|| invalid(format!("unknown {} `{id}`", T::WHAT)))?;
        parse_item::<T>(id, &text)
    }
}

pub use crate::model::release::ReleaseHead;

/// `state` and `environment` from the top-level lines of a canonical
/// manifest (TOML puts top-level keys before the first table header). None
/// when anything is unusual (multi-line strings, escapes, an id that does
/// not match), so the caller parses the file properly.
pub(super) fn scan_head(id: &str, text: &str) -> Option<ReleaseHead> {
    let (mut file_id, mut state, mut environment, mut installation, mut pipeline) =
        (None, None, None, None, None);
    for line in text.lines() {
        if line.starts_with('[') {
            break;
        }
        if line.contains("\"\"\"") || line.contains("'''") {
            return None;
        }
        let Some((key, value)) = line.split_once(" = ") else {
            continue;
        };
        let plain = || {
            value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .filter(|v| !v.contains(['"', '\\']))
        };
        match key {
            "id" => file_id = Some(plain()?),
            "state" => state = Some(plain()?),
            "environment" => environment = Some(plain()?),
            "installation" => installation = Some(plain()?.to_string()),
            "pipeline" => pipeline = Some(plain()?.to_string()),
            _ => {}
        }
    }
    if file_id? != id {
        return None;
    }
    let state = match state? {
        "open" => State::Open,
        "frozen" => State::Frozen,
        "released" => State::Released,
        "cancelled" => State::Cancelled,
        _ => return None,
    };
    Some(ReleaseHead {
        id: id.to_string(),
        state,
        environment: environment?.to_string(),
        installation,
        pipeline,
    })
}

/// `f` over chunks of `items`, one chunk per core; results in order, or
/// the first error.
pub(super) fn par_chunks<I: Sync, R: Send>(
    items: &[I],
    f: impl Fn(&[I]) -> anyhow::Result<Vec<R>> + Sync,
) -> anyhow::Result<Vec<R>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    if items.len() < 64 || threads == 1 {
        return f(items);
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || f(part)))
            .collect();
        let mut all = Vec::with_capacity(items.len());
        for h in handles {
            let part = h
                .join()
                .map_err(|_| anyhow::anyhow!("a loading thread failed"))??;
            all.extend(part);
        }
        Ok(all)
    })
}

/// Parses the text of T's file for `id`, whose id must match its name.
pub(super) fn parse_item<T: Stored>(id: &str, text: &str) -> anyhow::Result<T> {
    let relative = file_of::<T>(id);
    let item: T = toml_file::parse(Path::new(&relative), text)?;
    if item.id() != id {
        return Err(invalid(format!(
            "{relative}: its id is {:?} but the file is named for {id:?}; the file name and the id must match",
            item.id()
        )));
    }
    Ok(item)
}

/// The canonical file of an item, as a change to commit.
pub fn change_for<T: Stored + serde::Serialize>(item: &T) -> anyhow::Result<crate::store::Change> {
    Ok(crate::store::Change {
        path: file_of::<T>(item.id()),
        content: toml_file::to_canonical(item)?.into_bytes(),
        removed: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_of_a_canonical_manifest_is_read_without_parsing() {
        let text = "id = \"R-1\"\ntitle = \"x\"\nstate = \"frozen\"\nenvironment = \"staging\"\n\n[[history]]\nenv = \"uat\"\n";
        let head = scan_head("R-1", text).expect("canonical");
        assert_eq!(head.state, State::Frozen);
        assert_eq!(head.environment, "staging");
        // Anything unusual falls back to the full parse.
        assert_eq!(scan_head("R-2", text), None);
        assert_eq!(
            scan_head("R-1", &text.replace("\"staging\"", "'staging'")),
            None
        );
        assert_eq!(
            scan_head(
                "R-1",
                "id = \"R-1\"\ntitle = \"\"\"\na\"\"\"\nstate = \"open\"\nenvironment = \"uat\"\n"
            ),
            None
        );
        assert_eq!(
            scan_head("R-1", "state = \"open\"\nenvironment = \"uat\"\n"),
            None
        );
    }
}
