//! `rel notes R [--format markdown|json] [--output FILE]`: release notes. A
//! project may supply its own template as `releases/notes.md.j2`.

use std::path::Path;

use crate::cli::NotesFormat;
use crate::context::Context;
use crate::model::incident::Incident;
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::render::output::{errln, json as json_doc, outln};
use crate::store::output::output_path::OutputFile;

use super::shared::notes::{markdown_of, notes_of};

pub fn run(
    ctx: &Context,
    release_id: &str,
    format: NotesFormat,
    output: Option<&Path>,
) -> anyhow::Result<Outcome> {
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
    Ok(Outcome::Done)
}
