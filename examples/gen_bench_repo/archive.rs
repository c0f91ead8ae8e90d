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

/// `releases/archive/index.toml`, as src/model/archive.rs writes it.
#[derive(Serialize)]
struct Index {
    released: Vec<Shipped>,
}

#[derive(Serialize)]
struct Shipped {
    id: String,
    version: String,
    breaking: bool,
}

fn year_of(life: &Life) -> i32 {
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
    let mut index = Index {
        released: Vec::new(),
    };
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
            index.released.push(Shipped {
                id: r.id.clone(),
                version: r.version.clone(),
                breaking: shipped[i].iter().any(|(_, b)| *b),
            });
        }
        body.push_str(&format!("{} {} {}\n", r.id, r.version, r.state));
    }
    if finished.is_empty() {
        return Ok(0);
    }
    index.released.sort_by(|a, b| a.id.cmp(&b.id));
    if !index.released.is_empty() {
        std::fs::write(
            dir.join("releases/archive/index.toml"),
            toml::to_string(&index)?,
        )?;
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
