//! A health check runs at most `health_timeout` (default 30m): then it is
//! killed with every process it started, and the report is recorded as
//! failed ("timed out after ..."), exit 1.

use std::time::{Duration, Instant};

use crate::common::git::refused;
use crate::common::releases::{check, codes, manifest, new_release};
use crate::common::Env;

fn pipeline(check: &str, timeout: Option<&str>) -> String {
    let timeout = timeout
        .map(|t| format!("health_timeout = \"{t}\"\n"))
        .unwrap_or_default();
    format!(
        "[[environments]]\nname = \"dev\"\nhealth_check = '''{check}'''\n{timeout}\n\
         [[environments]]\nname = \"live\"\nrequires_health = true\n"
    )
}

/// Processes whose command line contains `marker` (zombies have none).
/// Each test uses its own marker: tests run in parallel.
fn processes_with(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if text.contains(marker) {
                found.push(format!("{}: {text}", entry.file_name().to_string_lossy()));
            }
        }
    }
    found
}

/// No process with `marker` left, allowing the kernel a moment to finish
/// off the killed ones.
#[track_caller]
fn none_left(marker: &str) {
    let until = Instant::now() + Duration::from_secs(3);
    while !processes_with(marker).is_empty() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(processes_with(marker), Vec::<String>::new());
}

#[test]
fn a_check_past_its_timeout_is_killed_with_its_children_and_recorded_failed() {
    // The grandchild keeps rel's stdout and stderr open: `output()` here
    // would wait for ever if it survived.
    let env = Env::with_pipeline(&pipeline("sleep 987611 & sleep 987612", Some("1s")));
    let id = new_release(&env, "1.0.0");
    let before = env.commit_count();
    let started = Instant::now();
    let run = env.rel(&["verify", &id]);
    let took = started.elapsed();
    run.code(1);
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert!(run.stderr.contains("timed out after 1s"), "{}", run.stderr);
    none_left("sleep 98761");
    assert_eq!(env.commit_count(), before + 1);
    assert!(
        env.last_message()
            .starts_with(&format!("rel: verify {id} in dev: failed")),
        "{}",
        env.last_message()
    );
    let report = &manifest(&env, &id)["health"][0];
    assert_eq!(report["passed"], false, "{report}");
    assert_eq!(report["detail"], "timed out after 1s", "{report}");
    assert!(
        report["duration_ms"].as_u64().expect("ms") >= 1000,
        "{report}"
    );
    let show = env.rel(&["show", &id]).ok().stdout.clone();
    assert!(show.contains("timed out after 1s"), "{show}");
    let (code, v) = check(&env, &[&id]);
    assert_eq!((code, codes(&v)), (1, vec!["health".to_string()]));
}

#[test]
fn what_a_passing_check_leaves_running_is_killed_with_it() {
    let env = Env::with_pipeline(&pipeline("sleep 987621 & exit 0", None));
    let id = new_release(&env, "1.0.0");
    let started = Instant::now();
    env.rel(&["verify", &id]).ok();
    assert!(started.elapsed() < Duration::from_secs(8));
    none_left("sleep 987621");
    let report = &manifest(&env, &id)["health"][0];
    assert_eq!(report["passed"], true, "{report}");
    assert!(report.get("detail").is_none(), "{report}");
}

#[test]
fn health_timeout_is_shown_by_env_and_defaults_to_30m() {
    let env = Env::with_pipeline(&pipeline("true", Some("90s")));
    let v = env.rel(&["--json", "env"]).ok().json();
    assert_eq!(v["environments"][0]["health_timeout"], "1m30s");
    assert_eq!(v["environments"][1]["health_timeout"], "30m");
    let text = env.rel(&["env"]).ok().stdout.clone();
    assert!(text.contains("stopped after 1m30s"), "{text}");

    let env = Env::with_pipeline(&pipeline("true", Some("2h")));
    let v = env.rel(&["--json", "env"]).ok().json();
    assert_eq!(v["environments"][0]["health_timeout"], "2h");
}

#[test]
fn a_malformed_health_timeout_is_exit_2_with_line_and_column() {
    for (value, column) in [
        ("\"30 minutes\"", 18),
        ("\"0s\"", 18),
        ("\"1w\"", 18),
        ("30", 18),
    ] {
        let text = format!("[[environments]]\nname = \"dev\"\nhealth_timeout = {value}\n");
        let env = Env::with_pipeline(&text);
        let id_run = env.rel(&["env"]);
        id_run.code(2);
        assert!(
            id_run
                .stderr
                .contains(&format!("environments.toml:3:{column}")),
            "{value}: {}",
            id_run.stderr
        );
        // Nothing runs and nothing is written on such a pipeline.
        refused(&env, &["verify", "R-2026-001"], 2);
    }
}

#[test]
fn a_signal_that_stops_rel_stops_the_check_too() {
    // The check runs in its own process group, out of reach of the
    // terminal's Ctrl-C: rel passes the signal on before it dies of it.
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;

    let env = Env::with_pipeline(&pipeline("sleep 987631 & sleep 987632", None));
    let id = new_release(&env, "1.0.0");
    let before = env.commit_count();
    let mut rel = env
        .cmd(&["verify", &id])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn rel");
    let until = Instant::now() + Duration::from_secs(20);
    while processes_with("sleep 987632").is_empty() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = rel.id().to_string();
    env.program("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    let status = rel.wait().expect("wait");
    assert_eq!(status.signal(), Some(15), "{status:?}");
    none_left("sleep 98763");
    assert_eq!(env.commit_count(), before, "nothing recorded");
}
