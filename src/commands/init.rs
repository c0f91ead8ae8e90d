//! `rel init`: start a release repository.

use git2::Repository;

use crate::context::Context;
use crate::error::{conflict, invalid};
use crate::render::output::{errln, outln};
use crate::store::workspace::{INCIDENTS_DIR, PIPELINE_FILE};
use crate::store::{Change, CommitMessage, Workspace};

/// The default four-stage pipeline, commented for release managers to adapt.
pub const DEFAULT_PIPELINE: &str = include_str!("../store/default_pipeline.toml");

pub fn run(ctx: &Context) -> anyhow::Result<i32> {
    let dir = ctx
        .start_dir
        .canonicalize()
        .map_err(|e| invalid(format!("{}: {e}", ctx.start_dir.display())))?;
    if dir.join(PIPELINE_FILE).exists() {
        return Err(conflict(format!(
            "{} already exists; this folder is already a release repository",
            dir.join(PIPELINE_FILE).display()
        )));
    }
    let inside_git = Repository::discover(&dir).is_ok();
    if !inside_git {
        if ctx.dry_run {
            errln(&format!(
                "dry run: would run `git init` in {}",
                dir.display()
            ));
            errln(&format!(
                "  would write {PIPELINE_FILE}, {INCIDENTS_DIR}/.gitkeep and commit them"
            ));
            return Ok(0);
        }
        Repository::init(&dir)
            .map_err(|e| invalid(format!("git init {}: {}", dir.display(), e.message())))?;
        errln(&format!(
            "initialised an empty git repository in {}",
            dir.display()
        ));
    }
    let ws = Workspace::at_root(dir.clone(), true)?;
    let actor = super::actor(ctx, &ws)?;
    let changes = vec![
        Change {
            path: PIPELINE_FILE.to_string(),
            content: DEFAULT_PIPELINE.to_string(),
        },
        Change {
            path: format!("{INCIDENTS_DIR}/.gitkeep"),
            content: String::new(),
        },
    ];
    let mut message = CommitMessage::new("init", "release repository");
    message
        .body
        .push("The default pipeline: development, uat, staging, production.".into());
    super::apply(ctx, &ws, &actor, &changes, &message)?;
    if !ctx.dry_run {
        outln(&format!(
            "initialised a release repository in {}",
            dir.display()
        ));
    }
    Ok(0)
}
