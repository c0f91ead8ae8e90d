//! The kept trees under `.git/rel/trees-v1`, read a chunk at a time: a
//! kept tree that is deleted, cut, edited to lie, grown, foreign or out of
//! git's order gives the answers of no kept tree, and a damaged one is
//! replaced by a whole one.

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

use crate::answers::{answers, assert_answers, large_register, Answer};
use crate::common::Env;

const READS: &[&[&str]] = &[
    &["show", "R-2026-001"],
    &["--json", "show", "R-2026-001"],
    &["show", "R-2026-002"],
    &["incident", "show", "INC-1"],
    &["incident", "show", "INC-1500"],
    &["incident", "list"],
    &["status"],
    &["check", "R-2026-001"],
];

type Answers = Vec<Answer>;

fn kept(env: &Env) -> PathBuf {
    env.path(".git/rel/trees-v1/tree-incidents")
}

/// The answers with no kept tree at all: the folder removed before each.
fn answers_of_none(env: &Env) -> Answers {
    READS
        .iter()
        .map(|args| {
            let _ = std::fs::remove_dir_all(env.path(".git/rel/trees-v1"));
            let run = env.rel(args);
            (run.code, run.stdout, run.stderr)
        })
        .collect()
}

/// Where `needle` last starts in `haystack` (the raw tree follows the
/// header and index, so an entry's name is found there).
fn last_at(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .rposition(|w| w == needle)
        .expect("found")
}

#[test]
fn any_damage_to_a_kept_tree_gives_the_answers_of_none_and_is_mended() {
    let env = large_register();
    let expected = answers_of_none(&env);
    assert!(
        expected[0].1.contains("INC-1") && expected[3].1.contains("Change INC-1"),
        "{expected:?}"
    );
    answers(&env, READS);
    let good = std::fs::read(kept(&env)).expect("the incidents tree is kept");
    assert_answers(&env, READS, &expected, "warm");

    // INC-1's entry, and the id of INC-3's blob (title "Model").
    let inc1 = last_at(&good, b"INC-1.toml\0") + 11;
    let inc3 = last_at(&good, b"INC-3.toml\0") + 11;
    let mut damages: Vec<(String, Vec<u8>)> = vec![
        ("a lie: INC-1 is INC-3's blob".into(), {
            let mut b = good.clone();
            let other = good[inc3..inc3 + 20].to_vec();
            b[inc1..inc1 + 20].copy_from_slice(&other);
            b
        }),
        (
            "a lie: INC-1 renamed".into(),
            String::from_utf8_lossy(&good)
                .replace("INC-1.toml\0", "INC-9.toml\0")
                .into_bytes(),
        ),
        ("grown".into(), [good.as_slice(), b"\0"].concat()),
        ("empty".into(), Vec::new()),
        ("garbage".into(), good.iter().map(|x| x ^ 0x55).collect()),
    ];
    for at in [
        0,
        15,
        20,
        40,
        60,
        80,
        100,
        400,
        inc1 - 3,
        inc1,
        good.len() - 1,
    ] {
        let mut b = good.clone();
        b[at] ^= 0x04;
        damages.push((format!("byte {at} changed"), b));
    }
    for len in [10, 100, 4096, inc1, good.len() / 2, good.len() - 1] {
        damages.push((format!("cut to {len} bytes"), good[..len].to_vec()));
    }
    for (what, bytes) in damages {
        std::fs::write(kept(&env), &bytes).expect("write");
        assert_answers(&env, READS, &expected, &what);
        let now = std::fs::read(kept(&env)).expect("kept again");
        assert!(now == good, "{what}: replaced by a whole kept tree");
    }
    std::fs::remove_file(kept(&env)).expect("remove");
    assert_answers(&env, READS, &expected, "deleted");
}

#[test]
fn a_foreign_kept_tree_is_not_used() {
    let env = large_register();
    let expected = answers_of_none(&env);
    answers(&env, READS);
    let good = std::fs::read(kept(&env)).expect("kept");
    // The incidents tree's file in the place of the releases tree's.
    let releases = env.path(".git/rel/trees-v1/tree-releases");
    std::fs::write(&releases, &good).expect("write");
    assert_answers(&env, READS, &expected, "another folder's tree");
    std::fs::remove_file(&releases).expect("remove");
    // A file of an earlier layout, whole or not.
    let mut earlier = b"rel facts cache\n".to_vec();
    earlier.extend_from_slice(&good[16..]);
    std::fs::write(kept(&env), &earlier).expect("write");
    assert_answers(&env, READS, &expected, "a file of the facts cache's layout");
    assert!(std::fs::read(kept(&env)).expect("kept") == good);
    // Another commit's tree: the incidents changed since.
    env.rel(&["incident", "resolve", "INC-3"]).ok();
    let after = answers_of_none(&env);
    std::fs::create_dir_all(env.path(".git/rel/trees-v1")).expect("mkdir");
    std::fs::write(kept(&env), &good).expect("write");
    assert_answers(&env, READS, &after, "the tree of the commit before");
}

/// Reads `git cat-file tree SPEC`, raw.
fn raw_tree(env: &Env, spec: &str) -> Vec<u8> {
    let out = env
        .program("git")
        .args(["cat-file", "tree", spec])
        .output()
        .expect("git cat-file");
    assert!(out.status.success());
    out.stdout
}

/// Runs git with `input` on its standard input; its output, trimmed.
fn git_with_input(env: &Env, args: &[&str], input: &[u8]) -> String {
    let mut child = env
        .program("git")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write");
    let out = child.wait_with_output().expect("git");
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `listing` (as `git ls-tree` prints it) with the entry `name` pointing at
/// tree `id`, made into a tree.
fn replace_in_tree(env: &Env, listing: &str, name: &str, id: &str) -> String {
    let lines: Vec<String> = listing
        .lines()
        .map(|line| match line.split_once('\t') {
            Some((_, n)) if n == name => format!("040000 tree {id}\t{name}"),
            _ => line.to_string(),
        })
        .collect();
    git_with_input(
        env,
        &["mktree"],
        format!("{}\n", lines.join("\n")).as_bytes(),
    )
}

#[test]
fn a_kept_tree_out_of_gits_order_gives_the_answers_of_none() {
    let env = large_register();
    // The incidents tree with its entries in reverse order (git never
    // writes one; a hand-made object can be), committed as HEAD.
    let raw = raw_tree(&env, "HEAD:releases/incidents");
    let mut entries = Vec::new();
    let mut at = 0;
    while at < raw.len() {
        let nul = at + raw[at..].iter().position(|&b| b == 0).expect("NUL");
        entries.push(raw[at..nul + 21].to_vec());
        at = nul + 21;
    }
    entries.reverse();
    let reversed = git_with_input(
        &env,
        &["hash-object", "-t", "tree", "-w", "--literally", "--stdin"],
        &entries.concat(),
    );
    let releases = replace_in_tree(
        &env,
        &env.git(&["ls-tree", "HEAD:releases"]),
        "incidents",
        &reversed,
    );
    let root = replace_in_tree(&env, &env.git(&["ls-tree", "HEAD"]), "releases", &releases);
    let commit = env.git(&["commit-tree", &root, "-p", "HEAD", "-m", "hand-made tree"]);
    env.git(&["update-ref", "HEAD", commit.trim()]);

    let expected = answers_of_none(&env);
    assert_eq!(expected[0].0, 0, "{:?}", expected[0]);
    assert!(expected[3].1.contains("Change INC-1"), "{:?}", expected[3]);
    assert!(expected[4].1.contains("Copy 1500"), "{:?}", expected[4]);
    answers(&env, READS);
    assert!(kept(&env).is_file(), "kept, out of order");
    assert_answers(&env, READS, &expected, "kept out of order");
}
