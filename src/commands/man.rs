//! `rel man [--output DIR]` (hidden; for packagers): the manual pages, made
//! by clap_mangen from the command line's own definitions (src/cli.rs).
//!
//! Without --output, rel.1 is printed (`rel man | man -l -`). With --output
//! DIR, rel.1 and one page per command, git's way (rel-promote.1,
//! rel-incident-new.1, ...), are written into DIR, ready to install under
//! share/man/man1. rel.1 lists the commands, the global options, the
//! environment and the exit codes; each command's page has its options. No
//! date goes into a page, so the same binary makes the same bytes: the copy
//! committed in docs/man/ is checked against this output by a test.

use std::fs;
use std::path::Path;

use clap::CommandFactory;
use clap_mangen::roff::{bold, roman, Roff};
use clap_mangen::Man;

use crate::cli::{Cli, ENVIRONMENT, EXIT_STATUS};
use crate::context::Context;
use crate::error::invalid;
use crate::outcome::Outcome;
use crate::render::man_synopsis::synopsis_section;
use crate::render::output::{errln, json, stream_out};

/// The heading of the list of commands (clap_mangen's own is SUBCOMMANDS).
const COMMANDS: &str = "COMMANDS";

/// One manual page: its file name (rel-promote.1) and its roff text.
pub struct Page {
    pub name: String,
    pub roff: Vec<u8>,
}

pub fn run(ctx: &Context, output: Option<&Path>) -> anyhow::Result<Outcome> {
    let pages = pages()?;
    let Some(given) = output else {
        let root = pages.first().map(|p| p.roff.as_slice()).unwrap_or_default();
        if ctx.json {
            json(&serde_json::json!({
                "page": "rel.1",
                "roff": String::from_utf8_lossy(root),
            }))?;
        } else {
            stream_out(|out| out.write_all(root))?;
        }
        return Ok(Outcome::Done);
    };
    let dir = ctx.start_dir.join(given);
    let refuse = |why: String| invalid(format!("--output {}: {why}", given.display()));
    match fs::metadata(&dir) {
        Ok(m) if !m.is_dir() => return Err(refuse("not a folder; nothing was written".into())),
        _ if ctx.dry_run => {}
        Ok(_) => {}
        Err(_) => fs::create_dir_all(&dir).map_err(|e| refuse(format!("cannot make it: {e}")))?,
    }
    let names: Vec<&str> = pages.iter().map(|p| p.name.as_str()).collect();
    if ctx.dry_run {
        errln(&format!(
            "dry run: would write {} manual pages into {}",
            pages.len(),
            given.display()
        ));
    } else {
        for page in &pages {
            fs::write(dir.join(&page.name), &page.roff)
                .map_err(|e| refuse(format!("cannot write {}: {e}", page.name)))?;
        }
        errln(&format!(
            "wrote {} manual pages into {}",
            pages.len(),
            given.display()
        ));
    }
    if ctx.json {
        json(&serde_json::json!({
            "output": given,
            "pages": names,
            "dry_run": ctx.dry_run,
        }))?;
    }
    Ok(Outcome::Done)
}

/// rel.1 first, then every visible command's page, parents before their
/// subcommands.
pub fn pages() -> anyhow::Result<Vec<Page>> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = vec![Page {
        name: "rel.1".to_string(),
        roff: root_page(&cmd)?,
    }];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        command_pages(sub, &mut pages)?;
    }
    Ok(pages)
}

fn command_pages(cmd: &clap::Command, pages: &mut Vec<Page>) -> anyhow::Result<()> {
    // A command's page names rel and its version in the footer, as rel.1
    // does (clap_mangen would put the bare command name there).
    let source = format!("rel {}", env!("CARGO_PKG_VERSION"));
    let page_of = cmd.clone().subcommand_help_heading(COMMANDS);
    let man = Man::new(page_of.clone()).source(source);
    let mut roff = Vec::new();
    man.render(&mut roff)?;
    pages.push(Page {
        name: man.get_filename(),
        roff: with_values_in_synopsis(&man, &page_of, roff)?,
    });
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        command_pages(sub, pages)?;
    }
    Ok(())
}

/// clap_mangen's sections, with ENVIRONMENT and EXIT STATUS written as man
/// pages have them instead of the help's text block (which roff would run
/// into one paragraph).
fn root_page(cmd: &clap::Command) -> anyhow::Result<Vec<u8>> {
    let page_of = cmd.clone().subcommand_help_heading(COMMANDS);
    let man = Man::new(page_of.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    synopsis_section(&page_of).to_writer(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    man.render_subcommands_section(&mut out)?;
    let mut roff = Roff::default();
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, what) in ENVIRONMENT {
        roff.control("TP", []);
        roff.text([bold(name)]);
        roff.text([roman(what)]);
    }
    roff.control("SH", ["EXIT STATUS"]);
    roff.text([roman(EXIT_STATUS.replace('\n', " "))]);
    roff.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(one_preamble(&out))
}

/// `page` with the synopsis that names option values (`[--to ENV]`) in
/// place of clap_mangen's (`[--to]`).
fn with_values_in_synopsis(
    man: &Man,
    cmd: &clap::Command,
    page: Vec<u8>,
) -> anyhow::Result<Vec<u8>> {
    let mut theirs = Vec::new();
    man.render_synopsis_section(&mut theirs)?;
    let mut ours = Vec::new();
    synopsis_section(cmd).to_writer(&mut ours)?;
    // Each rendered alone starts with the two preamble lines: the section
    // is what follows them.
    let section = |roff: &[u8]| -> String {
        String::from_utf8_lossy(roff)
            .split_inclusive('\n')
            .skip(2)
            .collect()
    };
    let text = String::from_utf8_lossy(&page);
    Ok(text
        .replacen(&section(&theirs), &section(&ours), 1)
        .into_bytes())
}

/// Each section rendered alone starts with roff's two preamble lines (the
/// `Aq` string); a page needs them once, at its top.
fn one_preamble(page: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    let mut lines = text.split_inclusive('\n');
    let head: Vec<&str> = lines.by_ref().take(2).collect();
    let mut out = head.concat();
    for line in lines {
        if !head.contains(&line) {
            out.push_str(line);
        }
    }
    out.into_bytes()
}
