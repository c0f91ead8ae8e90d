//! `rel notes R [--format markdown|json] [--output FILE]`: release notes. A
//! project may supply its own template as `releases/notes.md.j2`.

use std::path::Path;

use crate::bounded::template;
use crate::cli::NotesFormat;
use crate::context::Context;
use crate::error::invalid;
use crate::model::incident::Incident;
use crate::model::release::Release;
use crate::render::notes::{build, markdown};
use crate::render::output::{errln, outln};
use crate::store::output_path::OutputFile;
use crate::store::toml_file::read_text;
use crate::store::Workspace;

/// Where a project keeps its own Markdown template (minijinja).
pub const TEMPLATE: &str = "releases/notes.md.j2";

pub fn run(
    ctx: &Context,
    release_id: &str,
    format: NotesFormat,
    output: Option<&Path>,
) -> anyhow::Result<i32> {
    let ws = Workspace::open(&ctx.start_dir)?;
    let release: Release = ws.load(release_id)?;
    let incidents = release
        .incidents
        .iter()
        .map(|id| ws.load::<Incident>(id))
        .collect::<anyhow::Result<Vec<Incident>>>()?;
    // Where to write is checked before any work: a refused path is refused
    // in a dry run too.
    let target = output
        .map(|given| OutputFile::check(&ctx.start_dir, given, &ws.root))
        .transpose()?;
    let notes = build(&release, &incidents);
    // --json asks for machine output: the JSON form.
    let json = ctx.json || format == NotesFormat::Json;
    let text = if json {
        serde_json::to_string_pretty(&notes)?
    } else if let Some(source) = project_template(&ws)? {
        // Bounded in time and memory: the template is the repository's
        // content, and may be hostile.
        let rendered = template::render(&source, TEMPLATE, &notes).map_err(invalid)?;
        // Whatever blank lines the template leaves at its end, the document
        // ends with exactly one newline, like the built-in one.
        rendered.trim_end().to_string()
    } else {
        markdown(&notes)
    };
    match (output, target) {
        (Some(given), Some(target)) => {
            if ctx.dry_run {
                errln(&format!(
                    "dry run: would write the notes to {}",
                    given.display()
                ));
                return Ok(0);
            }
            let mut content = text;
            content.push('\n');
            target.write(content.as_bytes())?;
            errln(&format!(
                "wrote the notes of {} to {}",
                release.id,
                given.display()
            ));
        }
        _ => outln(&text),
    }
    Ok(0)
}

/// The project's own template, if it has one. The one place it is read.
fn project_template(ws: &Workspace) -> anyhow::Result<Option<String>> {
    let path = ws.path(TEMPLATE);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        // Never followed out of the repository (a link to /dev/zero or to
        // a secret would be read and rendered).
        Ok(m) if !m.is_file() => Err(invalid(format!(
            "{TEMPLATE}: not a regular file (a symbolic link or a folder); rel reads only files here"
        ))),
        _ => read_text(&path, Path::new(TEMPLATE)).map(Some),
    }
}
