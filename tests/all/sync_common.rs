//! A shared release repository for the team-sync tests: a bare remote on the
//! local file system and clones of it, each a hermetic `Env`.

use std::path::PathBuf;

use crate::common::Env;

/// dev → staging (exclusive) → live, shared through `origin`.
pub const SHARED: &str = r#"
[sync]
remote = "origin"
retries = 8

[[environments]]
name = "dev"

[[environments]]
name = "staging"
exclusive = true

[[environments]]
name = "live"
"#;

/// The remote and the clone that set it up (it owns the temporary folder).
pub struct Team {
    pub first: Env,
    pub remote: PathBuf,
}

impl Team {
    /// A bare remote holding a release repository with `pipeline`.
    pub fn new(pipeline: &str) -> Team {
        let first = Env::with_pipeline(pipeline);
        let remote = first.tmp.path().join("remote.git");
        first.git(&["init", "-q", "--bare", remote.to_str().expect("utf-8 path")]);
        first.git(&[
            "remote",
            "add",
            "origin",
            remote.to_str().expect("utf-8 path"),
        ]);
        first.git(&["push", "-q", "origin", "HEAD"]);
        first.git(&["branch", "-q", "-u", "origin/master"]);
        Team { first, remote }
    }

    /// A new clone of the remote, as another person's or CI's machine.
    pub fn clone(&self) -> Env {
        let env = Env::empty();
        std::fs::remove_dir(&env.dir).expect("empty repo folder");
        let out = env
            .program("git")
            .current_dir(env.tmp.path())
            .args(["clone", "-q"])
            .arg(&self.remote)
            .arg("repo")
            .output()
            .expect("git clone");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        env
    }

    /// The remote branch's commit subjects, newest first.
    pub fn remote_log(&self) -> Vec<String> {
        self.git_remote(&["log", "--format=%s", "master"])
            .lines()
            .map(str::to_string)
            .collect()
    }

    pub fn remote_head(&self) -> String {
        self.git_remote(&["rev-parse", "master"]).trim().to_string()
    }

    pub fn git_remote(&self, args: &[&str]) -> String {
        let out = self
            .first
            .program("git")
            .arg("--git-dir")
            .arg(&self.remote)
            .args(args)
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Installs a pre-receive hook on the remote.
    pub fn hook(&self, script: &str) {
        let path = self.remote.join("hooks/pre-receive");
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).expect("hook");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// What a command must leave as it was in a clone when it writes nothing:
/// the branch, the index's entries, the work tree. Fetching may add objects,
/// FETCH_HEAD and the remote-tracking branch: git's, not the command's.
fn local_state(env: &Env) -> (String, String, String, Vec<(std::path::PathBuf, Vec<u8>)>) {
    let files = env
        .snapshot()
        .into_iter()
        .filter(|(p, _)| !p.starts_with(".git"))
        .collect();
    (
        env.git(&[
            "for-each-ref",
            "--format=%(refname) %(objectname)",
            "refs/heads",
            "refs/tags",
        ]),
        env.git(&["ls-files", "-s"]),
        env.git(&["status", "--porcelain", "--untracked-files=all"]),
        files,
    )
}

/// Asserts `f` leaves the clone's branch, index and work tree unchanged.
#[track_caller]
pub fn assert_nothing_written<F: FnOnce()>(env: &Env, f: F) {
    let before = local_state(env);
    f();
    let after = local_state(env);
    assert_eq!(before.0, after.0, "branches moved");
    assert_eq!(before.1, after.1, "the index changed");
    assert_eq!(before.2, after.2, "git status changed");
    assert!(before.3 == after.3, "the work tree changed");
}
