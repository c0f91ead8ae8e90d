//! `rel`: run software releases out of a git repository.
//!
//! Parse, run, and turn the outcome into an exit code (contract section 5):
//! 0 done, 1 refused or not ready, 2 usage or invalid input, 3 conflict,
//! 4 internal. Commands return their outcome instead of exiting from deep
//! inside; `main` is the one place that prints a failure (on stderr, and
//! with `--json` as the one JSON document on stdout) and exits. A broken
//! pipe on stdout is not a failure (ripgrep's `crates/core/main.rs`).

mod bounded;
mod cli;
mod cli_updates;
mod commands;
mod context;
mod error;
mod model;
mod outcome;
mod render;
mod rules;
mod store;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::context::Context;
use crate::outcome::Outcome;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return outcome::usage_error(&e, wants_json(&args)).into(),
    };
    let json = cli.json;
    let mut outcome = match run(cli) {
        Ok(outcome) => outcome,
        Err(err) => outcome::report(&err, json),
    };
    // What is still buffered for stdout: a closed pipe is fine, another
    // failure to write (a full disk under `> file`) is not.
    if let Err(err) = render::output::flush() {
        let failed = outcome::report(&err, false);
        if outcome == Outcome::Done {
            outcome = failed;
        }
    }
    outcome.into()
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let mut ctx = Context::from_env(cli.dir, cli.json, cli.dry_run, cli.yes, cli.worktree)?;
    ctx.fetch = match (cli.fetch, cli.no_fetch) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    commands::dispatch(&ctx, cli.command)
}

/// `--json` among the arguments (before a `--`), for a command line clap
/// could not parse: the script that asked for JSON still gets JSON.
fn wants_json(args: &[OsString]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json")
}
