//! One small file per command group: check args -> load -> ask rules ->
//! write (every write through `shared::spine`) -> render. What they share
//! is in `shared/`.

mod approve;
mod archive;
mod audit;
mod audit_hook;
mod board;
mod cancel;
mod check;
mod close;
mod env;
mod evidence;
mod freeze;
mod group;
mod incident;
mod init;
// Installations and update paths (contract section 8).
mod installation;
mod list;
mod log;
mod new;
mod notes;
mod path;
mod plan;
mod promote;
mod rollback;
mod rollout;
mod shared;
mod show;
mod status;
mod sync;
mod tick;
mod verify;
// Schedules, zero-touch updates, holds, notifications (contract section 7).
mod calendar;
mod due;
mod hold;
mod schedule;
// For people and their tools (contract section 10).
mod completions;
mod man;
// Stays and a release's own checklist (contract section 8).
mod checklist;
mod depend;
mod fleet;
mod forecast;
mod repeat;
mod untick;

use crate::cli::{ChecklistCommand, Command};
use crate::context::Context;
use crate::outcome::Outcome;

/// Runs a command; returns its `Outcome` when it has told all it had to
/// (`check` not ready and `verify` failed included), an error for `main`
/// to tell.
pub fn dispatch(ctx: &Context, command: Command) -> anyhow::Result<Outcome> {
    if ctx.worktree && !reads_only(&command) {
        return Err(crate::error::invalid(
            "--worktree is for reading commands (status, list, show, check, plan, env, notes, \
             log, incident list/show); a write always decides on the committed state",
        ));
    }
    match command {
        Command::Init => init::run(ctx),
        Command::Env { pipeline } => env::run(ctx, pipeline.as_deref()),
        Command::Sync => sync::run(ctx),
        Command::Status {
            installation,
            pipeline,
        } => status::run(ctx, installation.as_deref(), pipeline.as_deref()),
        Command::List {
            state,
            installation,
            pipeline,
        } => list::run(ctx, state, installation.as_deref(), pipeline.as_deref()),
        Command::Installation(cmd) => installation::run(ctx, cmd),
        Command::Rollout(args) => rollout::run(ctx, &args),
        Command::Path(args) => path::run(ctx, &args),
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
        Command::Archive => archive::run(ctx),
        Command::Notes {
            release,
            format,
            output,
        } => notes::run(ctx, &release, format, output.as_deref()),
        Command::RenderTemplate {
            memory_mb,
            cpu_seconds,
        } => Ok(crate::bounded::template::child_main(memory_mb, cpu_seconds)),
        Command::Audit { since, hook } => {
            if hook {
                audit_hook::run(ctx)
            } else {
                audit::run(ctx, since.as_deref())
            }
        }
        Command::Evidence { release, output } => evidence::run(ctx, &release, output.as_deref()),
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
        Command::Schedule(args) => schedule::schedule(ctx, &args),
        Command::Reschedule {
            release,
            at,
            to,
            reason,
            overrides,
        } => schedule::reschedule(ctx, &release, &at, to.as_deref(), &reason, &overrides),
        Command::Unschedule {
            release,
            to,
            reason,
            overrides,
        } => schedule::unschedule(ctx, &release, to.as_deref(), &reason, &overrides),
        Command::Due { apply } => due::run(ctx, apply),
        Command::Hold { release, reason } => hold::hold(ctx, &release, &reason),
        Command::Resume { release, reason } => hold::resume(ctx, &release, reason.as_deref()),
        Command::Calendar { output, pipeline } => {
            calendar::run(ctx, output.as_deref(), pipeline.as_deref())
        }
        Command::Completions { shell } => completions::run(ctx, shell),
        Command::Man { output } => man::run(ctx, output.as_deref()),
        Command::Repeat { release, reason } => repeat::run(ctx, &release, &reason),
        Command::Fleet { version, pipeline } => {
            fleet::run(ctx, version.as_deref(), pipeline.as_deref())
        }
        Command::Forecast {
            until,
            releases,
            strict,
        } => forecast::run(ctx, until.as_deref(), &releases, strict),
        Command::Depend {
            release,
            on,
            reached,
            before,
            off,
            reason,
        } => depend::run(
            ctx,
            &depend::DependArgs {
                release: &release,
                on: &on,
                reached: reached.as_deref(),
                before: before.as_deref(),
                off,
                reason: reason.as_deref(),
            },
        ),
        Command::Checklist(ChecklistCommand::Add {
            release,
            env,
            exit,
            items,
        }) => checklist::add(ctx, &release, &env, exit, &items),
        Command::Checklist(ChecklistCommand::Remove {
            release,
            env,
            exit,
            item,
            reason,
        }) => checklist::remove(ctx, &release, &env, exit, &item, &reason),
        Command::Untick {
            release,
            env,
            item,
            reason,
        } => untick::run(ctx, &release, &env, &item, &reason),
        Command::Board(args) => board::run(ctx, args.output.as_deref(), args.pipeline.as_deref()),
    }
}

/// Commands that never write, for which `--worktree` may evaluate the work
/// tree's files.
fn reads_only(command: &Command) -> bool {
    use crate::cli::IncidentCommand as I;
    match command {
        Command::Env { .. }
        | Command::Status { .. }
        | Command::List { .. }
        | Command::Show { .. }
        | Command::Check { .. }
        | Command::Plan { .. }
        | Command::Forecast { .. }
        | Command::Log { .. }
        | Command::Audit { .. }
        | Command::Due { apply: false }
        | Command::Completions { .. } => true,
        Command::Calendar { output, .. } => output.is_none(),
        Command::Notes { output, .. } => output.is_none(),
        Command::Incident(I::List { .. } | I::Show { .. }) => true,
        Command::Installation(
            crate::cli_updates::InstallationCommand::List
            | crate::cli_updates::InstallationCommand::Show { .. },
        ) => true,
        Command::Path(args) => args.set.is_none(),
        _ => false,
    }
}
