//! Contract rev 2: `rel check` and `rel plan` on a released or cancelled
//! release answer `state`, exit 1, JSON included; and `ready_at` against
//! `earliest` as people read them in `check` and `status`.

use serde_json::{json, Value};

use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes, freeze, new_release};
use crate::common::Env;
use crate::promotion::SIMPLE;

/// A release walked to `live` and closed.
fn released(env: &Env) -> String {
    let id = new_release(env, "1.4.1"); // patch: no soak in test
    one_commit(env, &["promote", &id]);
    one_commit(env, &["promote", &id]);
    one_commit(env, &["close", &id]);
    id
}

#[test]
fn check_of_a_released_release_is_state_exit_1_with_json() {
    let env = Env::with_pipeline(SIMPLE);
    let id = released(&env);
    env.assert_unchanged(|| {
        // Revision 1 answered exit 2: "nothing to promote to".
        let (code, v) = check(&env, &[&id]);
        assert_eq!(code, 1);
        assert_eq!(codes(&v), ["state"]);
        assert!(v["violations"][0]["message"]
            .as_str()
            .unwrap()
            .contains("is released"));
        assert_eq!(v["from"], "live");
        assert_eq!(v["to"], Value::Null);
        assert_eq!(
            (&v["ready"], &v["ready_at"], &v["earliest"]),
            (&json!(false), &Value::Null, &Value::Null)
        );
        let text = env.rel(&["check", &id]);
        text.code(1);
        assert!(
            text.stdout
                .contains(&format!("{id}: cannot move on from live"))
                && text.stdout.contains("[state]"),
            "{}",
            text.stdout
        );
        // A named target is still checked to exist.
        env.rel(&["check", &id, "--to", "nowhere"]).code(2);
        let (code, v) = check(&env, &[&id, "--to", "dev"]);
        assert_eq!((code, codes(&v)), (1, vec!["state".to_string()]));
        assert_eq!(v["to"], "dev");
    });
    let run = refused(&env, &["promote", &id], 1);
    assert!(run.stderr.contains("[state]"), "{}", run.stderr);
}

#[test]
fn check_of_a_cancelled_release_is_state_alone() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["cancel", &id, "--reason", "Withdrawn"]);
    // Revision 1 also listed the rules of the next environment.
    let (code, v) = check(&env, &[&id, "--to", "live"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["state"]);
    assert_eq!(v["to"], "live");
}

#[test]
fn plan_of_a_released_or_cancelled_release_is_state_exit_1() {
    let env = Env::with_pipeline(SIMPLE);
    let done = released(&env);
    let gone = new_release(&env, "1.5.0");
    one_commit(&env, &["cancel", &gone, "--reason", "Withdrawn"]);
    for (id, state) in [(&done, "released"), (&gone, "cancelled")] {
        env.assert_unchanged(|| {
            // Revision 1 answered exit 0 with a plan.
            let run = env.rel(&["--json", "plan", id]);
            run.code(1);
            let v = run.json();
            assert_eq!(v["release"], id.as_str());
            assert_eq!(v["steps"], json!([]));
            assert_eq!(v["violations"][0]["rule"], "state");
            assert!(
                run.stderr.contains(&format!("is {state}")),
                "{}",
                run.stderr
            );
            let run = env.rel(&["plan", id]);
            run.code(1);
            assert!(run.stderr.contains("[state]"), "{}", run.stderr);
        });
    }
}

#[test]
fn people_read_ready_at_only_when_nobody_needs_to_act() {
    let mut env = Env::new(); // default pipeline: uat soak 3, staging frozen
    let waiting = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &waiting]);
    let frozen = new_release(&env, "1.5.0");
    one_commit(&env, &["promote", &frozen]);
    freeze(&env, &frozen);
    env.now = "2026-11-23T09:00:00Z".into();

    // Not frozen: someone must act; the earliest is the end of the soak.
    let text = env.rel(&["check", &waiting]).code(1).stdout.clone();
    assert!(text.contains("to be done first: frozen"), "{text}");
    assert!(
        text.contains("earliest: Wed 2026-11-25 15:00 UTC (the time rules pass then)"),
        "{text}"
    );
    assert!(!text.contains("ready at"), "{text}");
    // Frozen: only the soak blocks.
    let text = env.rel(&["check", &frozen]).code(1).stdout.clone();
    assert!(text.contains("ready at Wed 2026-11-25 15:00"), "{text}");

    let table = env.rel(&["status"]).ok().stdout.clone();
    let line = |id: &str| table.lines().find(|l| l.contains(id)).unwrap().to_string();
    assert!(
        line(&waiting).contains("blocked: soak, frozen; earliest Wed 2026-11-25 15:00"),
        "{table}"
    );
    assert!(
        line(&frozen).contains("ready at Wed 2026-11-25 15:00"),
        "{table}"
    );
}
