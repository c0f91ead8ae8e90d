//! git itself: objects, raw trees and spliced trees, commits (made,
//! signed, packed), the branch's history as the log and the audit walk
//! it, the actor's identity, and bare repositories. What a release
//! repository's files mean is not here (see `repo`), nor the remote (see
//! `remote`), nor rel's own files under `.git` (see `kept`).

pub mod audit_walk;
pub mod bare;
pub mod branch_time;
pub mod commit;
pub mod commit_files;
pub mod git_cli;
pub mod git_config;
pub mod history;
pub mod identity;
pub mod pack_windows;
pub mod packing;
pub mod raw_tree;
pub mod signatures;
pub mod tree_diff;
pub mod tree_splice;
