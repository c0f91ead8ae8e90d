//! Plain data: what the files of a release repository say, validated.

pub mod action;
pub mod actor;
pub mod archive;
pub mod archive_index;
pub mod calendar;
pub mod canonical_value;
pub mod effective;
pub mod ids;
pub mod incident;
pub mod incident_canonical;
pub mod installation;
pub mod named_pipelines;
pub mod path;
pub mod pipeline;
pub mod quote;
pub mod release;
pub mod rule;
pub mod schedule;
pub mod span;
pub mod window;
