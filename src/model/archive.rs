//! Where finished releases live (contract 11.1): the paths of the archive,
//! and which year a finished release is filed under. Pure: the store reads
//! and writes these paths, the audit parses them back to ids.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use super::incident::{Flags, Incident};
use super::release::{Release, State};

/// The archive's folder, relative to the release root.
pub const ARCHIVE_DIR: &str = "releases/archive";
/// Health reports of releases in progress.
pub const REPORTS_DIR: &str = "releases/reports";

/// The small index rel keeps of the archive: what update paths need to
/// know of released releases, so that deciding about work in progress
/// never reads the archive itself.
///
/// The index as one file, as rel wrote it before the index was split by
/// major version. While a repository keeps it, it is the index (read and
/// written as before); `rel archive` splits it into `INDEX_DIR`.
pub const LEGACY_INDEX_FILE: &str = "releases/archive/index.toml";

/// The index split in files of one major version each (`Shard`): `rel
/// new` reads the newest one below its version, and a close rewrites one
/// small file, whatever the size of the archive.
pub const INDEX_DIR: &str = "releases/archive/index";

/// The file of the index that keeps a released release's entry: the
/// product releases of one major version, or the updates of
/// installations to one major version (kept apart, so that a vendor's
/// thousands of updates do not grow what `rel new` of a product release
/// reads). Versions that are not semantic versioning share `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shard {
    pub major: Option<u64>,
    pub updates: bool,
}

impl Shard {
    /// The shard of a release of `version`, an update or a product release.
    pub fn of(version: &str, update: bool) -> Shard {
        Shard {
            major: crate::model::release::parse_version(version)
                .ok()
                .map(|v| v.major),
            updates: update,
        }
    }

    pub fn of_entry(e: &Shipped) -> Shard {
        Shard::of(&e.version, e.installation.is_some())
    }

    /// The shard's file name: `7.toml`, `7-updates.toml`, `other.toml`.
    pub fn file_name(self) -> String {
        let major = match self.major {
            Some(m) => m.to_string(),
            None => "other".to_string(),
        };
        let updates = if self.updates { "-updates" } else { "" };
        format!("{major}{updates}.toml")
    }

    pub fn path(self) -> String {
        format!("{INDEX_DIR}/{}", self.file_name())
    }

    /// The shard a file name of `INDEX_DIR` names, spelled exactly as
    /// `file_name` spells it (no sign, no leading zero); None otherwise.
    pub fn from_file_name(name: &str) -> Option<Shard> {
        let stem = name.strip_suffix(".toml")?;
        let (major, updates) = match stem.strip_suffix("-updates") {
            Some(m) => (m, true),
            None => (stem, false),
        };
        let major = match major {
            "other" => None,
            "0" => Some(0),
            m if !m.starts_with('0') && !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()) => {
                Some(m.parse().ok()?)
            }
            _ => return None,
        };
        Some(Shard { major, updates })
    }

    /// The shard a path relative to the release root is the file of.
    pub fn from_path(path: &str) -> Option<Shard> {
        Shard::from_file_name(path.strip_prefix(INDEX_DIR)?.strip_prefix('/')?)
    }
}

/// One file of the index (or the legacy whole): one entry per released
/// release filed in the archive, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    #[serde(default)]
    pub released: Vec<Shipped>,
}

/// A released release as update paths see it: its version, the
/// installation it updated (none for a product release), and whether it
/// shipped a breaking incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipped {
    pub id: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installation: Option<String>,
    #[serde(default)]
    pub breaking: bool,
    /// The shipped incidents with a flag that decides update paths: what
    /// an update carrying this release counts (contract 11.3), without
    /// reading the archive.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flagged: Vec<FlaggedIncident>,
}

/// A shipped incident flagged `breaking`, `compat_work` or `client_work`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlaggedIncident {
    pub id: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub breaking: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub compat_work: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub client_work: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl FlaggedIncident {
    pub fn flags(&self) -> Flags {
        Flags {
            breaking: self.breaking,
            compat_work: self.compat_work,
            client_work: self.client_work,
        }
    }
}

impl Shipped {
    /// The entry of released `release`, given the incidents it shipped.
    pub fn of<'a>(release: &Release, shipped: impl IntoIterator<Item = &'a Incident>) -> Shipped {
        Shipped::of_flags(
            release,
            shipped.into_iter().map(|i| (i.id.as_str(), i.flags())),
        )
    }

    /// `of`, from the id and flags of each incident (all it reads of
    /// them: the audit keeps no more of a million incidents).
    pub fn of_flags<'a>(
        release: &Release,
        shipped: impl IntoIterator<Item = (&'a str, crate::model::incident::Flags)>,
    ) -> Shipped {
        let mut breaking = false;
        let mut flagged = Vec::new();
        for (id, f) in shipped {
            breaking |= f.breaking;
            if f.breaking || f.compat_work || f.client_work {
                flagged.push(FlaggedIncident {
                    id: id.to_string(),
                    breaking: f.breaking,
                    compat_work: f.compat_work,
                    client_work: f.client_work,
                });
            }
        }
        // In id order, so the index says the same whatever order it is given.
        flagged.sort_by(|a: &FlaggedIncident, b| a.id.cmp(&b.id));
        Shipped {
            id: release.id.clone(),
            version: release.version.clone(),
            installation: release.installation.clone(),
            breaking,
            flagged,
        }
    }
}

impl Index {
    /// The index split into its shards' files, each in id order.
    pub fn split(self) -> std::collections::BTreeMap<Shard, Index> {
        let mut shards: std::collections::BTreeMap<Shard, Index> = Default::default();
        for e in self.released {
            shards
                .entry(Shard::of_entry(&e))
                .or_default()
                .released
                .push(e);
        }
        for index in shards.values_mut() {
            index.released.sort_by(|a, b| a.id.cmp(&b.id));
        }
        shards
    }

    /// The index with `entry` in it (replacing one of the same id), in id
    /// order, so the file is the same whatever order it was written in.
    pub fn with(mut self, entry: Shipped) -> Index {
        self.released
            .retain(|e| !e.id.eq_ignore_ascii_case(&entry.id));
        self.released.push(entry);
        self.released.sort_by(|a, b| a.id.cmp(&b.id));
        self
    }
}

/// The folder of one year of the archive.
pub fn year_dir(year: i32) -> String {
    format!("{ARCHIVE_DIR}/{year:04}")
}

/// The health reports of an archived release.
pub fn reports_dir(year: i32, release: &str) -> String {
    format!("{}/reports/{release}", year_dir(year))
}

/// The health reports of a release in progress.
pub fn live_reports_dir(release: &str) -> String {
    format!("{REPORTS_DIR}/{release}")
}

/// The instant a finished release finished: the last `close` or `cancel`
/// of its history. None for a release in progress (or a finished one
/// whose history lost that event: hand-edited).
pub fn finished_at(release: &Release) -> Option<DateTime<Utc>> {
    if release.state.in_progress() {
        return None;
    }
    let wanted = match release.state {
        State::Released => "close",
        _ => "cancel",
    };
    release
        .history
        .iter()
        .rev()
        .find(|e| e.action == wanted)
        .map(|e| e.at)
}

/// The year a finished release is filed under: the UTC year it finished;
/// without that event, the year it last entered an environment.
pub fn year_of(release: &Release) -> Option<i32> {
    if release.state.in_progress() {
        return None;
    }
    Some(finished_at(release).unwrap_or(release.entered_at).year())
}

/// What a path inside the archive holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Archived<'a> {
    Release {
        year: i32,
        id: &'a str,
    },
    Incident {
        year: i32,
        id: &'a str,
    },
    Report {
        year: i32,
        release: &'a str,
    },
    /// Anything else under the archive (the index, a stray file).
    Other,
}

/// Parses a path relative to the release root; None when it is not
/// under the archive.
pub fn parse<'a>(path: &'a str) -> Option<Archived<'a>> {
    let rest = path.strip_prefix(ARCHIVE_DIR)?.strip_prefix('/')?;
    let Some((year, rest)) = rest.split_once('/') else {
        return Some(Archived::Other);
    };
    let Some(year) = parse_year(year) else {
        return Some(Archived::Other);
    };
    let id_of = |p: &'a str| {
        p.strip_suffix(".toml")
            .filter(|id| !id.contains('/') && !id.starts_with('.') && !id.is_empty())
    };
    if let Some(p) = rest.strip_prefix("incidents/") {
        return Some(match id_of(p) {
            Some(id) => Archived::Incident { year, id },
            None => Archived::Other,
        });
    }
    if let Some(p) = rest.strip_prefix("reports/") {
        return Some(match p.split_once('/') {
            Some((release, file)) if !release.is_empty() && !file.is_empty() => {
                Archived::Report { year, release }
            }
            _ => Archived::Other,
        });
    }
    Some(match id_of(rest) {
        Some(id) => Archived::Release { year, id },
        None => Archived::Other,
    })
}

/// A year folder's name: four digits.
pub fn parse_year(name: &str) -> Option<i32> {
    if name.len() == 4 && name.bytes().all(|b| b.is_ascii_digit()) {
        name.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_paths_parse_back_to_what_they_name() {
        assert_eq!(
            parse("releases/archive/2026/R-1.toml"),
            Some(Archived::Release {
                year: 2026,
                id: "R-1"
            })
        );
        assert_eq!(
            parse("releases/archive/2025/incidents/INC-9.toml"),
            Some(Archived::Incident {
                year: 2025,
                id: "INC-9"
            })
        );
        assert_eq!(
            parse(&format!("{}/uat-1.log", reports_dir(2024, "R-2"))),
            Some(Archived::Report {
                year: 2024,
                release: "R-2"
            })
        );
        assert_eq!(parse("releases/archive/index.toml"), Some(Archived::Other));
        assert_eq!(
            parse("releases/archive/index/7.toml"),
            Some(Archived::Other)
        );
        assert_eq!(parse("releases/archive/20x6/R.toml"), Some(Archived::Other));
        assert_eq!(parse("releases/R-1.toml"), None);
        assert_eq!(parse("releases/archived/2026/R.toml"), None);
    }

    #[test]
    fn a_shard_is_named_for_its_major_version_and_named_back() {
        let cases = [
            ("7.2.0", false, "releases/archive/index/7.toml"),
            ("v12.0.1", true, "releases/archive/index/12-updates.toml"),
            ("0.9.0", false, "releases/archive/index/0.toml"),
            ("2010.27.2", false, "releases/archive/index/2010.toml"),
            ("next", false, "releases/archive/index/other.toml"),
            ("1.2", true, "releases/archive/index/other-updates.toml"),
        ];
        for (version, update, path) in cases {
            let shard = Shard::of(version, update);
            assert_eq!(shard.path(), path);
            assert_eq!(Shard::from_path(path), Some(shard));
        }
        for name in [
            "07.toml",
            "-1.toml",
            "7.TOML",
            "7-updates",
            "x.toml",
            ".toml",
            "-updates.toml",
            "99999999999999999999999.toml",
        ] {
            assert_eq!(Shard::from_file_name(name), None, "{name}");
        }
        assert_eq!(Shard::from_path("releases/archive/index.toml"), None);
        assert_eq!(Shard::from_path("releases/archive/index/a/7.toml"), None);
    }
}
