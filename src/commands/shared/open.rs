//! Opening the release repository for a command (after a fetch, when a
//! reading command asks for one), and saying what the store noted while
//! opening it (a repair it finished, the tip a dry run decided on). The
//! store never prints: it returns its notes, and they are said here, on
//! stderr, as soon as the workspace is open, so they come before anything
//! the command says and are not lost when a later step of opening fails.

use std::path::Path;

use crate::context::Context;
use crate::error::invalid;
use crate::store::remote::sync::{self, Shared};
use crate::store::Workspace;

/// Prints the notes the store has not yet had said.
pub fn say_notes(ws: &mut Workspace) {
    for note in ws.take_notes() {
        crate::errln!("{note}");
    }
}

/// `Workspace::open`, its notes said.
pub fn reading(start: &Path, worktree: bool) -> anyhow::Result<Workspace> {
    let mut ws = Workspace::open(start, worktree)?;
    say_notes(&mut ws);
    Ok(ws)
}

/// `Workspace::open_commits`, its notes said.
pub fn commits(start: &Path) -> anyhow::Result<Workspace> {
    let mut ws = Workspace::open_commits(start)?;
    say_notes(&mut ws);
    Ok(ws)
}

/// `Workspace::open_for_write_local`, its notes said.
pub fn locked(start: &Path) -> anyhow::Result<Workspace> {
    let mut ws = Workspace::open_for_write_local(start)?;
    say_notes(&mut ws);
    Ok(ws)
}

/// Opens for a change (`Workspace::open_for_write_local`, then
/// `prepare_write`), its notes said: those of opening before
/// the checks and the join of the shared branch, which may fail.
pub fn for_write(start: &Path, dry_run: bool) -> anyhow::Result<Workspace> {
    let mut ws = locked(start)?;
    ws.prepare_write(dry_run)?;
    say_notes(&mut ws);
    Ok(ws)
}

/// `Workspace::at_root`, its notes said.
pub fn at_root(root: &Path, write: bool) -> anyhow::Result<Workspace> {
    let mut ws = Workspace::at_root(root.to_path_buf(), write)?;
    say_notes(&mut ws);
    Ok(ws)
}

/// `--fetch` (or `[sync] fetch_on_read`) for a reading command: fetch and
/// fast-forward as `rel sync` does, under rel's lock, before the command
/// reads. `explicit`: asked with `--fetch` (no `[sync]` is then exit 2).
pub fn before_reading(ctx: &Context, explicit: bool) -> anyhow::Result<()> {
    let mut ws = locked(&ctx.start_dir)?;
    let Some(settings) = ws.pipeline()?.sync else {
        if explicit {
            return Err(invalid(
                "--fetch: environments.toml has no [sync]: this release repository is not shared through a remote",
            ));
        }
        return Ok(());
    };
    let shared = Shared::new(&settings, &ws.branch()?);
    let tip = sync::fetch(ws.git_repo(), ws.workdir(), &shared)?;
    if let sync::Standing::Behind(tip) = sync::standing(ws.git_repo(), &shared, tip)? {
        sync::fast_forward(ws.workdir(), &shared, tip)?;
    }
    ws.refresh()?;
    Ok(())
}
