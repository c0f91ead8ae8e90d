//! The archive (contract 11.1): every finished release moved into
//! `releases/archive/<YYYY>/` (YYYY: the UTC year of its last `close` or
//! `cancel`), with the incidents a released one shipped, and the index of
//! released releases, in one commit carrying `Rel-Action: archive`, byte
//! for byte what `rel archive` writes. The files keep their content: git
//! sees renames.

use std::path::Path;

use chrono::Datelike as _;
use serde::Serialize;

use crate::git::git;
use crate::incident::{build_incident, Holding};
use crate::life::Life;
use crate::plan::{Ctx, Spec};
use crate::Res;

/// The file of the archive's index that keeps a product release of
/// `version`: one per major version, as src/model/archive.rs names it.
pub fn shard_path(version: &str) -> String {
    let major = semver::Version::parse(version.strip_prefix('v').unwrap_or(version))
        .map_or_else(|_| "other".to_string(), |v| v.major.to_string());
    format!("releases/archive/index/{major}.toml")
}

/// One file of the archive's index, as src/model/archive.rs writes it.
#[derive(Serialize)]
pub struct Index<'a> {
    pub released: Vec<&'a Shipped>,
}

#[derive(Serialize)]
pub struct Shipped {
    pub id: String,
    pub version: String,
    pub breaking: bool,
    /// The shipped incidents flagged breaking, by id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flagged: Vec<Flagged>,
}

#[derive(Serialize)]
pub struct Flagged {
    pub id: String,
    pub breaking: bool,
}

impl Shipped {
    /// The entry of a released release that shipped `incidents` (id,
    /// breaking), as `rel close` writes it.
    pub fn of(id: &str, version: &str, incidents: &[(String, bool)]) -> Shipped {
        let mut flagged: Vec<Flagged> = incidents
            .iter()
            .filter(|(_, b)| *b)
            .map(|(id, _)| Flagged {
                id: id.clone(),
                breaking: true,
            })
            .collect();
        flagged.sort_by(|a, b| a.id.cmp(&b.id));
        Shipped {
            id: id.to_string(),
            version: version.to_string(),
            breaking: !flagged.is_empty(),
            flagged,
        }
    }
}

pub fn year_of(life: &Life) -> i32 {
    let wanted = if life.release.state == "released" {
        "close"
    } else {
        "cancel"
    };
    let at = life
        .release
        .history
        .iter()
        .rev()
        .find(|e| e.action == wanted)
        .map_or(life.release.entered_at, |e| e.at);
    at.year()
}

fn moved(dir: &Path, from: &str, to: &str) -> Res<()> {
    let to_path = dir.join(to);
    if let Some(folder) = to_path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    std::fs::rename(dir.join(from), &to_path).map_err(|e| format!("{from}: {e}").into())
}

/// Moves every finished release of `lives` (as they are at the end) into
/// the archive and commits it at `date`; returns how many moved.
pub fn archive(
    dir: &Path,
    specs: &[Spec],
    lives: &[Life],
    holdings: &[Option<Holding>],
    ctx: &Ctx,
    date: i64,
) -> Res<usize> {
    let mut finished: Vec<usize> = (0..lives.len())
        .filter(|&i| matches!(lives[i].release.state, "released" | "cancelled"))
        .collect();
    finished.sort_by(|&a, &b| lives[a].release.id.cmp(&lives[b].release.id));
    // The incidents each released release shipped (their files name it).
    let mut shipped: Vec<Vec<(String, bool)>> = vec![Vec::new(); lives.len()];
    for (k, holding) in holdings.iter().enumerate() {
        let Some(h) = holding else { continue };
        if lives[h.spec].release.state == "released" {
            let incident = build_incident(k, Some((*h, &specs[h.spec])), ctx);
            shipped[h.spec].push((incident.id, incident.breaking));
        }
    }
    let mut index: Vec<Shipped> = Vec::new();
    let mut body = String::new();
    for &i in &finished {
        let r = &lives[i].release;
        let year = year_of(&lives[i]);
        moved(
            dir,
            &format!("releases/{}.toml", r.id),
            &format!("releases/archive/{year:04}/{}.toml", r.id),
        )?;
        for (id, _) in &shipped[i] {
            moved(
                dir,
                &format!("releases/incidents/{id}.toml"),
                &format!("releases/archive/{year:04}/incidents/{id}.toml"),
            )?;
        }
        if r.state == "released" {
            index.push(Shipped::of(&r.id, &r.version, &shipped[i]));
        }
        body.push_str(&format!("{} {} {}\n", r.id, r.version, r.state));
    }
    if finished.is_empty() {
        return Ok(0);
    }
    index.sort_by(|a, b| a.id.cmp(&b.id));
    let mut shards: std::collections::BTreeMap<String, Vec<&Shipped>> = Default::default();
    for e in &index {
        shards.entry(shard_path(&e.version)).or_default().push(e);
    }
    if !shards.is_empty() {
        std::fs::create_dir_all(dir.join("releases/archive/index"))?;
    }
    for (path, released) in shards {
        std::fs::write(dir.join(path), toml::to_string(&Index { released })?)?;
    }
    let message = format!(
        "rel: archive {} finished release(s)\n\n{body}\nRel-Action: archive\n",
        finished.len()
    );
    // From a file: the message of 10,000 releases passes the length one
    // argument may have.
    let file = dir.join(".git/REL_ARCHIVE_MSG");
    std::fs::write(&file, &message)?;
    git(dir, &["add", "-A", "releases"], date)?;
    // (git runs in `dir`.)
    git(dir, &["commit", "-q", "-F", ".git/REL_ARCHIVE_MSG"], date)?;
    std::fs::remove_file(&file)?;
    Ok(finished.len())
}
