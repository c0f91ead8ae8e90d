//! The views of the engine: `plan` (the rules asked with a moving now) and
//! `status` (the readiness of every release in progress).

use serde_json::{json, Value};

use crate::common::git::one_commit;
use crate::common::releases::{check, freeze, new_release};
use crate::common::{Env, RELEASE_FIELDS};
use crate::promotion::{FRI, OPTIONAL_PERF, SIMPLE};

// ---- plan ----

#[test]
fn plan_json_gives_each_remaining_environment_and_what_still_blocks() {
    let env = Env::new();
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id]); // uat, Fri 20 15:00, not frozen
    let v = env.rel(&["--json", "plan", &id]).ok().json();
    assert_eq!(
        v,
        json!({"release": id, "steps": [
            {"env": "staging", "earliest": "2026-11-25T15:00:00Z", "blocked_by": ["frozen"]},
            {"env": "production", "earliest": "2026-12-02T15:00:00Z", "blocked_by": ["frozen", "checklist"]},
        ]})
    );
    let text = env.rel(&["plan", &id]);
    text.ok();
    assert!(
        text.stdout.contains("Wed 2026-11-25 15:00"),
        "{}",
        text.stdout
    );
}

#[test]
fn plan_earliest_for_the_next_environment_equals_check_ready_at() {
    let mut env = Env::with_pipeline(
        r#"
[calendar]
timezone = "Europe/London"
holidays = [2026-11-23]
[[environments]]
name = "dev"
[[environments]]
name = "test"
soak = { minor = 3 }
[[environments]]
name = "live"
windows = ["tue-thu 09:00-17:00"]
blackouts = [{ from = 2026-11-26, to = 2026-11-26 }]
"#,
    );
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id]);
    for now in [
        FRI,
        "2026-11-24T12:00:00Z",
        "2026-11-26T16:30:00Z",
        "2026-11-27T08:00:00Z",
    ] {
        env.now = now.to_string();
        let (code, v) = check(&env, &[&id]);
        assert_eq!(code, 1, "{now}: {v}");
        let plan = env.rel(&["--json", "plan", &id]).ok().json();
        assert_eq!(
            plan["steps"][0]["earliest"], v["ready_at"],
            "{now}: {plan} vs {v}"
        );
        assert_eq!(plan["steps"][0]["blocked_by"], json!([]), "{now}");
    }
    // Soak ends Thu 26 15:00 (Monday a holiday), the blackout takes Thursday:
    // the window opens again Tue 1 Dec 09:00 GMT.
    env.now = FRI.into();
    assert_eq!(check(&env, &[&id]).1["ready_at"], "2026-12-01T09:00:00Z");
}

#[test]
fn plan_names_an_exclusive_occupant_and_is_empty_in_the_last_environment() {
    let env = Env::new();
    let a = new_release(&env, "1.4.1");
    let b = new_release(&env, "1.4.2");
    for id in [&a, &b] {
        one_commit(&env, &["promote", id]);
        freeze(&env, id);
    }
    one_commit(&env, &["promote", &a]);
    let v = env.rel(&["--json", "plan", &b]).ok().json();
    assert_eq!(v["steps"][0]["env"], "staging");
    assert_eq!(v["steps"][0]["earliest"], FRI);
    assert_eq!(v["steps"][0]["blocked_by"], json!(["exclusive"]));

    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["promote", &id]);
    let v = env.rel(&["--json", "plan", &id]).ok().json();
    assert_eq!(v, json!({"release": id, "steps": []}));
}

// ---- status ----

#[test]
fn status_shows_readiness_ready_blocked_or_ready_at() {
    let env = Env::new();
    let ready = new_release(&env, "1.4.0"); // dev -> uat: nothing blocks
    let waiting = new_release(&env, "1.5.0"); // uat, frozen: only the soak
    let blocked = new_release(&env, "1.6.0"); // uat, not frozen
    let last = new_release(&env, "1.6.1"); // production
    let gone = new_release(&env, "1.6.2"); // cancelled: not listed
    for id in [&waiting, &blocked, &last] {
        one_commit(&env, &["promote", id]);
    }
    freeze(&env, &waiting);
    freeze(&env, &last);
    one_commit(&env, &["promote", &last]);
    for n in ["1", "2", "3"] {
        one_commit(&env, &["tick", &last, "--env", "production", n]);
    }
    one_commit(&env, &["promote", &last, "--yes"]);
    one_commit(&env, &["cancel", &gone, "--reason", "Duplicate"]);

    let table = env.rel(&["status"]);
    table.ok();
    let line = |id: &str| -> String {
        table
            .stdout
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("{id}:\n{}", table.stdout))
            .to_string()
    };
    assert!(
        line(&ready).trim_end().ends_with("ready"),
        "{}",
        table.stdout
    );
    assert!(
        line(&waiting).contains("ready at Wed 2026-11-25 15:00"),
        "{}",
        table.stdout
    );
    assert!(
        line(&blocked).contains("blocked: soak, frozen"),
        "{}",
        table.stdout
    );
    assert!(
        line(&last).contains("last environment: close blocked: checklist"),
        "{}",
        table.stdout
    );
    assert!(!table.stdout.contains(&gone), "{}", table.stdout);

    let v = env.rel(&["--json", "status"]).ok().json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4, "{v}");
    let row = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap().clone();
    for key in RELEASE_FIELDS {
        assert!(
            row(&ready).get(key).is_some(),
            "status --json lacks {key}: {v}"
        );
    }
    let r = row(&ready);
    assert_eq!(
        (r["next"].clone(), r["ready"].clone(), r["ready_at"].clone()),
        (json!("uat"), json!(true), json!(FRI))
    );
    assert_eq!(r["blocked_by"], json!([]));
    let w = row(&waiting);
    assert_eq!(
        (w["ready"].clone(), w["ready_at"].clone()),
        (json!(false), json!("2026-11-25T15:00:00Z"))
    );
    assert_eq!(w["blocked_by"], json!(["soak"]));
    assert_eq!(w["earliest"], json!("2026-11-25T15:00:00Z"));
    let b = row(&blocked);
    assert_eq!(
        (b["ready_at"].clone(), b["blocked_by"].clone()),
        (Value::Null, json!(["soak", "frozen"]))
    );
    assert_eq!(b["earliest"], json!("2026-11-25T15:00:00Z"));
    let l = row(&last);
    assert_eq!(
        (l["next"].clone(), l["ready"].clone()),
        (Value::Null, Value::Null)
    );
}
#[test]
fn plan_passes_over_an_optional_environment_when_that_is_sooner() {
    // perf is optional with a 4-day soak: live can be entered now, straight
    // from dev, as `check --to live` says; plan must agree.
    let env = Env::with_pipeline(OPTIONAL_PERF);
    let id = new_release(&env, "1.4.1");
    assert_eq!(check(&env, &[&id, "--to", "live"]).1["ready_at"], FRI);
    let v = env.rel(&["--json", "plan", &id]).ok().json();
    assert_eq!(
        v["steps"],
        json!([
            {"env": "perf", "earliest": FRI, "blocked_by": []},
            {"env": "live", "earliest": FRI, "blocked_by": []},
        ])
    );
}
#[test]
fn status_in_the_last_environment_says_whether_it_can_close() {
    let env = Env::with_pipeline(&format!(
        "{SIMPLE}exit_checklist = [\"Smoke tests passed\"]\n"
    ));
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["promote", &id]);
    let table = env.rel(&["status"]);
    assert!(
        table.ok().stdout.contains("close blocked: checklist"),
        "{}",
        table.stdout
    );
    one_commit(&env, &["tick", &id, "--env", "live", "1"]);
    let table = env.rel(&["status"]);
    assert!(
        table
            .ok()
            .stdout
            .contains("last environment: ready to close"),
        "{}",
        table.stdout
    );
}
