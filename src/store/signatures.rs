//! Commit signatures: whether a commit carries one, and whether git accepts
//! it.

use git2::Oid;

use super::Workspace;

/// The signature status of commit `id`, as the evidence shows it: `none`
/// when the commit carries no signature, `signed` when it does.
pub fn status(ws: &Workspace, id: &str) -> String {
    let Ok(oid) = Oid::from_str(id) else {
        return "none".into();
    };
    match ws.git_repo().extract_signature(&oid, None) {
        Ok(_) => "signed".into(),
        Err(_) => "none".into(),
    }
}
