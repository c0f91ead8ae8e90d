//! `rel sync`: fetch the shared branch and fast-forward this clone to it.

use crate::context::Context;
use crate::error::invalid;
use crate::outcome::Outcome;
use crate::render::output::{json, outln};
use crate::store::remote::sync::{self, Shared};

pub fn run(ctx: &Context) -> anyhow::Result<Outcome> {
    // The lock, so no write of this clone runs meanwhile.
    let mut ws = super::shared::open::locked(&ctx.start_dir)?;
    let settings = ws.pipeline()?.sync.ok_or_else(|| {
        invalid("environments.toml has no [sync]: this release repository is not shared through a remote")
    })?;
    let shared = Shared::new(&settings, &ws.branch()?);
    let before = ws.git_repo().head().ok().and_then(|h| h.target());
    let tip = sync::fetch(ws.git_repo(), ws.workdir(), &shared)?;
    let moved = match sync::standing(ws.git_repo(), &shared, tip)? {
        sync::Standing::Behind(tip) if !ctx.dry_run => {
            sync::fast_forward(ws.workdir(), &shared, tip)?;
            true
        }
        _ => false,
    };
    ws.refresh()?;
    let short = |id: Option<git2::Oid>| {
        id.map(|i| i.to_string()[..10].to_string())
            .unwrap_or_else(|| "nothing".into())
    };
    let line = match (tip, moved) {
        (None, _) => format!(
            "{}/{} does not exist yet: the next write creates it",
            shared.remote, shared.branch
        ),
        (Some(_), true) => format!(
            "fast-forwarded {} from {} to {}",
            sync::short_ref(&shared.local),
            short(before),
            short(tip)
        ),
        (Some(t), false) if Some(t) != before => format!(
            "dry run: would fast-forward {} from {} to {}",
            sync::short_ref(&shared.local),
            short(before),
            short(tip)
        ),
        (Some(_), false) => format!(
            "{} is up to date with {}/{}",
            sync::short_ref(&shared.local),
            shared.remote,
            shared.branch
        ),
    };
    if ctx.json {
        json(&serde_json::json!({
            "remote": shared.remote,
            "branch": shared.branch,
            "before": before.map(|i| i.to_string()),
            "tip": tip.map(|i| i.to_string()),
            "fast_forwarded": moved,
        }))?;
    } else {
        outln(&line)?;
    }
    Ok(Outcome::Done)
}
