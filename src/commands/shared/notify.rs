//! Telling people (contract section 7): after a commit that makes, moves,
//! cancels or applies a schedule, holds or resumes a release, or when a due
//! schedule is found blocked, the command in `git config rel.notify` runs
//! once per event with the event as JSON on stdin.
//!
//! The command comes from the git configuration of the machine making the
//! change (local, global or system, as git reads it), never from the
//! repository's files: cloning a repository must not make anyone run its
//! code. A notifier that fails, or outlives its minute, is a warning; it
//! never undoes or fails the change.

use std::io::Write;
use std::os::fd::AsFd;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::context::Context;
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::render::output::errln;
use crate::render::time::rfc3339;
use crate::store::Workspace;

/// How long a notifier may run before rel stops waiting and kills it.
const NOTIFIER_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub event: &'static str,
    pub release: String,
    pub version: String,
    pub env: Option<String>,
    pub at: String,
    pub by: String,
    pub recipients: Vec<String>,
    pub commit: Option<String>,
    pub reason: Option<String>,
}

impl Event {
    pub fn new(
        p: &Pipeline,
        event: &'static str,
        r: &Release,
        env: Option<&str>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Event {
        Event {
            event,
            release: r.id.clone(),
            version: r.version.clone(),
            env: env.map(str::to_string),
            at: rfc3339(at),
            by: by.to_string(),
            recipients: recipients_for(p, r, env),
            commit: None,
            reason: None,
        }
    }

    pub fn because(mut self, reason: Option<&str>) -> Event {
        self.reason = reason.map(str::to_string);
        self
    }
}

/// `recipients` for release `r`: for an update, with the installation's
/// role members in place of the pipeline's, and its admins after them
/// (contract section 8).
pub fn recipients_for(p: &Pipeline, r: &Release, env: Option<&str>) -> Vec<String> {
    let effective = p.for_release(r);
    let mut out = recipients(&effective, env);
    if let Some(i) = r.installation.as_deref().and_then(|n| p.installation(n)) {
        for admin in &i.admins {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(admin)) {
                out.push(admin.clone());
            }
        }
    }
    out
}

/// The members of the roles in the pipeline's `notify` and in that of the
/// environment concerned, each e-mail once, in order.
pub fn recipients(p: &Pipeline, env: Option<&str>) -> Vec<String> {
    let env_roles = env.and_then(|e| p.env(e)).map(|e| e.notify.as_slice());
    let mut out: Vec<String> = Vec::new();
    for role in p.notify.iter().chain(env_roles.unwrap_or(&[])) {
        for email in p.role_members(role).unwrap_or(&[]) {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(email)) {
                out.push(email.clone());
            }
        }
    }
    out
}

/// Runs the notifier for each event, after the commit they are about
/// (`commit`: its id, or None for an event with no commit such as
/// `blocked`). Nothing runs in a dry run or without `rel.notify`.
pub fn send(ctx: &Context, ws: &Workspace, events: Vec<Event>, commit: Option<String>) {
    if ctx.dry_run || events.is_empty() {
        return;
    }
    let Some(command) = ws
        .git_config()
        .and_then(|c| c.get_string("rel.notify").ok())
        .filter(|c| !c.trim().is_empty())
    else {
        return;
    };
    // `notify_on` picks the events told (contract 11.6).
    let pipeline = ws.pipeline().ok();
    for mut event in events {
        if pipeline.as_ref().is_some_and(|p| !tells(ws, p, &event)) {
            continue;
        }
        event.commit = commit.clone();
        if let Err(why) = run(ws, &command, &event) {
            errln(&format!(
                "warning: the notifier (git config rel.notify) failed for the {} event of {}: {why}; \
                 the change stands",
                event.event, event.release
            ));
        }
    }
}

/// Whether `event` is told: `notify_on` of the environment it is about, in
/// the pipeline of its release (environment names repeat across
/// pipelines, contract 11.2), else the top level's.
fn tells(ws: &Workspace, p: &Pipeline, event: &Event) -> bool {
    let release = ws
        .load::<Release>(&event.release)
        .or_else(|_| ws.load_past::<Release>(&event.release));
    match release {
        Ok(r) => p.lane_of(&r).tells(event.event, event.env.as_deref()),
        // An installation's event (`policy`), or a release gone: the top
        // level's list and the default pipeline's environments.
        Err(_) => p.tells(event.event, event.env.as_deref()),
    }
}

/// The event a commit of `action` is told as (contract 11.6), for the
/// transitions the commands do not tell themselves (schedules, holds and
/// `rel due` tell their own).
pub fn transition(action: crate::model::action::Action, by_schedule: bool) -> Option<&'static str> {
    use crate::model::action::Action as A;
    Some(match action {
        A::New | A::Rollout => "created",
        A::Freeze => "frozen",
        A::Unfreeze => "unfrozen",
        A::Approve => "approved",
        A::Verify => "verified",
        A::Close => "closed",
        A::Cancel => "cancelled",
        A::Rollback => "rolled-back",
        A::Promote if !by_schedule => "promoted",
        A::InstallationNew | A::InstallationSet => "policy",
        _ => return None,
    })
}

/// Tells the transition a commit just made (`message`), by `by`: the
/// release (or installation) is read again from the new HEAD. Nothing
/// without `rel.notify`, in a dry run, or for an action told elsewhere.
pub fn tell_transition(
    ctx: &Context,
    message: &crate::store::CommitMessage,
    changes: &[crate::store::Change],
    by: &str,
) {
    let Some(word) = transition(message.action, message.schedule.is_some()) else {
        return;
    };
    if ctx.dry_run {
        return;
    }
    let Ok(ws) = super::open::reading(&ctx.start_dir, false) else {
        return;
    };
    let configured = ws
        .git_config()
        .and_then(|c| c.get_string("rel.notify").ok())
        .is_some_and(|c| !c.trim().is_empty());
    if !configured {
        return;
    }
    let Ok(p) = ws.pipeline() else { return };
    let mut events = Vec::new();
    if word == "policy" {
        let name = message.subject.split_whitespace().next().unwrap_or("");
        if let Ok(i) = ws.load::<crate::model::installation::Installation>(name) {
            events.push(Event {
                event: word,
                release: i.name.clone(),
                version: i.version.clone(),
                env: None,
                at: rfc3339(ctx.now),
                by: by.to_string(),
                recipients: i.admins.clone(),
                commit: None,
                reason: None,
            });
        }
    } else if let Some(id) = &message.release {
        // A closed or cancelled release has just moved into the archive.
        if let Ok(r) = ws.load_past::<Release>(id) {
            events.push(
                Event::new(&p, word, &r, message.env.as_deref(), ctx.now, by)
                    .because(message.reason.as_deref()),
            );
        }
    } else if message.action == crate::model::action::Action::Rollout {
        // Each update the rollout made: its manifest's file name.
        let ids = changes.iter().filter_map(|c| {
            c.path
                .strip_prefix("releases/")
                .filter(|rest| !rest.contains('/'))
                .and_then(|rest| rest.strip_suffix(".toml"))
        });
        for id in ids {
            if let Ok(r) = ws.load::<Release>(id) {
                events.push(Event::new(&p, word, &r, None, ctx.now, by));
            }
        }
    }
    send(ctx, &ws, events, head_commit(&ws));
}

/// The id of HEAD's commit: the one just made.
pub fn head_commit(ws: &Workspace) -> Option<String> {
    let head = ws.git_repo().head().ok()?;
    Some(head.peel_to_commit().ok()?.id().to_string())
}

fn run(ws: &Workspace, command: &str, event: &Event) -> Result<(), String> {
    let json = serde_json::to_string(event).map_err(|e| e.to_string())?;
    // The notifier's output goes to stderr: stdout holds rel's one document.
    let stderr = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| e.to_string())?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(&ws.root)
        .stdin(Stdio::piped())
        .stdout(Stdio::from(stderr))
        .spawn()
        .map_err(|e| format!("cannot run `sh -c {command}`: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A notifier that does not read its input is its own business.
        let _ = stdin.write_all(json.as_bytes());
        let _ = stdin.write_all(b"\n");
    }
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("it ended with {status}")),
            Ok(None) if started.elapsed() >= NOTIFIER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "it ran longer than {}s and was stopped",
                    NOTIFIER_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(e.to_string()),
        }
    }
}
