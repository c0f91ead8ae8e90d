//! `rel init`: start a release repository.

use git2::Repository;

use crate::context::Context;
use crate::error::{conflict, invalid};
use crate::model::action::Action;
use crate::outcome::Outcome;
use crate::render::output::{errln, json, outln};
use crate::store::git::identity;
use crate::store::repo::workspace::{INCIDENTS_DIR, PIPELINE_FILE, RELEASES_DIR};
use crate::store::{Change, CommitMessage};

use super::shared::spine::write_new_repository;
use super::shared::Decision;

/// The default four-stage pipeline, commented for release managers to adapt.
pub const DEFAULT_PIPELINE: &str = include_str!("../store/repo/default_pipeline.toml");

pub fn run(ctx: &Context) -> anyhow::Result<Outcome> {
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
    folders_not_in_the_way(&dir)?;
    let inside_git = Repository::discover(&dir).is_ok();
    if !inside_git {
        // Who acts is known before `git init`, so a bad REL_ACTOR or a
        // missing identity leaves no empty repository behind.
        identity::actor_from(ctx.rel_actor.as_deref(), git2::Config::open_default().ok())?;
        if ctx.dry_run {
            errln(&format!(
                "dry run: would run `git init` in {}",
                dir.display()
            ));
            errln(&format!(
                "  would write {PIPELINE_FILE}, {INCIDENTS_DIR}/.gitkeep and commit them"
            ));
            say_done(ctx, &dir)?;
            return Ok(Outcome::Done);
        }
        let git_dir = dir.join(".git");
        let fresh = !git_dir.exists();
        Repository::init(&dir)
            .map_err(|e| invalid(format!("git init {}: {}", dir.display(), e.message())))?;
        errln(&format!(
            "initialised an empty git repository in {}",
            dir.display()
        ));
        // Anything failing after `git init` (the commit time, a file in the
        // way) takes the new repository away again: nothing written.
        let done = write(ctx, &dir);
        if done.is_err() && fresh && std::fs::remove_dir_all(&git_dir).is_ok() {
            errln("removed that git repository again");
        }
        done?;
        say_done(ctx, &dir)?;
        return Ok(Outcome::Done);
    }
    write(ctx, &dir)?;
    say_done(ctx, &dir)?;
    Ok(Outcome::Done)
}

/// A file or link where rel's folders belong is invalid input naming it
/// (exit 2), found before `git init` or anything else is written.
fn folders_not_in_the_way(dir: &std::path::Path) -> anyhow::Result<()> {
    for folder in [RELEASES_DIR, INCIDENTS_DIR] {
        if let Ok(m) = std::fs::symlink_metadata(dir.join(folder)) {
            if !m.is_dir() {
                return Err(invalid(format!(
                    "{folder} is a file or a link; rel keeps a folder there: move it out of the way"
                )));
            }
        }
    }
    Ok(())
}

/// Writes and commits the default pipeline and the register folder.
fn write(ctx: &Context, dir: &std::path::Path) -> anyhow::Result<()> {
    write_new_repository(ctx, dir, |_, actor| {
        let changes = vec![
            Change {
                path: PIPELINE_FILE.to_string(),
                content: default_pipeline(&actor.email).into_bytes(),
                removed: false,
            },
            Change {
                path: format!("{INCIDENTS_DIR}/.gitkeep"),
                content: Vec::new(),
                removed: false,
            },
        ];
        let mut message = CommitMessage::new(Action::Init, "release repository");
        message
            .body
            .push("The default pipeline: development, uat, staging, production.".into());
        Ok(Decision::commit(changes, message, ()))
    })
}

/// The default pipeline, with `email` (who runs `rel init`) as its first
/// release manager: the one role `override_by` names.
pub fn default_pipeline(email: &str) -> String {
    let quoted = toml::Value::String(email.to_string()).to_string();
    DEFAULT_PIPELINE.replacen(
        "# release-manager = [\"rm@vendor.example\"]",
        &format!("release-manager = [{quoted}]"),
        1,
    )
}

fn say_done(ctx: &Context, dir: &std::path::Path) -> anyhow::Result<()> {
    if ctx.json {
        json(&serde_json::json!({"root": dir, "dry_run": ctx.dry_run}))?;
    } else if !ctx.dry_run {
        outln(&format!(
            "initialised a release repository in {}",
            dir.display()
        ))?;
    }
    Ok(())
}
