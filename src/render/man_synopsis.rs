//! The SYNOPSIS of a manual page, with the values options take:
//! `rel promote [-C DIR] [--to ENV] [--override RULE...] <RELEASE>`.
//!
//! clap_mangen 0.3 writes an option of the synopsis without its value
//! (`[-C ] [--to]`), which reads as if `--to` were a switch. This is its
//! synopsis (same order, same markers: `[]` optional, `<>` required) with
//! each option's value names in italics, `...` after a value or an argument
//! that takes several, and after an option that may be given again.

use clap::{Arg, ArgAction, Command};
use clap_mangen::roff::{bold, italic, roman, Inline, Roff};

/// The SYNOPSIS section of `cmd`'s page.
pub fn synopsis_section(cmd: &Command) -> Roff {
    let mut roff = Roff::default();
    roff.control("SH", ["SYNOPSIS"]);
    let name = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    let mut line = vec![bold(name), roman(" ")];

    let mut options: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_positional())
        .collect();
    options.sort_by_key(|a| sort_key(a));
    // Optional options first, then the required ones (clap_mangen's order).
    for required in [false, true] {
        for opt in options.iter().filter(|o| o.is_required_set() == required) {
            option(&mut line, opt);
        }
    }
    for arg in cmd.get_positionals().filter(|a| !a.is_hide_set()) {
        let (open, close) = markers(arg.is_required_set());
        line.push(roman(open));
        line.push(italic(
            values(arg).unwrap_or_else(|| arg.get_id().to_string()),
        ));
        line.push(roman(close));
        if many(arg) {
            line.push(roman("..."));
        }
        line.push(roman(" "));
    }
    if cmd.has_subcommands() {
        let (open, close) = markers(cmd.is_subcommand_required_set());
        line.push(roman(open));
        let heading = cmd.get_subcommand_help_heading().unwrap_or("SUBCOMMANDS");
        line.push(italic(
            cmd.get_subcommand_value_name()
                .unwrap_or(heading)
                .to_lowercase(),
        ));
        line.push(roman(close));
    }
    roff.text(line);
    roff
}

/// `[-C DIR]`, `[--to ENV]`, `[-y|--yes]`, `<--reason REASON>`,
/// `[--override RULE...]`.
fn option(line: &mut Vec<Inline>, opt: &Arg) {
    let (open, close) = markers(opt.is_required_set());
    line.push(roman(open));
    match (opt.get_short(), opt.get_long()) {
        (Some(short), Some(long)) => {
            line.push(bold(format!("-{short}")));
            line.push(roman("|"));
            line.push(bold(format!("--{long}")));
        }
        (Some(short), None) => line.push(bold(format!("-{short}"))),
        (None, Some(long)) => line.push(bold(format!("--{long}"))),
        (None, None) => {
            line.pop();
            return;
        }
    }
    if takes_values(opt) {
        line.push(roman(" "));
        line.push(italic(
            values(opt).unwrap_or_else(|| opt.get_id().to_string().to_uppercase()),
        ));
        if many(opt) {
            line.push(roman("..."));
        }
    }
    if matches!(opt.get_action(), ArgAction::Count) {
        line.push(roman("..."));
    }
    line.push(roman(close));
    // An option that may be given again: `[--component KIND:NAME]...`.
    if matches!(opt.get_action(), ArgAction::Append) {
        line.push(roman("..."));
    }
    line.push(roman(" "));
}

fn takes_values(arg: &Arg) -> bool {
    arg.get_num_args().is_some_and(|n| n.takes_values())
}

/// Several values at once (`num_args = 1..`, or an argument that may be
/// given again and again).
fn many(arg: &Arg) -> bool {
    arg.get_num_args().is_some_and(|n| n.max_values() > 1)
        || (arg.is_positional() && matches!(arg.get_action(), ArgAction::Append))
}

fn values(arg: &Arg) -> Option<String> {
    arg.get_value_names()
        .map(|v| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))
}

fn markers(required: bool) -> (&'static str, &'static str) {
    if required {
        ("<", ">")
    } else {
        ("[", "]")
    }
}

/// clap_mangen's order: display order, then the short letter (lower case
/// first), else the long name.
fn sort_key(arg: &Arg) -> (usize, String) {
    let key = if let Some(c) = arg.get_short() {
        let mut s = c.to_ascii_lowercase().to_string();
        s.push(if c.is_ascii_lowercase() { '0' } else { '1' });
        s
    } else if let Some(long) = arg.get_long() {
        long.to_string()
    } else {
        format!("{{{}", arg.get_id())
    };
    (arg.get_display_order(), key)
}
