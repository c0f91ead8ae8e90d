//! The archive cache (issue 20): `rel incident list --all` keeps what its
//! table shows of each archived folder in one file per folder tree under
//! `.git/rel/archive-v1/`. Whatever happens to those files (deleted, cut,
//! edited, swapped, replaced by a link, a FIFO or a huge file), and when
//! the archive changed since they were written, every answer is byte for
//! byte the answer without them.

use std::path::PathBuf;

use crate::answers::{answers, Answer};
use crate::common::Env;
use crate::nothing_kept::answers_in_time;

const READS: &[&[&str]] = &[
    &["incident", "list", "--all"],
    &["--json", "incident", "list", "--all"],
    &["incident", "list", "--all", "--status", "closed"],
    &["incident", "list", "--all", "--unassigned"],
    &["incident", "list", "--all", "--status", "resolved"],
];

/// An archived incident of `year`, shipped by `release` (None: none).
fn archived(env: &Env, year: u32, n: u32, release: Option<&str>, title: &str) {
    let id = format!("INC-{year}-{n:03}");
    let mut text =
        format!("id = \"{id}\"\ntitle = \"{title}\"\nstatus = \"closed\"\nbreaking = false\n");
    if let Some(r) = release {
        text.push_str(&format!("release = \"{r}\"\n"));
    }
    text.push_str(&format!(
        "created_at = \"{year}-01-02T03:04:05Z\"\ncreated_by = \"A <a@example.com>\"\n"
    ));
    if n.is_multiple_of(3) {
        text.push_str(&format!(
            "\n[authorisation]\nby = \"Client\"\nat = \"{year}-01-03T00:00:00Z\"\nrecorded_by = \"A <a@example.com>\"\n"
        ));
    }
    if n.is_multiple_of(5) {
        text.push_str(&format!(
            "\n[[evidence]]\nreference = \"t-{n}.docx\"\nby = \"A <a@example.com>\"\nat = \"{year}-01-04T00:00:00Z\"\n"
        ));
    }
    env.write(
        &format!("releases/archive/{year}/incidents/{id}.toml"),
        &text,
    );
}

/// Two archived years of 150 incidents each (more than one reading
/// thread's share), titles of every width, one with a tab shown escaped,
/// one unassigned; and an open incident in the register.
fn repository() -> Env {
    let env = Env::new();
    env.rel(&["incident", "new", "INC-9", "--title", "In the register"])
        .ok();
    for year in [2024, 2025] {
        for n in 0..150 {
            let title = match n {
                7 => "Tab\\there".to_string(),
                8 => "Ünïcödé wide 漢字 title".to_string(),
                _ => format!("Title {}", "x".repeat((n % 40) as usize)),
            };
            let release = (n != 11).then(|| format!("R-{year}-{:03}", n / 10));
            archived(&env, year, n, release.as_deref(), &title);
        }
    }
    env.commit_all("hand edit: an archive");
    env
}

fn cache_files(env: &Env) -> Vec<PathBuf> {
    let dir = env.path(".git/rel/archive-v1");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// The answers of `READS`, each without any cache.
fn cold(env: &Env) -> Vec<Answer> {
    READS
        .iter()
        .map(|args| {
            let _ = std::fs::remove_dir_all(env.path(".git/rel"));
            answers(env, &[args]).remove(0)
        })
        .collect()
}

#[test]
fn the_listing_is_the_same_with_the_cache_and_without() {
    let env = repository();
    let expected = cold(&env);
    assert_eq!(expected[0].0, 0, "{}", expected[0].2);
    assert!(expected[0].1.contains("INC-2025-149"), "{}", expected[0].1);
    assert!(expected[0].1.contains("Tab\\there"), "{}", expected[0].1);
    assert_eq!(expected[4].2, "no incidents\n");
    // Written by the first listing: one file per archived folder.
    let _ = std::fs::remove_dir_all(env.path(".git/rel"));
    assert_eq!(answers(&env, READS), expected, "kept");
    assert_eq!(cache_files(&env).len(), 2);
    assert_eq!(answers(&env, READS), expected, "read from the cache");
}

#[test]
fn whatever_happens_to_the_cache_files_every_answer_is_the_same() {
    let env = repository();
    let expected = cold(&env);
    type Spoil = dyn Fn(&std::path::Path, &[u8], &[u8]);
    let ways: [(&str, &Spoil); 9] = [
        ("deleted", &|p, _, _| std::fs::remove_file(p).unwrap()),
        ("emptied", &|p, _, _| std::fs::write(p, b"").unwrap()),
        ("cut", &|p, good, _| {
            std::fs::write(p, &good[..good.len() / 2]).unwrap()
        }),
        ("one byte edited", &|p, good, _| {
            let mut bad = good.to_vec();
            bad[good.len() / 2] ^= 1;
            std::fs::write(p, bad).unwrap()
        }),
        ("garbage", &|p, _, _| {
            std::fs::write(p, b"REL\0\x01garbage\xff").unwrap()
        }),
        ("the other folder's file", &|p, _, other| {
            std::fs::write(p, other).unwrap()
        }),
        ("a link to /dev/zero", &|p, _, _| {
            std::fs::remove_file(p).unwrap();
            std::os::unix::fs::symlink("/dev/zero", p).unwrap()
        }),
        ("a FIFO", &|p, _, _| {
            std::fs::remove_file(p).unwrap();
            let made = std::process::Command::new("mkfifo")
                .arg(p)
                .status()
                .unwrap();
            assert!(made.success());
        }),
        ("an 8 GB sparse file", &|p, _, _| {
            std::fs::File::create(p).unwrap().set_len(8 << 30).unwrap()
        }),
    ];
    for (what, spoil) in ways {
        let _ = std::fs::remove_dir_all(env.path(".git/rel"));
        answers(&env, &[READS[0]]);
        let files = cache_files(&env);
        assert_eq!(files.len(), 2, "{what}");
        let contents: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
        for (i, file) in files.iter().enumerate() {
            spoil(file, &contents[i], &contents[1 - i]);
        }
        assert_eq!(answers_in_time(&env, READS), expected, "{what}");
    }
}

#[test]
fn an_archive_changed_since_the_cache_was_written_is_read_again() {
    let env = repository();
    answers(&env, READS);
    let before = cache_files(&env);
    // A title edited in 2024, an incident added to 2025, 2023 new.
    let path = "releases/archive/2024/incidents/INC-2024-004.toml";
    env.write(path, &env.read(path).replace("Title xxxx", "Edited"));
    archived(&env, 2025, 150, Some("R-2025-099"), "Added");
    archived(&env, 2023, 1, Some("R-2023-001"), "Older");
    env.commit_all("hand edit: the archive changed");
    let stale = answers(&env, READS);
    assert!(stale[0].1.contains("Edited"), "{}", stale[0].1);
    assert!(stale[0].1.contains("INC-2025-150"), "{}", stale[0].1);
    assert!(stale[0].1.contains("INC-2023-001"), "{}", stale[0].1);
    assert_eq!(stale, cold(&env));
    // The files of the folders as they were are gone: one per folder.
    let _ = std::fs::remove_dir_all(env.path(".git/rel"));
    answers(&env, READS);
    let after = cache_files(&env);
    assert_eq!(after.len(), 3);
    assert!(before.iter().all(|b| !after.contains(b)));
}

#[test]
fn a_bad_archived_file_is_the_same_error_with_the_cache_as_without() {
    let env = repository();
    answers(&env, READS);
    env.write(
        "releases/archive/2025/incidents/INC-2025-077.toml",
        "not = [toml",
    );
    env.commit_all("hand edit: garbage");
    let warm = answers(&env, READS);
    assert_eq!(warm[0].0, 2);
    assert!(
        warm[0]
            .2
            .contains("releases/archive/2025/incidents/INC-2025-077.toml"),
        "{}",
        warm[0].2
    );
    assert!(!warm[1].1.contains("INC-9"), "no item before the error");
    assert_eq!(warm, cold(&env));
}
