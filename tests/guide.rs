//! The user guide runs: every ```console block of README.md and docs/**/*.md
//! is run by trycmd against the real `rel` (and `git`), and its output must
//! be the one printed in the page, so the guide cannot drift from the program.
//!
//! How a page becomes a test case (trycmd's own conventions, plus two
//! markers that are HTML comments, invisible on a git host):
//!
//! - The page is copied into a temporary folder with an empty `<page>.out/`
//!   beside it: that makes trycmd run the page's commands one after the
//!   other in one sandbox (a fresh temporary folder), never in the source.
//! - `<!-- guide-file: PATH -->` just before a fenced block: the block's
//!   text is the file PATH in the sandbox before the first command (the page
//!   tells the reader to write that file).
//! - `<!-- guide-env -->` just before a ```sh block of `export K=V` lines:
//!   those variables are set for every command of the page (the reader runs
//!   the same exports).
//! - `<!-- guide-repo -->` anywhere: the sandbox starts as a git repository
//!   holding this repository's own `environments.toml` and `releases/` (the
//!   README's tour reads them).
//!
//! Every command also runs with a fake HOME, no global or system git
//! configuration and fixed git dates, so nothing of the machine leaks in.
//! `TRYCMD=overwrite cargo test --test guide` writes the actual output back
//! into the pages (check the diff: the `[..]` elisions of commit ids stay).

use std::path::{Path, PathBuf};
use std::process::Command;

const FILE_MARK: &str = "<!-- guide-file: ";
const ENV_MARK: &str = "<!-- guide-env -->";
const REPO_MARK: &str = "<!-- guide-repo -->";

/// The pages that hold runnable blocks. A page without ```console blocks is
/// skipped by trycmd, so every Markdown page of the guide is listed.
fn pages(root: &Path) -> Vec<PathBuf> {
    let mut pages = vec![root.join("README.md")];
    let mut stack = vec![root.join("docs")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                pages.push(path);
            }
        }
    }
    pages.sort();
    pages
}

/// What a page asks of its sandbox, read from its markers.
struct Setup {
    files: Vec<(String, String)>,
    env: Vec<(String, String)>,
    repo: bool,
}

fn setup(text: &str) -> Setup {
    let mut setup = Setup {
        files: Vec::new(),
        env: Vec::new(),
        repo: text.contains(REPO_MARK),
    };
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim();
        let file = line
            .strip_prefix(FILE_MARK)
            .and_then(|rest| rest.strip_suffix("-->"))
            .map(|p| p.trim().to_string());
        if file.is_none() && line != ENV_MARK {
            continue;
        }
        let block = fenced_block_after(&lines, i + 1)
            .unwrap_or_else(|| panic!("a guide marker on line {} has no block after it", i + 1));
        match file {
            Some(path) => setup.files.push((path, block)),
            None => {
                for l in block.lines() {
                    let l = l.trim();
                    if l.is_empty() || l.starts_with('#') {
                        continue;
                    }
                    let kv = l
                        .strip_prefix("export ")
                        .and_then(|kv| kv.split_once('='))
                        .unwrap_or_else(|| panic!("guide-env block: `export K=V` lines only: {l}"));
                    let value = kv.1.trim_matches('"').to_string();
                    setup.env.push((kv.0.to_string(), value));
                }
            }
        }
    }
    setup
}

/// The text of the fenced block starting at or just after `from`.
fn fenced_block_after(lines: &[&str], from: usize) -> Option<String> {
    let start = (from..lines.len()).find(|&i| !lines[i].trim().is_empty())?;
    let fence = lines[start].trim_start();
    if !fence.starts_with("```") {
        return None;
    }
    let mut text = String::new();
    for line in &lines[start + 1..] {
        if line.trim_start().starts_with("```") {
            return Some(text);
        }
        text.push_str(line);
        text.push('\n');
    }
    None
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "rel maintainers")
        .env("GIT_AUTHOR_EMAIL", "maintainers@rel.example")
        .env("GIT_COMMITTER_NAME", "rel maintainers")
        .env("GIT_COMMITTER_EMAIL", "maintainers@rel.example")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A program as the test machine has it: `git`, so a page can start with
/// `git init`, `cp` to put a file in place, `ls` to show what a command
/// wrote, and `head` to show the start of a file.
fn program(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").expect("PATH is set");
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is installed"))
}

#[test]
fn the_guide_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let overwrite = std::env::var("TRYCMD").is_ok_and(|m| m == "overwrite");
    let only: Option<String> = std::env::var("GUIDE_PAGE").ok();

    for (n, page) in pages(root).iter().enumerate() {
        let text = std::fs::read_to_string(page).unwrap();
        if !text.contains("```console") {
            continue;
        }
        let stem = page.file_stem().unwrap().to_string_lossy().into_owned();
        if only.as_deref().is_some_and(|o| o != stem) {
            continue;
        }
        // One folder per page, so pages of the same name cannot collide.
        let dir = work.path().join(format!("{n}"));
        let copy = dir.join(format!("{stem}.md"));
        std::fs::create_dir_all(dir.join(format!("{stem}.out"))).unwrap();
        std::fs::write(&copy, &text).unwrap();

        let setup = setup(&text);
        let input = dir.join(format!("{stem}.in"));
        std::fs::create_dir_all(&input).unwrap();
        if setup.repo {
            std::fs::copy(
                root.join("environments.toml"),
                input.join("environments.toml"),
            )
            .unwrap();
            copy_dir(&root.join("releases"), &input.join("releases"));
            git(&input, &["init", "-q", "-b", "main"]);
            git(&input, &["add", "."]);
            git(&input, &["commit", "-q", "-m", "rel's own releases"]);
        }
        for (path, body) in &setup.files {
            let target = input.join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, body).unwrap();
        }

        let cases = trycmd::TestCases::new();
        cases
            .register_bin("rel", PathBuf::from(env!("CARGO_BIN_EXE_rel")))
            .register_bin("git", program("git"))
            .register_bin("cp", program("cp"))
            .register_bin("ls", program("ls"))
            .register_bin("head", program("head"))
            .env("HOME", home.to_string_lossy().into_owned())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_DATE", "2026-11-20T09:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-11-20T09:00:00Z")
            .env("NO_COLOR", "1");
        // The page's exports go into this process's environment, which the
        // commands inherit: trycmd lets a variable set with `.env` win over
        // one a command line sets (`REL_NOW=... rel ...`), the reverse of a
        // shell. Empty counts as unset: the developer's own settings stay out.
        for key in ["REL_NOW", "REL_ACTOR", "REL_LOCK_TIMEOUT"] {
            std::env::set_var(key, "");
        }
        for (key, value) in &setup.env {
            std::env::set_var(key, value);
        }
        cases.case(&copy);
        cases.run();
        if overwrite {
            let updated = std::fs::read_to_string(&copy).unwrap();
            if updated != text {
                std::fs::write(page, updated).unwrap();
            }
        }
    }
}
