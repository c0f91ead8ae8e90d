//! Look-ups in a tree whole and in its kept copy, a chunk at a time.

use super::*;

fn raw_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (i, (mode, name)) in entries.iter().enumerate() {
        bytes.extend_from_slice(format!("{mode} {name}\0").as_bytes());
        bytes.extend_from_slice(&id_bytes(i));
    }
    bytes
}

/// A distinct id per entry.
fn id_bytes(i: usize) -> [u8; 20] {
    let mut id = [0xab; 20];
    id[..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
    id
}

fn tree_of(entries: &[(&str, &str)]) -> RawTree {
    RawTree::parse(raw_of(entries), "test tree").expect("parses")
}

#[test]
fn names_are_found_in_gits_order_and_out_of_it() {
    // git's order: `a-b` < `a/` (folder a) < `a0`.
    let sorted = tree_of(&[("100644", "a-b"), ("40000", "a"), ("100664", "a0")]);
    assert!(sorted.full.get().expect("parsed").sorted);
    assert_eq!(sorted.get("a").map(|(m, _)| m), Some(0o40000));
    assert_eq!(sorted.get("a0").map(|(m, _)| m), Some(0o100644));
    assert_eq!(sorted.get("a-b").map(|(_, id)| id.as_bytes()[0]), Some(1));
    assert!(sorted.get("b").is_none());
    let unsorted = tree_of(&[("100644", "b"), ("100755", "a")]);
    assert!(!unsorted.full.get().expect("parsed").sorted);
    assert_eq!(unsorted.get("a").map(|(m, _)| m), Some(0o100755));
    assert!(RawTree::parse(b"100644 cut\0abc".to_vec(), "t").is_err());
    assert!(RawTree::parse(b"1x0644 a\0aaaaaaaaaaaaaaaaaaaa".to_vec(), "t").is_err());
}

#[test]
fn a_name_is_found_only_as_itself() {
    // A hand-made sorted tree with a file named `a/`: its key is the key
    // of a folder `a`, but it is not `a`.
    let tree = tree_of(&[("100644", "a-b"), ("100644", "a/"), ("100644", "a0")]);
    assert!(tree.full.get().expect("parsed").sorted);
    assert!(tree.get("a").is_none());
    assert_eq!(tree.get("a/").map(|(m, _)| m), Some(0o100644));
}

/// `count` entries in git's order: files, folders, and names that sort
/// differently as a folder (`a`) and as a file (`a-b`, `a0`).
fn many(count: usize) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = (0..count)
        .map(|n| match n % 7 {
            0 => ("40000".to_string(), format!("d{n}")),
            1 => ("100755".to_string(), format!("x{n}.sh")),
            2 => ("40000".to_string(), format!("INC-{n}")),
            _ => ("100644".to_string(), format!("INC-{n}.toml")),
        })
        .collect();
    entries.extend(
        [("100644", "a-b"), ("40000", "a"), ("100644", "a0")]
            .map(|(m, n)| (m.to_string(), n.to_string())),
    );
    let key = |(mode, name): &(String, String)| {
        let mut k = name.clone().into_bytes();
        if mode == "40000" {
            k.push(b'/');
        }
        k
    };
    entries.sort_by_key(key);
    entries
}

/// Tree `entries` kept in a temporary folder and opened again, as
/// `Trees::get` finds it.
fn kept(entries: &[(String, String)], dir: &std::path::Path) -> (Full, RawTree) {
    let refs: Vec<(&str, &str)> = entries
        .iter()
        .map(|(m, n)| (m.as_str(), n.as_str()))
        .collect();
    let full = Full::parse(raw_of(&refs), None).expect("parses");
    let id = Oid::from_bytes(&[7; 20]).expect("id");
    kept_tree::save(dir, "incidents", id, &full.bytes, full.infos(), full.sorted);
    let kept = Kept::open(dir, "incidents", id).expect("kept and opened");
    assert!(Kept::open(dir, "releases", id).is_none(), "another slot");
    let other = Oid::from_bytes(&[8; 20]).expect("id");
    assert!(
        Kept::open(dir, "incidents", other).is_none(),
        "another tree"
    );
    let tree = RawTree {
        full: OnceLock::new(),
        kept: Some(FromKept {
            kept,
            git_dir: dir.to_path_buf(),
            id,
            slot: "incidents".into(),
        }),
    };
    (full, tree)
}

#[test]
fn a_kept_tree_finds_every_name_by_its_chunk_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let entries = many(3000);
    let (full, tree) = kept(&entries, dir.path());
    assert!(full.sorted);
    let Some(from) = &tree.kept else {
        panic!("kept")
    };
    assert_eq!(tree.len(), entries.len());
    for (mode, name) in &entries {
        let whole = full.get(name.as_bytes());
        assert!(whole.is_some(), "{name}");
        assert_eq!(
            find_in_chunks(&from.kept, name.as_bytes()),
            Some(whole),
            "{mode} {name}"
        );
        assert_eq!(tree.get(name), whole, "{name}");
    }
    for absent in [
        "",
        "0",
        "zzz",
        "INC-1.tom",
        "INC-3.toml/",
        "a/",
        "d0/",
        "INC-3",
    ] {
        assert_eq!(
            find_in_chunks(&from.kept, absent.as_bytes()),
            Some(None),
            "{absent}"
        );
        assert_eq!(tree.get(absent), None, "{absent}");
    }
    // Still nothing read whole; then the listing is the tree's.
    assert!(tree.full.get().is_none());
    let listed: Vec<_> = tree
        .entries()
        .map(|(m, n, id)| (m, n.to_vec(), id))
        .collect();
    let expected: Vec<_> = full
        .entries
        .iter()
        .map(|e| {
            (
                e.mode,
                name_of(&full.bytes, e).to_vec(),
                id_of(&full.bytes, e),
            )
        })
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(tree.len(), entries.len());
}

#[test]
fn a_kept_tree_out_of_gits_order_is_searched_entry_by_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut entries = many(3000);
    entries.reverse();
    let (full, tree) = kept(&entries, dir.path());
    assert!(!full.sorted);
    for (_, name) in &entries {
        assert_eq!(tree.get(name), full.get(name.as_bytes()), "{name}");
        assert!(tree.get(name).is_some(), "{name}");
    }
    assert_eq!(tree.get("INC-3.toml/"), None);
    assert_eq!(tree.entries().count(), entries.len());
}

/// A repository with a tree of `count` files (larger than 16 KB from 600).
fn repo_with_tree(count: usize) -> (tempfile::TempDir, Repository, Oid) {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = Repository::init(dir.path()).expect("init");
    let id = {
        let mut builder = repo.treebuilder(None).expect("builder");
        for n in 0..count {
            let blob = repo
                .blob(format!("incident {n}\n").as_bytes())
                .expect("blob");
            builder
                .insert(format!("INC-{n}.toml"), blob, 0o100644)
                .expect("insert");
        }
        builder.write().expect("tree")
    };
    (dir, repo, id)
}

#[test]
fn a_chunk_damaged_after_opening_is_read_from_git_and_kept_again() {
    let (_dir, repo, id) = repo_with_tree(2000);
    let git_tree = repo.find_tree(id).expect("tree");
    let path = folder(&repo).join("tree-incidents");
    let first = Trees::default()
        .get(&repo, id, Some("incidents"), "t")
        .expect("read from git");
    assert!(first.kept.is_none());
    let good = std::fs::read(&path).expect("kept");

    let tree = Trees::default()
        .get(&repo, id, Some("incidents"), "t")
        .expect("from the kept copy");
    assert!(tree.kept.is_some() && tree.full.get().is_none());
    // Damaged in place, under the open file: every byte of the raw tree.
    let mut bad = good.clone();
    let raw_at = good.len() - first.full().bytes.len();
    for b in &mut bad[raw_at..] {
        *b ^= 0x01;
    }
    std::fs::write(&path, &bad).expect("write");
    for n in [0, 1000, 1999] {
        let name = format!("INC-{n}.toml");
        let entry = git_tree.get_name(&name).expect("in git");
        assert_eq!(tree.get(&name), Some((0o100644, entry.id())), "{name}");
    }
    assert_eq!(tree.get("INC-2000.toml"), None);
    assert_eq!(tree.entries().count(), 2000);
    assert!(
        std::fs::read(&path).expect("kept") == good,
        "kept whole again"
    );
}

#[test]
fn a_tree_kept_by_an_earlier_rel_is_converted() {
    let (_dir, repo, id) = repo_with_tree(1000);
    let raw = repo
        .odb()
        .expect("odb")
        .read(id)
        .expect("read")
        .data()
        .to_vec();
    let part = "tree-incidents";
    cache::save(&folder(&repo), part, std::iter::once((id, raw.as_slice())));
    assert!(kept_by_earlier_rel(&repo, "incidents", id).as_deref() == Some(raw.as_slice()));
    assert!(kept_by_earlier_rel(&repo, "incidents", Oid::zero()).is_none());
    let tree = Trees::default()
        .get(&repo, id, Some("incidents"), "t")
        .expect("read");
    assert_eq!(tree.len(), 1000);
    let kept = Kept::open(&folder(&repo), "incidents", id).expect("the new layout");
    assert_eq!(kept.raw(), Some(raw));
}
