//! End-to-end tests: the real `rel` binary on throwaway git repositories.
//! One test binary (faster to link); one module per capability.

mod common;
mod foundation;
mod foundation_git;
mod foundation_init;
mod foundation_input;
mod promotion;
mod promotion_approvals;
mod promotion_time;
mod promotion_gates;
mod register;
mod register_group;
mod promotion_moves;
mod promotion_overrides;
mod promotion_views;
mod notes_log;
mod notes_log_trail;
mod notes_log_template;
mod notes_log_outside;
