//! One small file per command group: read args -> load -> ask rules -> write
//! -> render.

mod apply;
mod approve;
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
mod promotion_facts;
mod refuse;
mod register;
mod report;
mod rollback;
mod show;
mod status;
mod sync;
mod tick;
mod verify;
// Schedules, zero-touch updates, holds, notifications (contract section 7).
mod calendar;
mod due;
mod hold;
mod notify;
mod schedule;
mod schedule_facts;

use crate::cli::Command;
use crate::context::Context;
use crate::error::invalid;
use crate::model::actor::Actor;
use crate::model::release::Release;
use crate::rules::history::time_moves_forward;
use crate::store::identity;
use crate::store::Workspace;

pub use apply::apply;
pub use refuse::refuse;
pub use report::{release_done, release_unchanged};

/// Runs a command; when its push was rejected because the shared branch
/// moved (`[sync]`), runs it again from the fetch, deciding afresh on the new
/// tip, up to `retries` attempts (contract section 6).
pub fn dispatch_synced(ctx: &Context, command: Command) -> anyhow::Result<i32> {
    let mut attempt = 1;
    loop {
        match dispatch(ctx, command.clone()) {
            Err(e) => match e.downcast::<crate::store::sync::RemoteMoved>() {
                Ok(moved) if attempt < moved.0.retries => {
                    std::thread::sleep(crate::store::sync::backoff(attempt));
                    attempt += 1;
                }
                Ok(moved) => return Err(crate::store::sync::kept_moving(&moved.0)),
                Err(other) => return Err(other),
            },
            done => return done,
        }
    }
}

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
        Command::Calendar { output } => calendar::run(ctx, output.as_deref()),
    }
}

/// Opens the release repository for a reading command: HEAD's tree, or the
/// work tree with `--worktree`. Says in one line when rel's files have
/// uncommitted edits that the answer does not count.
pub fn open_reading(ctx: &Context) -> anyhow::Result<Workspace> {
    let ws = Workspace::open(&ctx.start_dir, ctx.worktree)?;
    if !ctx.worktree {
        let dirty = ws.uncommitted_rel_files()?;
        if !dirty.is_empty() {
            crate::errln!(
                "note: uncommitted edits to {} are not counted (rel reads the last commit); \
                 commit them, or pass --worktree to evaluate them",
                crate::store::uncommitted::shown_list(&dirty)
            );
        }
    }
    Ok(ws)
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
        | Command::Due { apply: false } => true,
        Command::Calendar { output } => output.is_none(),
        Command::Notes { output, .. } => output.is_none(),
        Command::Incident(I::List { .. } | I::Show { .. }) => true,
        _ => false,
    }
}

/// Zero-touch (contract section 7): call where a writing command has built
/// the release it is about to commit; adds the schedules its change makes
/// eligible (and drops schedules it can no longer carry out), and returns
/// the new ones for `notify_scheduled` after the commit.
pub fn zero_touch(
    ctx: &Context,
    ws: &Workspace,
    pipeline: &crate::model::pipeline::Pipeline,
    release: &mut Release,
    by: &str,
) -> anyhow::Result<Vec<crate::model::schedule::Schedule>> {
    let stale: Vec<_> = release
        .schedules
        .iter()
        .filter(|s| crate::rules::schedule::is_stale(pipeline, release, s))
        .cloned()
        .collect();
    release.schedules.retain(|s| !stale.contains(s));
    schedule_facts::zero_touch(ws, pipeline, release, by, ctx.now)
}

/// Tells about zero-touch schedules once their commit is made.
pub fn notify_scheduled(
    ctx: &Context,
    ws: &Workspace,
    pipeline: &crate::model::pipeline::Pipeline,
    release: &Release,
    made: &[crate::model::schedule::Schedule],
    by: &str,
) {
    let events = scheduled_events(pipeline, release, made, by);
    notify::send(ctx, ws, events, notify::head_commit(ws));
}

fn scheduled_events(
    pipeline: &crate::model::pipeline::Pipeline,
    release: &Release,
    made: &[crate::model::schedule::Schedule],
    by: &str,
) -> Vec<notify::Event> {
    made.iter()
        .map(|s| notify::Event::new(pipeline, "scheduled", release, Some(&s.env), s.at, by))
        .collect()
}

/// The actor for a writing command.
pub fn actor(ctx: &Context, ws: &Workspace) -> anyhow::Result<Actor> {
    identity::actor(ctx.rel_actor.as_deref(), ws)
}

/// The release `id`, loaded to be changed now: every writing command that
/// changes a manifest loads it here, so that time moves forward for all of
/// them (a "now" before the release's last event is exit 2, nothing written).
pub fn release_to_change(ctx: &Context, ws: &Workspace, id: &str) -> anyhow::Result<Release> {
    let release: Release = ws.load(id)?;
    time_moves_forward(&release, ctx.now).map_err(invalid)?;
    Ok(release)
}
