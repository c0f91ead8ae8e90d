//! `rel`: run software releases out of a git repository.
//!
//! Parse, run, map the error kind to the exit code (0/1/2/3). A broken pipe
//! on stdout is not an error.

mod bounded;
mod cli;
mod commands;
mod context;
mod error;
mod model;
mod render;
mod rules;
mod store;

use clap::Parser;

use crate::cli::Cli;
use crate::context::Context;
use crate::error::{exit_code_of, RelError};

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are exit 0; usage errors exit 2.
            std::process::exit(e.exit_code());
        }
    };
    let code = match run(cli) {
        Ok(code) => code,
        Err(err) => report(&err),
    };
    render::output::flush();
    std::process::exit(code);
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    let ctx = Context::from_env(cli.dir, cli.json, cli.dry_run, cli.yes)?;
    commands::dispatch(&ctx, cli.command)
}

fn report(err: &anyhow::Error) -> i32 {
    let code = exit_code_of(err);
    match err.downcast_ref::<RelError>() {
        Some(RelError::Quiet(_)) => {}
        Some(RelError::Refused(msg)) => crate::errln!("refused: {msg}"),
        _ => {
            crate::errln!("error: {err}");
            for cause in err.chain().skip(1) {
                crate::errln!("  caused by: {cause}");
            }
        }
    }
    code
}
