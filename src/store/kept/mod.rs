//! What rel keeps under `.git`, out of the work tree: the lock
//! (`rel.lock`), the crash journal (`rel-journal`) and the one cache
//! (`rel/archive-v1`, what `incident list --all` shows of each archived
//! folder). None is state a decision reads: the lock only orders
//! processes, the journal only finishes a step a killed rel left
//! half-done, and the cache only spares a command about the past a read
//! of git (any doubt about it, and git is read). git's own objects and refs
//! are not here (see `git`).

pub mod archive_cache;
pub mod checkout;
pub mod clean_check;
pub mod index_file;
mod index_tree;
pub mod journal;
pub mod lock;
mod sparse_cone;
#[cfg(test)]
mod test_git;
