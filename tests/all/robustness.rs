//! Hostile input to the real binary: manifests, incident files and
//! pipelines with values of the wrong type or out of range, empty or binary
//! files, instants at the ends of chrono's range, unknown environments.
//! Every case exits with the documented code (never 101, a panic), says what
//! is wrong, and writes nothing. Bad surroundings (environment variables,
//! arguments, git state) are in `robustness_edge`; the writing commands'
//! refusals in `robustness_writes`. The helpers here serve all three.

use crate::common::{Env, Run};

pub const R1: &str = "R-2026-001";
pub const MANIFEST: &str = "releases/R-2026-001.toml";

/// Fails on a panic, whatever the exit code.
pub fn no_panic(what: &str, run: &Run) {
    assert!(
        run.code != 101 && !run.stderr.contains("panicked"),
        "{what}: exit {}\n{}",
        run.code,
        run.stderr
    );
}

/// `run` exited `code`, without a panic, and its message holds `wanted`.
pub fn says(what: &str, run: &Run, code: i32, wanted: &str) {
    no_panic(what, run);
    assert_eq!(run.code, code, "{what}: exit code\n{}", run.stderr);
    assert!(
        run.stderr.contains(wanted),
        "{what}: want {wanted:?} in\n{}",
        run.stderr
    );
}

/// R-2026-001 (1.2.0, minor) holding INC-1 (resolved, authorised, tested),
/// and INC-2 open, in the default pipeline.
pub fn repo() -> Env {
    let env = Env::new();
    for args in [
        &["new", "--version", "1.2.0", "--title", "T"][..],
        &["incident", "new", "INC-1", "--title", "One"],
        &["incident", "resolve", "INC-1"],
        &["incident", "authorise", "INC-1"],
        &["incident", "test", "INC-1", "--evidence", "doc"],
        &["group", R1, "INC-1"],
        &["incident", "new", "INC-2", "--title", "Two"],
    ] {
        env.rel(args).ok();
    }
    env
}

/// Replaces the first line of `file` starting with `key = ` (or appends
/// `line` when `key` is empty) and commits, bypassing the rules.
fn set_line(env: &Env, file: &str, key: &str, line: &str) {
    let text = env.read(file);
    let new = if key.is_empty() {
        format!("{text}{line}\n")
    } else {
        // The first (top-level) line of the key, not those in [[history]].
        let prefix = format!("{key} = ");
        let at = text.lines().position(|l| l.starts_with(&prefix));
        let at = at.unwrap_or_else(|| panic!("no {key} in {file}"));
        text.lines()
            .enumerate()
            .map(|(n, l)| if n == at { line } else { l })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    commit_file(env, file, new.as_bytes());
}

fn commit_file(env: &Env, file: &str, bytes: &[u8]) {
    std::fs::write(env.path(file), bytes).unwrap();
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "test: hand edit"]);
}

/// Every command that reads or changes R-2026-001.
const ON_R1: &[&[&str]] = &[
    &["status"],
    &["--json", "status"],
    &["list"],
    &["show", R1],
    &["--json", "show", R1],
    &["check", R1],
    &["plan", R1],
    &["notes", R1],
    &["promote", R1, "--yes"],
    &["group", R1, "INC-2"],
    &["ungroup", R1, "INC-1"],
    &["freeze", R1],
    &["unfreeze", R1, "--reason", "x"],
    &["approve", R1, "--env", "production", "--role", "client"],
    &["tick", R1, "--env", "production", "1"],
    &["verify", R1, "--passed", "1", "--failed", "0"],
    &["rollback", R1, "--to", "development", "--reason", "x"],
    &["close", R1],
    &["cancel", R1, "--reason", "x"],
];

/// Commands that read environments.toml.
const ON_PIPELINE: &[&[&str]] = &[
    &["env"],
    &["status"],
    &["--json", "status"],
    &["check", R1],
    &["plan", R1],
    &["promote", R1, "--yes"],
    &["approve", R1, "--env", "production", "--role", "client"],
    &["tick", R1, "--env", "production", "1"],
    &["rollback", R1, "--to", "development", "--reason", "x"],
    &["close", R1],
    &["new", "--version", "2.0.0", "--title", "X"],
];

#[test]
fn manifest_values_of_the_wrong_type_or_out_of_range_exit_2_with_the_location() {
    // (line as written, where, what the message says)
    let cases = [
        (
            "revision = 99999999999999999999",
            ":8:12:",
            "99999999999999999999",
        ),
        ("revision = -1", ":8:12:", "-1"),
        ("revision = 4294967295", ":8:12:", "out of range"),
        ("revision = 1000000001", ":8:12:", "out of range"),
        ("revision = \"1\"", ":8:12:", "string"),
        ("state = 3", ":5:9:", "(in `state = 3`)"),
        (
            "entered_at = \"+262143-12-31T00:00:00Z\"",
            ":7:14:",
            "range",
        ),
        ("entered_at = \"99999-01-01T00:00:00Z\"", ":7:14:", ""),
        ("entered_at = 2026-11-20T15:00:00Z", ":7:14:", ""),
        (
            "incidents = [\"INC-1\", \"inc-1\"]",
            ":11:13:",
            "listed twice",
        ),
        (
            "incidents = [\"../INC-1\"]",
            ":11:13:",
            "invalid incident id",
        ),
        ("incidents = \"INC-1\"", ":11:13:", "sequence"),
    ];
    for (line, at, wanted) in cases {
        let env = repo();
        let key = line.split(" = ").next().unwrap();
        set_line(&env, MANIFEST, key, line);
        env.assert_unchanged(|| {
            for args in ON_R1 {
                let run = env.rel(args);
                let what = format!("{line} / {args:?}");
                says(&what, &run, 2, &format!("{MANIFEST}{at}"));
                assert!(run.stderr.contains(wanted), "{what}: {}", run.stderr);
            }
        });
    }
}

/// Commands that read releases/incidents/INC-1.toml.
const ON_INC1: &[&[&str]] = &[
    &["incident", "list"],
    &["incident", "show", "INC-1"],
    &["--json", "incident", "show", "INC-1"],
    &["incident", "reopen", "INC-1"],
    &["incident", "component", "INC-1", "dll:A.dll"],
    &["notes", R1],
    &["group", R1, "INC-1"],
    &["freeze", R1],
];

#[test]
fn empty_binary_and_nul_files_exit_2_naming_the_file() {
    for (file, commands) in [
        (MANIFEST, ON_R1),
        ("environments.toml", ON_PIPELINE),
        ("releases/incidents/INC-1.toml", ON_INC1),
    ] {
        for bytes in [&b""[..], b"\x00\xff\xfe\x01binary", b"id = \"X\0\"\n"] {
            let env = repo();
            commit_file(&env, file, bytes);
            env.assert_unchanged(|| {
                for args in commands {
                    let run = env.rel(args);
                    says(&format!("{file} {bytes:?} {args:?}"), &run, 2, file);
                }
            });
        }
    }
}

#[test]
fn far_past_and_future_entries_and_soaks_never_panic() {
    for tz in ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"] {
        for entered in [
            "+262142-12-31T23:59:59Z",
            "-262143-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "0000-01-01T00:00:00Z",
        ] {
            let env = repo();
            let pipeline = env
                .read("environments.toml")
                .replace("timezone = \"UTC\"", &format!("timezone = \"{tz}\""))
                .replace(
                    "name = \"development\"",
                    "name = \"development\"\nsoak = { minor = 4294967295 }",
                )
                .replace(
                    "name = \"uat\"",
                    "name = \"uat\"\nwindows = [\"mon 09:00-10:00\"]\nblackouts = [{ from = 9999-12-30, to = 9999-12-31 }]",
                );
            commit_file(&env, "environments.toml", pipeline.as_bytes());
            set_line(
                &env,
                MANIFEST,
                "entered_at",
                &format!("entered_at = \"{entered}\""),
            );
            for now in [
                "9999-12-31T23:59:59Z",
                "0000-01-01T00:00:00Z",
                "2026-11-20T15:00:00Z",
            ] {
                env.assert_unchanged(|| {
                    for args in [
                        &["status"][..],
                        &["--json", "status"],
                        &["show", R1],
                        &["check", R1],
                        &["--json", "check", R1],
                        &["plan", R1],
                        &["--json", "plan", R1],
                        &["log"],
                        &["promote", R1],
                    ] {
                        let run = env.rel_env(args, &[("REL_NOW", now)]);
                        let what = format!("{tz} {entered} now {now} {args:?}");
                        no_panic(&what, &run);
                        let ok = if args.contains(&"promote") {
                            [1, 2]
                        } else {
                            [0, 1]
                        };
                        assert!(ok.contains(&run.code), "{what}: {}", run.stderr);
                    }
                });
            }
        }
    }
}

#[test]
fn hostile_pipelines_exit_2_with_the_location_or_answer_never() {
    let head = "[[environments]]\nname = \"development\"\n\n[[environments]]\nname = \"b\"\n";
    // (pipeline, location, expected)
    for (text, at, wanted) in [
        (
            format!("{head}windows = [\"mon 24:00-01:00\"]\n"),
            "environments.toml:6:12:",
            "24:00",
        ),
        (
            format!("{head}windows = [\"mon 09:00-09:00\"]\n"),
            "environments.toml:6:12:",
            "empty",
        ),
        (
            format!("{head}blackouts = [{{ from = 2026-12-20, to = 2026-12-01 }}]\n"),
            "environments.toml:6:14:",
            "ends before it starts",
        ),
        (
            format!("{head}soak = -1\n"),
            "environments.toml:6:8:",
            "business days",
        ),
        (
            format!("{head}soak = {{ minor = -1 }}\n"),
            "environments.toml:6:18:",
            "-1",
        ),
        (
            format!("{head}soak = {{ minor = 4294967296 }}\n"),
            "environments.toml:6:18:",
            "",
        ),
        (
            format!("[calendar]\nholidays = [0000-00-00]\n{head}"),
            "environments.toml:2:",
            "",
        ),
        (
            format!("[calendar]\nholidays = [99999-01-01]\n{head}"),
            "environments.toml:2:",
            "",
        ),
        (
            format!("[calendar]\nworkdays = []\n{head}"),
            "environments.toml:2:",
            "at least one",
        ),
        (
            "environments = []\n".to_string(),
            "environments.toml",
            "no environments",
        ),
        (String::new(), "environments.toml", "no environments"),
    ] {
        let env = repo();
        commit_file(&env, "environments.toml", text.as_bytes());
        env.assert_unchanged(|| {
            for args in ON_PIPELINE {
                let run = env.rel(args);
                says(&format!("{text:?} {args:?}"), &run, 2, at);
                assert!(run.stderr.contains(wanted), "{text}: {wanted}");
            }
        });
    }
    // Valid but hopeless: a soak that never ends, ten thousand holidays on
    // the only workday. Readers answer "never" quickly; promote refuses.
    let holidays: Vec<String> = (0..10_000)
        .map(|n| {
            let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap() + chrono::Days::new(n);
            d.to_string()
        })
        .collect();
    let env = repo();
    let text = format!(
        "[calendar]\nworkdays = [\"sat\"]\nholidays = [{}]\n\n[[environments]]\nname = \"development\"\nsoak = {{ minor = 4294967295 }}\n\n[[environments]]\nname = \"b\"\nwindows = [\"workdays 09:00-10:00\"]\nblackouts = [{{ from = 0000-01-01, to = 9999-12-31 }}]\n",
        holidays.join(", ")
    );
    commit_file(&env, "environments.toml", text.as_bytes());
    env.assert_unchanged(|| {
        let started = std::time::Instant::now();
        env.rel(&["status"]).ok();
        let plan = env.rel(&["--json", "plan", R1]);
        plan.ok();
        assert_eq!(plan.json()["steps"][0]["earliest"], serde_json::Value::Null);
        let run = env.rel(&["--json", "check", R1]);
        run.code(1);
        assert_eq!(run.json()["ready_at"], serde_json::Value::Null);
        let run = env.rel(&["promote", R1]);
        says("promote", &run, 1, "[soak]");
        assert!(run.stderr.contains("[window]") && run.stderr.contains("[blackout]"));
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    });
}

#[test]
fn a_release_in_an_environment_the_pipeline_does_not_have() {
    let env = repo();
    set_line(&env, MANIFEST, "environment", "environment = \"nowhere\"");
    env.assert_unchanged(|| {
        for args in [
            &["status"][..],
            &["--json", "status"],
            &["show", R1],
            &["list"],
            &["plan", R1],
            &["--json", "plan", R1],
        ] {
            env.rel(args).ok();
        }
        says("check", &env.rel(&["check", R1]), 2, "nowhere");
        says("promote", &env.rel(&["promote", R1]), 2, "nowhere");
        // Naming the target: refused by the order rule.
        let run = env.rel(&["check", R1, "--to", "uat"]);
        no_panic("check --to", &run);
        run.code(1);
        assert!(run.stdout.contains("order"), "{}", run.stdout);
        says(
            "promote --to",
            &env.rel(&["promote", R1, "--to", "uat"]),
            1,
            "[order]",
        );
        says("close", &env.rel(&["close", R1]), 1, "[order]");
        says(
            "tick",
            &env.rel(&["tick", R1, "--env", "production", "1"]),
            1,
            "[order]",
        );
    });
    // Rolling back to an environment that exists is the way out.
    env.rel(&["rollback", R1, "--to", "development", "--reason", "renamed"])
        .ok();
    env.rel(&["check", R1]).ok();
}

#[test]
fn unknown_environments_in_arguments_and_in_manifests() {
    let env = repo();
    env.assert_unchanged(|| {
        for args in [
            &["promote", R1, "--to", "nowhere"][..],
            &["check", R1, "--to", "nowhere"],
            &["approve", R1, "--env", "nowhere", "--role", "client"],
            &["tick", R1, "--env", "nowhere", "1"],
            &["rollback", R1, "--to", "nowhere", "--reason", "x"],
            &["log", "--env", "nowhere"],
        ] {
            says(&format!("{args:?}"), &env.rel(args), 2, "nowhere");
        }
    });
    // Approvals, ticks and health reports recorded for environments that
    // are not (or no longer) in the pipeline are carried, never trusted.
    set_line(
        &env,
        MANIFEST,
        "",
        "\n[[approvals]]\nenv = \"gone\"\nrole = \"client\"\nby = \"A <a@b>\"\nemail = \"a@b\"\nat = \"2026-11-20T15:00:00Z\"\nrevision = 2\n\n[[ticks]]\nenv = \"gone\"\nchecklist = \"entry\"\nitem = \"x\"\nby = \"A <a@b>\"\nat = \"2026-11-20T15:00:00Z\"\nrevision = 2\n\n[[health]]\nenv = \"gone\"\npassed = true\nby = \"A <a@b>\"\nat = \"9999-12-31T23:59:59Z\"\nrevision = 2\nduration_ms = 9223372036854775807",
    );
    env.assert_unchanged(|| {
        for args in [
            &["status"][..],
            &["--json", "status"],
            &["show", R1],
            &["--json", "show", R1],
            &["check", R1, "--to", "production"],
            &["plan", R1],
            &["close", R1],
            &["--dry-run", "promote", R1],
        ] {
            let run = env.rel(args);
            no_panic(&format!("{args:?}"), &run);
            assert!(run.code <= 1, "{args:?}: {}", run.stderr);
        }
    });
    env.rel(&["promote", R1]).ok();
}

#[test]
fn a_hand_made_id_at_the_end_of_the_numbers_asks_for_id() {
    let env = repo();
    let text = env.read(MANIFEST).replace(R1, "R-2026-4294967295");
    std::fs::remove_file(env.path(MANIFEST)).unwrap();
    commit_file(&env, "releases/R-2026-4294967295.toml", text.as_bytes());
    env.assert_unchanged(|| {
        let run = env.rel(&["new", "--version", "2.0.0", "--title", "X"]);
        says("new", &run, 2, "--id");
    });
    env.rel(&[
        "new",
        "--version",
        "2.0.0",
        "--title",
        "X",
        "--id",
        "R-2026-002",
    ])
    .ok();
}

#[test]
fn a_nul_in_a_checklist_item_cannot_reach_a_commit() {
    let env = repo();
    let text = env.read("environments.toml").replace(
        "\"Access permissions reviewed\"",
        "\"Access\\u0000permissions\"",
    );
    commit_file(&env, "environments.toml", text.as_bytes());
    env.assert_unchanged(|| {
        let run = env.rel(&["tick", R1, "--env", "production", "3"]);
        says("tick", &run, 2, "NUL");
    });
}

#[test]
fn the_highest_content_revision_is_never_passed() {
    let env = repo();
    set_line(&env, MANIFEST, "revision", "revision = 1000000000");
    env.rel(&["incident", "resolve", "INC-2"]).ok();
    env.rel(&["incident", "authorise", "INC-2"]).ok();
    env.assert_unchanged(|| {
        for args in [&["group", R1, "INC-2"][..], &["ungroup", R1, "INC-1"]] {
            says(&format!("{args:?}"), &env.rel(args), 2, "revision");
        }
    });
    env.rel(&["show", R1]).ok();
}
