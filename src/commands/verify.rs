//! `rel verify R [--passed N --failed N --report PATH]`: run the current
//! environment's health check (or take a result from CI) and record it. The
//! report is recorded even when it fails: it is evidence.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::bounded::captured::{Capture, Output, Shown};
use crate::bounded::process_group;
use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::pipeline::DEFAULT_HEALTH_TIMEOUT;
use crate::model::release::Release;
use crate::model::span::Span;
use crate::outcome::Outcome;
use crate::render::progress::Progress;
use crate::rules::actions::may_verify;
use crate::rules::moves::{self, CheckResult};
use crate::rules::register::effects::Stamp;
use crate::store::{Change, CommitMessage, Workspace};

use super::shared::args::Id;
use super::shared::{open_reading, refuse, release_to_change, write, Decision, ReleaseOutcome};

pub struct VerifyArgs<'a> {
    pub release: &'a str,
    pub passed: Option<u64>,
    pub failed: Option<u64>,
    pub report: Option<&'a str>,
}

/// What running the check (or the flags) found.
struct Found {
    passed: bool,
    duration_ms: Option<u64>,
    command: Option<String>,
    /// Why it failed when the exit code does not say (a timeout).
    detail: Option<String>,
    /// What the check printed, kept for the report file; None when the
    /// result came from elsewhere.
    output: Option<Output>,
}

pub fn run(ctx: &Context, args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let id = Id::release(args.release)?;
    // Read first, without the lock: a health check may run for minutes.
    let ws = open_reading(ctx)?;
    let pipeline = ws.pipeline()?;
    // Time is checked before the health check runs too: a report that
    // could not be recorded is not worth minutes of checking.
    let release = release_to_change(ctx, &ws, id.as_str())?;
    // Its environments are those of its own pipeline.
    let pipeline = pipeline.lane_of(&release);
    let verdict = may_verify(&pipeline, &release);
    if !verdict.allowed() {
        return Err(refuse(
            Action::Verify,
            Some(&release.id),
            &format!("cannot verify {}", release.id),
            &verdict,
        ));
    }
    let env = release.environment.clone();
    let external = args.passed.is_some() || args.failed.is_some();
    let found = if external {
        Found {
            passed: args.failed.unwrap_or(0) == 0,
            duration_ms: None,
            command: None,
            detail: None,
            output: None,
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
            return ReleaseOutcome::unchanged(release).print(ctx);
        }
        run_check(ctx, &ws, &release, &command, timeout)?
    };
    let check = CheckResult {
        env,
        // The content that was checked, even if it changed meanwhile.
        revision: release.revision,
        passed: found.passed,
        duration_ms: found.duration_ms,
        tests_passed: args.passed,
        tests_failed: args.failed,
        report: args.report.map(str::to_string),
        command: found.command,
        detail: found.detail,
        log: None,
    };
    let output = found.output;
    drop(ws);

    // Record under the lock, on the manifest as it is then.
    let outcome = write(ctx, |ws, actor| {
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        // Decided again on the state it is recorded on: a release cancelled
        // while its check ran takes no report.
        let pipeline = ws.pipeline()?;
        let verdict = may_verify(&pipeline, &release);
        if !verdict.allowed() {
            return Err(refuse(
                Action::Verify,
                Some(&release.id),
                &format!("cannot record the health report of {}", release.id),
                &verdict,
            ));
        }
        let by = actor.to_string();
        // The output is kept next to the report, numbered on the manifest
        // as it is now (the same commit records both).
        let mut check = check.clone();
        let mut log_file = None;
        if let Some(out) = &output {
            let path = moves::next_report_log(&release, &check.env);
            check.log = Some(path.clone());
            log_file = Some(Change {
                path,
                content: out.report_file(),
                removed: false,
            });
        }
        moves::record_health(
            &mut release,
            &check,
            Stamp {
                at: ctx.now,
                by: &by,
            },
        );
        let made = super::shared::zero_touch::zero_touch(ctx, ws, &pipeline, &mut release, &by)?;
        let word = check.verdict_word();
        let mut message = CommitMessage::new(
            Action::Verify,
            &format!("{} in {}: {word}", release.id, check.env),
        );
        message.release = Some(release.id.clone());
        message.env = Some(check.env.clone());
        let done = format!("{} health check in {}: {word}", release.id, check.env);
        let mut decision =
            super::shared::zero_touch::zero_touch_commit(release, message, done, made, by)?;
        if let (Some(file), Decision::Commit { plan, .. }) = (log_file, &mut decision) {
            plan.changes.push(file);
        }
        Ok(decision)
    })?;
    super::shared::zero_touch::finish_zero_touch(ctx, outcome)?;
    if check.passed {
        Ok(Outcome::Done)
    } else {
        Ok(Outcome::Failed)
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
) -> anyhow::Result<Found> {
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
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Shown live (stdout on stderr when stdout carries JSON), and kept for
    // the report file.
    let shown = if ctx.json {
        Shown::Stderr
    } else {
        Shown::Stdout
    };
    // On a terminal, a spinner with the time spent; the check's output is
    // shown above it as it comes.
    let progress = Progress::spinner(
        ctx.progress,
        format!("health check of {} in {}", r.id, r.environment),
    );
    let mut capture = None;
    let finished = process_group::run(
        &mut cmd,
        timeout.as_std(),
        Duration::from_secs(10),
        |_| {},
        |child| {
            capture = Some(Capture::start(
                child.stdout.take(),
                child.stderr.take(),
                shown,
                progress.suspender(),
            ))
        },
    )
    .map_err(|e| invalid(format!("cannot run the health check `{command}`: {e}")))?;
    progress.finish();
    let detail = finished.timed_out.then(|| {
        crate::errln!("health check `{command}` timed out after {timeout}: stopped with every process it started");
        format!("timed out after {timeout}")
    });
    Ok(Found {
        passed: !finished.timed_out && finished.status.success(),
        duration_ms: Some(finished.elapsed.as_millis().min(u128::from(u64::MAX)) as u64),
        command: Some(command.to_string()),
        detail,
        output: capture.map(|c| c.finish(Duration::from_secs(2))),
    })
}
