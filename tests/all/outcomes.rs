//! Outcomes around the edges (contract section 5): a reader that closes the
//! pipe is exit 0 and silent; a value quoted in a message is cut to 200
//! characters; a byte that is not UTF-8 and nesting too deep are located
//! in the file, exit 2, never a crash. The JSON of each exit code is in
//! `outcomes_json`.

use std::io::Read;
use std::process::Stdio;

use crate::common::{Env, Run};
use crate::outcomes_json::error_of;
use crate::robustness::{no_panic, repo, R1};

/// Many releases committed by hand, so that `--json list` prints well over
/// a pipe buffer (64 KiB).
fn many_releases(env: &Env, count: usize) {
    env.rel(&["new", "--version", "1.0.0", "--title", "T"]).ok();
    let template = env.read("releases/R-2026-001.toml");
    for n in 2..=count {
        let id = format!("R-2026-{n:04}");
        env.write(
            &format!("releases/{id}.toml"),
            &template.replace("R-2026-001", &id),
        );
    }
    env.commit_all("many releases");
}

#[test]
fn a_reader_that_stops_reading_midway_is_exit_0_and_silent() {
    let env = Env::new();
    many_releases(&env, 2000);
    for args in [&["list"][..], &["--json", "list"]] {
        let mut cmd = env.cmd(args);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn rel");
        // As `head -c 100` does: read a little, then close the pipe while
        // rel still has far more to write.
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0u8; 100];
        stdout.read_exact(&mut first).expect("some output");
        drop(stdout);
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[test]
fn a_10000_character_value_is_quoted_cut_to_200_characters() {
    let env = repo();
    let long = "x".repeat(10_000);
    let cut = format!("{}…", "x".repeat(200));
    for (args, vars) in [
        (vec!["show", long.as_str()], vec![]),
        (vec!["check", R1, "--to", long.as_str()], vec![]),
        (vec!["status"], vec![("REL_NOW", long.as_str())]),
    ] {
        let mut all = vec!["--json"];
        all.extend_from_slice(&args);
        let run = env.rel_env(&all, &vars);
        run.code(2);
        let message = run.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let what = args[0];
        assert!(message.contains(&cut), "{what}: {message}");
        assert!(!message.contains(&"x".repeat(201)), "{what}: {message}");
        assert!(run.stderr.len() < 1000, "{what}: {}", run.stderr);
    }
}

/// Writes raw bytes and commits them as a hand edit.
fn commit_bytes(env: &Env, relative: &str, bytes: &[u8]) {
    std::fs::write(env.path(relative), bytes).expect("write");
    env.commit_all("hand edit");
}

#[test]
fn a_byte_that_is_not_utf8_is_reported_at_its_line_and_column() {
    let env = repo();
    let manifest = format!("releases/{R1}.toml");
    let mut bytes = env.read(&manifest).into_bytes();
    // Line 2 is `title = "T"`: the bad byte goes after `title = "` (column 10).
    let line2 = bytes.iter().position(|&b| b == b'\n').expect("line 1") + 1;
    bytes.insert(line2 + 9, 0xff);
    commit_bytes(&env, &manifest, &bytes);
    let error = error_of(&env, &["show", R1], 2, "invalid");
    let message = error["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with(&format!("{manifest}:2:10: not valid UTF-8")),
        "{message}"
    );

    let pipeline = "environments.toml";
    let mut bytes = env.read(pipeline).into_bytes();
    bytes.extend_from_slice(b"# caf\xc3\xa9 \xc3\x28\n");
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    commit_bytes(&env, pipeline, &bytes);
    let error = error_of(&env, &["env"], 2, "invalid");
    let message = error["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with(&format!("{pipeline}:{lines}:8: not valid UTF-8")),
        "{message}"
    );
}

/// Runs rel, failing the test if it has not finished within 30 seconds.
fn run_bounded(env: &Env, args: &[&str]) -> Run {
    let mut child = env
        .cmd(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rel");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("rel {args:?} still running after 30 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn deep_nesting_is_invalid_input_with_a_location_not_a_crash() {
    let deep = 100_000;
    let cases = [
        "[".repeat(deep),
        format!("a = {}{}", "[".repeat(deep), "]".repeat(deep)),
        format!("a = {}", "{b = ".repeat(deep)),
    ];
    for text in cases {
        for file in ["environments.toml", "releases/R-2026-001.toml"] {
            let env = repo();
            commit_bytes(&env, file, text.as_bytes());
            let run = run_bounded(&env, &["--json", "show", R1]);
            no_panic(file, &run);
            run.code(2);
            let v = run.json();
            assert_eq!(v["error"]["kind"], "invalid", "{v}");
            let message = v["error"]["message"].as_str().unwrap_or("");
            assert!(message.starts_with(&format!("{file}:1:")), "{message}");
            assert!(run.stderr.len() < 2000, "{}", run.stderr);
        }
    }
}
