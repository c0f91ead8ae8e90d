//! Progress for long work (contract section 10) is drawn on a terminal
//! only: with stderr not a terminal (tests, CI, scripts) or with --json,
//! nothing but the messages is printed.

use crate::common::releases::new_release;
use crate::common::terminal::on_a_terminal;
use crate::common::Env;

/// A pipeline whose first environment's health check talks and takes time.
const PIPELINE: &str = r#"
[[environments]]
name = "dev"
health_check = "echo first; sleep 0.6; echo second >&2; sleep 0.6; echo third"

[[environments]]
name = "live"
"#;

/// What a spinner or bar draws: a carriage return, an erase-line escape,
/// or one of indicatif's spinner and bar characters.
fn drawn(text: &str) -> bool {
    text.contains('\r')
        || text.contains("\x1b[")
        || text
            .chars()
            .any(|c| ('\u{2800}'..='\u{28ff}').contains(&c) || c == '█')
}

#[test]
fn without_a_terminal_verify_and_audit_print_no_progress() {
    let env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "1.0.0");
    let run = env.rel(&["verify", &id]);
    run.ok();
    assert!(!drawn(&run.stderr), "{:?}", run.stderr);
    // The check's output comes through as it was written: its stdout on
    // rel's stdout, its stderr on rel's stderr.
    assert_eq!(
        run.stdout.lines().take(2).collect::<Vec<_>>(),
        ["first", "third"]
    );
    assert!(run.stderr.lines().any(|l| l == "second"), "{}", run.stderr);
    assert!(!run.stderr.contains("health check of"), "{}", run.stderr);

    let run = env.rel(&["audit"]);
    run.ok();
    assert!(
        !drawn(&run.stderr) && !drawn(&run.stdout),
        "{:?}",
        run.stderr
    );
    assert!(!run.stderr.contains("audit:"), "{}", run.stderr);
}

#[test]
fn on_a_terminal_verify_draws_a_spinner_then_clears_it() {
    let env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "1.0.0");
    let Some((code, screen)) = on_a_terminal(&env, &format!("verify {id}")) else {
        eprintln!("skipped: no `script` program to give rel a terminal");
        return;
    };
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("health check of R-2026-001 in dev"),
        "{screen:?}"
    );
    assert!(drawn(&screen), "{screen:?}");
    // The check's lines are shown above the spinner, each whole.
    for line in ["first", "second", "third"] {
        assert!(screen.contains(line), "{screen:?}");
    }
    // Cleared before the result: the last line is the result alone.
    let last = screen.trim_end().rsplit(['\n', '\r']).next().unwrap_or("");
    assert_eq!(last, "R-2026-001 health check in dev: passed", "{screen:?}");

    // With --json, nothing is drawn even on a terminal.
    let (code, screen) =
        on_a_terminal(&env, &format!("--json verify {id}")).expect("script ran before");
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("health check of"), "{screen:?}");
}

#[test]
fn on_a_terminal_audit_draws_a_bar_over_the_commits_then_clears_it() {
    let env = Env::with_pipeline(PIPELINE);
    new_release(&env, "1.0.0");
    let Some((code, screen)) = on_a_terminal(&env, "audit") else {
        eprintln!("skipped: no `script` program to give rel a terminal");
        return;
    };
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("audit: commits"), "{screen:?}");
    assert!(screen.contains("3/3"), "{screen:?}");
    let last = screen.trim_end().rsplit(['\n', '\r']).next().unwrap_or("");
    assert!(last.contains("audited: 0 findings"), "{screen:?}");
}
