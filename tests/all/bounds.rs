//! Hostile content is bounded: a notes template that would run for ever or
//! take all the memory, even inside one filter, is stopped with exit 2
//! naming it. `--output` rules are in `bounds_output`, the health check's
//! timeout in `bounds_health`.

use std::time::{Duration, Instant};

use crate::common::releases::new_release;
use crate::common::{Env, Run};

pub const TEMPLATE: &str = "releases/notes.md.j2";

/// Internal: the time limit tests use (1 s) instead of 10 s, where waiting
/// is the point; the memory limit stays the real one. Tests of memory keep
/// the real 10 s: a debug build on a busy machine may need more than 1 s to
/// fill 256 MB.
pub const FAST: (&str, &str) = ("REL_INTERNAL_TEMPLATE_LIMITS", "1,256");

/// A repository with one release (R-2026-001) and `template` committed.
pub fn with_template(template: &str) -> (Env, String) {
    let env = Env::new();
    let id = new_release(&env, "1.0.0");
    env.write(TEMPLATE, template);
    env.commit_all("hand edit: a notes template");
    (env, id)
}

/// `rel notes ARGS...` with these variables; the run and how long it took.
pub fn notes_timed(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> (Run, Duration) {
    let started = Instant::now();
    let run = env.rel_env(args, vars);
    (run, started.elapsed())
}

/// Refused with exit 2, the message naming the template (`expected` follows
/// its name), nothing written; how long it took.
#[track_caller]
fn stopped(template: &str, expected: &str, vars: &[(&str, &str)]) -> Duration {
    let (env, id) = with_template(template);
    let mut took = Duration::ZERO;
    env.assert_unchanged(|| {
        let (run, elapsed) = notes_timed(&env, &["notes", &id, "--output", "notes.md"], vars);
        run.code(2);
        assert!(
            run.stderr.contains(&format!("{TEMPLATE}{expected}")),
            "{}",
            run.stderr
        );
        assert_eq!(run.stdout, "");
        took = elapsed;
    });
    took
}

#[test]
fn work_inside_a_filter_is_stopped_at_the_time_limit() {
    // Fuel counts the loop, not the sort: 99,999 sorts of 99,999 numbers.
    let took = stopped(
        "{% for i in range(99999) %}{{ range(99999)|sort|join|length }}{% endfor %}",
        ": stopped after 1 s",
        &[FAST],
    );
    assert!(took < Duration::from_secs(8), "took {took:?}");
}

#[test]
fn a_string_doubled_sixty_times_is_stopped_at_the_memory_limit() {
    let took = stopped(
        "{% set ns = namespace(s=\"x\") %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
        ": used more than 256 MB",
        &[],
    );
    assert!(took < Duration::from_secs(8), "took {took:?}");
}

#[test]
fn doubling_through_macro_recursion_is_stopped_at_the_memory_limit() {
    stopped(
        "{% macro f(s, n) %}{% if n > 0 %}{{ f(s ~ s, n - 1) }}{% else %}{{ s|length }}{% endif %}{% endmacro %}{{ f(\"x\", 60) }}",
        ": used more than 256 MB",
        &[],
    );
}

#[test]
fn deep_macro_recursion_is_exit_2_naming_the_template() {
    stopped(
        "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(100000) }}",
        ":1: invalid operation: recursion limit exceeded",
        &[],
    );
}

#[test]
fn the_test_override_only_tightens_the_limits() {
    let (env, id) = with_template(
        "{% set ns = namespace(s=\"x\") %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    );
    let run = env.rel_env(
        &["notes", &id],
        &[("REL_INTERNAL_TEMPLATE_LIMITS", "60,100000")],
    );
    run.code(2);
    assert!(
        run.stderr.contains("used more than 256 MB"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_normal_template_renders_within_the_bounds() {
    let (env, id) = with_template("# {{ release }} {{ version }}\n{{ (\"x\" * 1000) | length }}\n");
    let (run, took) = notes_timed(&env, &["notes", &id], &[FAST]);
    run.ok();
    assert_eq!(run.stdout, format!("# {id} 1.0.0\n1000\n"));
    assert!(took < Duration::from_secs(8), "took {took:?}");
}

#[test]
fn a_template_that_is_a_link_or_a_folder_is_exit_2_naming_it() {
    let (env, id) = with_template("ignored");
    let secret = env.tmp.path().join("secret.txt");
    std::fs::write(&secret, "do not show").expect("write");
    std::fs::remove_file(env.path(TEMPLATE)).expect("rm");
    std::os::unix::fs::symlink(&secret, env.path(TEMPLATE)).expect("link");
    env.commit_all("hand edit: the template is a link");
    let run = env.rel(&["notes", &id]);
    run.code(2);
    assert!(run.stderr.contains(TEMPLATE), "{}", run.stderr);
    assert!(!run.stdout.contains("do not show"), "{}", run.stdout);
}
