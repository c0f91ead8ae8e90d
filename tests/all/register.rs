//! The work register (issue 3): incidents, their changes, list and show.
//! Grouping, freezing and cancelling are in `register_group`.

use serde_json::Value;

use crate::common::Env;

fn show(env: &Env, id: &str) -> Value {
    env.rel(&["--json", "incident", "show", id]).ok().json()
}

fn new_incident(env: &Env, id: &str) {
    env.rel(&["incident", "new", id, "--title", &format!("Title of {id}")])
        .ok();
}

#[test]
fn new_registers_an_open_incident_in_one_commit() {
    let env = Env::new();
    let before = env.commit_count();
    let run = env.rel(&[
        "incident",
        "new",
        "INC-101",
        "--title",
        "Invoice rounding",
        "--component",
        "dll:Billing.dll",
        "--component",
        "DLL:Billing.dll",
        "--component",
        "parameter:INVOICE_ROUNDING",
        "--breaking",
        "--impact",
        "Totals round half-up",
    ]);
    run.ok();
    assert_eq!(run.stdout.trim(), "INC-101");
    assert_eq!(env.commit_count(), before + 1);
    assert!(env.path("releases/incidents/INC-101.toml").is_file());
    let msg = env.last_message();
    assert!(msg.starts_with("rel: incident-new INC-101"), "{msg}");
    assert!(msg.contains("Rel-Action: incident-new"), "{msg}");
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae>"]).trim(),
        "Ana Smith <ana@example.com>"
    );

    let v = show(&env, "INC-101");
    assert_eq!(v["id"], "INC-101");
    assert_eq!(v["title"], "Invoice rounding");
    assert_eq!(v["status"], "open");
    assert_eq!(v["authorised"], false);
    assert_eq!(v["tested"], false);
    assert_eq!(v["release"], Value::Null);
    assert_eq!(v["breaking"], true);
    assert_eq!(v["impact"], "Totals round half-up");
    // The kind is a category in lower case: the two dll specs are one.
    let components = v["components"].as_array().expect("components");
    assert_eq!(components.len(), 2);
    assert_eq!(components[0]["kind"], "dll");
    assert_eq!(components[0]["name"], "Billing.dll");
    assert_eq!(components[1]["kind"], "parameter");
    assert_eq!(v["history"][0]["action"], "new");
    assert_eq!(v["history"][0]["by"], "Ana Smith <ana@example.com>");
    assert_eq!(v["history"][0]["at"], "2026-11-20T15:00:00Z");
    assert_eq!(v["created_at"], "2026-11-20T15:00:00Z");
}

#[test]
fn new_json_prints_the_incident() {
    let env = Env::new();
    let v = env
        .rel(&["--json", "incident", "new", "A-1", "--title", "x"])
        .ok()
        .json();
    assert_eq!(v["id"], "A-1");
    assert_eq!(v["status"], "open");
}

#[test]
fn new_refuses_bad_ids_duplicates_and_components_with_exit_2() {
    let env = Env::new();
    new_incident(&env, "INC-1");
    let cases: &[&[&str]] = &[
        &["incident", "new", "../x", "--title", "t"],
        &["incident", "new", "a b", "--title", "t"],
        &["incident", "new", "a..b", "--title", "t"],
        &["incident", "new", "-x", "--title", "t"],
        &["incident", "new", "inc-1", "--title", "t"],
        &["incident", "new", "INC-1", "--title", "t"],
        &["incident", "new", "X", "--title", "  "],
        &["incident", "new", "X", "--title", "t", "--component", "bad"],
        &["incident", "new", "X", "--title", "t", "--component", ":x"],
        &[
            "incident",
            "new",
            "X",
            "--title",
            "t",
            "--component",
            "dll:",
        ],
        &["incident", "new", "X"],
    ];
    for args in cases {
        env.assert_unchanged(|| {
            env.rel(args).code(2);
        });
    }
    let dup = env.rel(&["incident", "new", "inc-1", "--title", "t"]);
    assert!(dup.stderr.contains("INC-1") && dup.stderr.contains("already exists"));
}

#[test]
fn each_change_is_one_commit_recording_who_and_when() {
    let env = Env::new();
    new_incident(&env, "INC-1");
    let mut count = env.commit_count();
    let mut step = |args: &[&str], action: &str| {
        env.rel(args).ok();
        count += 1;
        assert_eq!(env.commit_count(), count, "{args:?}");
        assert!(
            env.last_message()
                .contains(&format!("Rel-Action: {action}")),
            "{args:?}"
        );
    };
    step(&["incident", "resolve", "INC-1"], "incident-resolve");
    step(
        &["incident", "authorise", "INC-1", "--by", "Bob Client"],
        "incident-authorise",
    );
    step(
        &["incident", "test", "inc-1", "--evidence", "docs/INC-1.pdf"],
        "incident-test",
    );
    step(
        &[
            "incident",
            "test",
            "INC-1",
            "--evidence",
            "https://ci.example/42",
        ],
        "incident-test",
    );
    step(
        &[
            "incident",
            "component",
            "INC-1",
            "dll:A.dll",
            "permission:x.write",
        ],
        "incident-component",
    );

    let v = show(&env, "INC-1");
    assert_eq!(v["status"], "resolved");
    assert_eq!(v["authorised"], true);
    assert_eq!(v["authorisation"]["by"], "Bob Client");
    assert_eq!(
        v["authorisation"]["recorded_by"],
        "Ana Smith <ana@example.com>"
    );
    assert_eq!(v["tested"], true);
    assert_eq!(v["evidence"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["evidence"][1]["reference"], "https://ci.example/42");
    assert_eq!(v["components"].as_array().map(Vec::len), Some(2));
    let actions: Vec<&str> = v["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        actions,
        ["new", "resolve", "authorise", "test", "test", "component"]
    );
    for e in v["history"].as_array().expect("history") {
        assert_eq!(e["by"], "Ana Smith <ana@example.com>");
        assert_eq!(e["at"], "2026-11-20T15:00:00Z");
    }
}

#[test]
fn authorize_is_accepted_and_defaults_to_the_actor() {
    let env = Env::new();
    new_incident(&env, "INC-1");
    env.rel(&["incident", "authorize", "INC-1"]).ok();
    assert_eq!(show(&env, "INC-1")["authorisation"]["by"], "Ana Smith");
}

#[test]
fn a_component_already_recorded_is_not_recorded_twice() {
    let env = Env::new();
    new_incident(&env, "INC-1");
    env.rel(&["incident", "component", "INC-1", "dll:A.dll"])
        .ok();
    // Nothing new: exit 0, no commit.
    env.assert_unchanged(|| {
        let run = env.rel(&["incident", "component", "INC-1", "DLL:A.dll"]);
        run.ok();
        assert!(run.stderr.contains("nothing to change"), "{}", run.stderr);
    });
    env.assert_unchanged(|| {
        env.rel(&["incident", "component", "INC-1", "nocolon"])
            .code(2);
    });
    env.rel(&["incident", "component", "INC-1", "dll:A.dll", "dll:B.dll"])
        .ok();
    assert_eq!(
        show(&env, "INC-1")["components"].as_array().map(Vec::len),
        Some(2)
    );
}

#[test]
fn resolving_twice_or_reopening_an_open_incident_is_refused_with_state() {
    let env = Env::new();
    new_incident(&env, "INC-1");
    env.assert_unchanged(|| {
        let run = env.rel(&["incident", "reopen", "INC-1"]);
        run.code(1);
        assert!(run.stderr.contains("[state]") && run.stderr.contains("INC-1"));
    });
    env.rel(&["incident", "resolve", "INC-1"]).ok();
    env.assert_unchanged(|| {
        env.rel(&["incident", "resolve", "INC-1"]).code(1);
    });
    env.rel(&["incident", "reopen", "INC-1"]).ok();
    assert_eq!(show(&env, "INC-1")["status"], "open");
}

#[test]
fn a_closed_incident_takes_only_components() {
    let env = Env::new();
    new_incident(&env, "INC-1");
    // A shipped incident, as `rel close` leaves it.
    let path = "releases/incidents/INC-1.toml";
    let text = env
        .read(path)
        .replace("status = \"open\"", "status = \"closed\"");
    env.write(path, &text);
    env.git(&["commit", "-q", "-am", "closed by hand"]);
    for args in [
        &["incident", "resolve", "INC-1"][..],
        &["incident", "reopen", "INC-1"],
        &["incident", "authorise", "INC-1"],
        &["incident", "test", "INC-1", "--evidence", "x.pdf"],
    ] {
        env.assert_unchanged(|| {
            let run = env.rel(args);
            run.code(1);
            assert!(run.stderr.contains("[state]"), "{args:?}: {}", run.stderr);
            assert!(run.stderr.contains("closed"), "{}", run.stderr);
        });
    }
    env.rel(&["incident", "component", "INC-1", "dll:Late.dll"])
        .ok();
}

#[test]
fn unknown_incidents_and_bad_arguments_exit_2_and_write_nothing() {
    let env = Env::new();
    new_incident(&env, "INC-1");
    let cases: &[&[&str]] = &[
        &["incident", "resolve", "NOPE"],
        &["incident", "reopen", "NOPE"],
        &["incident", "authorise", "NOPE"],
        &["incident", "test", "NOPE", "--evidence", "x"],
        &["incident", "component", "NOPE", "dll:x"],
        &["incident", "show", "NOPE"],
        &["incident", "resolve", "../INC-1"],
        &["incident", "test", "INC-1", "--evidence", " "],
        &["incident", "test", "INC-1"],
        &["incident", "authorise", "INC-1", "--by", ""],
        &["incident", "component", "INC-1"],
        &["incident", "list", "--status", "done"],
    ];
    for args in cases {
        env.assert_unchanged(|| {
            env.rel(args).code(2);
        });
    }
}

#[test]
fn dry_run_writes_nothing_and_says_what_it_would_commit() {
    let env = Env::new();
    new_incident(&env, "INC-1");
    env.assert_unchanged(|| {
        let run = env.rel(&["--dry-run", "incident", "new", "INC-2", "--title", "t"]);
        run.ok();
        assert!(run.stderr.contains("dry run"), "{}", run.stderr);
        assert!(run.stderr.contains("releases/incidents/INC-2.toml"));
        env.rel(&["--dry-run", "incident", "resolve", "INC-1"]).ok();
    });
}

#[test]
fn uncommitted_edits_to_the_incident_file_are_a_conflict() {
    let env = Env::new();
    new_incident(&env, "INC-1");
    let path = "releases/incidents/INC-1.toml";
    let text = env.read(path).replace("Title of INC-1", "Edited by hand");
    env.write(path, &text);
    env.assert_unchanged(|| {
        env.rel(&["incident", "resolve", "INC-1"]).code(3);
    });
}

#[test]
fn list_shows_the_register_with_the_release_holding_each_incident() {
    let env = Env::new();
    env.rel(&["new", "--version", "1.0.0", "--title", "R"]).ok();
    for id in ["INC-1", "INC-2", "INC-3"] {
        new_incident(&env, id);
    }
    for id in ["INC-1", "INC-2"] {
        env.rel(&["incident", "resolve", id]).ok();
        env.rel(&["incident", "authorise", id]).ok();
    }
    env.rel(&["incident", "test", "INC-2", "--evidence", "t.pdf"])
        .ok();
    env.rel(&["group", "R-2026-001", "INC-1"]).ok();

    let run = env.rel(&["incident", "list"]);
    run.ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    for column in ["ID", "STATUS", "RELEASE", "AUTHORISED", "TESTED", "TITLE"] {
        assert!(lines[0].contains(column), "{}", lines[0]);
    }
    assert!(lines[1].contains("INC-1") && lines[1].contains("R-2026-001"));
    assert!(lines[2].contains("INC-2") && lines[2].contains("resolved"));
    assert!(lines[3].contains("INC-3") && lines[3].contains("open"));

    let all = env.rel(&["--json", "incident", "list"]).ok().json();
    let all = all.as_array().expect("array");
    assert_eq!(all.len(), 3);
    assert_eq!(all[0]["release"], "R-2026-001");
    assert_eq!(all[1]["release"], Value::Null);
    assert_eq!(all[1]["tested"], true);
    for key in [
        "id",
        "title",
        "status",
        "authorised",
        "tested",
        "components",
        "release",
    ] {
        assert!(all[2].get(key).is_some(), "{key}");
    }

    let ids = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["--json", "incident", "list"];
        full.extend_from_slice(args);
        env.rel(&full)
            .ok()
            .json()
            .as_array()
            .expect("array")
            .iter()
            .map(|i| i["id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(ids(&["--unassigned"]), ["INC-2", "INC-3"]);
    assert_eq!(ids(&["--status", "resolved"]), ["INC-1", "INC-2"]);
    assert_eq!(ids(&["--status", "open"]), ["INC-3"]);
    assert_eq!(ids(&["--unassigned", "--status", "RESOLVED"]), ["INC-2"]);
}

#[test]
fn list_of_an_empty_register_says_so() {
    let env = Env::new();
    let run = env.rel(&["incident", "list"]);
    run.ok();
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("no incidents"));
    assert_eq!(
        env.rel(&["--json", "incident", "list"]).ok().json(),
        serde_json::json!([])
    );
}

#[test]
fn show_text_tells_everything_about_an_incident() {
    let env = Env::new();
    env.rel(&[
        "incident",
        "new",
        "INC-1",
        "--title",
        "Invoice rounding",
        "--component",
        "dll:Billing.dll",
        "--impact",
        "Totals change",
    ])
    .ok();
    env.rel(&["incident", "test", "INC-1", "--evidence", "docs/t.pdf"])
        .ok();
    let run = env.rel(&["incident", "show", "inc-1"]);
    run.ok();
    for needle in [
        "INC-1  Invoice rounding",
        "status      open",
        "release     none",
        "impact      Totals change",
        "authorised  no",
        "docs/t.pdf",
        "dll:Billing.dll",
        "History:",
        "Fri 2026-11-20 15:00 UTC",
    ] {
        assert!(run.stdout.contains(needle), "{needle}\n{}", run.stdout);
    }
}
