//! The cache tree extension (TREE) of git's index, invalidated along the
//! paths an index patch replaces, as git does when it stages a file: every
//! folder above them loses its entry count and tree id.

/// A node of the cache tree: a folder, the entries below it (-1: not
/// known), its sub-folders, its tree id when known.
struct Node<'a> {
    name: &'a [u8],
    count: i64,
    subtrees: Vec<Node<'a>>,
    id: Option<&'a [u8]>,
}

/// Folders deeper than this are not understood (the extension is dropped
/// and git rebuilds it): the parse recurses, and the bytes are not ours.
const DEEPEST: usize = 1024;

fn parse_node<'a>(data: &'a [u8], at: &mut usize, depth: usize) -> Option<Node<'a>> {
    if depth > DEEPEST {
        return None;
    }
    let rest = data.get(*at..)?;
    let nul = rest.iter().position(|b| *b == 0)?;
    let name = &rest[..nul];
    let line_end = rest[nul..].iter().position(|b| *b == b'\n')? + nul;
    let line = std::str::from_utf8(&rest[nul + 1..line_end]).ok()?;
    let (count, subs) = line.split_once(' ')?;
    let count: i64 = count.parse().ok()?;
    let subs: usize = subs.parse().ok()?;
    *at += line_end + 1;
    let id = if count >= 0 {
        let id = data.get(*at..*at + 20)?;
        *at += 20;
        Some(id)
    } else {
        None
    };
    let mut subtrees = Vec::with_capacity(subs.min(1024));
    for _ in 0..subs {
        subtrees.push(parse_node(data, at, depth + 1)?);
    }
    Some(Node {
        name,
        count,
        subtrees,
        id,
    })
}

fn invalidate(node: &mut Node, path: &[u8]) {
    node.count = -1;
    node.id = None;
    if let Some(slash) = path.iter().position(|b| *b == b'/') {
        let (dir, rest) = (&path[..slash], &path[slash + 1..]);
        if let Some(sub) = node.subtrees.iter_mut().find(|s| s.name == dir) {
            invalidate(sub, rest);
        }
    }
}

fn write_node(node: &Node, out: &mut Vec<u8>) {
    out.extend_from_slice(node.name);
    out.push(0);
    out.extend_from_slice(format!("{} {}\n", node.count, node.subtrees.len()).as_bytes());
    if let Some(id) = node.id {
        out.extend_from_slice(id);
    }
    for sub in &node.subtrees {
        write_node(sub, out);
    }
}

/// The cache tree with every folder above `paths` invalidated; None when
/// it does not parse.
pub(super) fn invalidated_tree(data: &[u8], paths: &[&[u8]]) -> Option<Vec<u8>> {
    if data.is_empty() {
        return Some(Vec::new());
    }
    let mut at = 0;
    let mut root = parse_node(data, &mut at, 0)?;
    if at != data.len() {
        return None;
    }
    for path in paths {
        invalidate(&mut root, path);
    }
    let mut out = Vec::with_capacity(data.len());
    write_node(&root, &mut out);
    Some(out)
}
