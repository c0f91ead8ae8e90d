//! What a command that changed a release prints when it is done.

use crate::context::Context;
use crate::model::release::Release;
use crate::render::output::{json, outln};
use crate::render::release::release_json;

/// The release as JSON for scripts, or `line` for people. After a dry run
/// people get nothing more: `apply` already said what would change.
pub fn release_done(ctx: &Context, release: &Release, line: &str) -> anyhow::Result<()> {
    if ctx.json {
        json(&release_json(release))?;
    } else if !ctx.dry_run {
        outln(line)?;
    }
    Ok(())
}

/// Nothing changed (already approved, already ticked, a dry run that ran
/// nothing): people were told on stderr; scripts still get the release as
/// the one JSON document `--json` promises.
pub fn release_unchanged(ctx: &Context, release: &Release) -> anyhow::Result<()> {
    if ctx.json {
        json(&release_json(release))?;
    }
    Ok(())
}
