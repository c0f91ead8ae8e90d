//! Contract 11.5, "Who may set rules aside": `override_by` (top level or
//! per environment) names the roles whose members may use `--override`;
//! without it anyone may override what `overridable` allows, but nobody
//! sets an approval aside. The audit judges an override by the same rule.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{manifest, new_release};
use crate::common::Env;

const RM: &str = "Rui Manager <rm@example.com>";
const EVE: &str = "Eve Engineer <eve@example.com>";

/// dev -> live (approval by the client, a checklist); `top` goes before
/// the tables, `live` into the live environment.
fn pipeline(top: &str, live: &str) -> String {
    format!(
        r#"{top}
[roles]
client = ["client@example.com"]
release-manager = ["rm@example.com"]

[[environments]]
name = "dev"

[[environments]]
name = "live"
approvals = ["client"]
entry_checklist = ["Backups taken"]
{live}
"#
    )
}

fn override_approval(id: &str) -> Vec<String> {
    [
        "promote",
        id,
        "--override",
        "approval",
        "checklist",
        "--reason",
        "Client on holiday",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn run_as(env: &mut Env, actor: &str) {
    env.actor = Some(actor.to_string());
}

#[test]
fn without_override_by_nobody_sets_an_approval_aside() {
    // The issue's case: anyone could override approval and checklist.
    let mut env = Env::with_pipeline(&pipeline("", ""));
    let id = new_release(&env, "1.0.1");
    for actor in [EVE, RM] {
        run_as(&mut env, actor);
        let args = override_approval(&id);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = refused(&env, &args, 1);
        assert!(run.stderr.contains("[role]"), "{}", run.stderr);
        assert!(run.stderr.contains("override_by"), "{}", run.stderr);
    }
    // Other rules may still be set aside by anyone.
    run_as(&mut env, EVE);
    let run = refused(
        &env,
        &[
            "--json",
            "promote",
            &id,
            "--override",
            "checklist",
            "--reason",
            "x",
        ],
        1,
    );
    // (approval still blocks: nobody approved)
    assert_eq!(run.json()["violations"][0]["rule"], "approval");
}

#[test]
fn with_override_by_only_its_members_override_anything() {
    let mut env = Env::with_pipeline(&pipeline("override_by = [\"release-manager\"]", ""));
    let id = new_release(&env, "1.0.1");
    run_as(&mut env, EVE);
    let args = override_approval(&id);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let json = refused(&env, &[&["--json"][..], &args[..]].concat(), 1).json();
    let rules: Vec<&str> = json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["role"], "{json}");
    run_as(&mut env, RM);
    one_commit(&env, &args);
    assert_eq!(manifest(&env, &id)["environment"], "live");
    assert!(env.last_message().contains("Rel-Override: approval"));
    env.rel(&["audit"]).ok();
}

#[test]
fn an_environments_override_by_replaces_the_top_levels() {
    // Top level: release-manager; live: only the client may override.
    let mut env = Env::with_pipeline(&pipeline(
        "override_by = [\"release-manager\"]",
        "override_by = [\"client\"]",
    ));
    let id = new_release(&env, "1.0.1");
    run_as(&mut env, RM);
    let run = refused(
        &env,
        &[
            "promote",
            &id,
            "--override",
            "checklist",
            "approval",
            "--reason",
            "x",
        ],
        1,
    );
    assert!(run.stderr.contains("`client`"), "{}", run.stderr);
    run_as(&mut env, "Carla Client <client@example.com>");
    one_commit(
        &env,
        &[
            "promote",
            &id,
            "--override",
            "checklist",
            "approval",
            "--reason",
            "x",
        ],
    );
}

#[test]
fn the_audit_reports_an_override_by_someone_outside_the_roles() {
    let mut env = Env::with_pipeline(&pipeline("override_by = [\"release-manager\"]", ""));
    let id = new_release(&env, "1.0.1");
    run_as(&mut env, RM);
    one_commit(
        &env,
        &[
            "promote",
            &id,
            "--override",
            "checklist",
            "approval",
            "--reason",
            "x",
        ],
    );
    // Rewrite the commit as Eve's: same files, same trailers, her name.
    env.git(&[
        "-c",
        "user.name=Eve Engineer",
        "-c",
        "user.email=eve@example.com",
        "commit",
        "--amend",
        "--no-edit",
        "--reset-author",
        "-q",
    ]);
    let text = env.read(&format!("releases/{id}.toml")).replace(RM, EVE);
    env.write(&format!("releases/{id}.toml"), &text);
    env.git(&["add", "-A"]);
    env.git(&[
        "-c",
        "user.name=Eve Engineer",
        "-c",
        "user.email=eve@example.com",
        "commit",
        "--amend",
        "--no-edit",
        "-q",
    ]);
    let run = env.rel(&["--json", "audit"]);
    run.code(1);
    let findings = run.json()["findings"].clone();
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["finding"] == "refused" && f["message"].as_str().unwrap().contains("role")),
        "{findings}"
    );
}

#[test]
fn override_by_must_name_roles() {
    let env = Env::with_pipeline(&pipeline("", ""));
    env.write(
        "environments.toml",
        &pipeline("override_by = [\"no such/role\"]", ""),
    );
    env.commit_all("hand edit");
    let run = refused(&env, &["new", "--version", "1.0.0", "--title", "T"], 2);
    assert!(run.stderr.contains("environments.toml:"), "{}", run.stderr);
}
