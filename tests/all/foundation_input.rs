//! Bad input to the foundation: malformed files reported with path, line and
//! column; bad ids and arguments rejected with exit 2; nothing ever written.

use crate::common::Env;

/// A repository whose environments.toml is `text`, committed; every reading
/// and writing command must exit 2 with `location` and `expected` in its
/// message, and leave the repository untouched.
fn assert_bad_pipeline(text: &str, location: &str, expected: &str) {
    let env = Env::with_pipeline(text);
    env.assert_unchanged(|| {
        for args in [
            &["env"][..],
            &["status"],
            &["--json", "status"],
            &["new", "--version", "1.0.0", "--title", "T"],
        ] {
            let run = env.rel(args);
            run.code(2);
            let first = run.stderr.lines().next().unwrap_or("");
            assert!(
                first.contains(location) && first.contains(expected),
                "{args:?}: want {location} and {expected:?} in\n{}",
                run.stderr
            );
            assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        }
    });
}

const ENV_HEAD: &str = "[[environments]]\nname = \"dev\"\n";

#[test]
fn an_unknown_key_in_environments_toml() {
    assert_bad_pipeline(
        &format!("{ENV_HEAD}\n[[environments]]\nname = \"uat\"\nsoak_days = 3\n"),
        "environments.toml:6:1:",
        "soak_days",
    );
    assert_bad_pipeline(
        "[calendar]\ntz = \"UTC\"\n\n[[environments]]\nname = \"dev\"\n",
        "environments.toml:2:1:",
        "tz",
    );
}

#[test]
fn duplicate_environment_names_even_by_case() {
    assert_bad_pipeline(
        &format!(
            "{ENV_HEAD}\n[[environments]]\nname = \"uat\"\n\n[[environments]]\nname = \"DEV\"\n"
        ),
        "environments.toml:8:8:",
        "duplicate",
    );
}

#[test]
fn a_window_that_does_not_parse() {
    for window in ["tue-thu 9-17", "someday 09:00-17:00", "mon 09:00-25:00"] {
        assert_bad_pipeline(
            &format!("{ENV_HEAD}windows = [\"daily 00:00-23:59\", \"{window}\"]\n"),
            "environments.toml:3:33:",
            "expected",
        );
    }
}

#[test]
fn an_unknown_timezone() {
    assert_bad_pipeline(
        &format!("[calendar]\ntimezone = \"Mars/Olympus\"\n\n{ENV_HEAD}"),
        "environments.toml:2:12:",
        "timezone",
    );
}

#[test]
fn a_bad_holiday_date() {
    // Not a date at all, a date out of range, a date-time instead of a date.
    assert_bad_pipeline(
        &format!("[calendar]\nholidays = [2026-12-25, \"Christmas\"]\n\n{ENV_HEAD}"),
        "environments.toml:2:25:",
        "datetime",
    );
    assert_bad_pipeline(
        &format!("[calendar]\nholidays = [2026-02-30]\n\n{ENV_HEAD}"),
        "environments.toml:2:",
        "",
    );
    assert_bad_pipeline(
        &format!("[calendar]\nholidays = [2026-12-25T10:00:00Z]\n\n{ENV_HEAD}"),
        "environments.toml:2:13:",
        "date",
    );
}

#[test]
fn a_blackout_given_as_a_local_datetime_without_offset() {
    assert_bad_pipeline(
        &format!("{ENV_HEAD}blackouts = [{{ from = 2026-12-18T10:00:00, to = 2027-01-04 }}]\n"),
        "environments.toml:3:23:",
        "offset",
    );
    assert_bad_pipeline(
        &format!("{ENV_HEAD}blackouts = [{{ from = 2026-12-18, to = 2026-12-01 }}]\n"),
        "environments.toml:3:",
        "ends before it starts",
    );
}

#[test]
fn other_malformed_pipelines() {
    assert_bad_pipeline(
        &format!("{ENV_HEAD}approvals = [\"client\", \"bad role\"]\n"),
        "environments.toml:3:24:",
        "role",
    );
    assert_bad_pipeline(
        &format!("{ENV_HEAD}overridable = [\"order\"]\n"),
        "environments.toml:3:16:",
        "order",
    );
    assert_bad_pipeline(
        &format!("[calendar]\nworkdays = [\"mon\", \"funday\"]\n\n{ENV_HEAD}"),
        "environments.toml:2:",
        "funday",
    );
    assert_bad_pipeline(
        &format!("{ENV_HEAD}soak = 3\n"),
        "environments.toml:3:8:",
        "",
    );
    assert_bad_pipeline(
        "[[environments]]\nname = \"../up\"\n",
        "environments.toml:2:8:",
        "environment id",
    );
    assert_bad_pipeline("this is not toml\n", "environments.toml:1:", "");
    assert_bad_pipeline("[calendar]\n", "environments.toml", "environments");
}

/// The manifest of R-2026-001, committed, then replaced by `text` (not
/// committed): show, list and status must exit 2 naming `location`.
fn assert_bad_manifest(text: &str, location: &str, expected: &str) {
    let env = Env::new();
    env.rel(&["new", "--version", "1.0.0", "--title", "T"]).ok();
    env.write("releases/R-2026-001.toml", text);
    env.commit_all("hand edit");
    env.assert_unchanged(|| {
        for args in [
            &["show", "R-2026-001"][..],
            &["--json", "show", "R-2026-001"],
            &["list"],
            &["--json", "list"],
            &["status"],
        ] {
            let run = env.rel(args);
            run.code(2);
            if args[0] == "--json" {
                // One JSON document: the error, with the same message.
                let v = run.json();
                assert_eq!(v["error"]["kind"], "invalid", "{args:?}");
                let message = v["error"]["message"].as_str().unwrap_or("");
                assert!(message.contains(location), "{args:?}: {message}");
            } else {
                assert_eq!(run.stdout, "", "{args:?}");
            }
            let first = run.stderr.lines().next().unwrap_or("");
            assert!(
                first.contains(location) && first.contains(expected),
                "{args:?}: want {location} and {expected:?} in\n{}",
                run.stderr
            );
        }
    });
}

fn good_manifest() -> String {
    let env = Env::new();
    env.rel(&["new", "--version", "1.0.0", "--title", "T"]).ok();
    env.read("releases/R-2026-001.toml")
}

#[test]
fn a_manifest_with_an_unknown_key() {
    let text = good_manifest().replace("revision = 1\n", "revision = 1\ncolour = \"red\"\n");
    let line = text.lines().position(|l| l.starts_with("colour")).unwrap() + 1;
    assert_bad_manifest(
        &text,
        &format!("releases/R-2026-001.toml:{line}:1:"),
        "colour",
    );
}

#[test]
fn a_manifest_with_bad_values() {
    let good = good_manifest();
    let line_of =
        |text: &str, key: &str| text.lines().position(|l| l.starts_with(key)).unwrap() + 1;
    let bad_kind = good.replace("kind = \"major\"", "kind = \"huge\"");
    assert_bad_manifest(
        &bad_kind,
        &format!("releases/R-2026-001.toml:{}:8:", line_of(&bad_kind, "kind")),
        "huge",
    );
    let bad_time = good.replace(
        "entered_at = \"2026-11-20T15:00:00Z\"",
        "entered_at = \"yesterday\"",
    );
    assert_bad_manifest(
        &bad_time,
        &format!(
            "releases/R-2026-001.toml:{}:14:",
            line_of(&bad_time, "entered_at")
        ),
        "",
    );
    assert_bad_manifest(
        "id = \"R-2026-001\"\ntitle = \n",
        "releases/R-2026-001.toml:2:",
        "",
    );
    assert_bad_manifest(
        &good.replace("id = \"R-2026-001\"", "id = \"R-2026-999\""),
        "releases/R-2026-001.toml",
        "R-2026-999",
    );
}

#[test]
fn a_manifest_that_is_not_utf8_is_reported_not_panicked_on() {
    let env = Env::new();
    std::fs::write(env.path("releases/R-2026-001.toml"), b"id = \"\xff\xfe\"\n").unwrap();
    env.commit_all("hand edit");
    env.assert_unchanged(|| {
        let run = env.rel(&["list"]);
        run.code(2);
        assert!(
            run.stderr.contains("releases/R-2026-001.toml"),
            "{}",
            run.stderr
        );
    });
}

#[test]
fn manifests_whose_ids_differ_only_by_case_are_reported() {
    let env = Env::new();
    env.rel(&["new", "--version", "1.0.0", "--title", "T"]).ok();
    let text = env.read("releases/R-2026-001.toml");
    env.write(
        "releases/r-2026-001.toml",
        &text.replace("R-2026-001", "r-2026-001"),
    );
    env.commit_all("hand edit");
    env.assert_unchanged(|| {
        let run = env.rel(&["list"]);
        run.code(2);
        assert!(run.stderr.contains("case"), "{}", run.stderr);
    });
}

#[test]
fn bad_release_ids_are_rejected_before_anything_is_written() {
    let env = Env::new();
    env.rel(&["new", "--version", "1.0.0", "--title", "T"]).ok();
    let long = "a".repeat(65);
    env.assert_unchanged(|| {
        for id in [
            "../x",
            "a/b",
            "..",
            "",
            "a..b",
            ".hidden",
            "-dash",
            "with space",
            "é",
            &long,
        ] {
            // `--id=VALUE` so that an id starting with '-' reaches rel's own check.
            let flag = format!("--id={id}");
            let run = env.rel(&["new", "--version", "1.0.1", "--title", "T", &flag]);
            run.code(2);
            assert!(
                run.stderr.contains("invalid release id"),
                "{id:?}: {}",
                run.stderr
            );
            for args in [&["show", "--", id][..], &["--json", "show", "--", id]] {
                let run = env.rel(args);
                run.code(2);
                assert!(
                    run.stderr.contains("invalid release id"),
                    "{id:?}: {}",
                    run.stderr
                );
                if args[0] == "--json" {
                    assert_eq!(run.json()["error"]["exit"], 2);
                } else {
                    assert_eq!(run.stdout, "");
                }
            }
        }
        // A case-only duplicate of an existing release.
        let run = env.rel(&[
            "new",
            "--version",
            "1.0.1",
            "--title",
            "T",
            "--id",
            "r-2026-001",
        ]);
        run.code(2);
        assert!(run.stderr.contains("R-2026-001"), "{}", run.stderr);
        let run = env.rel(&[
            "new",
            "--version",
            "1.0.1",
            "--title",
            "T",
            "--id",
            "R-2026-001",
        ]);
        run.code(2);
    });
    assert!(!env.path("x.toml").exists() && !env.path("a").exists());
    assert_eq!(env.commit_count(), 2);
}

#[test]
fn bad_arguments_to_new_are_rejected_before_anything_is_written() {
    let env = Env::new();
    let new = |extra: &[&str]| {
        let mut args = vec!["new"];
        args.extend_from_slice(extra);
        env.rel(&args)
    };
    env.assert_unchanged(|| {
        for (extra, says) in [
            (&["--version", "1.2", "--title", "T"][..], "version"),
            (&["--version", "one", "--title", "T"], "version"),
            (&["--version", "", "--title", "T"], "version"),
            (&["--version", "1.2.3", "--title", "  "], "title"),
            (
                &["--version", "1.2.3", "--title", "T", "--kind", "huge"],
                "kind",
            ),
            (
                &[
                    "--version",
                    "1.2.3",
                    "--title",
                    "T",
                    "--target",
                    "2026-02-30",
                ],
                "date",
            ),
            (
                &[
                    "--version",
                    "1.2.3",
                    "--title",
                    "T",
                    "--target",
                    "next week",
                ],
                "date",
            ),
        ] {
            let run = new(extra);
            run.code(2);
            assert!(run.stderr.contains(says), "{extra:?}: {}", run.stderr);
        }
        let run = env.rel_env(&["status"], &[("REL_NOW", "tomorrow")]);
        run.code(2);
        assert!(run.stderr.contains("REL_NOW"), "{}", run.stderr);
    });
    assert_eq!(env.commit_count(), 1);
}

#[test]
fn outside_a_release_repository_commands_exit_2() {
    let env = Env::empty();
    env.assert_unchanged(|| {
        for args in [
            &["status"][..],
            &["env"],
            &["list"],
            &["show", "R-1"],
            &["new", "--version", "1.0.0", "--title", "T"],
        ] {
            let run = env.rel(args);
            run.code(2);
            assert!(run.stderr.contains("rel init"), "{}", run.stderr);
        }
        env.rel(&["-C", "does/not/exist", "status"]).code(2);
    });
}

/// Every prefix of a valid file (cut every few bytes) is either valid or
/// reported as invalid input naming the file: never a panic, never another
/// exit code.
fn assert_truncations_never_panic(env: &Env, file: &str, step: usize, args: &[&str]) {
    let full = env.read(file);
    let mut cut = 0;
    while cut < full.len() {
        if full.is_char_boundary(cut) {
            env.write(file, &full[..cut]);
            let run = env.rel(args);
            assert!(
                run.code == 0 || run.code == 2,
                "{file} cut at {cut}: exit {}\n{}",
                run.code,
                run.stderr
            );
            assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
            if run.code == 2 {
                assert!(
                    run.stderr.contains(file),
                    "{file} cut at {cut}: {}",
                    run.stderr
                );
            }
        }
        cut += step;
    }
    env.write(file, &full);
    env.rel(args).ok();
}

#[test]
fn no_truncated_pipeline_or_manifest_makes_rel_panic() {
    let env = Env::new();
    env.rel(&[
        "new",
        "--version",
        "1.0.0",
        "--title",
        "T",
        "--target",
        "2026-12-01",
    ])
    .ok();
    assert_truncations_never_panic(&env, "environments.toml", 5, &["env"]);
    assert_truncations_never_panic(&env, "releases/R-2026-001.toml", 2, &["status"]);
}

#[test]
fn target_dates_must_be_written_as_yyyy_mm_dd() {
    let env = Env::new();
    for bad in ["2026-1-1", "+99999-01-01", "2026-02-30", "01/12/2026"] {
        env.assert_unchanged(|| {
            let run = env.rel(&["new", "--version", "1.0.0", "--title", "T", "--target", bad]);
            run.code(2);
            assert!(run.stderr.contains("YYYY-MM-DD"), "{bad}: {}", run.stderr);
        });
    }
    env.rel(&[
        "new",
        "--version",
        "1.0.0",
        "--title",
        "T",
        "--target",
        "2026-12-01",
    ])
    .ok();
    assert_eq!(
        env.rel(&["--json", "show", "R-2026-001"]).ok().json()["target"],
        "2026-12-01"
    );
}
