//! Approvals: every role of the target, roles restricted by e-mail under
//! [roles], distinct people, stale once the content changes.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{
    check, codes, edit_manifest, group_ready_incident, manifest, new_release,
};
use crate::common::Env;

const CLIENT: &str = "Carla Client <client@example.com>";
const RM: &str = "Rui Manager <rm@example.com>";

const APPROVALS: &str = r#"
[roles]
client = ["client@example.com"]

[[environments]]
name = "dev"

[[environments]]
name = "live"
approvals = ["client", "release-manager"]
distinct_approvers = true
"#;

fn as_actor(env: &mut Env, actor: &str) {
    env.actor = Some(actor.to_string());
}

fn approve(env: &mut Env, actor: &str, id: &str, role: &str) {
    as_actor(env, actor);
    one_commit(env, &["approve", id, "--env", "live", "--role", role]);
}

// ---- approval ----

#[test]
fn approval_every_role_of_the_target_must_approve() {
    let mut env = Env::with_pipeline(APPROVALS);
    let id = new_release(&env, "1.0.1");
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["approval", "approval"]);
    // No time rule waits (earliest is now), but someone must approve.
    assert_eq!(v["earliest"], v["at"]);
    assert_eq!(v["ready_at"], serde_json::Value::Null);

    let text = v.to_string();
    assert!(
        text.contains("`client`") && text.contains("`release-manager`"),
        "{text}"
    );
    refused(&env, &["promote", &id], 1);

    approve(&mut env, CLIENT, &id, "client");
    let msg = env.last_message();
    assert!(
        msg.starts_with(&format!("rel: approve {id} for live as client\n")),
        "{msg}"
    );
    assert!(
        msg.contains("Rel-Action: approve\n") && msg.contains("Rel-Env: live\n"),
        "{msg}"
    );
    let (_, v) = check(&env, &[&id]);
    assert_eq!(codes(&v), ["approval"]);

    approve(&mut env, RM, &id, "release-manager");
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 0, "{v}");
    one_commit(&env, &["promote", &id]);
    let approvals = &manifest(&env, &id)["approvals"];
    assert_eq!(approvals.as_array().map(Vec::len), Some(2), "{approvals}");
}

#[test]
fn approval_as_a_restricted_role_by_a_non_member_is_refused_with_role() {
    let env = Env::with_pipeline(APPROVALS); // actor: ana@example.com
    let id = new_release(&env, "1.0.1");
    let run = refused(
        &env,
        &["approve", &id, "--env", "live", "--role", "client"],
        1,
    );
    assert!(run.stderr.contains("[role]"), "{}", run.stderr);
    let run = refused(
        &env,
        &[
            "--json", "approve", &id, "--env", "live", "--role", "client",
        ],
        1,
    );
    assert_eq!(run.json()["violations"][0]["rule"], "role");
    // A role with no [roles] entry is open to anyone.
    one_commit(
        &env,
        &["approve", &id, "--env", "live", "--role", "release-manager"],
    );
}

#[test]
fn approval_roles_are_one_name_whatever_their_case() {
    // Role names are ids, unique case-insensitively: `Client` under [roles]
    // restricts the `client` that production asks for.
    let mut env = Env::with_pipeline(&APPROVALS.replace("client = [", "Client = ["));
    let id = new_release(&env, "1.0.1");
    let run = refused(
        &env,
        &["approve", &id, "--env", "live", "--role", "client"],
        1,
    );
    assert!(run.stderr.contains("[role]"), "{}", run.stderr);
    as_actor(&mut env, CLIENT);
    one_commit(&env, &["approve", &id, "--env", "LIVE", "--role", "CLIENT"]);
    // Recorded under the pipeline's spelling, and counted.
    assert_eq!(manifest(&env, &id)["approvals"][0]["role"], "client");
    assert_eq!(manifest(&env, &id)["approvals"][0]["env"], "live");
    let (_, v) = check(&env, &[&id]);
    assert_eq!(codes(&v), ["approval"]);
    assert!(v.to_string().contains("release-manager"), "{v}");
}

#[test]
fn approval_of_a_role_the_target_does_not_ask_for_or_an_unknown_env_is_exit_2() {
    let env = Env::with_pipeline(APPROVALS);
    let id = new_release(&env, "1.0.1");
    refused(
        &env,
        &["approve", &id, "--env", "live", "--role", "auditor"],
        2,
    );
    refused(
        &env,
        &["approve", &id, "--env", "nowhere", "--role", "client"],
        2,
    );
    refused(
        &env,
        &["approve", &id, "--env", "live", "--role", "../x"],
        2,
    );
}

#[test]
fn approval_distinct_approvers_one_person_cannot_fill_two_roles() {
    let mut env = Env::with_pipeline(APPROVALS);
    let id = new_release(&env, "1.0.1");
    approve(&mut env, CLIENT, &id, "client");
    approve(&mut env, CLIENT, &id, "release-manager");
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["approval"]);
    assert!(v.to_string().contains("different person"), "{v}");
    refused(&env, &["promote", &id], 1);
    approve(&mut env, RM, &id, "release-manager");
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn approval_without_distinct_approvers_one_person_may_fill_both() {
    let mut env = Env::with_pipeline(&APPROVALS.replace("distinct_approvers = true", ""));
    let id = new_release(&env, "1.0.1");
    approve(&mut env, CLIENT, &id, "client");
    approve(&mut env, CLIENT, &id, "release-manager");
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn approval_twice_by_the_same_person_records_nothing_new() {
    let mut env = Env::with_pipeline(APPROVALS);
    let id = new_release(&env, "1.0.1");
    approve(&mut env, CLIENT, &id, "client");
    env.assert_unchanged(|| {
        env.rel(&["approve", &id, "--env", "live", "--role", "client"])
            .ok();
    });
}

#[test]
fn approval_goes_stale_when_the_content_revision_changes() {
    let mut env = Env::with_pipeline(APPROVALS);
    let id = new_release(&env, "1.0.1");
    approve(&mut env, CLIENT, &id, "client");
    approve(&mut env, RM, &id, "release-manager");
    assert_eq!(check(&env, &[&id]).0, 0);
    // Grouping changes the content: both approvals are stale.
    group_ready_incident(&env, &id, "INC-1");
    let (code, v) = check(&env, &[&id]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["approval", "approval"]);
    refused(&env, &["promote", &id], 1);
    // The stale approval does not count as "already approved" either.
    approve(&mut env, CLIENT, &id, "client");
    approve(&mut env, RM, &id, "release-manager");
    assert_eq!(check(&env, &[&id]).0, 0);
    // Freezing keeps the content; unfreezing changes it again.
    one_commit(&env, &["freeze", &id]);
    assert_eq!(check(&env, &[&id]).0, 0);
    one_commit(&env, &["unfreeze", &id, "--reason", "One more fix"]);
    let (_, v) = check(&env, &[&id]);
    assert_eq!(codes(&v), ["approval", "approval"]);
    // A hand-made revision change is read the same way.
    approve(&mut env, CLIENT, &id, "client");
    approve(&mut env, RM, &id, "release-manager");
    let revision = manifest(&env, &id)["revision"].as_u64().unwrap();
    edit_manifest(&env, &id, "revision", &(revision + 1).to_string());
    assert_eq!(codes(&check(&env, &[&id]).1), ["approval", "approval"]);
}

#[test]
fn approval_override_needs_a_reason_and_is_recorded() {
    // Only a member of an override_by role sets an approval aside (11.5).
    let env = Env::with_pipeline(&format!(
        "override_by = [\"release-manager\"]\n{}",
        APPROVALS.replace(
            "[roles]\n",
            "[roles]\nrelease-manager = [\"ana@example.com\"]\n"
        )
    ));
    let id = new_release(&env, "1.0.1");
    refused(&env, &["promote", &id, "--override", "approval"], 2);
    one_commit(
        &env,
        &[
            "promote",
            &id,
            "--override",
            "approval",
            "--reason",
            "Client on holiday",
        ],
    );
    let msg = env.last_message();
    assert!(
        msg.contains("Rel-Override: approval\nRel-Reason: Client on holiday"),
        "{msg}"
    );
    // Approving entry into an environment already entered: order.
    let run = refused(
        &env,
        &["approve", &id, "--env", "live", "--role", "release-manager"],
        1,
    );
    assert!(run.stderr.contains("[order]"), "{}", run.stderr);
}
