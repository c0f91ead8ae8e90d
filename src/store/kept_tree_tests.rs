//! The kept layout: whatever is cut, changed or misplaced is refused where
//! it is read.

use super::*;

/// A raw tree of `count` files in git's order, and its entries' starts.
fn tree(count: usize) -> (Vec<u8>, Vec<(usize, String)>) {
    let mut raw = Vec::new();
    let mut entries = Vec::new();
    for n in 0..count {
        let name = format!("INC-{n:06}.toml");
        entries.push((raw.len(), name.clone()));
        raw.extend_from_slice(format!("100644 {name}\0").as_bytes());
        raw.extend_from_slice(&[n as u8; 20]);
    }
    (raw, entries)
}

fn save_tree(dir: &Path, id: Oid, raw: &[u8], entries: &[(usize, String)]) {
    let infos = entries.iter().map(|(start, name)| EntryInfo {
        start: *start,
        name: name.as_bytes(),
        folder: false,
    });
    save(dir, "incidents", id, raw, infos, true);
}

#[test]
fn every_chunk_is_found_by_its_names_and_checked_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = Oid::from_bytes(&[3; 20]).expect("id");
    let (raw, entries) = tree(2000);
    save_tree(dir.path(), id, &raw, &entries);
    let kept = Kept::open(dir.path(), "incidents", id).expect("opens");
    assert_eq!(kept.entries(), 2000);
    assert!(kept.chunks > 10, "{} chunks", kept.chunks);
    assert_eq!(kept.raw().as_deref(), Some(raw.as_slice()));
    assert_eq!(kept.chunk_for(b"INC-"), None, "before the first name");
    for (start, name) in &entries {
        let i = kept.chunk_for(name.as_bytes()).expect("a chunk");
        let (from, to) = kept.raw_range(i);
        assert!(from <= *start && *start < to, "{name} in chunk {i}");
        assert_eq!(kept.chunk(i).as_deref(), raw.get(from..to));
    }
}

#[test]
fn damage_is_refused_where_it_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tree-incidents");
    let id = Oid::from_bytes(&[3; 20]).expect("id");
    let (raw, entries) = tree(2000);
    save_tree(dir.path(), id, &raw, &entries);
    let good = std::fs::read(&path).expect("read");
    let raw_at = good.len() - raw.len();
    let chunks = Kept::open(dir.path(), "incidents", id)
        .expect("opens")
        .chunks;

    // A byte changed in the header or index: the file is refused whole. In
    // the raw tree: only its chunk is, when read.
    for at in (0..good.len())
        .step_by(97)
        .chain([raw_at - 1, raw_at, good.len() - 1])
    {
        let mut bad = good.clone();
        bad[at] ^= 0x20;
        std::fs::write(&path, &bad).expect("write");
        let opened = Kept::open(dir.path(), "incidents", id);
        if at < raw_at {
            assert!(opened.is_none(), "byte {at} of the header or index");
            continue;
        }
        let kept = opened.expect("the header and index are whole");
        assert!(kept.raw().is_none(), "byte {at}");
        let refused: Vec<usize> = (0..chunks).filter(|&i| kept.chunk(i).is_none()).collect();
        let (from, to) = kept.raw_range(refused[0]);
        assert_eq!(refused.len(), 1, "byte {at}");
        assert!(from <= at - raw_at && at - raw_at < to, "byte {at}");
    }
    // Cut anywhere, or grown: refused on opening.
    for len in [0, 10, raw_at - 1, raw_at, good.len() - 1] {
        std::fs::write(&path, &good[..len]).expect("write");
        assert!(
            Kept::open(dir.path(), "incidents", id).is_none(),
            "cut to {len}"
        );
    }
    let mut grown = good.clone();
    grown.push(0);
    std::fs::write(&path, &grown).expect("write");
    assert!(Kept::open(dir.path(), "incidents", id).is_none(), "grown");
    // Two chunks swapped, their records left: both refused.
    let kept_good = {
        std::fs::write(&path, &good).expect("write");
        Kept::open(dir.path(), "incidents", id).expect("opens")
    };
    let (a, b) = (kept_good.raw_range(1), kept_good.raw_range(2));
    let mut swapped = good[..raw_at].to_vec();
    let mut body = raw.clone();
    let first = raw[a.0..a.1].to_vec();
    let second = raw[b.0..b.1].to_vec();
    body.splice(a.0..b.1, second.iter().chain(&first).copied());
    swapped.extend_from_slice(&body);
    std::fs::write(&path, &swapped).expect("write");
    let kept = Kept::open(dir.path(), "incidents", id).expect("header and index whole");
    assert!(kept.chunk(1).is_none() && kept.chunk(2).is_none());
    // Another tree's file, and a file of the facts cache's layout.
    assert!(Kept::open(dir.path(), "incidents", Oid::zero()).is_none());
    std::fs::write(&path, b"rel facts cache\nrest").expect("write");
    assert!(Kept::open(dir.path(), "incidents", id).is_none());
    assert!(is_facts_cache_layout(&path));
}
