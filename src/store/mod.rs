//! The repository on disk and in git, and nothing that decides: every
//! read and write of rel's files, git objects, the lock and the output
//! files goes through here. Nothing here prints: a note or a warning is
//! returned to the command, which says it.
//!
//! The rooms: `repo` (the files of a release repository and the workspace
//! that reads them), `git` (objects, trees, commits and history), `remote`
//! (the shared branch: fetch, push, fast-forward, the push hook), `kept`
//! (what rel keeps under `.git`: the lock and the crash journal) and
//! `output` (where `--output` may write).

pub mod git;
pub mod kept;
pub mod output;
pub mod remote;
pub mod repo;

pub use git::commit::{Change, CommitMessage};
pub use repo::manifests::{change_for, file_of, ReleaseHead};
pub use repo::workspace::Workspace;
