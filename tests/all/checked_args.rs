//! Arguments are checked once, before the repository is touched, with one
//! message per kind of mistake whichever command is given it.

use crate::common::git::{one_commit, refused};
use crate::common::releases::new_release;
use crate::common::Env;

#[test]
fn a_blank_reason_is_the_same_mistake_everywhere() {
    let env = Env::new();
    let id = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &id]);
    for args in [
        vec!["rollback", &id, "--to", "development", "--reason", "  "],
        vec!["unfreeze", &id, "--reason", ""],
        vec!["cancel", &id, "--reason", " \t "],
    ] {
        let run = refused(&env, &args, 2);
        assert!(
            run.stderr.contains("--reason needs text"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn an_unknown_environment_is_named_with_those_there_are() {
    let env = Env::new();
    let id = new_release(&env, "1.4.1");
    for args in [
        vec!["promote", &id, "--to", "nowhere"],
        vec!["rollback", &id, "--to", "nowhere", "--reason", "x"],
        vec!["approve", &id, "--env", "nowhere", "--role", "client"],
        vec!["tick", &id, "--env", "nowhere", "1"],
        vec!["check", &id, "--to", "nowhere"],
    ] {
        let run = refused(&env, &args, 2);
        assert!(
            run.stderr.contains(
                "unknown environment `nowhere`; the pipeline has development, uat, staging, production"
            ),
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn a_bad_release_id_is_refused_before_any_repository_is_looked_for() {
    // No release repository here: the id is wrong whatever the repository.
    let env = Env::empty();
    for args in [
        vec!["promote", "../x"],
        vec!["rollback", "../x", "--to", "a", "--reason", "x"],
        vec!["approve", "../x", "--env", "a", "--role", "r"],
        vec!["tick", "../x", "--env", "a", "1"],
        vec!["verify", "../x", "--passed", "1"],
        vec!["close", "../x"],
        vec!["freeze", "../x"],
        vec!["unfreeze", "../x", "--reason", "x"],
        vec!["cancel", "../x", "--reason", "x"],
        vec!["group", "../x", "INC-1"],
        vec!["ungroup", "../x", "INC-1"],
    ] {
        let run = env.rel(&args);
        run.code(2);
        assert!(
            run.stderr.contains("invalid release id"),
            "{args:?}: {}",
            run.stderr
        );
    }
}
