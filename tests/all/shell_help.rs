//! Help that keeps a command's own options apart from the flags every
//! command takes: those are under "Global options", in `rel --help` and in
//! each command's help alike.

use std::collections::BTreeMap;

use crate::common::Env;

/// The flags every command takes (`struct Cli`).
const GLOBAL: [&str; 5] = ["-C <DIR>", "--json", "--dry-run", "--worktree", "--yes"];

/// A help text cut at its headings ("Options:", "Global options:", ...):
/// heading -> the lines under it.
fn sections(help: &str) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut current = String::from("(top)");
    for line in help.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            current = line.trim_end_matches(':').to_string();
            continue;
        }
        let text = out.entry(current.clone()).or_default();
        text.push_str(line);
        text.push('\n');
    }
    out
}

#[track_caller]
fn assert_global_apart(name: &str, help: &str) {
    let s = sections(help);
    let global = s
        .get("Global options")
        .unwrap_or_else(|| panic!("{name}: no \"Global options:\" heading:\n{help}"));
    for flag in GLOBAL {
        assert!(
            global.contains(flag),
            "{name}: {flag} not under Global options:\n{help}"
        );
    }
    if let Some(options) = s.get("Options") {
        for flag in GLOBAL {
            assert!(
                !options.contains(flag),
                "{name}: {flag} under Options:\n{help}"
            );
        }
        assert!(options.contains("--help"), "{name}:\n{help}");
    }
}

#[test]
fn promote_lists_its_options_apart_from_the_global_ones() {
    let env = Env::empty();
    let help = env.rel(&["promote", "--help"]).ok().stdout.clone();
    assert_global_apart("rel promote", &help);
    let s = sections(&help);
    for own in ["--to <ENV>", "--override <RULE>", "--reason <REASON>"] {
        assert!(s["Options"].contains(own), "{own}:\n{help}");
        assert!(!s["Global options"].contains(own), "{own}:\n{help}");
    }
    insta::assert_snapshot!("promote_help", help);
}

#[test]
fn every_command_lists_the_global_options_under_their_own_heading() {
    let env = Env::empty();
    let top = env.rel(&["--help"]).ok().stdout.clone();
    assert_global_apart("rel", &top);
    let commands: Vec<String> = sections(&top)["Commands"]
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    assert!(commands.len() > 30, "{commands:?}");
    for c in &commands {
        let help = env.rel(&[c, "--help"]).ok().stdout.clone();
        assert_global_apart(&format!("rel {c}"), &help);
        // Every command says what it does, on the help's first line.
        let first = help.lines().next().unwrap_or("");
        assert!(
            !first.is_empty() && !first.starts_with("Usage"),
            "rel {c} has no description"
        );
    }
    let help = env.rel(&["incident", "new", "--help"]).ok().stdout.clone();
    assert_global_apart("rel incident new", &help);
}
