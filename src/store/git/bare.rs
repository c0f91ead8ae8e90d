//! A bare repository (the shared one on a server, or the GIT_DIR git gives
//! a hook): no work tree, so the release repository is found in a commit's
//! tree and everything is read from commits.
//!
//! Where the release repository sits in the tree: `git config rel.root
//! PATH` in the bare repository names it; otherwise the shallowest folder
//! of the tip's tree holding an `environments.toml` (the top first, then
//! each level below, down to `SEARCH_DEPTH`). Two at the same depth are
//! ambiguous: the answer is to set `rel.root`.

use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository, Tree};

use crate::error::invalid;

use crate::store::repo::workspace::PIPELINE_FILE;

/// How many folders deep the search for environments.toml goes.
const SEARCH_DEPTH: usize = 4;
/// How many folders the search reads at most (a monorepo may hold many).
const SEARCH_TREES: usize = 20_000;

/// The bare repository rel is run in, if it is one: the one GIT_DIR names
/// (as git sets it for hooks), or the one at `start`. libgit2 is opened
/// "from the environment" there so that it sees what git's variables add:
/// in a `pre-receive` hook the pushed objects are still in quarantine
/// (GIT_OBJECT_DIRECTORY, with the repository's own objects in
/// GIT_ALTERNATE_OBJECT_DIRECTORIES).
pub fn open(start: &Path) -> anyhow::Result<Option<Repository>> {
    if std::env::var_os("GIT_DIR").is_some() {
        let repo = Repository::open_from_env()
            .map_err(|e| invalid(format!("GIT_DIR does not name a git repository: {e}")))?;
        return Ok(repo.is_bare().then_some(repo));
    }
    match Repository::discover(start) {
        Ok(repo) if repo.is_bare() => Ok(Some(repo)),
        _ => Ok(None),
    }
}

/// The commit HEAD names, and the short name of its branch (`None`:
/// nothing committed on it yet).
pub fn head(repo: &Repository) -> anyhow::Result<(Option<Oid>, Option<String>)> {
    let branch = repo
        .find_reference("HEAD")
        .ok()
        .and_then(|r| r.symbolic_target().map(str::to_string))
        .map(|t| t.strip_prefix("refs/heads/").unwrap_or(&t).to_string());
    let tip = match repo.head() {
        Ok(h) => Some(
            h.peel_to_commit()
                .map_err(|e| crate::error::git_failure("read HEAD's commit", &e))?
                .id(),
        ),
        Err(e)
            if e.code() == git2::ErrorCode::UnbornBranch
                || e.code() == git2::ErrorCode::NotFound =>
        {
            None
        }
        Err(e) => return Err(crate::error::git_failure("read HEAD", &e)),
    };
    Ok((tip, branch))
}

/// The release repository's folder in `commit`'s tree (empty: the top),
/// or `None` when the tree holds no environments.toml where rel looks.
pub fn release_root(repo: &Repository, commit: Oid) -> anyhow::Result<Option<PathBuf>> {
    let tree = repo.find_commit(commit)?.tree()?;
    if let Some(named) = configured_root(repo) {
        return Ok(match tree.get_path(&named.join(PIPELINE_FILE)) {
            Ok(e) if e.kind() == Some(ObjectType::Blob) => Some(named),
            _ => None,
        });
    }
    search(repo, tree)
}

/// `rel.root` from the bare repository's configuration, as a relative path.
fn configured_root(repo: &Repository) -> Option<PathBuf> {
    let value = repo.config().ok()?.get_string("rel.root").ok()?;
    let trimmed = value.trim().trim_matches('/');
    if trimmed.is_empty() || trimmed == "." {
        return Some(PathBuf::new());
    }
    Some(PathBuf::from(trimmed))
}

/// Breadth first: the shallowest folder holding environments.toml.
fn search(repo: &Repository, top: Tree) -> anyhow::Result<Option<PathBuf>> {
    let mut level: Vec<(PathBuf, Tree)> = vec![(PathBuf::new(), top)];
    let mut read = 1;
    for _ in 0..=SEARCH_DEPTH {
        let found: Vec<&PathBuf> = level
            .iter()
            .filter(|(_, t)| {
                t.get_name(PIPELINE_FILE)
                    .is_some_and(|e| e.kind() == Some(ObjectType::Blob))
            })
            .map(|(p, _)| p)
            .collect();
        match found.as_slice() {
            [] => {}
            [one] => return Ok(Some((*one).clone())),
            many => {
                let names: Vec<String> = many.iter().map(|p| p.display().to_string()).collect();
                return Err(invalid(format!(
                    "{PIPELINE_FILE} is in several folders ({}); name the release repository's \
                     with `git config rel.root FOLDER` in the bare repository",
                    names.join(", ")
                )));
            }
        }
        let mut next = Vec::new();
        for (path, tree) in &level {
            for entry in tree.iter() {
                let Some(name) = entry.name() else { continue };
                if entry.kind() != Some(ObjectType::Tree) || name.starts_with('.') {
                    continue;
                }
                if read >= SEARCH_TREES {
                    return Ok(None);
                }
                read += 1;
                if let Ok(sub) = repo.find_tree(entry.id()) {
                    next.push((path.join(name), sub));
                }
            }
        }
        level = next;
    }
    Ok(None)
}

/// The text of environments.toml under `root` in `commit`'s tree.
pub fn pipeline_text(repo: &Repository, commit: Oid, root: &Path) -> Option<String> {
    let tree = repo.find_commit(commit).ok()?.tree().ok()?;
    let entry = tree.get_path(&root.join(PIPELINE_FILE)).ok()?;
    let blob = repo.find_blob(entry.id()).ok()?;
    String::from_utf8(blob.content().to_vec()).ok()
}
