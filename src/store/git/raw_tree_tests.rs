//! Look-ups in a tree parsed from its raw object.

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
    assert!(sorted.full.sorted);
    assert_eq!(sorted.get("a").map(|(m, _)| m), Some(0o40000));
    assert_eq!(sorted.get("a0").map(|(m, _)| m), Some(0o100644));
    assert_eq!(sorted.get("a-b").map(|(_, id)| id.as_bytes()[0]), Some(1));
    assert!(sorted.get("b").is_none());
    let unsorted = tree_of(&[("100644", "b"), ("100755", "a")]);
    assert!(!unsorted.full.sorted);
    assert_eq!(unsorted.get("a").map(|(m, _)| m), Some(0o100755));
    assert!(RawTree::parse(b"100644 cut\0abc".to_vec(), "t").is_err());
    assert!(RawTree::parse(b"1x0644 a\0aaaaaaaaaaaaaaaaaaaa".to_vec(), "t").is_err());
}

#[test]
fn a_name_is_found_only_as_itself() {
    // A hand-made sorted tree with a file named `a/`: its key is the key
    // of a folder `a`, but it is not `a`.
    let tree = tree_of(&[("100644", "a-b"), ("100644", "a/"), ("100644", "a0")]);
    assert!(tree.full.sorted);
    assert!(tree.get("a").is_none());
    assert_eq!(tree.get("a/").map(|(m, _)| m), Some(0o100644));
}
