//! Contract 11.6, "A cancelled schedule stays cancelled": after a person
//! unschedules R's promotion into E, zero-touch does not schedule R into E
//! again (not on the next change, not in `rel due --apply`) until a person
//! schedules it; `rel show` and `rel status` say so.

use crate::common::git::one_commit;
use crate::common::releases::{freeze, manifest, new_release};
use crate::common::Env;

const PIPELINE: &str = r#"
[[environments]]
name = "copy"

[[environments]]
name = "staging"
auto_schedule = true

[[environments]]
name = "live"
auto_schedule = true
requires_frozen = true
windows = ["sat 01:00-03:00"]
"#;

fn scheduled_envs(env: &Env, id: &str) -> Vec<String> {
    manifest(env, id)["schedules"]
        .as_array()
        .expect("schedules")
        .iter()
        .map(|s| s["env"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_schedule_a_person_cancelled_is_not_made_again_by_zero_touch() {
    let mut env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "5.3.1");
    freeze(&env, &id);
    one_commit(&env, &["verify", &id, "--passed", "4", "--failed", "0"]);
    assert_eq!(scheduled_envs(&env, &id), ["staging", "live"]);
    // The client's administrator cancels live.
    one_commit(
        &env,
        &[
            "unschedule",
            &id,
            "--to",
            "live",
            "--reason",
            "cancel: exams week",
        ],
    );
    assert_eq!(scheduled_envs(&env, &id), ["staging"]);
    // Staging's time comes: due --apply promotes into staging, and must
    // not schedule live again (it did before revision 3).
    env.now = "2026-11-21T00:00:00Z".to_string();
    env.rel(&["due", "--apply"]).ok();
    let m = manifest(&env, &id);
    assert_eq!(m["environment"], "staging");
    assert_eq!(scheduled_envs(&env, &id), Vec::<String>::new());
    // Later passes of time change nothing either.
    env.now = "2026-11-28T00:30:00Z".to_string();
    let before = env.commit_count();
    env.rel(&["due", "--apply"]).ok();
    assert_eq!(env.commit_count(), before);
    assert_eq!(manifest(&env, &id)["environment"], "staging");
    // show and status say why.
    let show = env.rel(&["show", &id]).ok().stdout.clone();
    assert!(show.contains("not scheduled into live"), "{show}");
    assert!(show.contains("rel schedule"), "{show}");
    let status = env.rel(&["status"]).ok().stdout.clone();
    assert!(status.contains("not scheduled into live"), "{status}");
    // A person schedules it again: zero-touch may go on from there.
    one_commit(&env, &["schedule", &id, "--to", "live", "--at", "earliest"]);
    assert_eq!(scheduled_envs(&env, &id), ["live"]);
    let show = env.rel(&["show", &id]).ok().stdout.clone();
    assert!(!show.contains("not scheduled into live"), "{show}");
    env.rel_env(&["audit"], &[("REL_NOW", "2031-01-01T00:00:00Z")])
        .ok();
}
