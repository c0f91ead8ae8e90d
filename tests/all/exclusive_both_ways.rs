//! An exclusive environment holds one release at a time whichever way a
//! release comes in: promoted (see `promotion::exclusive_*`), rolled back,
//! or created there when it is the first environment. Found by the
//! sequence properties (`src/rules/tests/sequence_props.rs`).

use crate::common::git::{one_commit, refused};
use crate::common::releases::new_release;
use crate::common::Env;

const MIDDLE_EXCLUSIVE: &str = r#"
[[environments]]
name = "dev"

[[environments]]
name = "stage"
exclusive = true

[[environments]]
name = "live"
"#;

const FIRST_EXCLUSIVE: &str = r#"
[[environments]]
name = "dev"
exclusive = true

[[environments]]
name = "live"
"#;

#[test]
fn rollback_into_an_occupied_exclusive_environment_is_refused() {
    let env = Env::with_pipeline(MIDDLE_EXCLUSIVE);
    let a = new_release(&env, "1.0.0");
    let b = new_release(&env, "1.0.1");
    one_commit(&env, &["promote", &a]);
    one_commit(&env, &["promote", &a]); // a in live
    one_commit(&env, &["promote", &b]); // b in stage

    let run = refused(
        &env,
        &["rollback", &a, "--to", "stage", "--reason", "Broken"],
        1,
    );
    assert!(run.stderr.contains("[exclusive]"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&b),
        "names the occupant: {}",
        run.stderr
    );
    let run = refused(
        &env,
        &[
            "--json", "rollback", &a, "--to", "stage", "--reason", "Broken",
        ],
        1,
    );
    let v = run.json();
    assert_eq!(v["action"], "rollback");
    assert_eq!(v["violations"][0]["rule"], "exclusive");

    // Once b has moved on, a may come back.
    one_commit(&env, &["promote", &b]);
    one_commit(
        &env,
        &["rollback", &a, "--to", "stage", "--reason", "Broken"],
    );
}

#[test]
fn a_new_release_waits_for_an_exclusive_first_environment() {
    let env = Env::with_pipeline(FIRST_EXCLUSIVE);
    let a = new_release(&env, "1.0.0");
    let run = refused(&env, &["new", "--version", "1.0.1", "--title", "B"], 1);
    assert!(run.stderr.contains("[exclusive]"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&a),
        "names the occupant: {}",
        run.stderr
    );
    let run = refused(
        &env,
        &["--json", "new", "--version", "1.0.1", "--title", "B"],
        1,
    );
    assert_eq!(run.json()["action"], "new");

    // A cancelled release holds nothing.
    one_commit(&env, &["cancel", &a, "--reason", "Superseded"]);
    new_release(&env, "1.0.1");
}
