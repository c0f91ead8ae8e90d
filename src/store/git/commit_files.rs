//! Files of a given commit's tree, for the audit: what a policy file held
//! in the commit a change builds on.

use git2::Oid;

use crate::store::Workspace;

impl Workspace {
    /// The blob at `path` (relative to the release repository) in commit
    /// `commit`'s tree; None when there is no plain file there.
    pub fn blob_in_commit(&self, commit: Oid, path: &str) -> anyhow::Result<Option<Oid>> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let full = self.repo_path(path);
        match tree.get_path(std::path::Path::new(&full)) {
            Ok(entry) if entry.kind() == Some(git2::ObjectType::Blob) => Ok(Some(entry.id())),
            Ok(_) => Ok(None),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The first parent of `commit`, when the repository has it.
    pub fn first_parent(&self, commit: Oid) -> Option<Oid> {
        let c = self.repo.find_commit(commit).ok()?;
        c.parent_id(0).ok()
    }
}
