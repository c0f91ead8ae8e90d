//! A release's notes (contract 11.3 for an update's carried releases) and
//! their Markdown, from the project's template when it has one: what `rel
//! notes` prints and `rel evidence` includes.

use crate::bounded::template;
use crate::error::invalid;
use crate::model::incident::Incident;
use crate::model::release::Release;
use crate::render::notes::{build, carried, markdown, Notes};
use crate::store::Workspace;

/// Where a project keeps its own Markdown template (minijinja).
pub const TEMPLATE: &str = "releases/notes.md.j2";

/// The notes of `release` with its `incidents`, and, for an update, the
/// product releases it carries with theirs (contract 11.3).
pub fn notes_of(
    ws: &Workspace,
    release: &Release,
    incidents: &[Incident],
) -> anyhow::Result<Notes> {
    let mut notes = build(release, incidents);
    if release.installation.is_none() {
        return Ok(notes);
    }
    let pipeline = ws.pipeline()?;
    let products = super::carries::Products::read(ws)?;
    for id in products.carries(&pipeline, release) {
        let r: Release = ws.load_past(&id)?;
        let held = r
            .incidents
            .iter()
            .map(|i| ws.load_past::<Incident>(i))
            .collect::<anyhow::Result<Vec<Incident>>>()?;
        notes.carried.push(carried(&r, &held));
    }
    Ok(notes)
}

/// The Markdown notes, from the project's template when it has one (as
/// `rel notes` prints them, without the final newline).
pub fn markdown_of(ws: &Workspace, notes: &Notes) -> anyhow::Result<String> {
    Ok(match ws.read_rel_file(TEMPLATE)? {
        Some(source) => {
            // Read from the state like every file of rel's (never through a
            // link); rendered bounded in time and memory, as it may be hostile.
            let rendered = template::render(&source, TEMPLATE, notes).map_err(invalid)?;
            // Whatever blank lines the template leaves at its end, the document
            // ends with exactly one newline, like the built-in one.
            rendered.trim_end().to_string()
        }
        None => markdown(notes),
    })
}
