//! The confirmation before entering a `confirm = true` environment, answered
//! on a real terminal: `script` gives rel a pseudo-terminal whose keyboard
//! is this test's input.

use std::io::Write;
use std::process::Stdio;

use crate::common::Env;

const PIPELINE: &str = r#"
[[environments]]
name = "dev"

[[environments]]
name = "live"
confirm = true
"#;

/// Runs `rel ARGS` on a pseudo-terminal, typing `keys`; None when the
/// `script` program (util-linux) is not installed.
fn on_a_terminal(env: &Env, args: &str, keys: &str) -> Option<(i32, String)> {
    let rel = assert_cmd::cargo::cargo_bin("rel");
    let mut child = env
        .program("script")
        .args(["-qec", &format!("{} {args}", rel.display()), "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(keys.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

#[test]
fn promotion_asks_on_a_terminal_and_no_writes_nothing() {
    let env = Env::with_pipeline(PIPELINE);
    let id = env
        .rel(&["new", "--version", "1.0.0", "--title", "T"])
        .ok()
        .stdout
        .trim()
        .to_string();
    let before = env.snapshot();
    let Some((code, screen)) = on_a_terminal(&env, &format!("promote {id}"), "n") else {
        eprintln!("skipped: no `script` program to give rel a terminal");
        return;
    };
    assert!(
        screen.contains("Promote R-2026-001 1.0.0 from dev to live?"),
        "{screen}"
    );
    assert_eq!(code, 3, "{screen}");
    assert!(screen.contains("not confirmed"), "{screen}");
    assert!(before == env.snapshot(), "declining wrote something");

    let (code, screen) =
        on_a_terminal(&env, &format!("promote {id}"), "y").expect("script ran before");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("promoted dev -> live"), "{screen}");
    let shown = env.rel(&["--json", "show", &id]).ok().json();
    assert_eq!(shown["environment"], "live");
}
