//! The files of a release repository: the workspace (found from the
//! work tree, or in a bare repository's tip), where its state is read
//! from (HEAD's tree or the work tree), environments.toml and the
//! manifests parsed with line/column errors, canonical TOML, listings,
//! the archive, and the uncommitted edits to rel's files. How git stores
//! them is not here (see `git`), nor where `--output` writes (see
//! `output`).

pub mod archive;
pub mod archive_listing;
mod chunked_toml;
pub mod listing;
pub mod manifests;
pub mod pipeline_file;
mod pipeline_updates;
pub mod reads;
pub mod source;
pub mod toml_file;
pub mod uncommitted;
pub mod workspace;
