//! Hostile surroundings for the real binary: REL_NOW, REL_ACTOR and
//! REL_LOCK_TIMEOUT malformed or not UTF-8, arguments that are not UTF-8,
//! `-C` to a file, a bare repository, git's index locked, folders and links
//! where rel's files go, `rel init` failing outside git. No panic, the
//! documented exit code, a message naming what is wrong, nothing written.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::common::{Env, Run};
use crate::robustness::{no_panic, repo, says, MANIFEST, R1};

#[test]
fn rel_now_malformed_or_beyond_what_git_records() {
    let env = repo();
    env.assert_unchanged(|| {
        for now in [
            "+275760-09-13T00:00:00Z",
            "-0001-01-01T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-20 15:00",
            "garbage",
        ] {
            for args in [
                &["status"][..],
                &["check", R1],
                &["new", "--version", "2.0.0", "--title", "X"],
            ] {
                says(
                    &format!("{now} {args:?}"),
                    &env.rel_env(args, &[("REL_NOW", now)]),
                    2,
                    "REL_NOW",
                );
            }
        }
        // In range for chrono (what-if planning works) but not for a git
        // commit time (libgit2 writes unsigned 32-bit seconds): writers
        // refuse rather than record another date.
        for now in [
            "9999-12-31T23:59:59Z",
            "2106-02-07T06:28:16Z",
            "1969-12-31T23:59:59Z",
            "0000-01-01T00:00:00Z",
        ] {
            env.rel_env(&["plan", R1], &[("REL_NOW", now)]).ok();
            for args in [
                &["new", "--version", "2.0.0", "--title", "X"][..],
                &["--dry-run", "new", "--version", "2.0.0", "--title", "X"],
                &["incident", "resolve", "INC-2"],
            ] {
                let run = env.rel_env(args, &[("REL_NOW", now)]);
                // Before the incident's own history, that is said first.
                let want = if args[0] == "incident" && now < "2026" {
                    "history never runs backwards"
                } else {
                    "commit time"
                };
                says(&format!("{now} {args:?}"), &run, 2, want);
            }
        }
        // Not UTF-8: refused, not silently replaced by the clock.
        let mut cmd = env.cmd(&["status"]);
        cmd.env("REL_NOW", OsStr::from_bytes(b"2026-11-20T15:00:00Z\xff"));
        let run = output(cmd);
        says("REL_NOW not UTF-8", &run, 2, "REL_NOW is not valid UTF-8");
    });
    // The last instant git can record is fine.
    env.rel_env(
        &["incident", "resolve", "INC-2"],
        &[("REL_NOW", "2106-02-07T06:28:15Z")],
    )
    .ok();
    let log = env.rel(&["--json", "log"]).json();
    assert_eq!(log[0]["at"], "2106-02-07T06:28:15Z");
}

fn output(mut cmd: std::process::Command) -> Run {
    let out = cmd.output().expect("run rel");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn rel_actor_or_git_identity_that_would_corrupt_a_commit_is_exit_2() {
    let env = repo();
    env.assert_unchanged(|| {
        for actor in [
            "nobody",
            "Ana <ana@example.com",
            "<ana@example.com>",
            "Ana <>",
            "Ana\nRel-Action: close <ana@example.com>",
            "Ana <ana@example.com\n>x",
            "An>a <ana@example.com>",
            "Ana <ana@example.com> <eve@example.com>",
            "Ana\u{7} <ana@example.com>",
        ] {
            for args in [
                &["incident", "resolve", "INC-2"][..],
                &["--dry-run", "incident", "resolve", "INC-2"],
                &["new", "--version", "2.0.0", "--title", "X"],
            ] {
                let run = env.rel_env(args, &[("REL_ACTOR", actor)]);
                says(&format!("{actor:?} {args:?}"), &run, 2, "REL_ACTOR");
            }
        }
        let mut cmd = env.cmd(&["incident", "resolve", "INC-2"]);
        cmd.env("REL_ACTOR", OsStr::from_bytes(b"Ana <ana@\xff.com>"));
        says(
            "REL_ACTOR not UTF-8",
            &output(cmd),
            2,
            "REL_ACTOR is not valid UTF-8",
        );
    });
    // git's own identity is checked the same way.
    let env = Env {
        actor: None,
        ..repo()
    };
    env.git(&["config", "user.name", "Ana\nEvil"]);
    env.git(&["config", "user.email", "ana@example.com"]);
    env.assert_unchanged(|| {
        let run = env.rel(&["incident", "resolve", "INC-2"]);
        says("user.name with a newline", &run, 2, "user.name");
    });
}

#[test]
fn non_utf8_arguments_exit_2() {
    let env = repo();
    env.assert_unchanged(|| {
        for args in [
            &[&b"show"[..], b"R-\xff"][..],
            &[b"new", b"--version", b"1.0.0", b"--title", b"\xff\xfe"],
            &[b"incident", b"new", b"\xff", b"--title", b"t"],
            &[b"\xff"],
            &[b"tick", b"R-2026-001", b"--env", b"production", b"\xff"],
        ] {
            let mut cmd = env.cmd(&[]);
            cmd.args(args.iter().map(|a| OsStr::from_bytes(a)));
            let run = output(cmd);
            no_panic(&format!("{args:?}"), &run);
            assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        }
        let mut cmd = env.cmd(&[]);
        cmd.arg("-C")
            .arg(OsStr::from_bytes(b"/nonexistent/\xff"))
            .arg("status");
        says("-C not UTF-8", &output(cmd), 2, "-C");
    });
}

#[test]
fn dash_c_to_a_missing_folder_or_a_file_says_so() {
    let env = repo();
    env.write("plain.txt", "x");
    env.assert_unchanged(|| {
        for args in [
            &["status"][..],
            &["init"],
            &["new", "--version", "1.0.0", "--title", "T"],
        ] {
            let mut with = vec!["-C", "plain.txt"];
            with.extend_from_slice(args);
            says(
                &format!("{with:?}"),
                &env.rel(&with),
                2,
                "-C plain.txt: not a folder",
            );
            let mut with = vec!["-C", "no/such/dir"];
            with.extend_from_slice(args);
            says(&format!("{with:?}"), &env.rel(&with), 2, "-C no/such/dir");
        }
    });
}

#[test]
fn a_bare_repository_exits_2() {
    let env = Env::empty();
    env.git(&["init", "-q", "--bare", "."]);
    env.write("environments.toml", "[[environments]]\nname = \"dev\"\n");
    env.assert_unchanged(|| {
        for args in [
            &["status"][..],
            &["init"],
            &["new", "--version", "1.0.0", "--title", "T"],
        ] {
            let run = env.rel(args);
            no_panic(&format!("{args:?}"), &run);
            assert!(run.code == 2 || run.code == 3, "{args:?}: {}", run.stderr);
        }
        says("status", &env.rel(&["status"]), 2, "bare");
    });
}

#[test]
fn files_and_folders_where_rel_expects_the_other() {
    // releases/ is a file.
    let env = Env::new();
    env.git(&["rm", "-rq", "releases"]);
    env.write("releases", "not a folder\n");
    env.git(&["add", "releases"]);
    env.git(&["commit", "-q", "-m", "test: releases is a file"]);
    env.assert_unchanged(|| {
        for args in [
            &["status"][..],
            &["list"],
            &["show", R1],
            &["incident", "list"],
        ] {
            says(&format!("{args:?}"), &env.rel(args), 2, "releases");
        }
        let run = env.rel(&["new", "--version", "1.0.0", "--title", "T"]);
        says("new", &run, 2, "releases");
        let run = env.rel(&["incident", "new", "INC-1", "--title", "T"]);
        says("incident new", &run, 2, "releases");
    });

    // A folder (empty or not) in the work tree where a manifest goes:
    // readers read the committed state; writers exit 2 naming it.
    let env = repo();
    std::fs::create_dir_all(env.path("releases/R-2026-009.toml/sub")).unwrap();
    std::fs::create_dir_all(env.path("releases/incidents/INC-9.toml")).unwrap();
    env.assert_unchanged(|| {
        env.rel(&["status"]).ok();
        env.rel(&["list"]).ok();
        env.rel(&["incident", "list"]).ok();
        says(
            "show",
            &env.rel(&["show", "R-2026-009"]),
            2,
            "unknown release",
        );
        let run = env.rel(&[
            "new",
            "--version",
            "1.0.0",
            "--title",
            "T",
            "--id",
            "R-2026-009",
        ]);
        says(
            "new over a folder",
            &run,
            2,
            "releases/R-2026-009.toml is a folder",
        );
        let run = env.rel(&["incident", "new", "INC-9", "--title", "T"]);
        says(
            "incident new over a folder",
            &run,
            2,
            "INC-9.toml is a folder",
        );
    });

    // A committed symbolic link as a manifest: invalid input naming it,
    // never read through, never written through.
    let env = repo();
    let real = env.read(MANIFEST);
    std::fs::write(env.tmp.path().join("elsewhere.toml"), &real).unwrap();
    std::fs::remove_file(env.path(MANIFEST)).unwrap();
    std::os::unix::fs::symlink(env.tmp.path().join("elsewhere.toml"), env.path(MANIFEST)).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", env.path("releases/R-2026-010.toml")).unwrap();
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "test: symlinks"]);
    env.assert_unchanged(|| {
        for args in [&["show", R1][..], &["list"], &["status"]] {
            let run = env.rel(args);
            says(&format!("{args:?}"), &run, 2, "symbolic link");
            assert!(!run.stdout.contains("root:"), "{}", run.stdout);
            assert!(!run.stderr.contains("root:"), "{}", run.stderr);
        }
        says(
            "passwd",
            &env.rel(&["show", "R-2026-010"]),
            2,
            "releases/R-2026-010.toml is a symbolic link",
        );
        let run = env.rel(&["cancel", R1, "--reason", "x"]);
        says("write through a symlink", &run, 2, "symbolic link");
    });
    assert_eq!(
        std::fs::read_to_string(env.tmp.path().join("elsewhere.toml")).unwrap(),
        real
    );
}

#[test]
fn rel_lock_timeout_huge_or_malformed() {
    let env = repo();
    env.assert_unchanged(|| {
        for bad in ["-1", "NaN", "soon"] {
            let run = env.rel_env(
                &["incident", "resolve", "INC-2"],
                &[("REL_LOCK_TIMEOUT", bad)],
            );
            says(bad, &run, 2, "REL_LOCK_TIMEOUT");
        }
    });
    for huge in ["1e30", "inf", ""] {
        let run = env.rel_env(
            &["--dry-run", "incident", "resolve", "INC-2"],
            &[("REL_LOCK_TIMEOUT", huge)],
        );
        no_panic(huge, &run);
        run.ok();
    }
}

#[test]
fn init_that_fails_outside_git_leaves_no_repository() {
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[("REL_ACTOR", "nobody")], "REL_ACTOR"),
        (&[("REL_NOW", "9999-01-01T00:00:00Z")], "commit time"),
        (&[], "releases"),
    ];
    for (vars, wanted) in cases {
        let env = Env::empty();
        if vars.is_empty() {
            env.write("releases", "a file in the way\n");
        }
        env.assert_unchanged(|| {
            let run = env.rel_env(&["init"], vars);
            says(wanted, &run, 2, wanted);
        });
        assert!(!env.path(".git").exists(), "{wanted}");
    }
}

#[test]
fn a_locked_git_index_is_a_conflict_before_anything_is_committed() {
    // rel updates the index after its commit; with git's index.lock held
    // (a running or crashed git) that would fail after the branch moved.
    let env = repo();
    env.write(".git/index.lock", "");
    env.assert_unchanged(|| {
        for args in [
            &["incident", "resolve", "INC-2"][..],
            &["--dry-run", "incident", "resolve", "INC-2"],
            &["new", "--version", "2.0.0", "--title", "X"],
        ] {
            says(&format!("{args:?}"), &env.rel(args), 3, "index.lock");
        }
    });
    std::fs::remove_file(env.path(".git/index.lock")).unwrap();
    env.rel(&["incident", "resolve", "INC-2"]).ok();
    assert_eq!(env.porcelain(), "");
}
