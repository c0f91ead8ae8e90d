//! Plain data: what the files of a release repository say, validated.

pub mod actor;
pub mod calendar;
pub mod ids;
pub mod incident;
pub mod pipeline;
pub mod release;
pub mod rule;
pub mod span;
pub mod window;
