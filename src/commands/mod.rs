//! One small file per command group: check args -> load -> ask rules ->
//! write (every write through `shared::spine`) -> render. What they share
//! is in `shared/`.

mod approve;
mod audit;
mod cancel;
mod check;
mod close;
mod env;
mod freeze;
mod group;
mod incident;
mod init;
mod list;
mod log;
mod new;
mod notes;
mod plan;
mod promote;
mod rollback;
mod shared;
mod show;
mod status;
mod sync;
mod tick;
mod verify;

use crate::cli::Command;
use crate::context::Context;

/// Runs a command; returns the exit code for outcomes that are not errors
/// (`check` not ready, `verify` failed).
pub fn dispatch(ctx: &Context, command: Command) -> anyhow::Result<i32> {
    if ctx.worktree && !reads_only(&command) {
        return Err(crate::error::invalid(
            "--worktree is for reading commands (status, list, show, check, plan, env, notes, \
             log, incident list/show); a write always decides on the committed state",
        ));
    }
    match command {
        Command::Init => init::run(ctx),
        Command::Env => env::run(ctx),
        Command::Sync => sync::run(ctx),
        Command::Status => status::run(ctx),
        Command::List { state } => list::run(ctx, state),
        Command::Show { release } => show::run(ctx, &release),
        Command::New(args) => new::run(ctx, &args),
        Command::Incident(cmd) => incident::run(ctx, cmd),
        Command::Group { release, incidents } => group::group(ctx, &release, &incidents),
        Command::Ungroup { release, incidents } => group::ungroup(ctx, &release, &incidents),
        Command::Freeze { release } => freeze::freeze(ctx, &release),
        Command::Unfreeze { release, reason } => freeze::unfreeze(ctx, &release, &reason),
        Command::Cancel { release, reason } => cancel::run(ctx, &release, &reason),
        Command::Check { release, to, at } => {
            check::run(ctx, &release, to.as_deref(), at.as_deref())
        }
        Command::Promote {
            release,
            to,
            overrides,
            reason,
        } => promote::run(ctx, &release, to.as_deref(), &overrides, reason.as_deref()),
        Command::Approve { release, env, role } => approve::run(ctx, &release, &env, &role),
        Command::Tick { release, env, item } => tick::run(ctx, &release, &env, &item),
        Command::Verify {
            release,
            passed,
            failed,
            report,
        } => verify::run(
            ctx,
            &verify::VerifyArgs {
                release: &release,
                passed,
                failed,
                report: report.as_deref(),
            },
        ),
        Command::Plan { release } => plan::run(ctx, &release),
        Command::Rollback {
            release,
            to,
            reason,
        } => rollback::run(ctx, &release, &to, &reason),
        Command::Close { release } => close::run(ctx, &release),
        Command::Notes {
            release,
            format,
            output,
        } => notes::run(ctx, &release, format, output.as_deref()),
        Command::RenderTemplate {
            memory_mb,
            cpu_seconds,
        } => Ok(crate::bounded::template::child_main(memory_mb, cpu_seconds)),
        Command::Audit { since } => audit::run(ctx, since.as_deref()),
        Command::Log {
            release,
            env,
            since,
        } => log::run(
            ctx,
            &log::LogArgs {
                release: release.as_deref(),
                env: env.as_deref(),
                since: since.as_deref(),
            },
        ),
    }
}

/// Commands that never write, for which `--worktree` may evaluate the work
/// tree's files.
fn reads_only(command: &Command) -> bool {
    use crate::cli::IncidentCommand as I;
    match command {
        Command::Env
        | Command::Status
        | Command::List { .. }
        | Command::Show { .. }
        | Command::Check { .. }
        | Command::Plan { .. }
        | Command::Log { .. }
        | Command::Audit { .. } => true,
        Command::Notes { output, .. } => output.is_none(),
        Command::Incident(I::List { .. } | I::Show { .. }) => true,
        _ => false,
    }
}
