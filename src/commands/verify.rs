//! `rel verify R [--passed N --failed N --report PATH]`: run the current
//! environment's health check (or take a result from CI) and record it. The
//! report is recorded even when it fails: it is evidence.

use crate::model::action::Action;
use std::io::IsTerminal;
use std::os::fd::AsFd;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::bounded::process_group;
use crate::context::Context;
use crate::error::{invalid, RelError};
use crate::model::pipeline::DEFAULT_HEALTH_TIMEOUT;
use crate::model::release::{Event, HealthReport, Release};
use crate::model::span::Span;
use crate::rules::actions::may_verify;
use crate::store::{change_for, CommitMessage, Workspace};

pub struct VerifyArgs<'a> {
    pub release: &'a str,
    pub passed: Option<u64>,
    pub failed: Option<u64>,
    pub report: Option<&'a str>,
}

struct Outcome {
    passed: bool,
    duration_ms: Option<u64>,
    command: Option<String>,
    /// Why it failed when the exit code does not say (a timeout).
    detail: Option<String>,
}

pub fn run(ctx: &Context, args: &VerifyArgs) -> anyhow::Result<i32> {
    // Read first, without the lock: a health check may run for minutes.
    let ws = crate::commands::open_reading(ctx)?;
    let pipeline = ws.pipeline()?;
    // Time is checked before the health check runs too: a report that
    // could not be recorded is not worth minutes of checking.
    let release = super::release_to_change(ctx, &ws, args.release)?;
    let verdict = may_verify(&pipeline, &release);
    if !verdict.allowed() {
        return Err(super::refuse(
            Action::Verify,
            Some(&release.id),
            &format!("cannot verify {}", release.id),
            &verdict,
        ));
    }
    let env = release.environment.clone();
    let revision = release.revision;
    let external = args.passed.is_some() || args.failed.is_some();
    let outcome = if external {
        Outcome {
            passed: args.failed.unwrap_or(0) == 0,
            duration_ms: None,
            command: None,
            detail: None,
        }
    } else {
        let environment = pipeline.env(&env);
        let timeout = environment.map_or(DEFAULT_HEALTH_TIMEOUT, |e| e.health_timeout);
        let command = environment
            .and_then(|e| e.health_check.clone())
            .ok_or_else(|| {
                invalid(format!(
                    "{env} has no health_check in environments.toml; record a result from elsewhere with --passed N --failed N"
                ))
            })?;
        if ctx.dry_run {
            crate::errln!(
                "dry run: would run `{command}` in {} and record the result",
                ws.root.display()
            );
            super::release_unchanged(ctx, &release)?;
            return Ok(0);
        }
        run_check(ctx, &ws, &release, &command, timeout)?
    };
    drop(ws);

    // Record under the lock, on the manifest as it is now.
    let ws = Workspace::open_for_write(&ctx.start_dir)?;
    let mut release = super::release_to_change(ctx, &ws, args.release)?;
    let actor = super::actor(ctx, &ws)?;
    release.health.push(HealthReport {
        env: env.clone(),
        passed: outcome.passed,
        by: actor.to_string(),
        at: ctx.now,
        // The content that was checked, even if it changed meanwhile.
        revision,
        duration_ms: outcome.duration_ms,
        tests_passed: args.passed,
        tests_failed: args.failed,
        report: args.report.map(str::to_string),
        command: outcome.command.clone(),
        detail: outcome.detail.clone(),
    });
    let verdict_word = if outcome.passed { "passed" } else { "failed" };
    let mut event = Event::new(ctx.now, &actor.to_string(), Action::Verify);
    event.env = Some(env.clone());
    event.detail = Some(match (args.passed, args.failed) {
        (None, None) => match &outcome.detail {
            Some(why) => format!("health check {verdict_word}: {why}"),
            None => format!("health check {verdict_word}"),
        },
        (p, f) => format!(
            "health check {verdict_word}: {} passed, {} failed",
            p.unwrap_or(0),
            f.unwrap_or(0)
        ),
    });
    release.history.push(event);
    let pipeline = ws.pipeline()?;
    let made = super::zero_touch(ctx, &ws, &pipeline, &mut release, &actor.to_string())?;
    let mut message = CommitMessage::new(
        Action::Verify,
        &format!("{} in {env}: {verdict_word}", release.id),
    );
    message.release = Some(release.id.clone());
    message.env = Some(env.clone());
    super::apply(ctx, &ws, &actor, &[change_for(&release)?], &message)?;
    super::notify_scheduled(ctx, &ws, &pipeline, &release, &made, &actor.to_string());
    super::release_done(
        ctx,
        &release,
        &format!("{} health check in {env}: {verdict_word}", release.id),
    )?;
    if outcome.passed {
        Ok(0)
    } else {
        Err(RelError::Quiet(1).into())
    }
}

/// Runs the check through the shell in the release repository's root, its
/// output shown live (on stderr when stdout carries JSON). Past `timeout`,
/// the check and every process it started are killed.
fn run_check(
    ctx: &Context,
    ws: &Workspace,
    r: &Release,
    command: &str,
    timeout: Span,
) -> anyhow::Result<Outcome> {
    crate::errln!(
        "running health check `{command}` for {} in {} (stopped after {timeout})",
        r.id,
        r.environment
    );
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .current_dir(&ws.root)
        .env("REL_RELEASE", &r.id)
        .env("REL_VERSION", &r.version)
        .env("REL_ENV", &r.environment)
        .stdin(Stdio::null());
    if ctx.json {
        let err = std::io::stderr().as_fd().try_clone_to_owned()?;
        cmd.stdout(Stdio::from(err));
    }
    // On a terminal, say every so often that a long check is still running.
    let on_terminal = std::io::stderr().is_terminal();
    let finished = process_group::run(
        &mut cmd,
        timeout.as_std(),
        Duration::from_secs(10),
        |spent| {
            if on_terminal {
                crate::errln!("  ... health check still running ({} s)", spent.as_secs());
            }
        },
    )
    .map_err(|e| invalid(format!("cannot run the health check `{command}`: {e}")))?;
    let detail = finished.timed_out.then(|| {
        crate::errln!("health check `{command}` timed out after {timeout}: stopped with every process it started");
        format!("timed out after {timeout}")
    });
    Ok(Outcome {
        passed: !finished.timed_out && finished.status.success(),
        duration_ms: Some(finished.elapsed.as_millis().min(u128::from(u64::MAX)) as u64),
        command: Some(command.to_string()),
        detail,
    })
}
