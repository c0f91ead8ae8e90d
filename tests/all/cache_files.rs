//! Whatever stands where rel keeps a file of its own under `.git` (a cache
//! file, the crash journal): a FIFO that would block a reader, a link to
//! `/dev/zero` that never ends. rel answers as without it, in bounded
//! time, and never follows the link.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::answers::{answers, copies_of_incident, Answer};
use crate::common::Env;
use crate::promotion::{group_ready_incident, new_release};

const READS: &[&[&str]] = &[
    &["status"],
    &["check", "R-2026-001"],
    &["show", "R-2026-001"],
    &["list"],
    &["incident", "list"],
    &["--json", "incident", "list"],
];

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read the cache folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The answers of `READS`, each within 60 seconds (a read blocked on a
/// FIFO would otherwise hang the test run).
fn answers_in_time(env: &Env, reads: &[&[&str]]) -> Vec<Answer> {
    reads
        .iter()
        .map(|args| {
            let child = env
                .cmd(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn rel");
            let pid = child.id();
            // Read while it runs (a full pipe would block it), on a thread
            // the deadline does not wait for.
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let _ = tx.send(child.wait_with_output());
            });
            let Ok(out) = rx.recv_timeout(Duration::from_secs(60)) else {
                let _ = std::process::Command::new("kill")
                    .args(["-9", &pid.to_string()])
                    .status();
                panic!("rel {} did not finish", args.join(" "));
            };
            let out = out.expect("output");
            (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .collect()
}

#[test]
fn a_fifo_or_a_link_to_dev_zero_in_place_of_a_cache_file_is_not_read() {
    let env = Env::new();
    let r1 = new_release(&env, "1.0.0");
    group_ready_incident(&env, &r1, "INC-1");
    env.rel(&["incident", "new", "INC-0", "--title", "Model"])
        .ok();
    copies_of_incident(&env, "INC-0", "Model", 2..2002);
    let _ = std::fs::remove_dir_all(env.path(".git/rel"));
    let expected = answers(&env, READS);
    assert_eq!(expected[0].0, 0, "{}", expected[0].2);
    let kept = files_under(&env.path(".git/rel"));
    assert!(kept.len() >= 5, "the caches were written: {kept:?}");

    for what in ["a FIFO", "a link to /dev/zero"] {
        answers(&env, READS);
        for file in files_under(&env.path(".git/rel")) {
            std::fs::remove_file(&file).expect("remove");
            if what == "a FIFO" {
                let made = std::process::Command::new("mkfifo")
                    .arg(&file)
                    .status()
                    .expect("mkfifo");
                assert!(made.success());
            } else {
                std::os::unix::fs::symlink("/dev/zero", &file).expect("symlink");
            }
        }
        let got = answers_in_time(&env, READS);
        for (args, (want, got)) in READS.iter().zip(expected.iter().zip(&got)) {
            assert_eq!(want, got, "{what}: rel {}", args.join(" "));
        }
        let _ = std::fs::remove_dir_all(env.path(".git/rel"));
    }
}

#[test]
fn a_fifo_in_place_of_the_crash_journal_is_not_read() {
    let env = Env::new();
    new_release(&env, "1.0.0");
    let made = std::process::Command::new("mkfifo")
        .arg(env.path(".git/rel-journal"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let got = answers_in_time(&env, &[&["status"]]);
    assert_eq!(got[0].0, 0, "{}", got[0].2);
    assert!(got[0].1.contains("R-2026-001"), "{}", got[0].1);
    assert!(
        !env.path(".git/rel-journal").exists(),
        "the journal is gone"
    );
}
