//! What a git `pre-receive` hook knows about a push (contract 11.5): git's
//! `<old> <new> <ref>` lines, and which updated ref is the shared branch
//! rel guards.
//!
//! The guarded branch is the `[sync] branch` of the release repository's
//! environments.toml, as the branch's tip before the push says (or, for a
//! new branch, as the pushed tip says); without `[sync] branch` (or without
//! `[sync]`), the branch the bare repository's HEAD names. A branch whose
//! tips hold no environments.toml is not a release branch and passes; one
//! whose deciding tip holds an environments.toml that does not parse is
//! refused (`guarded`).

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use crate::error::invalid;

use crate::store::git::bare;
use crate::store::repo::pipeline_file::parse_pipeline;
use crate::store::repo::workspace::PIPELINE_FILE;

/// One ref a push updates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// Where the ref was; `None`: the push creates it.
    pub old: Option<Oid>,
    /// Where the push puts it; `None`: the push deletes it.
    pub new: Option<Oid>,
    /// The full name, e.g. `refs/heads/main`.
    pub refname: String,
}

impl Update {
    /// The branch's short name, when the ref is a branch.
    pub fn branch(&self) -> Option<&str> {
        self.refname.strip_prefix("refs/heads/")
    }
}

/// git's lines on a `pre-receive` hook's stdin.
pub fn parse_updates(input: &str) -> anyhow::Result<Vec<Update>> {
    let mut updates = Vec::new();
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let bad = || {
            invalid(format!(
                "pre-receive input line {}: expected `<old> <new> <ref>` as git writes it, got {line:?} \
                 (rel audit --hook is meant to run as a git pre-receive hook)",
                n + 1
            ))
        };
        let [old, new, refname] = fields.as_slice() else {
            return Err(bad());
        };
        let id = |s: &str| -> anyhow::Result<Option<Oid>> {
            let oid = Oid::from_str(s).map_err(|_| bad())?;
            if s.len() < 40 {
                return Err(bad());
            }
            Ok((!oid.is_zero()).then_some(oid))
        };
        updates.push(Update {
            old: id(old)?,
            new: id(new)?,
            refname: (*refname).to_string(),
        });
    }
    Ok(updates)
}

/// The release repository's folder when `update` is to the guarded
/// branch; `None` when the push to that ref passes unaudited.
/// `head_branch`: the branch the bare repository's HEAD names.
///
/// When the tip that decides (the branch before the push, or the pushed
/// tip when the push creates it) holds an environments.toml that does not
/// parse, which branch is guarded cannot be told: the push is refused
/// (exit 2, naming the file and the error) rather than guessed, unless its
/// pushed tip can be read and guards the branch (a repair, audited).
pub fn guarded(
    repo: &Repository,
    update: &Update,
    head_branch: Option<&str>,
) -> anyhow::Result<Option<PathBuf>> {
    let Some(branch) = update.branch() else {
        return Ok(None);
    };
    let is_head = head_branch == Some(branch);
    let deciding = update.old.or(update.new);
    let mut cannot_tell = None;
    // The branch as it was says first: a push cannot lift its own guard by
    // changing [sync] in the commits it brings.
    for tip in [update.old, update.new].into_iter().flatten() {
        let root = match bare::release_root(repo, tip) {
            Ok(Some(root)) => root,
            Ok(None) => continue,
            // Where environments.toml is cannot be told: refuse (an error)
            // on the branch HEAD names, pass any other.
            Err(e) if is_head => return Err(e),
            Err(_) => continue,
        };
        match pipeline_at(repo, tip, &root) {
            Ok(p) => {
                if names_branch(&p, branch, head_branch) {
                    return Ok(Some(root));
                }
            }
            Err(e) if Some(tip) == deciding => {
                cannot_tell = Some(invalid(format!(
                    "rel audit --hook: cannot tell whether the push to {branch} must be audited: \
                     the pipeline at {} does not parse: {e:#}; nothing was accepted. Push a \
                     commit that repairs it (that push is audited), or repair it on the server",
                    short(tip),
                )));
            }
            // A pushed tip that breaks the pipeline of a branch its old tip
            // read well: the branch HEAD names stays guarded, and the push
            // is audited.
            Err(_) if is_head && cannot_tell.is_none() => return Ok(Some(root)),
            Err(_) => {}
        }
    }
    match cannot_tell {
        Some(e) => Err(e),
        None => Ok(None),
    }
}

/// The pipeline of `tip`, or why it cannot be read.
fn pipeline_at(
    repo: &Repository,
    tip: Oid,
    root: &Path,
) -> anyhow::Result<crate::model::pipeline::Pipeline> {
    let text = bare::pipeline_text(repo, tip, root).ok_or_else(|| {
        invalid(format!(
            "{}: not a UTF-8 file rel can read",
            root.join(PIPELINE_FILE).display()
        ))
    })?;
    parse_pipeline(&root.join(PIPELINE_FILE), &text)
}

/// Whether pipeline `p` makes `branch` the shared branch: its `[sync]
/// branch`, else the branch HEAD names.
fn names_branch(
    p: &crate::model::pipeline::Pipeline,
    branch: &str,
    head_branch: Option<&str>,
) -> bool {
    let shared = match p.sync.as_ref().and_then(|s| s.branch.clone()) {
        Some(named) => Some(named),
        None => head_branch.map(str::to_string),
    };
    shared.as_deref() == Some(branch)
}

fn short(id: Oid) -> String {
    id.to_string().chars().take(10).collect()
}

/// Whether moving a branch from `old` to `new` is a fast-forward.
pub fn fast_forward(repo: &Repository, old: Oid, new: Oid) -> anyhow::Result<bool> {
    Ok(old == new || repo.graph_descendant_of(new, old)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn git_lines_are_read_with_zero_as_absent() {
        let u = parse_updates(&format!("{Z} {A} refs/heads/main\n{A} {Z} refs/tags/v1\n"))
            .expect("lines");
        assert_eq!(u.len(), 2);
        assert_eq!(u[0].old, None);
        assert_eq!(u[0].new, Oid::from_str(A).ok());
        assert_eq!(u[0].branch(), Some("main"));
        assert_eq!(u[1].new, None);
        assert_eq!(u[1].branch(), None);
    }

    #[test]
    fn a_line_not_as_git_writes_it_is_invalid() {
        for bad in [
            "main".to_string(),
            format!("{A} {A}"),
            format!("{A} abc refs/heads/main"),
            format!("{A} 1111 refs/heads/main"),
            format!("{A} {A} refs/heads/main extra"),
        ] {
            let e = parse_updates(&bad).expect_err(&bad);
            assert!(e.to_string().contains("pre-receive input line 1"), "{e}");
        }
    }
}
