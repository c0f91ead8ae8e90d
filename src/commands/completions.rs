//! `rel completions SHELL`: a completion script made by clap_complete from
//! the command line's own definitions (src/cli.rs), so it completes exactly
//! the commands and options of this binary and cannot fall behind them.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::context::Context;
use crate::outcome::Outcome;
use crate::render::output::{json, stream_out};

pub fn run(ctx: &Context, shell: Shell) -> anyhow::Result<Outcome> {
    let script = script(shell);
    if ctx.json {
        json(&serde_json::json!({
            "shell": shell.to_string(),
            "script": String::from_utf8_lossy(&script),
        }))?;
    } else {
        stream_out(|out| out.write_all(&script))?;
    }
    Ok(Outcome::Done)
}

/// The script, made in memory first: clap_complete panics when its writer
/// fails, and a closed pipe (`rel completions bash | head`) is no failure.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut cmd = visible(Cli::command());
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "rel", &mut script);
    script
}

/// `cmd` without its hidden commands (`__render-template`, `man`): the
/// generators offer hidden commands like any other, and nobody should be
/// offered rel's internals on Tab. Only the root has hidden commands.
fn visible(cmd: clap::Command) -> clap::Command {
    let shown: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    clap::Command::new("rel")
        .version(env!("CARGO_PKG_VERSION"))
        .about(cmd.get_about().cloned().unwrap_or_default())
        .args(cmd.get_arguments().cloned())
        .subcommands(shown)
}
