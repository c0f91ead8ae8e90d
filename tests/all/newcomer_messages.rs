//! Messages a newcomer tripped on (issue 22, item 3): each says what a
//! careful user expects. `check --at` speaks of the time asked, not "now";
//! a schedule out of order gives its real reason only; a typo in the name
//! of a release, incident, installation or environment gets "did you
//! mean"; a health check's last line without a new line survives the
//! spinner; man pages name the values of their options; the audit's bar
//! guesses no time left from too little; `rel new --installation` needs no
//! title.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, new_release};
use crate::common::terminal::on_a_terminal;
use crate::common::Env;

// ---- 1. `rel check --at` speaks of the time asked ----

#[test]
fn check_at_a_later_time_gives_that_time_as_the_earliest_not_now() {
    let env = Env::new(); // default pipeline; now = Fri 2026-11-20 15:00
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id]); // into uat: 3 business days of soak

    // Ten days later the soak is long over; only `frozen` blocks.
    let at = "2026-12-10T10:00:00Z";
    let run = env.rel(&["check", &id, "--at", at]);
    run.code(1);
    assert!(
        run.stdout.contains("[frozen]") && !run.stdout.contains("[soak]"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("now"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "earliest: Thu 2026-12-10 10:00 UTC, the time asked (the time rules already pass then)"
        ),
        "{}",
        run.stdout
    );
    let (code, v) = check(&env, &[&id, "--at", at]);
    assert_eq!(code, 1);
    assert_eq!(v["earliest"], at);
    assert_eq!(v["at"], at);
    assert_eq!(v["ready_at"], serde_json::Value::Null);

    // Asked about now, once the soak is over: "now" is the word.
    let mut later = Env { ..env };
    later.now = at.to_string();
    let run = later.rel(&["check", &id]);
    run.code(1);
    assert!(
        run.stdout.contains("earliest: now (the time rules pass)"),
        "{}",
        run.stdout
    );
}

// ---- 2. a schedule out of order: the order, not a soak of 0 days ----

#[test]
fn rescheduling_staging_after_production_gives_the_order_alone() {
    let env = Env::new();
    let id = new_release(&env, "1.4.1"); // a patch: no soak in uat or staging
    one_commit(&env, &["promote", &id]);
    let at = |t: &str| format!("2026-11-28T{t}:00:00Z");
    one_commit(
        &env,
        &["schedule", &id, "--to", "staging", "--at", &at("02")],
    );
    one_commit(
        &env,
        &["schedule", &id, "--to", "production", "--at", &at("03")],
    );
    let run = refused(
        &env,
        &[
            "reschedule",
            &id,
            "--to",
            "staging",
            "--at",
            &at("04"),
            "--reason",
            "later",
        ],
        1,
    );
    assert!(run.stderr.contains("[order]"), "{}", run.stderr);
    assert!(!run.stderr.contains("[soak]"), "{}", run.stderr);
    assert!(!run.stderr.contains("0 business day"), "{}", run.stderr);

    let run = env.rel(&[
        "--json",
        "reschedule",
        &id,
        "--to",
        "staging",
        "--at",
        &at("04"),
        "--reason",
        "later",
    ]);
    run.code(1);
    let rules: Vec<String> = run.json()["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["rule"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(rules, ["order"]);
}

// ---- 3. did you mean ----

#[test]
fn an_unknown_release_gets_the_closest_ids_as_a_hint() {
    let env = Env::new();
    for v in ["1.0.0", "1.1.0", "1.2.0"] {
        new_release(&env, v); // R-2026-001, -002, -003
    }
    for cmd in ["show", "check", "promote", "plan", "notes"] {
        let run = refused(&env, &[cmd, "R-2026-01"], 2);
        assert!(
            run.stderr
                .contains("hint: did you mean one of `R-2026-001`, `R-2026-002`, `R-2026-003`?"),
            "{cmd}: {}",
            run.stderr
        );
    }
    // Any case, the closest first; the JSON error carries the hint.
    let run = refused(&env, &["--json", "show", "r-2026-0003"], 2);
    let v = run.json();
    assert_eq!(v["error"]["message"], "unknown release `r-2026-0003`");
    assert_eq!(
        v["error"]["hint"],
        "did you mean one of `R-2026-003`, `R-2026-001`, `R-2026-002`?"
    );
    let run = refused(&env, &["--json", "check", "R-2026-3"], 2);
    assert_eq!(run.json()["error"]["hint"], "did you mean `R-2026-003`?");
    // Nothing close: no hint.
    let run = refused(&env, &["--json", "show", "HOTFIX-9"], 2);
    assert_eq!(run.json()["error"]["hint"], serde_json::Value::Null);
}

#[test]
fn an_unknown_incident_or_environment_gets_the_closest_names() {
    let env = Env::new();
    let id = new_release(&env, "1.0.0");
    one_commit(&env, &["incident", "new", "INC-100", "--title", "A fix"]);
    let run = refused(&env, &["incident", "show", "INC-10"], 2);
    assert!(
        run.stderr.contains("hint: did you mean `INC-100`?"),
        "{}",
        run.stderr
    );
    let run = refused(&env, &["incident", "resolve", "inc-1000"], 2);
    assert!(
        run.stderr.contains("hint: did you mean `INC-100`?"),
        "{}",
        run.stderr
    );
    let run = refused(&env, &["group", &id, "INC-10"], 2);
    assert!(
        run.stderr.contains("hint: did you mean `INC-100`?"),
        "{}",
        run.stderr
    );
    let run = refused(&env, &["--json", "check", &id, "--to", "stagin"], 2);
    assert_eq!(run.json()["error"]["hint"], "did you mean `staging`?");
    let run = refused(&env, &["promote", &id, "--to", "UAT1"], 2);
    assert!(
        run.stderr.contains("hint: did you mean `uat`?"),
        "{}",
        run.stderr
    );
    one_commit(&env, &["installation", "new", "acme", "--version", "5.3.0"]);
    for args in [
        &["installation", "show", "acmee"][..],
        &["new", "--version", "5.3.1", "--installation", "Acm"],
        &["status", "--installation", "acne"],
    ] {
        let run = refused(&env, args, 2);
        assert!(
            run.stderr.contains("hint: did you mean `acme`?"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

// ---- 4. a health check's last line without a new line ----

/// A health check that ends its output without a new line, after long
/// enough for the spinner to turn.
const UNENDED: &str = r#"
[[environments]]
name = "dev"
health_check = "echo first; sleep 0.6; printf done"

[[environments]]
name = "live"
"#;

/// The lines a terminal shows once it has received `bytes`: carriage
/// return, new line, erase line (`ESC[2K`, `ESC[K`) and cursor up
/// (`ESC[nA`) acted on; other escapes ignored.
fn screen(bytes: &str) -> Vec<String> {
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = bytes.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                col = 0;
                if lines.len() <= row {
                    lines.push(Vec::new());
                }
            }
            '\x1b' => {
                if chars.peek() != Some(&'[') {
                    continue;
                }
                chars.next();
                let mut arg = String::new();
                let mut end = ' ';
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        end = d;
                        break;
                    }
                    arg.push(d);
                }
                match (end, arg.as_str()) {
                    ('K', "2") => lines[row].clear(),
                    ('K', "" | "0") => lines[row].truncate(col),
                    ('A', n) => row = row.saturating_sub(n.parse().unwrap_or(1)),
                    _ => {}
                }
            }
            c => {
                let line = &mut lines[row];
                while line.len() < col {
                    line.push(' ');
                }
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_string())
        .collect()
}

#[test]
fn the_screen_emulation_erases_what_a_terminal_erases() {
    assert_eq!(screen("ab\r\x1b[2Kc\nd"), ["c", "d"]);
    assert_eq!(screen("abc\rx\x1b[K\n"), ["x", ""]);
}

#[test]
fn on_a_terminal_a_last_line_without_a_new_line_stays_on_the_screen() {
    let env = Env::with_pipeline(UNENDED);
    let id = new_release(&env, "1.0.0");
    let Some((code, shown)) = on_a_terminal(&env, &format!("verify {id}")) else {
        eprintln!("skipped: no `script` program to give rel a terminal");
        return;
    };
    assert_eq!(code, 0, "{shown:?}");
    let lines = screen(&shown);
    assert!(lines.iter().any(|l| l == "first"), "{lines:?}\n{shown:?}");
    assert!(lines.iter().any(|l| l == "done"), "{lines:?}\n{shown:?}");
    assert!(
        lines
            .iter()
            .any(|l| l == "R-2026-001 health check in dev: passed"),
        "{lines:?}"
    );
    // The report keeps the output as it came, with no new line added.
    let report = env.git(&["show", &format!("HEAD:releases/reports/{id}/dev-1.log")]);
    assert_eq!(report, "first\ndone");
}

// ---- 5. the synopsis names the values options take ----

#[test]
fn man_page_synopses_name_the_values_of_their_options() {
    let env = Env::empty();
    let out = env.tmp.path().join("man");
    env.rel(&["man", "--output", out.to_str().expect("utf-8 path")])
        .ok();
    let synopsis = |page: &str| -> String {
        let text = std::fs::read_to_string(out.join(page)).expect("page");
        let line = text
            .lines()
            .skip_while(|l| *l != ".SH SYNOPSIS")
            .nth(1)
            .expect("a synopsis line")
            .to_string();
        // The words as man shows them: no fonts, no escaped hyphens.
        line.replace("\\fB", "")
            .replace("\\fR", "")
            .replace("\\fI", "")
            .replace("\\-", "-")
    };
    let promote = synopsis("rel-promote.1");
    for part in [
        "[-C DIR]",
        "[--to ENV]",
        "[--override RULE...]",
        "[--reason REASON]",
        "[-y|--yes]",
        "<RELEASE>",
    ] {
        assert!(promote.contains(part), "{part} not in {promote}");
    }
    assert!(!promote.contains("[-C ]"), "{promote}");
    let check = synopsis("rel-check.1");
    assert!(check.contains("[--to ENV] [--at TIME]"), "{check}");
    let group = synopsis("rel-group.1");
    assert!(group.ends_with("<RELEASE> <INCIDENT>... "), "{group:?}");
    let schedule = synopsis("rel-schedule.1");
    assert!(schedule.contains("<--at TIME>"), "{schedule}");
    let incident = synopsis("rel-incident-new.1");
    assert!(
        incident.contains("[--component KIND:NAME]...") && incident.contains("<--title TITLE>"),
        "{incident}"
    );
    assert!(synopsis("rel.1").starts_with("rel [-C DIR] [--json]"));
}

// ---- 6. the audit's bar guesses no time left from too little ----

#[test]
fn on_a_terminal_a_short_audit_guesses_no_time_left() {
    let env = Env::with_pipeline(UNENDED);
    for v in ["1.0.0", "1.1.0", "1.2.0"] {
        new_release(&env, v);
    }
    let Some((code, shown)) = on_a_terminal(&env, "audit") else {
        eprintln!("skipped: no `script` program to give rel a terminal");
        return;
    };
    assert_eq!(code, 0, "{shown:?}");
    // The bar was drawn, with the time spent, but a run this short (well
    // under the two seconds a guess waits for) says nothing of time left.
    assert!(shown.contains("audit: commits"), "{shown:?}");
    assert!(shown.contains("5/5 (0s)"), "{shown:?}");
    assert!(!shown.contains("left"), "{shown:?}");
}

// ---- 7. `rel new --installation` needs no title ----

#[test]
fn an_update_of_an_installation_has_a_default_title_a_product_release_needs_one() {
    let env = Env::new();
    one_commit(&env, &["installation", "new", "acme", "--version", "5.3.0"]);
    let run = one_commit(
        &env,
        &["new", "--version", "5.3.1", "--installation", "ACME"],
    );
    assert_eq!(run.stdout.trim(), "acme-5.3.1");
    let shown = env.rel(&["--json", "show", "acme-5.3.1"]).ok().json();
    assert_eq!(shown["title"], "Update of acme to 5.3.1");
    assert!(env.last_message().contains("Update of acme to 5.3.1"));
    // A title given is the title.
    one_commit(
        &env,
        &[
            "new",
            "--version",
            "5.3.2",
            "--installation",
            "acme",
            "--title",
            "Spring fixes",
        ],
    );
    let shown = env.rel(&["--json", "show", "acme-5.3.2"]).ok().json();
    assert_eq!(shown["title"], "Spring fixes");

    // A release of the product: exit 2, nothing written, saying why.
    let run = refused(&env, &["new", "--version", "1.0.0"], 2);
    assert!(
        run.stderr
            .contains("--title is needed for a release of the product"),
        "{}",
        run.stderr
    );
    let run = refused(&env, &["--json", "new", "--version", "1.0.0"], 2);
    assert_eq!(run.json()["error"]["kind"], "usage");
    // A blank title is no title.
    let run = refused(
        &env,
        &[
            "new",
            "--version",
            "5.3.3",
            "--installation",
            "acme",
            "--title",
            " ",
        ],
        2,
    );
    assert!(run.stderr.contains("--title needs"), "{}", run.stderr);
}
