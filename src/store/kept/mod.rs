//! What rel keeps under `.git`, out of the work tree: the lock
//! (`rel.lock`) and the crash journal (`rel-journal`). Neither is state a
//! decision reads: the lock only orders processes, and the journal only
//! finishes a step a killed rel left half-done. git's own objects and refs
//! are not here (see `git`).

pub mod journal;
pub mod lock;
