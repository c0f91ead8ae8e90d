//! One spine for every write: open for write (the lock, a crash repaired,
//! HEAD noted) -> who acts -> `decide` (pure: load, ask the rules, apply the
//! effects, say what to commit) -> a confirmation where the target asks for
//! one -> apply (a dry run, or one commit on the tree decided on, the branch
//! moved by compare and swap, index and work tree brought in step).
//!
//! Every writing command goes through `write`, so they cannot differ in the
//! order of these steps, in what a dry run shows, or in how a confirmation
//! is asked.

use std::path::Path;

use dialoguer::Confirm;

use crate::context::Context;
use crate::error::conflict;
use crate::model::actor::Actor;
use crate::render::output::errln;
use crate::store::git::branch_time::CLOCK_SLACK;
use crate::store::git::identity;
use crate::store::{Change, CommitMessage, Workspace};
use chrono::SecondsFormat;

use super::apply::apply;
use crate::store::remote::sync::{backoff, kept_moving, RemoteMoved};

/// What `decide` found: nothing to change, or one commit to make. Either
/// way `output` is what the command prints once the runner is done, and
/// `notes` are lines for people on stderr, said once the decision is final.
pub enum Decision<T> {
    /// Nothing to change (already approved, already ticked, already
    /// grouped): no commit, and not a failure.
    Nothing { notes: Vec<String>, output: T },
    /// Make the commit `plan` says.
    Commit {
        plan: Box<Plan>,
        notes: Vec<String>,
        output: T,
    },
}

/// One commit to make: `changes` with `message`; with `confirm`, only once
/// the question has been answered yes (or `--yes` given).
pub struct Plan {
    pub changes: Vec<Change>,
    pub message: CommitMessage,
    pub confirm: Option<Confirmation>,
}

/// A question a `confirm` environment asks before the commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// What needs confirming, for the refusal without a terminal:
    /// "promoting to production".
    pub what: String,
    /// The question on the terminal: "Promote R-1 1.0.0 from uat to production?"
    pub question: String,
}

impl<T> Decision<T> {
    /// Nothing to change, said in `note`.
    pub fn nothing(note: impl Into<String>, output: T) -> Decision<T> {
        Decision::Nothing {
            notes: vec![note.into()],
            output,
        }
    }

    /// One commit of `changes` with `message`.
    pub fn commit(changes: Vec<Change>, message: CommitMessage, output: T) -> Decision<T> {
        Decision::Commit {
            plan: Box::new(Plan {
                changes,
                message,
                confirm: None,
            }),
            notes: Vec::new(),
            output,
        }
    }

    /// Asks `confirmation` before committing (a no-op for `Nothing`).
    pub fn confirm(mut self, confirmation: Confirmation) -> Decision<T> {
        if let Decision::Commit { plan, .. } = &mut self {
            plan.confirm = Some(confirmation);
        }
        self
    }

    /// One more line for people on stderr.
    pub fn note(mut self, line: impl Into<String>) -> Decision<T> {
        match &mut self {
            Decision::Nothing { notes, .. } | Decision::Commit { notes, .. } => {
                notes.push(line.into())
            }
        }
        self
    }
}

/// Runs a writing command on the release repository found from `-C`.
///
/// `decide` MUST be re-runnable: it reads everything from the `Workspace`
/// it is given (and the actor), has no side effect (no printing, no file,
/// no prompt), and says everything through its return value: a refusal as
/// its error, the commit as its `Decision`. Team sync (contract section 6)
/// will wrap this runner in fetch -> decide -> commit -> push, and after a
/// rejected push call `decide` again on the newer state (never replaying
/// the old decision: an exclusive environment taken meanwhile is a refusal
/// now). A confirmation already answered yes is then not asked again; see
/// `Answers`.
pub fn write<T>(
    ctx: &Context,
    decide: impl FnMut(&Workspace, &Actor) -> anyhow::Result<Decision<T>>,
) -> anyhow::Result<T> {
    run(
        ctx,
        || super::open::for_write(&ctx.start_dir, ctx.dry_run),
        decide,
    )
}

/// `write` for `rel init`: the repository at `root` has no environments.toml
/// yet, so it is opened there rather than found.
pub fn write_new_repository<T>(
    ctx: &Context,
    root: &Path,
    decide: impl FnMut(&Workspace, &Actor) -> anyhow::Result<Decision<T>>,
) -> anyhow::Result<T> {
    run(ctx, || super::open::at_root(root, true), decide)
}

fn run<T>(
    ctx: &Context,
    open: impl Fn() -> anyhow::Result<Workspace>,
    mut decide: impl FnMut(&Workspace, &Actor) -> anyhow::Result<Decision<T>>,
) -> anyhow::Result<T> {
    let mut answers = Answers::default();
    let mut attempt = 1;
    loop {
        // With [sync], opening fetches and fast-forwards: each attempt
        // decides on the newest shared tip.
        let ws = open()?;
        time_moves_forward(ctx, &ws)?;
        let actor = identity::actor(ctx.rel_actor.as_deref(), &ws)?;
        let (plan, notes, output) = match decide(&ws, &actor)? {
            Decision::Nothing { notes, output } => {
                say(&notes);
                return Ok(output);
            }
            Decision::Commit {
                plan,
                notes,
                output,
            } => (plan, notes, output),
        };
        if let Some(c) = &plan.confirm {
            answers.ask(ctx, c)?;
        }
        match apply(ctx, &ws, &actor, &plan.changes, &plan.message) {
            Ok(()) => {
                say(&notes);
                drop(ws);
                // Every transition is told, whoever made it (11.6).
                super::notify::tell_transition(
                    ctx,
                    &plan.message,
                    &plan.changes,
                    &actor.to_string(),
                );
                return Ok(output);
            }
            // The remote moved while we decided: nothing was written; let
            // go of the lock, wait a little, decide again on the new tip.
            Err(e) => match e.downcast::<RemoteMoved>() {
                Ok(moved) if attempt < moved.0.retries => {
                    drop(ws);
                    std::thread::sleep(backoff(attempt));
                    attempt += 1;
                }
                Ok(moved) => return Err(kept_moving(&moved.0)),
                Err(other) => return Err(other),
            },
        }
    }
}

/// A write more than an hour before the latest time recorded on the
/// branch, by any release, is invalid input (contract 11.5): history never
/// runs backwards, and within the hour two machines' clocks may disagree.
fn time_moves_forward(ctx: &Context, ws: &Workspace) -> anyhow::Result<()> {
    // A time git cannot record is refused where the commit is made, with
    // its own message.
    if u32::try_from(ctx.now.timestamp()).is_err() {
        return Ok(());
    }
    let Some(latest) = ws.latest_recorded()? else {
        return Ok(());
    };
    if ctx.now + CLOCK_SLACK >= latest.at {
        return Ok(());
    }
    let when = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    Err(crate::error::hinted(
        crate::error::Kind::Invalid,
        format!(
            "now is {}, more than an hour before {}, the latest time recorded on the branch \
             (commit {}): history never runs backwards",
            when(ctx.now),
            when(latest.at),
            &latest.commit[..latest.commit.len().min(10)]
        ),
        "check this machine's clock, or REL_NOW",
    ))
}

fn say(notes: &[String]) {
    for line in notes {
        errln(line);
    }
}

/// The questions answered yes in this run, so a decision taken again (after
/// the remote moved) does not ask the same question twice.
#[derive(Default)]
struct Answers {
    yes: Vec<Confirmation>,
}

impl Answers {
    /// Ok when confirmed: by `--yes`, for a dry run (which writes nothing),
    /// by an earlier yes to the same question, or on the terminal now.
    /// Without a terminal: exit 3, nothing written.
    fn ask(&mut self, ctx: &Context, c: &Confirmation) -> anyhow::Result<()> {
        if ctx.yes || ctx.dry_run || self.yes.contains(c) {
            return Ok(());
        }
        if !ctx.interactive {
            return Err(conflict(format!(
                "{} needs confirmation; run on a terminal or pass --yes",
                c.what
            )));
        }
        let yes = Confirm::new()
            .with_prompt(c.question.clone())
            .default(false)
            .interact()
            .map_err(|e| conflict(format!("no confirmation: {e}")))?;
        if !yes {
            return Err(conflict("not confirmed; nothing written"));
        }
        self.yes.push(c.clone());
        Ok(())
    }
}
