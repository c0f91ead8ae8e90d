//! Tests of the rules, kept apart so the rules read alone. The sequence
//! properties (random sequences of every action on one world) live here;
//! the other files are each a child of the module they test (declared with
//! `#[path]` there) because they reach its private items.

mod sequence_moves;
mod sequence_props;
mod sequence_world;
