//! `rel verify R [--passed N --failed N --report PATH]`: run the current
//! environment's health check (or take a result from CI) and record it. The
//! report is recorded even when it fails: it is evidence.

use std::io::IsTerminal;
use std::os::fd::AsFd;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::context::Context;
use crate::error::{invalid, RelError};
use crate::model::release::{Event, HealthReport, Release};
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
}

pub fn run(ctx: &Context, args: &VerifyArgs) -> anyhow::Result<i32> {
    // Read first, without the lock: a health check may run for minutes.
    let ws = Workspace::open(&ctx.start_dir)?;
    let pipeline = ws.pipeline()?;
    // Time is checked before the health check runs too: a report that
    // could not be recorded is not worth minutes of checking.
    let release = super::release_to_change(ctx, &ws, args.release)?;
    let verdict = may_verify(&pipeline, &release);
    if !verdict.allowed() {
        return Err(super::refuse(
            ctx,
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
        }
    } else {
        let command = pipeline
            .env(&env)
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
            return Ok(0);
        }
        run_check(ctx, &ws, &release, &command)?
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
    });
    let verdict_word = if outcome.passed { "passed" } else { "failed" };
    let mut event = Event::new(ctx.now, &actor.to_string(), "verify");
    event.env = Some(env.clone());
    event.detail = Some(match (args.passed, args.failed) {
        (None, None) => format!("health check {verdict_word}"),
        (p, f) => format!(
            "health check {verdict_word}: {} passed, {} failed",
            p.unwrap_or(0),
            f.unwrap_or(0)
        ),
    });
    release.history.push(event);
    let mut message = CommitMessage::new(
        "verify",
        &format!("{} in {env}: {verdict_word}", release.id),
    );
    message.release = Some(release.id.clone());
    message.env = Some(env.clone());
    super::apply(ctx, &ws, &actor, &[change_for(&release)?], &message)?;
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
/// output shown live (on stderr when stdout carries JSON).
fn run_check(ctx: &Context, ws: &Workspace, r: &Release, command: &str) -> anyhow::Result<Outcome> {
    crate::errln!(
        "running health check `{command}` for {} in {}",
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
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| invalid(format!("cannot run the health check `{command}`: {e}")))?;
    // On a terminal, say every so often that a long check is still running.
    let (done, ticks) = mpsc::channel::<()>();
    let ticker = std::io::stderr().is_terminal().then(|| {
        std::thread::spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) =
                ticks.recv_timeout(Duration::from_secs(10))
            {
                crate::errln!(
                    "  ... health check still running ({} s)",
                    started.elapsed().as_secs()
                );
            }
        })
    });
    let status = child.wait();
    let _ = done.send(());
    if let Some(t) = ticker {
        let _ = t.join();
    }
    let status = status?;
    Ok(Outcome {
        passed: status.success(),
        duration_ms: Some(started.elapsed().as_millis().min(u128::from(u64::MAX)) as u64),
        command: Some(command.to_string()),
    })
}
