//! A tree object written by splicing changed files into the raw bytes of
//! the tree it replaces. A `group` changes one file of the 100,000-entry
//! `releases/incidents` tree: libgit2's tree builder inflated that tree,
//! built an entry per file, sorted them all and wrote them out again, a
//! fifth of the command. The raw tree is parsed already (`raw_tree`) and
//! is in git's order, so the new object is the old bytes with a few entries
//! replaced or inserted in one pass.

use git2::Oid;

/// A file's mode as rel writes it.
const FILE_MODE: u32 = 0o100644;

/// A change to one entry of a tree: a file's new blob, or a folder's new tree.
#[derive(Debug, Clone, Copy)]
pub struct Put<'a> {
    pub name: &'a str,
    pub id: Oid,
    pub folder: bool,
}

/// The raw object of a tree equal to `base` (its entries, in order) with
/// `puts` added or replaced (a file as 100644, as libgit2's tree builder
/// wrote it). None when `base` is not in git's order (git never writes such
/// a tree), a name is put twice, or a file would replace a folder or the
/// reverse: the caller then builds the tree the slow way, which reports
/// what is wrong as it always did.
pub fn splice<'a>(
    base: impl Iterator<Item = (u32, &'a [u8], Oid)>,
    puts: &[Put<'_>],
) -> Option<Vec<u8>> {
    let mut puts: Vec<(Vec<u8>, &Put)> = puts
        .iter()
        .map(|p| (sort_key(mode_of(p), p.name.as_bytes()), p))
        .collect();
    puts.sort_by(|a, b| a.0.cmp(&b.0));
    let names: std::collections::HashSet<&str> = puts.iter().map(|(_, p)| p.name).collect();
    if names.len() != puts.len() {
        return None;
    }
    let mut out = Vec::new();
    let mut next = puts.iter().peekable();
    let mut previous: Option<Vec<u8>> = None;
    for (mode, name, id) in base {
        let key = sort_key(mode, name);
        if previous
            .as_ref()
            .is_some_and(|p| p.as_slice() >= key.as_slice())
        {
            return None;
        }
        while let Some((put_key, put)) = next.peek() {
            if put_key.as_slice() >= key.as_slice() {
                break;
            }
            if put.name.as_bytes() == name {
                return None;
            }
            push(&mut out, mode_of(put), put.name.as_bytes(), put.id);
            next.next();
        }
        match next.peek() {
            Some((put_key, put)) if *put_key == key => {
                push(&mut out, mode_of(put), name, put.id);
                next.next();
            }
            Some((_, put)) if put.name.as_bytes() == name => return None,
            _ => push(&mut out, mode, name, id),
        }
        previous = Some(key);
    }
    for (_, put) in next {
        if previous
            .as_ref()
            .is_some_and(|p| p.as_slice() == put.name.as_bytes())
        {
            return None;
        }
        push(&mut out, mode_of(put), put.name.as_bytes(), put.id);
    }
    Some(out)
}

fn mode_of(put: &Put) -> u32 {
    if put.folder {
        0o040000
    } else {
        FILE_MODE
    }
}

fn is_folder(mode: u32) -> bool {
    mode & 0o170000 == 0o040000
}

/// git's order: a folder sorts as if its name ended with `/`.
fn sort_key(mode: u32, name: &[u8]) -> Vec<u8> {
    let mut key = name.to_vec();
    if is_folder(mode) {
        key.push(b'/');
    }
    key
}

/// `<mode in octal> <name>\0<20-byte id>`, as git and libgit2 write it.
fn push(out: &mut Vec<u8>, mode: u32, name: &[u8], id: Oid) {
    // The common modes without formatting (100,000 entries a write).
    match mode {
        0o100644 => out.extend_from_slice(b"100644 "),
        0o040000 => out.extend_from_slice(b"40000 "),
        other => out.extend_from_slice(format!("{other:o} ").as_bytes()),
    }
    out.extend_from_slice(name);
    out.push(0);
    out.extend_from_slice(id.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).expect("20 bytes")
    }

    /// The tree libgit2's builder writes for the same change.
    fn built(repo: &git2::Repository, base: &[(&str, u32, Oid)], files: &[Put]) -> Vec<u8> {
        let mut b = repo.treebuilder(None).expect("builder");
        for (name, mode, id) in base {
            b.insert(name, *id, *mode as i32).expect("insert");
        }
        for p in files {
            let mode = if p.folder { 0o040000 } else { 0o100644 };
            b.insert(p.name, p.id, mode).expect("insert");
        }
        let id = b.write().expect("write");
        let odb = repo.odb().expect("odb");
        let bytes = odb.read(id).expect("read").data().to_vec();
        bytes
    }

    fn raw(base: &[(&str, u32, Oid)]) -> Vec<(u32, Vec<u8>, Oid)> {
        let mut sorted: Vec<_> = base
            .iter()
            .map(|(n, m, id)| (*m, n.as_bytes().to_vec(), *id))
            .collect();
        sorted.sort_by_key(|(m, n, _)| sort_key(*m, n));
        sorted
    }

    #[test]
    fn a_splice_writes_the_bytes_the_tree_builder_writes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = git2::Repository::init(dir.path()).expect("init");
        let blob = |n: u8| repo.blob(&[n]).expect("blob");
        let folder = repo
            .treebuilder(None)
            .expect("builder")
            .write()
            .expect("tree");
        let base = [
            ("a.toml", 0o100644, blob(1)),
            ("a-b.toml", 0o100644, blob(2)),
            ("a", 0o040000, folder),
            ("run.sh", 0o100755, blob(4)),
            ("z.toml", 0o100644, blob(5)),
        ];
        let file = |name, id| Put {
            name,
            id,
            folder: false,
        };
        let sub = repo.treebuilder(None).expect("builder");
        let other_folder = {
            let mut b = sub;
            b.insert("x", blob(6), 0o100644).expect("insert");
            b.write().expect("tree")
        };
        let cases: Vec<Vec<Put>> = vec![
            vec![file("a.toml", blob(9))],
            vec![file("0.toml", blob(9)), file("zz.toml", blob(8))],
            vec![file("a.b", blob(9)), file("a-b.toml", blob(7))],
            vec![file("run.sh", blob(9))],
            vec![Put {
                name: "a",
                id: other_folder,
                folder: true,
            }],
            vec![
                Put {
                    name: "new",
                    id: other_folder,
                    folder: true,
                },
                file("new.toml", blob(3)),
            ],
            vec![],
        ];
        for files in &cases {
            let entries = raw(&base);
            let got = splice(
                entries.iter().map(|(m, n, id)| (*m, n.as_slice(), *id)),
                files,
            );
            assert_eq!(got, Some(built(&repo, &base, files)), "{files:?}");
        }
    }

    #[test]
    fn an_unsorted_base_a_folder_in_the_way_or_a_name_twice_is_left_to_the_slow_way() {
        let put = |name, folder| Put {
            name,
            id: oid(3),
            folder,
        };
        let unsorted = [
            (0o100644, b"b".as_slice(), oid(1)),
            (0o100644, b"a", oid(2)),
        ];
        assert_eq!(splice(unsorted.into_iter(), &[put("c", false)]), None);
        let folder = [(0o040000, b"a".as_slice(), oid(1))];
        assert_eq!(splice(folder.into_iter(), &[put("a", false)]), None);
        let file = [(0o100644, b"a".as_slice(), oid(1))];
        assert_eq!(splice(file.into_iter(), &[put("a", true)]), None);
        assert_eq!(
            splice(std::iter::empty(), &[put("a", false), put("a", false)]),
            None
        );
    }
}
