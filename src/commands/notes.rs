//! `rel notes R [--format markdown|json] [--output FILE]`: release notes. A
//! project may supply its own template as `releases/notes.md.j2`.

use std::path::Path;

use crate::cli::NotesFormat;
use crate::context::Context;
use crate::error::invalid;
use crate::model::incident::Incident;
use crate::model::release::Release;
use crate::render::notes::{build, from_template, markdown};
use crate::render::output::{errln, json as json_doc, outln};

/// Where a project keeps its own Markdown template (minijinja).
pub const TEMPLATE: &str = "releases/notes.md.j2";

pub fn run(
    ctx: &Context,
    release_id: &str,
    format: NotesFormat,
    output: Option<&Path>,
) -> anyhow::Result<i32> {
    let ws = crate::commands::open_reading(ctx)?;
    let release: Release = ws.load(release_id)?;
    let incidents = release
        .incidents
        .iter()
        .map(|id| ws.load::<Incident>(id))
        .collect::<anyhow::Result<Vec<Incident>>>()?;
    let notes = build(&release, &incidents);
    // --json asks for machine output: the JSON form.
    let json = ctx.json || format == NotesFormat::Json;
    let text = if json {
        serde_json::to_string_pretty(&notes)?
    } else if let Some(template) = ws.read_rel_file(TEMPLATE)? {
        let rendered = from_template(&template, TEMPLATE, &notes).map_err(invalid)?;
        // Whatever blank lines the template leaves at its end, the document
        // ends with exactly one newline, like the built-in one.
        rendered.trim_end().to_string()
    } else {
        markdown(&notes)
    };
    match output {
        Some(given) => {
            // `-C DIR` means "as if started in DIR": a relative FILE is there.
            let path = ctx.start_dir.join(given);
            if ctx.dry_run {
                errln(&format!(
                    "dry run: would write the notes to {}",
                    given.display()
                ));
            } else {
                let mut content = text;
                content.push('\n');
                std::fs::write(&path, content)
                    .map_err(|e| invalid(format!("{}: cannot write: {e}", given.display())))?;
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
        None if json => json_doc(&notes)?,
        None => outln(&text)?,
    }
    Ok(0)
}
