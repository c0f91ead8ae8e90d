//! Contract rev 2, section 4: the soak counts the content that is there now.
//! A group, ungroup or unfreeze while the release is in an environment
//! starts its soak there again; check, promote, plan and status agree.

use serde_json::Value;

use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes, group_ready_incident, new_release};
use crate::common::Env;
use crate::promotion::SIMPLE;

/// Wed 2026-11-25 10:00 UTC: the last day of a 3-day soak begun Fri 15:00.
const WED_MORNING: &str = "2026-11-25T10:00:00Z";
/// When that soak would have ended without the change.
const WED_END: &str = "2026-11-25T15:00:00Z";
/// Three business days after Wed 10:00: Mon 2026-11-30 10:00.
const MON_AFTER: &str = "2026-11-30T10:00:00Z";

/// A minor release promoted into `test` (minor soak 3) on Fri 15:00.
fn in_test(env: &Env) -> String {
    let id = new_release(env, "1.4.0");
    one_commit(env, &["promote", &id]);
    id
}

#[test]
fn grouping_on_the_last_day_of_the_soak_starts_it_again() {
    let mut env = Env::with_pipeline(SIMPLE);
    let id = in_test(&env);
    // Before the change the soak ends Wednesday 15:00.
    let (_, v) = check(&env, &[&id, "--at", "2026-11-25T09:00:00Z"]);
    assert_eq!(v["violations"][0]["ready_at"], WED_END);

    env.now = WED_MORNING.into();
    group_ready_incident(&env, &id, "INC-1");

    // Revision 1 said ready at Wed 15:00; the new content must soak 3 days.
    let (code, v) = check(&env, &[&id, "--at", WED_END]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(codes(&v), ["soak"]);
    assert_eq!(v["violations"][0]["ready_at"], MON_AFTER);
    assert_eq!(v["ready_at"], MON_AFTER);
    assert_eq!(v["earliest"], MON_AFTER);
    let message = v["violations"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("since its content changed at Wed 2026-11-25 10:00 UTC"),
        "{message}"
    );

    // promote agrees with check, before and at the new end.
    env.now = WED_END.into();
    let run = refused(&env, &["promote", &id], 1);
    assert!(run.stderr.contains("[soak]"), "{}", run.stderr);
    let (code, _) = check(&env, &[&id, "--at", "2026-11-30T09:59:00Z"]);
    assert_eq!(code, 1);
    env.now = MON_AFTER.into();
    one_commit(&env, &["promote", &id]);
}

#[test]
fn plan_and_status_count_the_soak_from_the_content_change() {
    let mut env = Env::with_pipeline(SIMPLE);
    let id = in_test(&env);
    env.now = WED_MORNING.into();
    group_ready_incident(&env, &id, "INC-1");
    env.now = "2026-11-26T10:00:00Z".into();

    let plan = env.rel(&["--json", "plan", &id]).ok().json();
    assert_eq!(plan["steps"][0]["env"], "live");
    assert_eq!(plan["steps"][0]["earliest"], MON_AFTER);
    let text = env.rel(&["plan", &id]).ok().stdout.clone();
    assert!(
        text.contains("its soak there counts from Wed 2026-11-25 10:00 UTC"),
        "{text}"
    );

    let status = env.rel(&["--json", "status"]).ok().json();
    let row = &status[0];
    // One business day soaked (Wed 10:00 -> Thu 10:00), not four.
    assert_eq!(row["business_days"], 1, "{row}");
    assert_eq!(row["ready_at"], MON_AFTER);
    assert_eq!(row["earliest"], MON_AFTER);
    let table = env.rel(&["status"]).ok().stdout.clone();
    assert!(table.contains("ready at Mon 2026-11-30 10:00"), "{table}");
}

#[test]
fn ungroup_and_unfreeze_start_the_soak_again_freeze_does_not() {
    let mut env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.0");
    group_ready_incident(&env, &id, "INC-1");
    group_ready_incident(&env, &id, "INC-2");
    one_commit(&env, &["promote", &id]); // test, Fri 15:00: grouped before
    let (_, v) = check(&env, &[&id]);
    assert_eq!(v["violations"][0]["ready_at"], WED_END);

    // Freezing keeps the content: the soak goes on.
    env.now = "2026-11-23T10:00:00Z".into();
    one_commit(&env, &["freeze", &id]);
    let (_, v) = check(&env, &[&id]);
    assert_eq!(v["violations"][0]["ready_at"], WED_END);

    // Unfreezing opens the content to change: counted from then.
    env.now = "2026-11-24T10:00:00Z".into();
    one_commit(&env, &["unfreeze", &id, "--reason", "Hotfix needed"]);
    let (_, v) = check(&env, &[&id]);
    assert_eq!(v["violations"][0]["ready_at"], "2026-11-27T10:00:00Z");

    // Ungrouping changes it again.
    env.now = WED_MORNING.into();
    one_commit(&env, &["ungroup", &id, "INC-2"]);
    let (_, v) = check(&env, &[&id]);
    assert_eq!(v["violations"][0]["ready_at"], MON_AFTER);
}

#[test]
fn content_changed_in_an_earlier_environment_does_not_lengthen_the_next_soak() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.0");
    group_ready_incident(&env, &id, "INC-1"); // in dev, Fri 15:00
    one_commit(&env, &["promote", &id]); // test, Fri 15:00
    let (code, v) = check(&env, &[&id, "--at", WED_END]);
    assert_eq!((code, v["ready_at"].clone()), (0, Value::from(WED_END)));
    assert_eq!(v["at"], WED_END);
}
