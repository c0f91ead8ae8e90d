//! End-to-end tests: the real `rel` binary on throwaway git repositories.
//! One test binary (faster to link); one module per capability.

mod bounds;
mod bounds_health;
mod bounds_output;
mod common;
mod confirm;
mod contract;
mod corrections_finished;
mod corrections_register;
mod corrections_rollback;
mod corrections_soak;
mod corrections_time;
mod crash;
mod foundation;
mod foundation_git;
mod foundation_init;
mod foundation_input;
mod notes_log;
mod notes_log_outside;
mod notes_log_template;
mod notes_log_trail;
mod outcomes;
mod outcomes_json;
mod promotion;
mod promotion_approvals;
mod promotion_gates;
mod promotion_moves;
mod promotion_overrides;
mod promotion_time;
mod promotion_views;
mod register;
mod register_group;
mod robustness;
mod robustness_edge;
mod robustness_writes;
mod state_commit;
