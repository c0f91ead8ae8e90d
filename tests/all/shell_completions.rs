//! `rel completions SHELL` (contract section 10): a script for each shell,
//! made from the command line's definitions, that the shell itself accepts.

use std::process::Command;

use crate::common::Env;

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "powershell", "elvish"];

/// Whether `program` is installed. Absent, the check that needs it is
/// skipped with a note, except in CI (`CI=true`), where .ci/run installs
/// it: there a missing program must not pass for a passing check.
pub fn have(program: &str) -> bool {
    let found = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "`{program}` is not installed, and .ci/run installs it in CI"
        );
        eprintln!("skipped: `{program}` is not installed (apt-get install {program})");
    }
    found
}

/// The script for `shell`, written to a file of the temporary folder.
fn script(env: &Env, shell: &str) -> std::path::PathBuf {
    let run = env.rel(&["completions", shell]);
    run.ok();
    let path = env.tmp.path().join(format!("rel.{shell}"));
    std::fs::write(&path, &run.stdout).expect("write the script");
    path
}

#[test]
fn every_shell_gets_a_script_naming_the_commands_and_options() {
    let env = Env::empty();
    for shell in SHELLS {
        let run = env.rel(&["completions", shell]);
        run.ok();
        assert!(run.stderr.is_empty(), "{shell}: {}", run.stderr);
        for word in ["promote", "incident", "schedule", "worktree", "override"] {
            assert!(run.stdout.contains(word), "{shell} script lacks {word}");
        }
        // rel's internals are not offered on Tab.
        for hidden in ["__render-template", "rel-man", "'man'"] {
            assert!(!run.stdout.contains(hidden), "{shell} offers {hidden}");
        }
    }
}

#[test]
fn completions_need_no_repository_and_write_nothing() {
    let env = Env::empty();
    env.assert_unchanged(|| {
        env.rel(&["completions", "bash"]).ok();
    });
    assert!(!env.path(".git").exists());
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let env = Env::empty();
    let run = env.rel(&["completions", "tcsh"]);
    run.code(2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("possible values"), "{}", run.stderr);
    crate::outcomes_json::error_of(&env, &["completions", "tcsh"], 2, "usage");
    env.rel(&["completions"]).code(2);
}

#[test]
fn with_json_the_script_is_one_document() {
    let env = Env::empty();
    let doc = env.rel(&["--json", "completions", "fish"]).ok().json();
    assert_eq!(doc["shell"], "fish");
    let plain = env.rel(&["completions", "fish"]).ok().stdout.clone();
    assert_eq!(doc["script"], plain.as_str());
}

#[test]
fn bash_accepts_the_script_and_completes_from_it() {
    let env = Env::empty();
    let path = script(&env, "bash");
    let check = env.program("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // What Tab offers after `rel pro` and after `rel promote --`.
    let complete = |words: &str, cword: usize| -> String {
        let probe = format!(
            "source '{}'; COMP_WORDS=({words}); COMP_CWORD={cword}; _rel rel \"${{COMP_WORDS[$COMP_CWORD]}}\" rel; echo \"${{COMPREPLY[*]}}\"",
            path.display()
        );
        let out = env.program("bash").arg("-c").arg(probe).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(complete("rel pro", 1), "promote");
    let options = complete("rel promote --", 2);
    for option in ["--to", "--override", "--reason", "--json", "--yes"] {
        assert!(options.split(' ').any(|o| o == option), "{options}");
    }
}

#[test]
fn zsh_accepts_the_script() {
    if !have("zsh") {
        return;
    }
    let env = Env::empty();
    let path = script(&env, "zsh");
    let check = env.program("zsh").arg("-n").arg(&path).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Loaded into a completion system, it defines the completer.
    let probe = format!(
        "autoload -U compinit; compinit -u -D; source '{}'; (( $+functions[_rel] )) && print defined",
        path.display()
    );
    let out = env.program("zsh").args(["-fc", &probe]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "defined",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn fish_accepts_the_script_and_completes_from_it() {
    if !have("fish") {
        return;
    }
    let env = Env::empty();
    let path = script(&env, "fish");
    let check = env
        .program("fish")
        .arg("--no-execute")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let probe = format!(
        "source '{}'; complete -C 'rel pro'; complete -C 'rel promote --'",
        path.display()
    );
    let out = env.program("fish").args(["-c", &probe]).output().unwrap();
    let offered = String::from_utf8_lossy(&out.stdout);
    assert!(
        offered.lines().any(|l| l.starts_with("promote\t")),
        "{offered}"
    );
    assert!(
        offered.lines().any(|l| l.starts_with("--override\t")),
        "{offered}"
    );
}

#[test]
fn a_reader_that_stops_early_is_no_failure() {
    use std::io::Read;
    let env = Env::empty();
    // The script is larger than a pipe holds: rel meets the closed pipe.
    let mut child = env
        .cmd(&["completions", "powershell"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
