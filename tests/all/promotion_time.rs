//! The time rules end to end: soak (the contract's worked examples, weekends,
//! holidays, timezones), windows (across midnight), blackouts (dates and
//! instants), and `ready_at` when they combine.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes};
use crate::common::Env;
use crate::promotion::FRI;

/// dev -> test (minor soak 3 in test) -> live, in `calendar`, with `live`
/// getting the extra `live` keys.
fn pipeline(calendar: &str, live: &str) -> String {
    format!(
        "[calendar]\n{calendar}\n\n[[environments]]\nname = \"dev\"\n\n[[environments]]\nname = \"test\"\nsoak = {{ major = 10, minor = 3, patch = 0 }}\n\n[[environments]]\nname = \"live\"\n{live}\n"
    )
}

/// A minor release created at `now`, promoted into `test` at `entered`.
fn in_test(env: &mut Env, entered: &str) -> String {
    env.now = entered.to_string();
    let id = crate::common::releases::new_release(env, "2.1.0");
    one_commit(env, &["promote", &id]);
    id
}

/// Asserts the release is held by soak until exactly `ready` (and by
/// nothing else), through `check --at` a minute before and at `ready`, and
/// that `promote` agrees at both instants.
fn soak_until(env: &mut Env, id: &str, ready: &str) {
    let t = chrono::DateTime::parse_from_rfc3339(ready).unwrap();
    let before =
        (t - chrono::Duration::minutes(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (code, v) = check(env, &[id, "--at", &before]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(codes(&v), ["soak"]);
    assert_eq!(v["ready_at"], ready, "{v}");
    assert_eq!(v["violations"][0]["ready_at"], ready);
    let (code, v) = check(env, &[id, "--at", ready]);
    assert_eq!(code, 0, "{v}");

    env.now = before;
    refused(env, &["promote", id], 1);
    env.now = ready.to_string();
    one_commit(env, &["promote", id]);
}

// ---- soak: the contract's examples ----

#[test]
fn soak_utc_minor_3_from_friday_afternoon_ends_wednesday_same_time() {
    let mut env = Env::with_pipeline(&pipeline("timezone = \"UTC\"", ""));
    let id = in_test(&mut env, FRI);
    soak_until(&mut env, &id, "2026-11-25T15:00:00Z");
}

#[test]
fn soak_skips_a_monday_holiday() {
    let mut env = Env::with_pipeline(&pipeline("holidays = [2026-11-23]", ""));
    let id = in_test(&mut env, FRI);
    soak_until(&mut env, &id, "2026-11-26T15:00:00Z");
}

#[test]
fn soak_from_a_saturday_counts_from_monday_midnight() {
    let mut env = Env::with_pipeline(&pipeline("timezone = \"UTC\"", ""));
    let id = in_test(&mut env, "2026-11-21T10:30:00Z");
    // Mon 00:00 + 3 business days = Thu 00:00.
    soak_until(&mut env, &id, "2026-11-26T00:00:00Z");
}

#[test]
fn soak_patch_is_zero_and_a_missing_kind_means_zero() {
    let mut env = Env::with_pipeline(
        "[[environments]]\nname = \"dev\"\n[[environments]]\nname = \"test\"\nsoak = { major = 4 }\n[[environments]]\nname = \"live\"\n",
    );
    let id = in_test(&mut env, FRI); // minor: no entry for it in soak
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn soak_in_london_summer_time_keeps_the_local_wall_clock() {
    // Fri 2026-07-17 15:00 BST = 14:00 UTC -> Wed 2026-07-22 15:00 BST.
    let mut env = Env::with_pipeline(&pipeline("timezone = \"Europe/London\"", ""));
    let id = in_test(&mut env, "2026-07-17T14:00:00Z");
    soak_until(&mut env, &id, "2026-07-22T14:00:00Z");
}

#[test]
fn soak_in_new_york_counts_local_days_not_utc_days() {
    // Fri 2026-11-20 23:30 EST is Sat 04:30 UTC: a Friday entry in New York
    // (in UTC it would count from Monday 00:00 and end Thursday 00:00).
    let mut env = Env::with_pipeline(&pipeline("timezone = \"America/New_York\"", ""));
    let id = in_test(&mut env, "2026-11-21T04:30:00Z");
    // Wed 2026-11-25 23:30 EST.
    soak_until(&mut env, &id, "2026-11-26T04:30:00Z");
}

#[test]
fn soak_across_the_end_of_summer_time_keeps_15_00_local() {
    // Fri 2026-10-30 15:00 EDT (19:00Z); clocks go back on Sun 1 Nov; ready
    // Wed 2026-11-04 15:00 EST = 20:00Z.
    let mut env = Env::with_pipeline(&pipeline("timezone = \"America/New_York\"", ""));
    let id = in_test(&mut env, "2026-10-30T19:00:00Z");
    soak_until(&mut env, &id, "2026-11-04T20:00:00Z");
}

// ---- windows ----

fn window_env() -> (Env, String) {
    let mut env = Env::with_pipeline(&pipeline("", "windows = [\"fri 22:00-02:00\"]"));
    let id = in_test(&mut env, "2026-11-13T09:00:00Z"); // soaked long before FRI
    (env, id)
}

#[test]
fn window_across_midnight_is_open_until_its_end_the_next_day() {
    let (mut env, id) = window_env();
    for open in [
        "2026-11-20T22:00:00Z",
        "2026-11-21T01:00:00Z",
        "2026-11-21T01:59:00Z",
    ] {
        let (code, v) = check(&env, &[&id, "--at", open]);
        assert_eq!(code, 0, "{open}: {v}");
    }
    let (code, v) = check(&env, &[&id, "--at", "2026-11-21T02:00:00Z"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["window"]);
    assert_eq!(v["ready_at"], "2026-11-27T22:00:00Z");
    assert_eq!(v["violations"][0]["ready_at"], "2026-11-27T22:00:00Z");
    let (_, v) = check(&env, &[&id, "--at", "2026-11-20T21:59:00Z"]);
    assert_eq!(v["ready_at"], "2026-11-20T22:00:00Z");

    env.now = "2026-11-21T02:00:00Z".into();
    refused(&env, &["promote", &id], 1);
    env.now = "2026-11-21T01:00:00Z".into();
    one_commit(&env, &["promote", &id]);
}

#[test]
fn window_override_promotes_outside_the_window() {
    let (mut env, id) = window_env();
    env.now = "2026-11-24T12:00:00Z".into();
    refused(&env, &["promote", &id], 1);
    one_commit(
        &env,
        &[
            "promote",
            &id,
            "--override",
            "window",
            "--reason",
            "Outage fix",
        ],
    );
    assert!(env.last_message().contains("Rel-Override: window\n"));
}

#[test]
fn window_in_the_calendar_timezone() {
    // 09:00-17:00 London in summer is 08:00-16:00 UTC.
    let mut env = Env::with_pipeline(&pipeline(
        "timezone = \"Europe/London\"",
        "windows = [\"workdays 09:00-17:00\"]",
    ));
    let id = in_test(&mut env, "2026-07-01T09:00:00Z");
    let (code, _) = check(&env, &[&id, "--at", "2026-07-14T08:00:00Z"]);
    assert_eq!(code, 0);
    let (code, v) = check(&env, &[&id, "--at", "2026-07-14T16:00:00Z"]);
    assert_eq!(code, 1);
    assert_eq!(v["ready_at"], "2026-07-15T08:00:00Z");
}

// ---- blackouts ----

#[test]
fn blackout_given_as_dates_covers_whole_local_days_inclusive() {
    let mut env = Env::with_pipeline(&pipeline(
        "",
        "blackouts = [{ from = 2026-12-18, to = 2027-01-04, reason = \"Year-end change freeze\" }]",
    ));
    let id = in_test(&mut env, FRI);
    let (code, _) = check(&env, &[&id, "--at", "2026-12-17T23:59:00Z"]);
    assert_eq!(code, 0);
    for inside in [
        "2026-12-18T00:00:00Z",
        "2026-12-25T12:00:00Z",
        "2027-01-04T23:59:00Z",
    ] {
        let (code, v) = check(&env, &[&id, "--at", inside]);
        assert_eq!(code, 1);
        assert_eq!(codes(&v), ["blackout"], "{inside}");
        assert_eq!(v["ready_at"], "2027-01-05T00:00:00Z");
        assert!(v["violations"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Year-end"));
    }
    let (code, _) = check(&env, &[&id, "--at", "2027-01-05T00:00:00Z"]);
    assert_eq!(code, 0);
    env.now = "2026-12-21T10:00:00Z".into();
    refused(&env, &["promote", &id], 1);
    one_commit(
        &env,
        &[
            "promote",
            &id,
            "--override",
            "blackout",
            "--reason",
            "Security fix",
        ],
    );
    assert!(env.last_message().contains("Rel-Override: blackout\n"));
}

#[test]
fn blackout_dates_are_local_days_in_the_calendar_timezone() {
    let mut env = Env::with_pipeline(&pipeline(
        "timezone = \"America/New_York\"",
        "blackouts = [{ from = 2026-12-18, to = 2026-12-18 }]",
    ));
    let id = in_test(&mut env, FRI);
    // 2026-12-18 00:00 EST = 05:00Z; the end is 2026-12-19 05:00Z.
    let (code, _) = check(&env, &[&id, "--at", "2026-12-18T04:59:00Z"]);
    assert_eq!(code, 0);
    let (code, v) = check(&env, &[&id, "--at", "2026-12-18T05:00:00Z"]);
    assert_eq!(code, 1);
    assert_eq!(v["ready_at"], "2026-12-19T05:00:00Z");
}

#[test]
fn blackout_given_as_instants_starts_and_ends_exactly() {
    let mut env = Env::with_pipeline(&pipeline(
        "",
        "blackouts = [{ from = 2026-12-18T17:00:00Z, to = 2026-12-21T08:00:00Z }]",
    ));
    let id = in_test(&mut env, FRI);
    let (code, _) = check(&env, &[&id, "--at", "2026-12-18T16:59:00Z"]);
    assert_eq!(code, 0);
    let (code, v) = check(&env, &[&id, "--at", "2026-12-18T17:00:00Z"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["blackout"]);
    assert_eq!(v["ready_at"], "2026-12-21T08:00:00Z");
    let (code, _) = check(&env, &[&id, "--at", "2026-12-21T08:00:00Z"]);
    assert_eq!(code, 0);
}

// ---- time rules together ----

#[test]
fn soak_ending_inside_a_blackout_is_ready_when_the_blackout_ends_in_a_window() {
    // Soak ends Wed 25 15:00, inside a blackout that ends Thu 26 10:00,
    // inside the workday window: ready then.
    let mut env = Env::with_pipeline(&pipeline(
        "",
        "windows = [\"workdays 09:00-17:00\"]\nblackouts = [{ from = 2026-11-25T00:00:00Z, to = 2026-11-26T10:00:00Z }]",
    ));
    let id = in_test(&mut env, FRI);
    let (code, v) = check(&env, &[&id, "--at", "2026-11-23T10:00:00Z"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["soak"]);
    assert_eq!(v["violations"][0]["ready_at"], "2026-11-25T15:00:00Z");
    assert_eq!(v["ready_at"], "2026-11-26T10:00:00Z");
    let (code, v) = check(&env, &[&id, "--at", "2026-11-25T16:00:00Z"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["blackout"]);
    assert_eq!(v["ready_at"], "2026-11-26T10:00:00Z");
    let (code, _) = check(&env, &[&id, "--at", "2026-11-26T10:00:00Z"]);
    assert_eq!(code, 0);
}

#[test]
fn blackout_ending_outside_every_window_is_ready_when_the_next_window_opens() {
    // Dates: the blackout ends Fri 27 00:00; the window opens at 09:00.
    let mut env = Env::with_pipeline(&pipeline(
        "",
        "windows = [\"workdays 09:00-17:00\"]\nblackouts = [{ from = 2026-11-25, to = 2026-11-26 }]",
    ));
    let id = in_test(&mut env, FRI);
    let (code, v) = check(&env, &[&id, "--at", "2026-11-23T10:00:00Z"]);
    assert_eq!(code, 1);
    assert_eq!(v["ready_at"], "2026-11-27T09:00:00Z");
    let (_, v) = check(&env, &[&id, "--at", "2026-11-26T20:00:00Z"]);
    assert_eq!(codes(&v), ["window", "blackout"]);
    assert_eq!(v["ready_at"], "2026-11-27T09:00:00Z");
}

#[test]
fn earliest_is_when_the_time_rules_pass_even_while_another_rule_blocks() {
    let mut env = Env::with_pipeline(&pipeline(
        "",
        "requires_frozen = true\nwindows = [\"mon 09:00-10:00\"]",
    ));
    let id = in_test(&mut env, FRI);
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["soak", "frozen", "window"]);
    // Soak over Wednesday 15:00, then the Monday window; `frozen` needs
    // someone to act, so nothing makes it ready by itself.
    assert_eq!(v["earliest"], "2026-11-30T09:00:00Z");
    assert_eq!(v["ready_at"], serde_json::Value::Null);
    // Each time violation still says when it alone passes.
    assert_eq!(v["violations"][0]["ready_at"], "2026-11-25T15:00:00Z");
    assert_eq!(v["violations"][2]["ready_at"], "2026-11-23T09:00:00Z");
}

#[test]
fn overlapping_blackouts_are_ready_when_the_last_one_ends() {
    let mut env = Env::with_pipeline(&pipeline(
        "",
        "blackouts = [\n  { from = 2026-12-18, to = 2027-01-04, reason = \"Year-end change freeze\" },\n  { from = 2027-01-02T00:00:00Z, to = 2027-01-06T12:00:00Z, reason = \"Migration\" },\n]",
    ));
    let id = in_test(&mut env, FRI);
    let (code, v) = check(&env, &[&id, "--at", "2026-12-20T10:00:00Z"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["blackout"]);
    assert_eq!(v["violations"][0]["ready_at"], "2027-01-06T12:00:00Z");
    assert_eq!(v["ready_at"], "2027-01-06T12:00:00Z");
    assert!(
        v["violations"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2027-01-06 12:00"),
        "{v}"
    );
    let (code, _) = check(&env, &[&id, "--at", "2027-01-05T00:00:00Z"]);
    assert_eq!(code, 1);
    let (code, _) = check(&env, &[&id, "--at", "2027-01-06T12:00:00Z"]);
    assert_eq!(code, 0);
}
