//! One small file per command group: read args -> load -> ask rules -> write
//! -> render.

mod apply;
mod env;
mod init;
mod list;
mod new;
mod refuse;
mod show;
mod status;

use crate::cli::Command;
use crate::context::Context;
use crate::error::invalid;
use crate::model::actor::Actor;
use crate::store::identity;
use crate::store::Workspace;

pub use apply::apply;
pub use refuse::refuse;

/// Runs a command; returns the exit code for outcomes that are not errors
/// (`check` not ready, `verify` failed).
pub fn dispatch(ctx: &Context, command: Command) -> anyhow::Result<i32> {
    match command {
        Command::Init => init::run(ctx),
        Command::Env => env::run(ctx),
        Command::Status => status::run(ctx),
        Command::List { state } => list::run(ctx, state),
        Command::Show { release } => show::run(ctx, &release),
        Command::New(args) => new::run(ctx, &args),
        other => Err(invalid(format!(
            "`rel {}` is not available in this build yet",
            command_name(&other)
        ))),
    }
}

fn command_name(c: &Command) -> String {
    let debug = format!("{c:?}");
    debug
        .split(|ch: char| !ch.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_lowercase()
}

/// The actor for a writing command.
pub fn actor(ctx: &Context, ws: &Workspace) -> anyhow::Result<Actor> {
    identity::actor(ctx.rel_actor.as_deref(), ws)
}
