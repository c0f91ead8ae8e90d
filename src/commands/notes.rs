//! `rel notes R [--format markdown|json] [--output FILE]`: release notes. A
//! project may supply its own template as `releases/notes.md.j2`.

use std::path::Path;

use crate::bounded::template;
use crate::cli::NotesFormat;
use crate::context::Context;
use crate::error::invalid;
use crate::model::incident::Incident;
use crate::model::release::Release;
use crate::render::notes::{build, carried, markdown, Notes};
use crate::render::output::{errln, json as json_doc, outln};
use crate::store::output::output_path::OutputFile;
use crate::store::Workspace;

/// Where a project keeps its own Markdown template (minijinja).
pub const TEMPLATE: &str = "releases/notes.md.j2";

pub fn run(
    ctx: &Context,
    release_id: &str,
    format: NotesFormat,
    output: Option<&Path>,
) -> anyhow::Result<i32> {
    let ws = crate::commands::shared::open_reading(ctx)?;
    let release: Release = crate::commands::shared::suggest::load_past(&ws, release_id)?;
    let incidents = release
        .incidents
        .iter()
        .map(|id| ws.load_past::<Incident>(id))
        .collect::<anyhow::Result<Vec<Incident>>>()?;
    // Where to write is checked before any work: a refused path is refused
    // in a dry run too.
    let target = output
        .map(|given| OutputFile::check(&ctx.start_dir, given, &ws.root))
        .transpose()?;
    let notes = notes_of(&ws, &release, &incidents)?;
    // --json asks for machine output: the JSON form.
    let json = ctx.json || format == NotesFormat::Json;
    let text = if json {
        serde_json::to_string_pretty(&notes)?
    } else {
        markdown_of(&ws, &notes)?
    };
    match (output, target) {
        (Some(given), Some(target)) => {
            if ctx.dry_run {
                errln(&format!(
                    "dry run: would write the notes to {}",
                    given.display()
                ));
            } else {
                let mut content = text;
                content.push('\n');
                target.write(content.as_bytes())?;
                errln(&format!(
                    "wrote the notes of {} to {}",
                    release.id,
                    given.display()
                ));
            }
            if ctx.json {
                // The notes went to the file; scripts learn where.
                json_doc(
                    &serde_json::json!({"release": release.id, "output": given, "dry_run": ctx.dry_run}),
                )?;
            }
        }
        // As the run's one JSON document, so nothing can follow it.
        _ if json => json_doc(&notes)?,
        _ => outln(&text)?,
    }
    Ok(0)
}

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
    let products = super::shared::carries::Products::read(ws)?;
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
