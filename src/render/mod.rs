//! Output: tables for people, JSON for scripts, text for documents.

pub mod board;
pub mod check;
pub mod fleet;
pub mod forecast;
pub mod incident;
pub mod man_synopsis;
pub mod notes;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod release;
pub mod table;
pub mod text;
pub mod time;
