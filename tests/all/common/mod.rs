//! A hermetic test environment: a temporary folder, a fake HOME, no global or
//! system git config, a fixed identity and a fixed `REL_NOW`. Helpers of
//! the release domain are in `releases`, of commits in `git`; asserting
//! helpers are `#[track_caller]` so a failure points at the test line.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;
use tempfile::TempDir;

pub mod git;
pub mod notify;
pub mod releases;
pub mod terminal;

pub const ACTOR: &str = "Ana Smith <ana@example.com>";
pub const NOW: &str = "2026-11-20T15:00:00Z";
/// When `Env::new` makes its repository.
pub const INIT_AT: &str = "2020-01-01T00:00:00Z";

/// Fields contract section 5 promises in `show --json`, and in each object
/// of `list --json` and `status --json`.
pub const RELEASE_FIELDS: [&str; 10] = [
    "id",
    "title",
    "version",
    "kind",
    "state",
    "environment",
    "entered_at",
    "frozen",
    "incidents",
    "history",
];

pub struct Env {
    pub tmp: TempDir,
    /// Where commands run (the release repository root by default).
    pub dir: PathBuf,
    pub now: String,
    pub actor: Option<String>,
}

/// The result of running `rel`.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Run {
        assert_eq!(
            self.code, expected,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
    #[track_caller]
    pub fn ok(&self) -> &Run {
        self.code(0)
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

impl Env {
    /// An empty temporary folder (no git repository yet).
    pub fn empty() -> Env {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(tmp.path().join("home")).expect("home");
        std::fs::create_dir_all(tmp.path().join("repo")).expect("repo");
        let dir = tmp.path().join("repo");
        Env {
            tmp,
            dir,
            now: NOW.to_string(),
            actor: Some(ACTOR.to_string()),
        }
    }

    /// A release repository made by `rel init` with the default pipeline.
    ///
    /// The repository is made on 2020-01-01, so a test may then work at any
    /// later `now` (writes more than an hour before the latest time on the
    /// branch are refused: contract 11.5).
    pub fn new() -> Env {
        let env = Env::empty();
        env.rel_env(&["init"], &[("REL_NOW", INIT_AT)]).ok();
        env
    }

    /// A release repository with this environments.toml, committed.
    pub fn with_pipeline(toml: &str) -> Env {
        let env = Env::new();
        env.write("environments.toml", toml);
        env.git(&["add", "environments.toml"]);
        env.git(&["commit", "-q", "-m", "test pipeline"]);
        env
    }

    pub fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    fn hermetic(&self, cmd: &mut Command) {
        cmd.current_dir(&self.dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test Git")
            .env("GIT_AUTHOR_EMAIL", "git@example.com")
            .env("GIT_COMMITTER_NAME", "Test Git")
            .env("GIT_COMMITTER_EMAIL", "git@example.com")
            .env("NO_COLOR", "1")
            .env("REL_NOW", &self.now);
        if let Some(actor) = &self.actor {
            cmd.env("REL_ACTOR", actor);
        }
    }

    /// Any program, with the same hermetic environment as `rel` gets.
    pub fn program(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        self.hermetic(&mut cmd);
        cmd
    }

    /// The `rel` command, ready to run here.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("rel").expect("rel binary");
        self.hermetic(&mut cmd);
        cmd.args(args);
        cmd
    }

    pub fn rel(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().expect("run rel"))
    }

    /// Runs `rel` from `relative`, a folder under the repository.
    pub fn rel_in(&self, relative: &str, args: &[&str]) -> Run {
        let mut cmd = self.cmd(args);
        cmd.current_dir(self.path(relative));
        Run::from(cmd.output().expect("run rel"))
    }

    /// Runs `rel` with extra environment variables.
    pub fn rel_env(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let mut cmd = self.cmd(args);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        Run::from(cmd.output().expect("run rel"))
    }

    /// Runs git here; panics when it fails.
    pub fn git(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("git");
        self.hermetic(&mut cmd);
        let out = cmd.args(args).output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Commits every change in the work tree as a hand edit (rel reads its
    /// state from HEAD's tree, so a hand-written file counts once committed).
    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    /// `git status --porcelain`: what the user has staged and modified.
    #[must_use]
    pub fn porcelain(&self) -> String {
        self.git(&["status", "--porcelain", "--untracked-files=all"])
    }

    /// The full message of the last commit.
    #[must_use]
    pub fn last_message(&self) -> String {
        self.git(&["log", "-1", "--format=%B"])
    }

    /// The files the last commit changed, one per line.
    #[must_use]
    pub fn last_commit_files(&self) -> Vec<String> {
        self.git(&["show", "--name-only", "--format=", "HEAD"])
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }

    pub fn write(&self, relative: &str, content: &str) {
        let p = self.path(relative);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, content).expect("write");
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).expect("read")
    }

    /// HEAD's commit id, or "" before the first commit.
    #[must_use]
    pub fn head(&self) -> String {
        let mut cmd = Command::new("git");
        self.hermetic(&mut cmd);
        let out = cmd
            .args(["rev-parse", "-q", "--verify", "HEAD"])
            .output()
            .expect("git");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    #[must_use]
    pub fn commit_count(&self) -> usize {
        if self.head().is_empty() {
            return 0;
        }
        self.git(&["rev-list", "--count", "HEAD"])
            .trim()
            .parse()
            .expect("count")
    }

    /// Everything a refusal must leave alone: every file's bytes under the
    /// work tree (including .git except its lock file), the index and HEAD.
    #[must_use]
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut files = BTreeMap::new();
        snapshot_into(&self.dir, &self.dir, &mut files);
        files
    }

    /// Asserts `f` leaves the repository byte-for-byte unchanged.
    #[track_caller]
    pub fn assert_unchanged<F: FnOnce()>(&self, f: F) {
        let before = self.snapshot();
        f();
        let after = self.snapshot();
        let changed: Vec<_> = before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .collect();
        assert!(changed.is_empty(), "files changed: {changed:?}");
    }
}

fn snapshot_into(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        if rel == Path::new(".git/rel.lock") {
            continue; // the lock file's existence is not state
        }
        if rel == Path::new(".git/rel") {
            continue; // the facts cache (any read fills it) is not state
        }
        if path.is_dir() {
            files.insert(rel, b"<dir>".to_vec());
            snapshot_into(root, &path, files);
        } else if let Ok(bytes) = std::fs::read(&path) {
            files.insert(rel, bytes);
        }
    }
}
