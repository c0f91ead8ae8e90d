//! The shared branch of team use (contract section 6): fetch and push
//! through the `git` program, the fast-forward to the fetched tip, and
//! what a `pre-receive` hook on the shared repository knows of a push.
//! Local commits are not here (see `git`).

pub mod hook;
pub mod sync;
pub mod sync_forward;
