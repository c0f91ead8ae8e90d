//! Contract rev 2, section 4: rollback goes back only to where the release
//! has been, and enters it as a new stay: what leaving it again needs is
//! asked for again.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes, manifest, new_release};
use crate::common::Env;

/// perf is optional: a release may go from dev straight to live.
const OPTIONAL: &str = r#"
[[environments]]
name = "dev"

[[environments]]
name = "perf"
optional = true

[[environments]]
name = "live"
"#;

#[test]
fn rollback_to_an_environment_the_release_passed_over_is_refused_with_order() {
    let mut env = Env::with_pipeline(OPTIONAL);
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id, "--to", "live"]);
    env.now = "2026-11-21T10:00:00Z".into();
    // Revision 1 moved it into perf, where it had never been.
    let run = refused(
        &env,
        &["rollback", &id, "--to", "perf", "--reason", "Slow pages"],
        1,
    );
    assert!(run.stderr.contains("[order]"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{id} never entered perf"))
            && run.stderr.contains("has been: dev"),
        "{}",
        run.stderr
    );
    // Where it has been is fine.
    one_commit(
        &env,
        &["rollback", &id, "--to", "dev", "--reason", "Slow pages"],
    );
    assert_eq!(manifest(&env, &id)["environment"], "dev");
}

#[test]
fn rollback_json_refusal_names_the_rule() {
    let env = Env::with_pipeline(OPTIONAL);
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id, "--to", "live"]);
    let run = refused(
        &env,
        &["--json", "rollback", &id, "--to", "perf", "--reason", "x"],
        1,
    );
    assert_eq!(run.json()["violations"][0]["rule"], "order");
}

/// dev -> test (an exit item) -> live (an approval, an entry item, and a
/// passing health report from test).
const GATED: &str = r#"
[[environments]]
name = "dev"

[[environments]]
name = "test"
exit_checklist = ["Smoke tests passed"]

[[environments]]
name = "live"
approvals = ["client"]
entry_checklist = ["Backup taken"]
requires_health = true
"#;

/// Everything `test -> live` needs, at `env.now`.
fn clear_the_way(env: &Env, id: &str) {
    one_commit(env, &["tick", id, "--env", "test", "1"]);
    one_commit(env, &["tick", id, "--env", "live", "1"]);
    one_commit(env, &["approve", id, "--env", "live", "--role", "client"]);
    one_commit(env, &["verify", id, "--passed", "5", "--failed", "0"]);
}

#[test]
fn a_rollback_is_a_new_stay_whose_exit_needs_everything_again() {
    let mut env = Env::with_pipeline(GATED);
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id]); // test
    env.now = "2026-11-21T10:00:00Z".into();
    clear_the_way(&env, &id);
    assert_eq!(check(&env, &[&id]).0, 0);
    env.now = "2026-11-22T10:00:00Z".into();
    one_commit(&env, &["promote", &id]); // live

    env.now = "2026-11-23T10:00:00Z".into();
    one_commit(
        &env,
        &["rollback", &id, "--to", "test", "--reason", "Broken login"],
    );
    let m = manifest(&env, &id);
    assert_eq!(m["environment"], "test");
    assert_eq!(m["entered_at"], "2026-11-23T10:00:00Z");
    assert!(
        env.last_message().contains("a new stay at revision 2"),
        "{}",
        env.last_message()
    );

    // Revision 1 let it go straight back with the old approval, ticks and
    // (but for its time) health report; now all are asked for again.
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(codes(&v), ["approval", "checklist", "checklist", "health"]);
    let text = v.to_string();
    assert!(text.contains("Backup taken") && text.contains("Smoke tests passed"));
    refused(&env, &["promote", &id], 1);

    // `show` marks the earlier records stale.
    let shown = env.rel(&["show", &id]).ok().stdout.clone();
    assert!(shown.contains("(stale)"), "{shown}");

    env.now = "2026-11-24T10:00:00Z".into();
    clear_the_way(&env, &id);
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 0, "{v}");
    one_commit(&env, &["promote", &id]);
}
