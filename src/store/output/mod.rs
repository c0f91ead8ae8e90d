//! Where `--output FILE` and `--output DIR` may write, and writing there
//! atomically. The repository's own files are never written here (see
//! `git::commit`).

pub mod output_dir;
pub mod output_path;
