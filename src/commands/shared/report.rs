//! What a command that changes a release prints when it is done.

use crate::context::Context;
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::render::output::{json, outln};
use crate::render::release::release_json;

/// A release as a write left it (or would leave it, in a dry run), and the
/// line for people; `done: None` when nothing changed (people were told why
/// on stderr).
pub struct ReleaseOutcome {
    pub release: Release,
    pub done: Option<String>,
}

impl ReleaseOutcome {
    pub fn done(release: Release, line: String) -> ReleaseOutcome {
        ReleaseOutcome {
            release,
            done: Some(line),
        }
    }

    pub fn unchanged(release: Release) -> ReleaseOutcome {
        ReleaseOutcome {
            release,
            done: None,
        }
    }

    /// The release as JSON for scripts (the one document `--json` promises,
    /// also when nothing changed), or the line for people. After a dry run
    /// people get nothing more: the runner already said what would change.
    pub fn print(&self, ctx: &Context) -> anyhow::Result<Outcome> {
        if ctx.json {
            json(&release_json(&self.release))?;
        } else if let Some(line) = self.done.as_deref().filter(|_| !ctx.dry_run) {
            outln(line)?;
        }
        Ok(Outcome::Done)
    }
}
