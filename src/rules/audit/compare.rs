//! Comparing values: the fields a commit changed (named in `hand-edit`
//! findings), and what rel's effect would have written against what the
//! commit wrote (`altered`).

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::model::archive;
use crate::model::incident::Incident;
use crate::model::release::Release;

use super::{FindingKind, Found, Held, Placed, Recorded, World, Written};

/// The top-level fields that differ between two values of a file, in the
/// file's order; a state or environment change shows both values.
pub fn changed_fields<T: Serialize>(before: Option<&T>, after: Option<&T>) -> Vec<String> {
    let as_map = |v: Option<&T>| match v.map(serde_json::to_value) {
        Some(Ok(Value::Object(map))) => map,
        _ => serde_json::Map::new(),
    };
    let (old, new) = (as_map(before), as_map(after));
    let mut keys: Vec<&String> = new.keys().chain(old.keys()).collect();
    keys.dedup();
    let mut seen = std::collections::BTreeSet::new();
    let mut fields = Vec::new();
    for key in keys {
        if !seen.insert(key.clone()) || old.get(key) == new.get(key) {
            continue;
        }
        if matches!(key.as_str(), "state" | "environment" | "status" | "release") {
            fields.push(format!(
                "{key} {} -> {}",
                shown(old.get(key)),
                shown(new.get(key))
            ));
        } else {
            fields.push(key.clone());
        }
    }
    fields
}

fn shown(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "(none)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// What a file change was, for people: "created", "deleted", "fields ...".
fn describe<T: Serialize>(path: &str, before: Option<&T>, after: &Written<T>) -> String {
    let fields = || match (before, after) {
        (Some(b), Some(Ok(a))) => changed_fields(Some(b), Some(a)),
        _ => Vec::new(),
    };
    describe_by(path, before.is_some(), shape(after), fields)
}

/// `describe` for an incident as the audit keeps it: the values are read
/// back only when both are there to compare (a hand edit of a file that
/// was there), and not at all when the blob is the same.
fn describe_incident(
    world: &World,
    path: &str,
    before: Option<&Held>,
    after: &Written<Held>,
) -> String {
    let fields = || match (before, after) {
        (Some(b), Some(Ok(a))) if world.same_incident(a, b) => Vec::new(),
        (Some(b), Some(Ok(a))) => match (world.value(b), world.value(a)) {
            (Some(b), Some(a)) => changed_fields(Some(&*b), Some(&*a)),
            _ => vec!["(its value could not be read again)".to_string()],
        },
        _ => Vec::new(),
    };
    describe_by(path, before.is_some(), shape(after), fields)
}

/// What a written file is, without its value: deleted (`None`), a value,
/// or why it does not parse.
fn shape<T>(after: &Written<T>) -> Option<Result<(), &str>> {
    after
        .as_ref()
        .map(|a| a.as_ref().map(|_| ()).map_err(String::as_str))
}

fn describe_by(
    path: &str,
    before: bool,
    after: Option<Result<(), &str>>,
    fields: impl FnOnce() -> Vec<String>,
) -> String {
    match (before, after) {
        (_, Some(Err(e))) => format!("{path} does not parse: {e}"),
        (false, Some(Ok(()))) => format!("{path} created"),
        (true, None) => format!("{path} deleted"),
        (false, None) => format!("{path} changed"),
        (true, Some(Ok(()))) => {
            let fields = fields();
            if fields.is_empty() {
                format!("{path} rewritten (same values)")
            } else {
                format!("{path}: {}", fields.join(", "))
            }
        }
    }
}

/// One `hand-edit` finding per file of rel's changed without rel, each
/// handed to `out` as it is made.
pub fn hand_edits(
    before: &World,
    rec: &Recorded,
    bad_trailers: Option<&String>,
    out: &mut dyn FnMut(Found),
) {
    let how = how_changed(bad_trailers, rec.merge);
    hand_edited_releases(before, rec, &how, out);
    let paths = FilePaths::of(rec);
    for (id, after) in &rec.incidents {
        out(hand_edit_incident(
            before,
            &how,
            id,
            &paths.incident(id),
            after,
        ));
    }
    hand_edited_other_files(rec, &how, out);
}

/// `hand_edits`' findings on the commit's release files: the first ones
/// (an import's incidents, judged as they are read, come next).
pub fn hand_edited_releases(before: &World, rec: &Recorded, how: &str, out: &mut dyn FnMut(Found)) {
    let paths = FilePaths::of(rec);
    for (id, after) in &rec.releases {
        out(hand_edit_release(
            before,
            how,
            id,
            &paths.release(id),
            after,
        ));
    }
}

/// `hand_edits`' findings on the installation and health report files:
/// the last ones.
pub fn hand_edited_other_files(rec: &Recorded, how: &str, out: &mut dyn FnMut(Found)) {
    for path in &rec.installations {
        out(hand_edit_installation(how, path));
    }
    for path in &rec.reports {
        out(hand_edit_report(how, path));
    }
}

/// How a change that did not go through rel was made: the start of its
/// `hand-edit` findings.
pub fn how_changed(bad_trailers: Option<&String>, merge: bool) -> String {
    match (bad_trailers, merge) {
        (Some(bad), _) => format!("changed with trailers rel never writes ({bad})"),
        (None, true) => "changed by a merge, not by rel".to_string(),
        (None, false) => "changed without rel (no Rel-Action trailer)".to_string(),
    }
}

/// Where the files of the releases and incidents a commit changed lie, to
/// name them: in progress, or in the archive's year the commit filed them
/// under (a move into the archive is named by the file it wrote). The
/// values are judged by id wherever they lie.
pub struct FilePaths<'a> {
    archived: HashMap<(&'static str, &'a str), i32>,
}

impl<'a> FilePaths<'a> {
    pub fn of(rec: &'a Recorded) -> FilePaths<'a> {
        FilePaths {
            archived: rec
                .archived
                .iter()
                .filter(|p| p.what == "release" || p.what == "incident")
                .map(|p| ((p.what, p.id.as_str()), p.year))
                .collect(),
        }
    }

    pub fn release(&self, id: &str) -> String {
        match self.archived.get(&("release", id)) {
            Some(year) => format!("{}/{id}.toml", archive::year_dir(*year)),
            None => format!("releases/{id}.toml"),
        }
    }

    pub fn incident(&self, id: &str) -> String {
        match self.archived.get(&("incident", id)) {
            Some(year) => format!("{}/incidents/{id}.toml", archive::year_dir(*year)),
            None => format!("releases/incidents/{id}.toml"),
        }
    }
}

/// The `hand-edit` finding on release `id`'s file at `path` (`how`:
/// `how_changed`).
pub fn hand_edit_release(
    before: &World,
    how: &str,
    id: &str,
    path: &str,
    after: &Written<Release>,
) -> Found {
    Found::new(
        FindingKind::HandEdit,
        Some(id),
        format!("{how}: {}", describe(path, before.release(id), after)),
    )
}

/// The `hand-edit` finding on incident `id`'s file: a file's finding
/// depends on the state before and that file only, so an import's files
/// are judged one at a time.
pub fn hand_edit_incident(
    before: &World,
    how: &str,
    id: &str,
    path: &str,
    after: &Written<Held>,
) -> Found {
    let held = before.held(id);
    let holder = held.and_then(Held::release).or_else(|| match after {
        Some(Ok(i)) => i.release(),
        _ => None,
    });
    Found::new(
        FindingKind::HandEdit,
        holder,
        format!("{how}: {}", describe_incident(before, path, held, after)),
    )
}

pub fn hand_edit_installation(how: &str, path: &str) -> Found {
    // An installation's version, approvers and windows decide its
    // updates: rel changes them only with `installation`, `close`.
    Found::new(
        FindingKind::HandEdit,
        None,
        format!("{how}: the installation file {path} changed"),
    )
}

pub fn hand_edit_report(how: &str, path: &str) -> Found {
    // releases/reports/<R>/<env>-<N>.log names its release.
    let release = path.split('/').nth(2);
    Found::new(
        FindingKind::HandEdit,
        release,
        format!("{how}: the health report file {path} changed"),
    )
}

/// What rel's effect writes: whole values of the files it changes.
#[derive(Debug, Default)]
pub struct Expected {
    pub releases: Vec<Release>,
    pub incidents: Vec<Incident>,
    /// Health report files it writes (their content is the check's output,
    /// which only the check knows: their presence is what is compared).
    pub reports: Vec<String>,
}

/// `altered` findings: every file the effect writes must be written with
/// exactly its value, and the commit must write nothing else of rel's.
pub fn altered(before: &World, rec: &Recorded, expected: &Expected, action: &str) -> Vec<String> {
    let mut problems = Vec::new();
    compare_side(
        "releases",
        &expected.releases,
        &rec.releases,
        |w| Some(Cow::Borrowed(w)),
        |path, id, after| describe(path, before.release(id), after),
        |r| &r.id,
        action,
        &mut problems,
    );
    compare_side(
        "releases/incidents",
        &expected.incidents,
        &rec.incidents,
        |w| before.value(w),
        |path, id, after| describe_incident(before, path, before.held(id), after),
        |i| &i.id,
        action,
        &mut problems,
    );
    for path in &expected.reports {
        if !rec.reports.contains(path) {
            problems.push(format!(
                "{action} keeps the check's output in {path}, which the commit does not write"
            ));
        }
    }
    for path in &rec.reports {
        if !expected.reports.contains(path) {
            problems.push(format!(
                "{action} does not write {path}, yet the commit changed it"
            ));
        }
    }
    problems
}

#[allow(clippy::too_many_arguments)]
fn compare_side<'w, T: Serialize + PartialEq + Clone + 'w, W>(
    dir: &str,
    expected: &[T],
    written: &'w [(String, Written<W>)],
    value: impl Fn(&'w W) -> Option<Cow<'w, T>>,
    describe: impl Fn(&str, &str, &Written<W>) -> String,
    id_of: impl Fn(&T) -> &String,
    action: &str,
    problems: &mut Vec<String>,
) {
    for e in expected {
        let id = id_of(e);
        let path = format!("{dir}/{id}.toml");
        match written.iter().find(|(w, _)| w.eq_ignore_ascii_case(id)) {
            None => problems.push(format!(
                "{action} writes {path}, which the commit left as it was"
            )),
            Some((_, None)) => problems.push(format!("{path} deleted; {action} rewrites it")),
            Some((_, Some(Err(err)))) => problems.push(format!("{path} does not parse: {err}")),
            Some((_, Some(Ok(w)))) => match value(w) {
                Some(w) if *w != *e => {
                    let fields = changed_fields(Some(e), Some(&*w));
                    problems.push(format!(
                        "{path} differs from what {action} writes in: {}",
                        fields.join(", ")
                    ));
                }
                Some(_) => {}
                None => problems.push(format!("{path} could not be read again")),
            },
        }
    }
    for (id, after) in written {
        if !expected.iter().any(|e| id_of(e).eq_ignore_ascii_case(id)) {
            let path = format!("{dir}/{id}.toml");
            problems.push(format!(
                "{action} does not write {path}, yet the commit changed it ({})",
                describe(&path, id, after)
            ));
        }
    }
}

/// `altered` findings about the archive (contract 11.1): `close` files the
/// release and the incidents it shipped under the year it finished,
/// `cancel` the release alone, each with its health reports; no other
/// action files anything. A close or cancel that files nothing is the
/// previous version's (finished releases then stayed in `releases/`, until
/// `rel archive` moves them).
pub fn archive_placements(expected: &Expected, rec: &Recorded, action: &str) -> Vec<String> {
    let mut want: Vec<Placed> = Vec::new();
    if matches!(action, "close" | "cancel") && !rec.archived.is_empty() {
        for r in &expected.releases {
            let Some(year) = crate::model::archive::year_of(r) else {
                continue;
            };
            want.push(Placed::release(&r.id, year, false));
            if action == "close" {
                for i in &expected.incidents {
                    want.push(Placed::incident(&i.id, year, false));
                }
            }
        }
    }
    let mut problems = Vec::new();
    let same = |a: &Placed, b: &Placed| {
        a.what == b.what && a.id.eq_ignore_ascii_case(&b.id) && a.year == b.year && !b.removed
    };
    for w in &want {
        if !rec.archived.iter().any(|g| same(w, g)) {
            problems.push(format!(
                "{action} files {} {} under releases/archive/{}, which the commit does not",
                w.what, w.id, w.year
            ));
        }
    }
    for g in &rec.archived {
        let expected_here = if g.what == "report" {
            want.iter().any(|w| {
                w.what == "release" && w.id.eq_ignore_ascii_case(&g.id) && w.year == g.year
            })
        } else {
            want.iter().any(|w| same(w, g))
        };
        if !expected_here {
            problems.push(format!(
                "{action} does not {} {} {} under releases/archive/{}, yet the commit does",
                if g.removed { "delete" } else { "file" },
                g.what,
                g.id,
                g.year
            ));
        }
    }
    problems
}
