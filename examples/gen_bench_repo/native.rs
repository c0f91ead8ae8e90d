//! The repository grown in rel's own layout (contract 11.1), as a team
//! using revision 3 from the start would have it: the import commit holds
//! every release finished before the replayed steps in
//! `releases/archive/<YYYY>/` with the incidents it shipped and the
//! archive's index, the releases in progress in `releases/`, the incidents
//! not shipped in `releases/incidents/`; each log commit then writes what
//! rel writes for its step (a `group` names the release in the incidents
//! it adds, a `close` moves the release and the incidents it ships into
//! the archive and updates the index, a `cancel` moves the release).
//!
//! Everything goes through one `git fast-import` session: no work tree is
//! written and no `git add` of a million files runs, and no commit
//! rewrites a tree of every release ever made.

use std::collections::BTreeMap;
use std::path::Path;

use crate::archive::{shard_path, year_of, Index, Shipped};
use crate::fast_import::FastImport;
use crate::files::parallel_map;
use crate::incident::{build_incident_at, Holding, Phase};
use crate::life::{live, Life};
use crate::log_commits::commit_message;
use crate::manifest::Release;
use crate::plan::{Ctx, Spec};
use crate::words::PIPELINE;
use crate::Res;

/// Items built at a time (on all cores) before they are streamed.
const BATCH: usize = 16_384;
const IMPORTER: &str = "Bench <bench@example.com>";

/// What the generator decided, shared by the import and the log commits.
pub struct Grown<'a> {
    pub specs: &'a [Spec],
    pub lives: &'a [Life],
    /// Steps of each life applied in the import commit.
    pub limits: &'a [usize],
    pub holdings: &'a [Option<Holding>],
    /// The steps replayed as log commits: (at, release, step).
    pub logged: &'a [(i64, usize, usize)],
    pub ctx: &'a Ctx,
}

fn release_path(r: &Release, life: &Life) -> String {
    match r.state {
        "released" | "cancelled" => {
            format!("releases/archive/{:04}/{}.toml", year_of(life), r.id)
        }
        _ => format!("releases/{}.toml", r.id),
    }
}

/// The index: one text per released release, by shard and id, so that a
/// close rewrites its shard without serializing every entry again.
struct IndexTexts(BTreeMap<String, BTreeMap<String, String>>);

impl IndexTexts {
    fn entry(shipped: &Shipped) -> Res<String> {
        Ok(toml::to_string(&Index {
            released: vec![shipped],
        })?)
    }
    /// Adds `shipped`; returns its shard's path.
    fn insert(&mut self, shipped: &Shipped) -> Res<String> {
        let path = shard_path(&shipped.version);
        self.0
            .entry(path.clone())
            .or_default()
            .insert(shipped.id.clone(), IndexTexts::entry(shipped)?);
        Ok(path)
    }
    fn text(&self, path: &str) -> String {
        let parts: Vec<&str> = self.0[path].values().map(String::as_str).collect();
        parts.join("\n")
    }
}

/// The incident's phase in the import commit and its path there.
fn incident_at_import(g: &Grown, k: usize, imported: &[Option<Release>]) -> (Phase, Option<i32>) {
    let Some(h) = g.holdings[k] else {
        return (Phase::Final, None);
    };
    if h.group_step >= g.limits[h.spec] {
        return (Phase::Free, None);
    }
    match &imported[h.spec] {
        Some(r) if r.state == "released" => (Phase::Final, Some(year_of(&g.lives[h.spec]))),
        _ => (Phase::Grouped, None),
    }
}

fn incident_path(id: &str, year: Option<i32>) -> String {
    match year {
        Some(y) => format!("releases/archive/{y:04}/incidents/{id}.toml"),
        None => format!("releases/incidents/{id}.toml"),
    }
}

/// Writes the import commit at `base_time` and the log commits.
pub fn grow(dir: &Path, g: &Grown, base_time: i64, phase: &dyn Fn(&str)) -> Res<()> {
    let n = g.specs.len();
    // Each release as the import commit holds it (None: not created yet).
    let imported: Vec<Option<Release>> = parallel_map(0, n, |i| {
        Ok(match g.limits[i] {
            0 => None,
            l if l == g.lives[i].steps.len() => Some(g.lives[i].release.clone()),
            l => Some(live(&g.specs[i], l, g.ctx).release),
        })
    })?;

    // What each incident says of breaking changes, for the index (of the
    // import and of later closes).
    let incidents = g.holdings.len();
    let breaking: Vec<bool> = parallel_map(0, incidents, |k| {
        let holding = g.holdings[k].map(|h| (h, &g.specs[h.spec]));
        Ok(build_incident_at(k, holding, Phase::Final, g.ctx).breaking)
    })?;
    let shipped_of = |i: usize| -> Shipped {
        let spec = &g.specs[i];
        let incidents: Vec<(String, bool)> = spec
            .incidents
            .clone()
            .map(|k| (g.ctx.incident_id(k), breaking[k]))
            .collect();
        Shipped::of(&spec.id, &spec.version, &incidents)
    };

    let mut fi = FastImport::start(dir)?;
    // The index goes first, as a blob of its own (see `FastImport::blob`).
    let mut entries = Vec::new();
    for (i, r) in imported.iter().enumerate() {
        if matches!(r, Some(r) if r.state == "released") {
            entries.push(shipped_of(i));
        }
    }
    let mut index = IndexTexts(BTreeMap::new());
    for e in &entries {
        index.insert(e)?;
    }
    let mut import_marks = Vec::new();
    for path in index.0.keys() {
        let text = index.text(path);
        // The entries joined must be what rel writes for the whole shard.
        let mut whole: Vec<&Shipped> = entries
            .iter()
            .filter(|e| shard_path(&e.version) == *path)
            .collect();
        whole.sort_by(|a, b| a.id.cmp(&b.id));
        if text != toml::to_string(&Index { released: whole })? {
            return Err("internal error: the index joined from its entries is not \
                        the index serialized whole"
                .into());
        }
        import_marks.push((path.clone(), fi.blob(&text)?));
    }
    drop(entries);
    // The shard each logged close rewrites, in a row: fast-import stores
    // a blob as a delta of the blob streamed just before it.
    let mut close_marks = vec![None; g.logged.len()];
    for (k, &(_, i, s)) in g.logged.iter().enumerate() {
        if g.lives[i].steps[s].action == "close" {
            let path = index.insert(&shipped_of(i))?;
            let mark = fi.blob(&index.text(&path))?;
            close_marks[k] = Some((path, mark));
        }
    }
    drop(index);
    phase("index versions streamed");

    let message = format!(
        "Import the release register ({} releases, {} incidents)\n",
        n,
        g.holdings.len()
    );
    fi.commit(IMPORTER, base_time, &message, None)?;
    fi.file("environments.toml", PIPELINE)?;
    for lo in (0..n).step_by(BATCH) {
        let texts = parallel_map(lo, (lo + BATCH).min(n), |i| {
            let Some(r) = &imported[i] else {
                return Ok(None);
            };
            Ok(Some((release_path(r, &g.lives[i]), toml::to_string(r)?)))
        })?;
        for (path, text) in texts.into_iter().flatten() {
            fi.file(&path, &text)?;
        }
    }
    phase("import: release manifests streamed");

    for lo in (0..incidents).step_by(BATCH) {
        let texts = parallel_map(lo, (lo + BATCH).min(incidents), |k| {
            let (ph, year) = incident_at_import(g, k, &imported);
            let holding = g.holdings[k].map(|h| (h, &g.specs[h.spec]));
            let incident = build_incident_at(k, holding, ph, g.ctx);
            let path = incident_path(&incident.id, year);
            Ok((path, toml::to_string(&incident)?))
        })?;
        for (path, text) in texts {
            fi.file(&path, &text)?;
        }
    }
    phase("import: incidents streamed");

    for (path, mark) in import_marks {
        fi.file_mark(&path, mark)?;
    }
    drop(imported);
    phase("import commit streamed");

    for (&(_, i, s), index_mark) in g.logged.iter().zip(close_marks) {
        let spec = &g.specs[i];
        let life = live(spec, s + 1, g.ctx);
        let step = &life.steps[s];
        let message = commit_message(step, &spec.id);
        fi.commit(step.by, step.at, &message, None)?;
        let r = &life.release;
        let text = toml::to_string(r)?;
        match step.action {
            "close" | "cancel" => {
                let year = year_of(&life);
                fi.delete(&format!("releases/{}.toml", r.id))?;
                fi.file(&release_path(r, &life), &text)?;
                if step.action == "close" {
                    for k in spec.incidents.clone() {
                        let holding = g.holdings[k].map(|h| (h, spec));
                        let inc = build_incident_at(k, holding, Phase::Final, g.ctx);
                        fi.delete(&incident_path(&inc.id, None))?;
                        fi.file(&incident_path(&inc.id, Some(year)), &toml::to_string(&inc)?)?;
                    }
                    if let Some((path, mark)) = &index_mark {
                        fi.file_mark(path, *mark)?;
                    }
                }
            }
            "group" => {
                fi.file(&release_path(r, &life), &text)?;
                for grp in life.groups.iter().filter(|grp| grp.step == s) {
                    for k in grp.incidents.clone() {
                        let holding = g.holdings[k].map(|h| (h, spec));
                        let inc = build_incident_at(k, holding, Phase::Grouped, g.ctx);
                        fi.file(&incident_path(&inc.id, None), &toml::to_string(&inc)?)?;
                    }
                }
            }
            _ => fi.file(&release_path(r, &life), &text)?,
        }
    }
    fi.finish()?;
    Ok(())
}
