//! `rel untick R --env E ITEM --reason T` (contract section 8): a tick taken
//! back is asked for again; the history and the commit say why.

use crate::audit::{audit, findings, GATED};
use crate::common::git::{one_commit, refused};
use crate::common::releases::{check, codes, manifest, new_release};
use crate::common::Env;
use crate::repeat::{ready_dry_run, DRY_RUN, WED};

#[test]
fn a_tick_taken_back_is_asked_for_again_and_the_reason_recorded() {
    let mut env = Env::with_pipeline(DRY_RUN);
    let id = ready_dry_run(&env);
    env.now = WED.to_string();
    assert_eq!(check(&env, &[&id]).0, 0);

    let run = one_commit(
        &env,
        &[
            "untick",
            &id,
            "--env",
            "dryrun",
            "go-live checklist verified",
            "--reason",
            "verified on the wrong copy",
        ],
    );
    assert!(run.stdout.contains("took back"), "{}", run.stdout);
    let message = env.last_message();
    for trailer in [
        "Rel-Action: untick",
        &format!("Rel-Release: {id}"),
        "Rel-Env: dryrun",
        "Rel-Reason: verified on the wrong copy",
    ] {
        assert!(message.contains(trailer), "{trailer} in {message}");
    }
    let m = manifest(&env, &id);
    assert_eq!(
        m["ticks"].as_array().map_or(0, Vec::len),
        0,
        "the tick leaves the manifest: {m}"
    );
    let history = m["history"].as_array().unwrap();
    let last = &history[history.len() - 1];
    assert_eq!(last["action"], "untick");
    assert_eq!(last["reason"], "verified on the wrong copy");
    let detail = last["detail"].as_str().unwrap_or("");
    assert!(
        detail.contains("Go-live checklist verified") && detail.contains("ticked by Ana Smith"),
        "{detail}"
    );
    assert_eq!(codes(&check(&env, &[&id]).1), ["checklist"]);
    refused(&env, &["promote", &id], 1);

    one_commit(&env, &["tick", &id, "--env", "dryrun", "1"]);
    one_commit(&env, &["promote", &id]);
    let (code, v) = audit(&env, &[]);
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
}

#[test]
fn an_entry_tick_of_an_environment_ahead_can_be_taken_back() {
    let env = Env::with_pipeline(GATED);
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["tick", &id, "--env", "live", "Database compared"]);
    one_commit(
        &env,
        &[
            "untick",
            &id,
            "--env",
            "live",
            "1",
            "--reason",
            "compared with last year's copy",
        ],
    );
    let (_, v) = check(&env, &[&id, "--to", "live"]);
    let messages: Vec<&str> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["rule"] == "checklist")
        .filter_map(|x| x["message"].as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("Database compared")),
        "{messages:?}"
    );
    assert_eq!(audit(&env, &[]).0, 0);
}

#[test]
fn untick_of_an_item_not_ticked_or_without_a_reason_is_bad_input() {
    let mut env = Env::with_pipeline(DRY_RUN);
    let id = ready_dry_run(&env);
    refused(&env, &["untick", &id, "--env", "dryrun", "1"], 2);
    refused(
        &env,
        &["untick", &id, "--env", "dryrun", "1", "--reason", ""],
        2,
    );
    refused(
        &env,
        &[
            "untick",
            &id,
            "--env",
            "dryrun",
            "No such item",
            "--reason",
            "x",
        ],
        2,
    );
    refused(
        &env,
        &["untick", &id, "--env", "nowhere", "1", "--reason", "x"],
        2,
    );
    refused(
        &env,
        &["untick", "R-404", "--env", "dryrun", "1", "--reason", "x"],
        2,
    );
    // An exit tick of an earlier round no longer counts: nothing to take back.
    env.now = WED.to_string();
    one_commit(&env, &["repeat", &id, "--reason", "again"]);
    let run = refused(
        &env,
        &[
            "--json", "untick", &id, "--env", "dryrun", "1", "--reason", "x",
        ],
        2,
    );
    assert_eq!(run.json()["error"]["exit"], 2);
    assert!(run.stderr.contains("not ticked"), "{}", run.stderr);
}

#[test]
fn untick_behind_the_release_or_once_finished_is_refused() {
    let env = Env::with_pipeline(DRY_RUN);
    let id = ready_dry_run(&env);
    let run = refused(
        &env,
        &[
            "--json", "untick", &id, "--env", "dev", "1", "--reason", "x",
        ],
        1,
    );
    assert_eq!(codes(&run.json()), ["order"]);
    one_commit(&env, &["cancel", &id, "--reason", "dropped"]);
    let run = refused(
        &env,
        &[
            "--json", "untick", &id, "--env", "dryrun", "1", "--reason", "x",
        ],
        1,
    );
    assert!(codes(&run.json()).contains(&"state".to_string()));
}

#[test]
fn a_tick_removed_by_hand_is_a_hand_edit() {
    let env = Env::with_pipeline(DRY_RUN);
    let id = ready_dry_run(&env);
    let path = format!("releases/{id}.toml");
    let text = env.read(&path);
    // Drop the [[ticks]] table: everything from it to the next table.
    let start = text.find("[[ticks]]").expect("a tick");
    let end = start + text[start + 1..].find("\n[[").expect("a next table") + 1;
    env.write(&path, &format!("{}{}", &text[..start], &text[end + 1..]));
    env.commit_all("hand edit");
    assert_eq!(
        manifest(&env, &id)["ticks"].as_array().map_or(0, Vec::len),
        0
    );
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1);
    assert!(
        findings(&v).contains(&("hand-edit".to_string(), id.clone())),
        "{v:#}"
    );
}
