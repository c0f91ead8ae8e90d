//! A release's own checklist (contract section 8): items added with `rel
//! checklist add` are asked for and ticked exactly like the pipeline's, and
//! removed with a reason; bad input is exit 2 with nothing written.

use crate::audit::{audit, findings};
use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes, freeze, manifest, new_release};
use crate::common::Env;
use crate::repeat::DRY_RUN;

const BACKUP: &str = "Customer database backed up";
const SMOKE: &str = "Smoke tests signed off";

/// A release in the dry run (ready to go live but for its own items).
fn in_dry_run(env: &Env) -> String {
    let id = new_release(env, "1.0.1");
    one_commit(env, &["promote", &id]);
    one_commit(env, &["tick", &id, "--env", "dryrun", "1"]);
    one_commit(env, &["verify", &id, "--passed", "3", "--failed", "0"]);
    id
}

fn checklist_messages(env: &Env, id: &str) -> Vec<String> {
    let (_, v) = check(env, &[id]);
    v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["rule"] == "checklist")
        .map(|x| x["message"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn an_own_item_blocks_until_ticked_blocks_again_when_unticked_and_is_removed_with_a_reason() {
    let mut env = Env::with_pipeline(DRY_RUN);
    let id = in_dry_run(&env);
    env.now = crate::repeat::WED.to_string();
    assert_eq!(check(&env, &[&id]).0, 0);

    let run = one_commit(
        &env,
        &["checklist", "add", &id, "--env", "live", BACKUP, SMOKE],
    );
    assert!(run.stdout.contains(BACKUP), "{}", run.stdout);
    let message = env.last_message();
    assert!(message.contains("Rel-Action: checklist-add"), "{message}");
    assert!(message.contains("Rel-Env: live"), "{message}");
    let m = manifest(&env, &id);
    let own = m["checklist"].as_array().expect("checklist");
    assert_eq!(own.len(), 2);
    assert_eq!(own[0]["env"], "live");
    assert_eq!(own[0]["list"], "entry");
    assert_eq!(own[0]["item"], BACKUP);
    assert_eq!(own[0]["by"], "Ana Smith <ana@example.com>");
    assert_eq!(own[0]["at"], crate::repeat::WED);
    // On disk as the manifest's own `[[checklist]]` tables.
    assert!(env
        .read(&format!("releases/{id}.toml"))
        .contains("[[checklist]]"));

    // Asked for like the pipeline's items, by check, plan, status, promote.
    let blocked = checklist_messages(&env, &id);
    assert_eq!(blocked.len(), 2, "{blocked:?}");
    assert!(blocked[0].contains(BACKUP) && blocked[0].contains("own"));
    let plan = env.rel(&["--json", "plan", &id]).ok().json();
    assert_eq!(
        plan["steps"][0]["blocked_by"],
        serde_json::json!(["checklist"])
    );
    refused(&env, &["promote", &id], 1);
    let shown = env.rel(&["show", &id]).ok().stdout.clone();
    assert!(shown.contains("Own checklist items:"), "{shown}");

    // Ticked like the pipeline's: by text (any case) or by number.
    one_commit(
        &env,
        &["tick", &id, "--env", "live", &BACKUP.to_uppercase()],
    );
    one_commit(&env, &["tick", &id, "--env", "live", "2"]);
    assert_eq!(check(&env, &[&id]).0, 0);

    // Taken back: blocks again.
    one_commit(
        &env,
        &[
            "untick",
            &id,
            "--env",
            "live",
            SMOKE,
            "--reason",
            "signed off by the wrong team",
        ],
    );
    assert_eq!(checklist_messages(&env, &id).len(), 1);

    // Removed with a reason: no longer asked for.
    one_commit(
        &env,
        &[
            "checklist",
            "remove",
            &id,
            "--env",
            "live",
            SMOKE,
            "--reason",
            "covered by the backup check",
        ],
    );
    let message = env.last_message();
    assert!(
        message.contains("Rel-Action: checklist-remove"),
        "{message}"
    );
    assert!(
        message.contains("Rel-Reason: covered by the backup check"),
        "{message}"
    );
    let m = manifest(&env, &id);
    assert_eq!(m["checklist"].as_array().map(Vec::len), Some(1));
    let history = m["history"].as_array().unwrap();
    let last = &history[history.len() - 1];
    assert_eq!(last["action"], "checklist-remove");
    assert_eq!(last["reason"], "covered by the backup check");
    assert_eq!(check(&env, &[&id]).0, 0);
    one_commit(&env, &["promote", &id]);

    let (code, v) = audit(&env, &[]);
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
}

#[test]
fn an_own_exit_item_holds_the_release_in_its_environment_and_at_close() {
    let env = Env::with_pipeline(DRY_RUN);
    let id = new_release(&env, "1.0.1");
    one_commit(
        &env,
        &[
            "checklist",
            "add",
            &id,
            "--env",
            "dev",
            "--exit",
            "Branch tagged",
        ],
    );
    let (_, v) = check(&env, &[&id]);
    assert_eq!(codes(&v), ["checklist"]);
    one_commit(&env, &["tick", &id, "--env", "dev", "Branch tagged"]);
    assert_eq!(check(&env, &[&id]).0, 0);

    // An exit item of the last environment is asked for by `rel close`.
    one_commit(
        &env,
        &[
            "checklist",
            "add",
            &id,
            "--env",
            "live",
            "--exit",
            "Client told",
        ],
    );
    one_commit(&env, &["promote", &id]);
    one_commit(
        &env,
        &[
            "promote",
            &id,
            "--override",
            "soak",
            "checklist",
            "health",
            "--reason",
            "test",
        ],
    );
    let run = refused(&env, &["--json", "close", &id], 1);
    let v = run.json();
    assert_eq!(codes(&v), ["checklist"], "{v}");
    one_commit(&env, &["tick", &id, "--env", "live", "Client told"]);
    one_commit(&env, &["close", &id]);
    assert_eq!(audit(&env, &[]).0, 0);
}

#[test]
fn the_go_live_list_grows_while_frozen_but_not_once_finished() {
    let env = Env::with_pipeline(DRY_RUN);
    let id = new_release(&env, "1.0.1");
    freeze(&env, &id);
    one_commit(&env, &["checklist", "add", &id, "--env", "live", BACKUP]);
    one_commit(&env, &["cancel", &id, "--reason", "dropped"]);
    let run = refused(
        &env,
        &["--json", "checklist", "add", &id, "--env", "live", SMOKE],
        1,
    );
    assert_eq!(codes(&run.json()), ["state"]);
    let run = refused(
        &env,
        &[
            "--json",
            "checklist",
            "remove",
            &id,
            "--env",
            "live",
            BACKUP,
            "--reason",
            "x",
        ],
        1,
    );
    assert_eq!(codes(&run.json()), ["state"]);
}

#[test]
fn items_that_would_never_be_asked_for_are_refused_with_order() {
    let env = Env::with_pipeline(DRY_RUN);
    let id = new_release(&env, "1.0.1");
    one_commit(&env, &["promote", &id]);
    for args in [
        [
            "checklist",
            "add",
            &id,
            "--env",
            "dev",
            "--exit",
            "Too late",
        ]
        .as_slice(),
        [
            "checklist",
            "add",
            &id,
            "--env",
            "dryrun",
            "Entered already",
        ]
        .as_slice(),
    ] {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let run = refused(&env, &all, 1);
        assert_eq!(codes(&run.json()), ["order"], "{args:?}");
    }
}

#[test]
fn bad_checklist_input_is_exit_2_with_nothing_written() {
    let env = Env::with_pipeline(DRY_RUN);
    let id = new_release(&env, "1.0.1");
    one_commit(&env, &["checklist", "add", &id, "--env", "live", BACKUP]);
    let add = |env_name: &str, exit: bool, items: &[&str]| {
        let mut args = vec!["checklist", "add", id.as_str(), "--env", env_name];
        if exit {
            args.push("--exit");
        }
        args.extend_from_slice(items);
        refused(&env, &args, 2)
    };
    // Already on the list: the pipeline's (any case) or the release's own.
    add("dryrun", true, &["go-live checklist verified"]);
    add("live", false, &[&BACKUP.to_lowercase()]);
    // Named twice, blank, a bare number, on two lines, too long.
    add("live", false, &["Twice", "twice"]);
    add("live", false, &["  "]);
    add("live", false, &["2"]);
    add("live", false, &["one\ntwo"]);
    add("live", false, &[&"x".repeat(301)]);
    // All or none: one bad item writes none of the others.
    add("live", false, &["Fine", BACKUP]);
    // Unknown environment, release, or no item at all.
    add("nowhere", false, &["Fine"]);
    refused(
        &env,
        &["checklist", "add", "R-404", "--env", "live", "Fine"],
        2,
    );
    refused(&env, &["checklist", "add", &id, "--env", "live"], 2);

    let remove = |env_name: &str, item: &str, reason: Option<&str>| {
        let mut args = vec!["checklist", "remove", id.as_str(), "--env", env_name, item];
        if env_name == "dryrun" {
            args.push("--exit");
        }
        if let Some(r) = reason {
            args.extend_from_slice(&["--reason", r]);
        }
        refused(&env, &args, 2)
    };
    // The pipeline's item is changed in environments.toml, not here.
    let run = remove("dryrun", "Go-live checklist verified", Some("x"));
    assert!(run.stderr.contains("environments.toml"), "{}", run.stderr);
    remove("live", "Not an item", Some("x"));
    remove("live", BACKUP, None);
    remove("live", BACKUP, Some(" "));
    let m = crate::common::releases::manifest(&env, &id);
    assert_eq!(m["checklist"].as_array().map(Vec::len), Some(1));
}

#[test]
fn own_items_written_by_hand_are_a_hand_edit() {
    let env = Env::with_pipeline(DRY_RUN);
    let id = new_release(&env, "1.0.1");
    let path = format!("releases/{id}.toml");
    let text = env.read(&path);
    env.write(
        &path,
        &format!(
            "{text}\n[[checklist]]\nenv = \"live\"\nlist = \"entry\"\nitem = \"By hand\"\nby = \"X <x@example.com>\"\nat = \"2026-11-20T15:00:00Z\"\n"
        ),
    );
    env.commit_all("hand edit");
    // Read back as the release's own item (the file is valid).
    assert_eq!(manifest(&env, &id)["checklist"][0]["item"], "By hand");
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    let found = findings(&v);
    assert!(
        found.contains(&("hand-edit".to_string(), id.clone())),
        "{found:?}"
    );
    let message = v["findings"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("checklist"), "{message}");
}

#[test]
fn json_outcomes_are_the_release_as_written() {
    let env = Env::with_pipeline(DRY_RUN);
    let id = new_release(&env, "1.0.1");
    let v = one_commit(
        &env,
        &["--json", "checklist", "add", &id, "--env", "live", BACKUP],
    )
    .json();
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["checklist"][0]["item"], BACKUP);
    let v = one_commit(&env, &["--json", "tick", &id, "--env", "live", BACKUP]).json();
    assert_eq!(v["ticks"][0]["item"], BACKUP);
    let v = one_commit(
        &env,
        &[
            "--json", "untick", &id, "--env", "live", "1", "--reason", "too soon",
        ],
    )
    .json();
    assert!(
        v.get("ticks").is_none_or(|t| t == &serde_json::json!([])),
        "{v}"
    );
    let v = one_commit(
        &env,
        &[
            "--json",
            "checklist",
            "remove",
            &id,
            "--env",
            "live",
            "1",
            "--reason",
            "not needed",
        ],
    )
    .json();
    assert_eq!(v["checklist"], serde_json::json!([]));
    // Without an own item, `checklist` is still there, empty.
    let fresh = new_release(&env, "1.0.2");
    assert_eq!(manifest(&env, &fresh)["checklist"], serde_json::json!([]));
}
