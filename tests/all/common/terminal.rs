//! Running `rel` as a user at a terminal sees it.

use super::Env;

/// Runs `rel ARGS` on a pseudo-terminal (`script` from util-linux); None
/// when there is no `script`. The exit code and what the terminal received.
#[must_use]
pub fn on_a_terminal(env: &Env, args: &str) -> Option<(i32, String)> {
    let rel = assert_cmd::cargo::cargo_bin("rel");
    let out = env
        .program("script")
        .args(["-qec", &format!("{} {args}", rel.display()), "/dev/null"])
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}
