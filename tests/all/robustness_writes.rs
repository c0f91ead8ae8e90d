//! Every writing command leaves the repository byte-for-byte unchanged when
//! it is refused by a rule (exit 1), given invalid input (exit 2), or meets
//! a conflict (exit 3): uncommitted edits to a file it must change, or the
//! lock held by another process. One table, one repository: each command
//! with arguments that would succeed, and with arguments for each refusal.

use std::fs::{File, OpenOptions};
use std::path::Path;

use crate::common::Env;
use crate::robustness::says;

const R1: &str = "R-2026-001";
const R2: &str = "R-2026-002";
const R4: &str = "R-2026-004";
const R3: &str = "R-2026-003";
const CLIENT: &str = "Carla Client <client@example.com>";

const PIPELINE: &str = r#"
[roles]
client = ["client@example.com"]

[[environments]]
name = "dev"

[[environments]]
name = "test"
exit_checklist = ["Smoke tests passed"]

[[environments]]
name = "live"
requires_frozen = true
approvals = ["client", "release-manager"]
entry_checklist = ["Backups taken"]
exit_checklist = ["Post-release tests passed"]
"#;

/// R1: open in dev, holds INC-1. R2: frozen in live with its exit item
/// ticked (ready to close), holds INC-4. R3: cancelled. R4: frozen in dev,
/// holds INC-6. INC-2 open, INC-3
/// ready to group, INC-9 closed.
fn repo() -> Env {
    let env = Env::with_pipeline(PIPELINE);
    let ready = |id: &str| {
        env.rel(&["incident", "new", id, "--title", "t"]).ok();
        env.rel(&["incident", "resolve", id]).ok();
        env.rel(&["incident", "authorise", id]).ok();
        env.rel(&["incident", "test", id, "--evidence", "doc"]).ok();
    };
    for id in ["INC-1", "INC-3", "INC-4", "INC-6", "INC-9"] {
        ready(id);
    }
    env.rel(&["incident", "new", "INC-2", "--title", "t"]).ok();
    for args in [
        &["new", "--version", "1.2.0", "--title", "One"][..],
        &["group", R1, "INC-1"],
        &["new", "--version", "2.0.0", "--title", "Two"],
        &["group", R2, "INC-4"],
        &["freeze", R2],
        &["promote", R2],
        &["tick", R2, "--env", "test", "1"],
        &["tick", R2, "--env", "live", "1"],
        &["approve", R2, "--env", "live", "--role", "release-manager"],
    ] {
        env.rel(args).ok();
    }
    env.rel_env(
        &["approve", R2, "--env", "live", "--role", "client"],
        &[("REL_ACTOR", CLIENT)],
    )
    .ok();
    for args in [
        &["promote", R2, "--yes"][..],
        &["tick", R2, "--env", "live", "1"],
        &["new", "--version", "3.0.0", "--title", "Three"],
        &["cancel", R3, "--reason", "not needed"],
        &["checklist", "add", R1, "--env", "live", "Keys handed over"],
        &["installation", "new", "globex", "--version", "1.0.0"],
        &["new", "--version", "4.0.0", "--title", "Four"],
        &["group", R4, "INC-6"],
        &["freeze", R4],
    ] {
        env.rel(args).ok();
    }
    // A shipped incident, by hand (closing a release is tested elsewhere).
    let path = "releases/incidents/INC-9.toml";
    env.write(
        path,
        &env.read(path)
            .replace("status = \"resolved\"", "status = \"closed\""),
    );
    env.git(&["commit", "-qam", "test: INC-9 closed"]);
    env
}

/// A writing command: arguments that succeed on `repo()`, the file they
/// change (to edit by hand: exit 3), and arguments refused by a rule
/// (exit 1) or invalid (exit 2).
struct Writer {
    ok: &'static [&'static str],
    changes: &'static str,
    refused: Option<&'static [&'static str]>,
    invalid: &'static [&'static str],
}

const fn w(
    ok: &'static [&'static str],
    changes: &'static str,
    refused: Option<&'static [&'static str]>,
    invalid: &'static [&'static str],
) -> Writer {
    Writer {
        ok,
        changes,
        refused,
        invalid,
    }
}

const R1_FILE: &str = "releases/R-2026-001.toml";
const R2_FILE: &str = "releases/R-2026-002.toml";
const INC2: &str = "releases/incidents/INC-2.toml";

const WRITERS: &[Writer] = &[
    // `init` and `new`/`incident new` only create files; their conflicts are
    // below and in foundation_git.
    w(
        &["new", "--version", "4.0.0", "--title", "Four"],
        "",
        None,
        &["new", "--version", "four", "--title", "Four"],
    ),
    w(
        &["incident", "new", "INC-5", "--title", "t"],
        "",
        None,
        &["incident", "new", "../INC-5", "--title", "t"],
    ),
    w(
        &["incident", "resolve", "INC-2"],
        INC2,
        Some(&["incident", "resolve", "INC-1"]),
        &["incident", "resolve", "NOPE"],
    ),
    w(
        &["incident", "reopen", "INC-3"],
        "releases/incidents/INC-3.toml",
        Some(&["incident", "reopen", "INC-1"]),
        &["incident", "reopen", "NOPE"],
    ),
    w(
        &["incident", "authorise", "INC-2"],
        INC2,
        Some(&["incident", "authorise", "INC-9"]),
        &["incident", "authorise", "INC-2", "--by", " "],
    ),
    w(
        &["incident", "test", "INC-2", "--evidence", "doc"],
        INC2,
        Some(&["incident", "test", "INC-9", "--evidence", "doc"]),
        &["incident", "test", "INC-2", "--evidence", " "],
    ),
    // Recording a component is never refused by a rule.
    w(
        &["incident", "component", "INC-2", "dll:A.dll"],
        INC2,
        None,
        &["incident", "component", "INC-2", "nocolon"],
    ),
    w(
        &["group", R1, "INC-3"],
        "releases/incidents/INC-3.toml",
        Some(&["group", R1, "INC-2"]),
        &["group", R1, "NOPE"],
    ),
    w(
        &["ungroup", R1, "INC-1"],
        R1_FILE,
        Some(&["ungroup", R2, "INC-4"]),
        &["ungroup", R1, "INC-2"],
    ),
    w(
        &["freeze", R1],
        R1_FILE,
        Some(&["freeze", R2]),
        &["freeze", "NOPE"],
    ),
    w(
        &["unfreeze", R4, "--reason", "fix"],
        "releases/R-2026-004.toml",
        // R2 is live: its content is fixed (contract 11.5).
        Some(&["unfreeze", R2, "--reason", "fix"]),
        &["unfreeze", R2, "--reason", " "],
    ),
    w(
        &["promote", R1],
        R1_FILE,
        Some(&["promote", R1, "--to", "live"]),
        &["promote", R1, "--to", "nowhere"],
    ),
    w(
        &["approve", R1, "--env", "live", "--role", "release-manager"],
        R1_FILE,
        Some(&["approve", R1, "--env", "live", "--role", "client"]),
        &["approve", R1, "--env", "live", "--role", "auditor"],
    ),
    w(
        &["tick", R1, "--env", "live", "1"],
        R1_FILE,
        Some(&["tick", R3, "--env", "live", "1"]),
        &["tick", R1, "--env", "live", "9"],
    ),
    w(
        &["verify", R1, "--passed", "1", "--failed", "0"],
        R1_FILE,
        Some(&["verify", R3, "--passed", "1", "--failed", "0"]),
        &["verify", "NOPE", "--passed", "1", "--failed", "0"],
    ),
    w(
        &["rollback", R2, "--to", "test", "--reason", "bad"],
        R2_FILE,
        Some(&["rollback", R1, "--to", "test", "--reason", "bad"]),
        &["rollback", R2, "--to", "nowhere", "--reason", "bad"],
    ),
    w(
        &["close", R2],
        "releases/incidents/INC-4.toml",
        Some(&["close", R1]),
        &["close", "NOPE"],
    ),
    w(
        &["cancel", R1, "--reason", "gone"],
        R1_FILE,
        Some(&["cancel", R3, "--reason", "gone"]),
        &["cancel", R1, "--reason", " "],
    ),
    // A release's own checklist and untick (contract section 8).
    w(
        &["checklist", "add", R1, "--env", "live", "Client told"],
        R1_FILE,
        Some(&["checklist", "add", R3, "--env", "live", "Client told"]),
        &["checklist", "add", R1, "--env", "live", "backups taken"],
    ),
    w(
        &[
            "checklist",
            "remove",
            R1,
            "--env",
            "live",
            "Keys handed over",
            "--reason",
            "not needed",
        ],
        R1_FILE,
        Some(&[
            "checklist",
            "remove",
            R3,
            "--env",
            "live",
            "X",
            "--reason",
            "r",
        ]),
        &[
            "checklist",
            "remove",
            R1,
            "--env",
            "live",
            "Backups taken",
            "--reason",
            "r",
        ],
    ),
    w(
        &[
            "untick",
            R2,
            "--env",
            "live",
            "Post-release tests passed",
            "--reason",
            "wrong",
        ],
        R2_FILE,
        Some(&["untick", R3, "--env", "live", "1", "--reason", "r"]),
        &["untick", R1, "--env", "live", "1", "--reason", "r"],
    ),
    // Installations, update paths, incident flags (contract section 8).
    w(
        &["installation", "new", "acme", "--version", "1.0.0"],
        "",
        None,
        &["installation", "new", "acme", "--version", "one"],
    ),
    w(
        &["installation", "set", "globex", "--version", "1.1.0"],
        "releases/installations/globex.toml",
        None,
        &["installation", "set", "globex", "--timezone", "Mars/Base"],
    ),
    w(
        &[
            "new",
            "--installation",
            "globex",
            "--version",
            "1.5.0",
            "--title",
            "t",
        ],
        "",
        None,
        &[
            "new",
            "--installation",
            "globex",
            "--version",
            "0.9.0",
            "--title",
            "t",
        ],
    ),
    w(
        &["rollout", "--version", "2.0.0", "--title", "t"],
        "",
        None,
        &[
            "rollout",
            "--version",
            "0.5.0",
            "--title",
            "t",
            "--installation",
            "globex",
        ],
    ),
    w(
        &["path", R1, "--set", "standard", "--reason", "dry run"],
        R1_FILE,
        Some(&["path", R3, "--set", "standard", "--reason", "dry run"]),
        &["path", R1, "--set", "scenic", "--reason", "dry run"],
    ),
    w(
        &["incident", "flag", "INC-2", "breaking"],
        INC2,
        Some(&["incident", "flag", "INC-4", "breaking"]),
        &["incident", "flag", "INC-2", "sparkly"],
    ),
];

/// Holds rel's lock as another process would.
fn hold_lock(env: &Env) -> File {
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(env.path(".git/rel.lock"))
        .expect("lock file");
    // Another test thread's child may hold a copy of the descriptor for
    // the instant between its fork and exec: retry briefly.
    for _ in 0..200 {
        if lock.try_lock().is_ok() {
            return lock;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    lock.try_lock().expect("lock is free");
    lock
}

const QUICK: &[(&str, &str)] = &[("REL_LOCK_TIMEOUT", "0.2")];

#[test]
fn every_writer_refused_invalid_or_in_conflict_writes_nothing() {
    let env = repo();
    env.assert_unchanged(|| {
        for wr in WRITERS {
            if let Some(args) = wr.refused {
                says(&format!("{args:?}"), &env.rel(args), 1, "refused");
            }
            says(
                &format!("{:?}", wr.invalid),
                &env.rel(wr.invalid),
                2,
                "error",
            );
            for dry in [false, true] {
                let mut args: Vec<&str> = if dry { vec!["--dry-run"] } else { vec![] };
                args.extend_from_slice(wr.ok);
                let lock = hold_lock(&env);
                says(
                    &format!("locked {args:?}"),
                    &env.rel_env(&args, QUICK),
                    3,
                    "lock",
                );
                drop(lock);
            }
        }
    });
    for wr in WRITERS.iter().filter(|wr| !wr.changes.is_empty()) {
        let file = wr.changes;
        let edited = format!("{}# an edit not committed\n", env.read(file));
        env.write(file, &edited);
        env.assert_unchanged(|| {
            for dry in [false, true] {
                let mut args: Vec<&str> = if dry { vec!["--dry-run"] } else { vec![] };
                args.extend_from_slice(wr.ok);
                let run = env.rel(&args);
                says(
                    &format!("{args:?} with {file} edited"),
                    &run,
                    3,
                    "uncommitted edits",
                );
                assert!(run.stderr.contains(file), "{args:?}: {}", run.stderr);
            }
        });
        env.git(&["checkout", "--", file]);
    }
    // The same arguments succeed once nothing is in the way: the 3s above
    // were the conflicts, not something else.
    for wr in WRITERS {
        let copy = clone(&env);
        copy.rel(wr.ok).ok();
    }
}

#[test]
fn init_in_conflict_writes_nothing() {
    // Already a release repository.
    let env = repo();
    env.assert_unchanged(|| {
        says("init again", &env.rel(&["init"]), 3, "already exists");
    });
    // A git repository with the lock held, or an untracked file where init
    // writes.
    let env = Env::empty();
    env.git(&["init", "-q"]);
    env.assert_unchanged(|| {
        let lock = hold_lock(&env);
        says("locked init", &env.rel_env(&["init"], QUICK), 3, "lock");
        drop(lock);
    });
    env.write("releases/incidents/.gitkeep", "mine\n");
    env.assert_unchanged(|| {
        let run = env.rel(&["init"]);
        says(
            "init over an untracked file",
            &run,
            3,
            "releases/incidents/.gitkeep",
        );
    });
    env.assert_unchanged(|| {
        says(
            "-C nowhere init",
            &env.rel(&["-C", "nowhere", "init"]),
            2,
            "nowhere",
        );
    });
}

/// A copy of `env`'s repository in a new temporary folder.
fn clone(env: &Env) -> Env {
    let copy = Env::empty();
    copy_tree(&env.dir, &copy.dir);
    copy
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
