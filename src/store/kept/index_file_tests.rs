use super::*;
use crate::store::kept::test_git::git;
use std::path::Path;

fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    git(dir.path(), &["init", "-q"]);
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a folder")).expect("folders");
        std::fs::write(full, text).expect("a file");
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "start"]);
    // A cache tree, as after most git commands.
    git(dir.path(), &["write-tree"]);
    dir
}

/// Writes `text` at `path` and its blob; the entry for it.
fn written(dir: &Path, path: &str, text: &str) -> NewEntry {
    let full = dir.join(path);
    std::fs::create_dir_all(full.parent().expect("a folder")).expect("folders");
    std::fs::write(&full, text).expect("a file");
    let id = git(dir, &["hash-object", "-w", path]);
    let id = git2::Oid::from_str(id.trim()).expect("an id");
    let meta = std::fs::metadata(&full).expect("stat");
    NewEntry::of_file(path, id, &meta)
}

/// The index `old` patched with `new`, through both passes.
fn patch(
    old: &[u8],
    new: &[NewEntry],
    racy_since: u32,
    unchanged: impl Fn(&[u8], &[u8]) -> bool,
) -> Vec<u8> {
    let asked: Vec<&[u8]> = new.iter().map(|n| n.path.as_slice()).collect();
    let index = read(old, &asked).expect("an index patched here");
    let mut out = Vec::new();
    index
        .write_patched(old, &mut out, new, racy_since, unchanged)
        .expect("written")
        .expect("the same index read again");
    out
}

fn read(bytes: &[u8], asked: &[&[u8]]) -> Option<IndexFile> {
    IndexFile::read(bytes, bytes.len() as u64, asked)
}

/// A replaced and an added entry give the index `git add` gives: the same
/// tree from `git write-tree` (the cache tree invalidated above them),
/// nothing unstaged, and a checksum libgit2 accepts.
#[test]
fn a_patched_index_is_the_one_git_add_makes() {
    let files = [
        ("environments.toml", "a"),
        ("releases/R-1.toml", "r1"),
        ("releases/incidents/INC-1.toml", "i1"),
        ("zz.txt", "z"),
    ];
    let patched = repo_with(&files);
    let added = repo_with(&files);
    let mut entries = Vec::new();
    for (path, text) in [
        ("releases/R-0.toml", "r0"),
        ("releases/incidents/INC-1.toml", "i1 changed"),
        ("releases/incidents/INC-2.toml", "i2"),
    ] {
        entries.push(written(patched.path(), path, text));
        written(added.path(), path, text);
        git(added.path(), &["add", path]);
    }
    let index = patched.path().join(".git/index");
    let old = std::fs::read(&index).expect("the index");
    let parsed = read(&old, &[b"releases/R-0.toml"]).expect("an index patched here");
    assert!(parsed.may_replace(b"releases/R-0.toml"));
    std::fs::write(&index, patch(&old, &entries, 0, |_, _| true)).expect("written");
    assert_eq!(
        git(patched.path(), &["write-tree"]),
        git(added.path(), &["write-tree"])
    );
    assert_eq!(
        git(patched.path(), &["ls-files", "-s"]),
        git(added.path(), &["ls-files", "-s"])
    );
    assert_eq!(git(patched.path(), &["diff-files", "--name-only"]), "");
    git2::Index::open(&index).expect("libgit2 reads it (checksum)");
}

/// Entries modified in or after the old index's second whose file
/// differs are marked for git to compare (size 0); the others are copied
/// as they are.
#[test]
fn racily_clean_entries_are_marked_for_git_to_compare() {
    let dir = repo_with(&[("a.toml", "a"), ("b.toml", "b")]);
    let index = dir.path().join(".git/index");
    let old = std::fs::read(&index).expect("the index");
    let all_racy = patch(&old, &[], 0, |_, _| false);
    let none_racy = patch(&old, &[], u32::MAX, |_, _| false);
    let same = patch(&old, &[], 0, |_, _| true);
    assert_eq!(same, none_racy);
    assert_eq!(none_racy[..none_racy.len() - 20], old[..old.len() - 20]);
    let sizes = |bytes: &[u8]| {
        let index = read(bytes, &[b"a.toml", b"b.toml"]).expect("parses");
        [b"a.toml", b"b.toml"]
            .iter()
            .map(|p| {
                index
                    .entry(*p)
                    .map_or(9, |e| be32(e.bytes, 36).unwrap_or(9))
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(sizes(&all_racy), [0, 0]);
    assert_eq!(sizes(&none_racy), [1, 1]);
    std::fs::write(&index, &all_racy).expect("written");
    assert_eq!(git(dir.path(), &["status", "--porcelain"]), "");
}

/// What is not understood here is left to git: version 4, a split index,
/// a conflict, a path outside a sparse checkout.
#[test]
fn an_index_not_understood_is_left_to_git() {
    let dir = repo_with(&[("a.toml", "a"), ("b.toml", "b")]);
    let index = dir.path().join(".git/index");
    git(dir.path(), &["update-index", "--index-version", "4"]);
    assert!(read(&std::fs::read(&index).expect("read"), &[]).is_none());
    git(dir.path(), &["update-index", "--index-version", "2"]);
    git(dir.path(), &["update-index", "--skip-worktree", "a.toml"]);
    let bytes = std::fs::read(&index).expect("read");
    let parsed = read(&bytes, &[b"a.toml", b"b.toml"]).expect("version 3 parses");
    assert!(!parsed.may_replace(b"a.toml"));
    assert!(parsed.may_replace(b"b.toml"));
    git(
        dir.path(),
        &["update-index", "--no-skip-worktree", "a.toml"],
    );
    git(dir.path(), &["update-index", "--split-index"]);
    assert!(read(&std::fs::read(&index).expect("read"), &[]).is_none());
    assert!(read(b"DIRC\0\0\0\x02garbage", &[]).is_none());
}
