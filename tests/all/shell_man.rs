//! The manual pages (contract section 10): made from the command line's
//! definitions by the hidden `rel man`, committed in docs/man/ and checked
//! here against what the binary makes, so they cannot drift from it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::Env;
use crate::shell_completions::have;

const REGENERATE: &str = "cargo run -q -- man --output docs/man";

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man")
}

/// The `*.1` files of `dir`, by name.
fn pages_in(dir: &Path) -> BTreeMap<String, String> {
    let mut pages = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".1") {
            pages.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    pages
}

/// The pages `rel man --output` writes, in a fresh folder.
fn generated(env: &Env) -> (PathBuf, BTreeMap<String, String>) {
    let out = env.tmp.path().join("man");
    let run = env.rel(&["man", "--output", out.to_str().unwrap()]);
    run.ok();
    assert!(run.stderr.contains("manual pages into"), "{}", run.stderr);
    let pages = pages_in(&out);
    (out, pages)
}

#[test]
fn the_committed_pages_are_what_the_binary_makes() {
    let env = Env::empty();
    let (_, made) = generated(&env);
    let committed = pages_in(&committed_dir());
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&committed),
        names(&made),
        "docs/man/ has other pages than rel makes; regenerate them with `{REGENERATE}` \
         (remove stale pages first)"
    );
    for (name, text) in &made {
        assert!(
            committed[name] == *text,
            "docs/man/{name} differs from what rel makes; regenerate with `{REGENERATE}`"
        );
    }
}

#[test]
fn rel_man_prints_rel_1_with_every_command_and_the_global_options() {
    let env = Env::empty();
    let run = env.rel(&["man"]);
    run.ok();
    let committed = std::fs::read_to_string(committed_dir().join("rel.1")).unwrap();
    assert_eq!(run.stdout, committed);
    let page = &run.stdout;
    assert!(page.contains(".TH rel 1"), "{page}");
    for section in [
        "SH NAME",
        "SH SYNOPSIS",
        "SH DESCRIPTION",
        "SH \"GLOBAL OPTIONS\"",
        "SH COMMANDS",
        "SH ENVIRONMENT",
        "SH \"EXIT STATUS\"",
    ] {
        assert!(page.contains(section), "rel.1 lacks {section}");
    }
    for command in [
        "rel\\-promote(1)",
        "rel\\-incident(1)",
        "rel\\-completions(1)",
    ] {
        assert!(page.contains(command), "rel.1 lacks {command}");
    }
    assert!(page.contains("REL_NOW") && page.contains("\\-\\-worktree"));
    // Internals have no page.
    assert!(!page.contains("render") && !page.contains("rel\\-man"));
}

#[test]
fn every_command_has_a_page_with_its_options() {
    let env = Env::empty();
    let (_, made) = generated(&env);
    for name in [
        "rel.1",
        "rel-promote.1",
        "rel-incident.1",
        "rel-incident-new.1",
        "rel-completions.1",
        "rel-calendar.1",
    ] {
        assert!(made.contains_key(name), "no {name} in {:?}", made.keys());
    }
    assert!(!made
        .keys()
        .any(|n| n.contains("render") || n == "rel-man.1"));
    let promote = &made["rel-promote.1"];
    assert!(promote.contains("\\-\\-override"), "{promote}");
    assert!(promote.contains("SH \"GLOBAL OPTIONS\""), "{promote}");
}

#[test]
fn man_renders_every_page_without_warnings() {
    if !have("man") {
        return;
    }
    let env = Env::empty();
    let (dir, made) = generated(&env);
    for name in made.keys() {
        let out = env
            .program("man")
            .args(["--warnings", "-E", "UTF-8", "-l"])
            .arg(dir.join(name))
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "man {name}: {warnings}");
        assert!(warnings.trim().is_empty(), "man {name} warns: {warnings}");
        assert!(text.contains("NAME"), "man {name}:\n{text}");
    }
}

#[test]
fn man_output_onto_a_file_is_refused_and_dry_run_writes_nothing() {
    let env = Env::empty();
    let file = env.tmp.path().join("a-file");
    std::fs::write(&file, "mine").unwrap();
    let run = env.rel(&["man", "--output", file.to_str().unwrap()]);
    run.code(2);
    assert!(run.stderr.contains("not a folder"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");

    let dir = env.tmp.path().join("not-yet");
    let run = env.rel(&["--dry-run", "man", "--output", dir.to_str().unwrap()]);
    run.ok();
    assert!(run.stderr.contains("dry run"), "{}", run.stderr);
    assert!(!dir.exists());

    let doc = env
        .rel(&["--json", "man", "--output", dir.to_str().unwrap()])
        .ok()
        .json();
    assert_eq!(doc["pages"][0], "rel.1");
    assert!(dir.join("rel-promote.1").is_file());
}
