//! Nothing rel finds under `.git` decides an answer or a write (contract
//! 11.1): rel keeps no cache there but the archive's (its own tests are
//! in archive_cache.rs; this repository archives no incident). Whatever stands under `.git/rel` (the
//! files earlier versions kept, garbage, a FIFO that would block a reader,
//! a link to `/dev/zero` that never ends, an 8 GB sparse file), and
//! whether it is deleted or edited between two runs, every command answers
//! as without it, in bounded time; and a file that claims no release is in
//! an exclusive environment does not let a second one in. The crash
//! journal, the one file rel reads there, is read only when plain and small.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::answers::{answers, Answer};
use crate::common::git::{one_commit, refused};
use crate::common::releases::{freeze, group_ready_incident, new_release};
use crate::common::Env;

/// Commands about work in progress and about the past, as people and
/// tools ask them.
const READS: &[&[&str]] = &[
    &["status"],
    &["--json", "status"],
    &["check", "R-2026-001"],
    &["--json", "check", "R-2026-002"],
    &["plan", "R-2026-002"],
    &["show", "R-2026-001"],
    &["show", "R-2026-003"],
    &["list"],
    &["list", "--state", "all"],
    &["--json", "list", "--state", "all"],
    &["incident", "list"],
    &["--json", "incident", "list"],
    &["incident", "list", "--all"],
    &["--json", "incident", "list", "--all"],
    &["log"],
    &["due"],
    &["installation", "list"],
];

/// Two releases in progress (the first frozen, holding an incident) and a
/// third closed into the archive with the incident it shipped.
fn repository() -> Env {
    let env = Env::new();
    let r1 = new_release(&env, "1.0.0");
    freeze(&env, &r1);
    let r2 = new_release(&env, "1.1.0");
    group_ready_incident(&env, &r2, "INC-2");
    let r3 = new_release(&env, "1.2.0");
    env.rel(&["cancel", &r3, "--reason", "not needed"]).ok();
    env.rel(&["incident", "new", "INC-9", "--title", "Unassigned"])
        .ok();
    env
}

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
pub fn answers_in_time(env: &Env, reads: &[&[&str]]) -> Vec<Answer> {
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

/// What earlier versions kept under `.git/rel`, with contents that are
/// not what rel writes (any content: nothing reads them).
const KEPT_BY_EARLIER_RELS: &[&str] = &[
    "cache-v1/releases",
    "cache-v1/incidents",
    "cache-v1/open-releases",
    "cache-v1/listing-releases",
    "trees-v1/tree-releases",
    "trees-v1/tree-incidents",
    "json-v1/incidents/first",
    "loose-bytes",
];

/// What makes one file under `.git/rel`.
type Make = dyn Fn(&Path);

/// `.git/rel` holding each of `KEPT_BY_EARLIER_RELS` made by `make`.
fn fill(env: &Env, make: impl Fn(&Path)) {
    let _ = std::fs::remove_dir_all(env.path(".git/rel"));
    for name in KEPT_BY_EARLIER_RELS {
        let path = env.path(".git/rel").join(name);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        make(&path);
    }
}

#[test]
fn rel_keeps_nothing_under_git_rel() {
    let env = repository();
    answers(&env, READS);
    one_commit(&env, &["promote", "R-2026-002"]);
    assert!(
        !env.path(".git/rel").exists(),
        "rel wrote under .git/rel: {:?}",
        files_under(&env.path(".git/rel"))
    );
}

#[test]
fn whatever_stands_under_git_rel_every_answer_is_the_same() {
    let env = repository();
    let expected = answers(&env, READS);
    assert_eq!(expected[0].0, 0, "{}", expected[0].2);
    assert!(expected[8].1.contains("R-2026-003"), "{}", expected[8].1);
    let ways: [(&str, &Make); 5] = [
        ("garbage", &|p| {
            std::fs::write(p, b"REL\0\x01garbage\xff").expect("write")
        }),
        ("empty files", &|p| std::fs::write(p, b"").expect("write")),
        ("FIFOs", &|p| {
            let made = std::process::Command::new("mkfifo")
                .arg(p)
                .status()
                .expect("mkfifo");
            assert!(made.success());
        }),
        ("links to /dev/zero", &|p| {
            std::os::unix::fs::symlink("/dev/zero", p).expect("symlink")
        }),
        ("8 GB sparse files", &|p| {
            let f = std::fs::File::create(p).expect("create");
            f.set_len(8 << 30).expect("sparse");
        }),
    ];
    for (what, make) in ways {
        fill(&env, make);
        let got = answers_in_time(&env, READS);
        for (args, (want, got)) in READS.iter().zip(expected.iter().zip(&got)) {
            assert_eq!(want, got, "{what}: rel {}", args.join(" "));
        }
    }
    // Deleted, then edited, between two runs of the same commands.
    let _ = std::fs::remove_dir_all(env.path(".git/rel"));
    assert_eq!(answers_in_time(&env, READS), expected, "deleted");
    fill(&env, |p| std::fs::write(p, b"edited").expect("write"));
    assert_eq!(answers_in_time(&env, READS), expected, "edited");
    let _ = std::fs::remove_dir_all(env.path(".git/rel"));
}

#[test]
fn a_file_claiming_no_release_is_in_staging_lets_no_second_one_in() {
    let env = Env::with_pipeline(
        "[[environments]]\nname = \"dev\"\n\n[[environments]]\nname = \"stage\"\nexclusive = true\n\n[[environments]]\nname = \"live\"\n",
    );
    let a = new_release(&env, "1.0.0");
    let b = new_release(&env, "1.0.1");
    one_commit(&env, &["promote", &a]); // a in stage
    let expected = refused(&env, &["promote", &b], 1);
    assert!(
        expected.stderr.contains("[exclusive]"),
        "{}",
        expected.stderr
    );
    // Files where earlier versions kept the releases in progress, saying
    // that nothing is (an empty set for this very tree), or naming only b.
    let tree = env.git(&["rev-parse", "HEAD:releases"]);
    for claim in [
        String::new(),
        tree.trim().to_string(),
        format!("{b}.toml open"),
    ] {
        fill(&env, |p| {
            std::fs::write(p, claim.as_bytes()).expect("write")
        });
        let run = refused(&env, &["promote", &b], 1);
        assert_eq!(run.stderr, expected.stderr, "claim {claim:?}");
        let run = refused(&env, &["--json", "promote", &b], 1);
        assert_eq!(run.json()["violations"][0]["rule"], "exclusive");
    }
    let _ = std::fs::remove_dir_all(env.path(".git/rel"));
    // Once a has moved on, b may come in.
    one_commit(&env, &["promote", &a]);
    one_commit(&env, &["promote", &b]);
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
