//! PURE: may this release be grouped, frozen or promoted, and when? Inputs
//! are values (the repository state, the pipeline, `now`); outputs are
//! verdicts with every violation. No I/O, no clock, no git, no terminal.

pub mod actions;
pub mod approvals;
pub mod audit;
pub mod auto_schedule;
pub mod carries;
pub mod checklists;
pub mod decide;
pub mod depends;
pub mod due;
pub mod fleet;
pub mod forecast;
pub mod history;
pub mod moves;
pub mod occupancy;
pub mod overrides;
pub mod paths;
pub mod plan;
pub mod policy;
pub mod promotion;
pub mod register;
pub mod schedule;
pub mod stays;
pub mod time;
pub mod verdict;

// The property tests and example tests live in `tests/` so that the rules
// read alone; a module's own tests stay its child (`#[path]`) where they
// need its private items.
#[cfg(test)]
mod tests;

pub use verdict::{Verdict, Violation};
