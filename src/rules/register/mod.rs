//! PURE rules of the work register: may these incidents be grouped into, or
//! ungrouped from, a release? May it be frozen, unfrozen or cancelled? May an
//! incident change? Each answer is a verdict with every violation for every
//! incident at once, so a refusal tells the whole story the first time.
//!
//! `decide` answers; `effects` says what an allowed change does to the
//! values. Commands and the properties apply the very same effects, so what
//! the properties prove about sequences of operations holds for the program.

mod decide;
pub mod effects;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

pub use decide::{
    changes_holder, is_live, lists, may_cancel, may_change_incident, may_freeze, may_group,
    may_unfreeze, may_ungroup, Candidate, Holder, IncidentChange,
};
