//! The repository: discovery, loading with line/column errors, canonical
//! writing, the lock, and git commits that touch only rel's files.

pub mod archive;
pub mod audit_walk;
pub mod bare;
pub mod branch_time;
mod chunked_toml;
pub mod commit;
pub mod commit_files;
pub mod git_cli;
pub mod history;
pub mod hook;
pub mod identity;
pub mod journal;
pub mod listing;
pub mod lock;
pub mod manifests;
pub mod output_dir;
pub mod output_path;
pub mod packing;
pub mod pipeline_file;
mod pipeline_updates;
pub mod raw_tree;
pub mod reads;
pub mod signatures;
pub mod source;
pub mod sync;
pub mod sync_forward;
pub mod toml_file;
pub mod tree_splice;
pub mod uncommitted;
pub mod workspace;

pub use commit::{Change, CommitMessage};
pub use manifests::{change_for, file_of, ReleaseHead};
pub use workspace::Workspace;
