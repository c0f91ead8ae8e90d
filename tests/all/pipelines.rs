//! Named pipelines (contract 11.2): `[pipelines.NAME]` beside the default
//! pipeline of `[[environments]]`, chosen at `rel new --pipeline`, recorded
//! in the manifest, counted apart by `exclusive`, shown and filtered by the
//! reading commands, and replayed by the audit.

use crate::audit::audit;
use crate::common::git::{one_commit, refused};
use crate::common::releases::manifest;
use crate::common::Env;

/// Three pipelines, with a `staging` in two of them (names repeat across
/// pipelines), and the updates of installations in `updates`.
pub const PIPELINES: &str = r#"override_by = ["release-manager"]

[roles]
release-manager = ["ana@example.com"]

[[environments]]
name = "development"

[[environments]]
name = "staging"
exclusive = true

[[environments]]
name = "production"

[pipelines.hotfix]
description = "Urgent fixes"

[[pipelines.hotfix.environments]]
name = "staging"
exclusive = true

[[pipelines.hotfix.environments]]
name = "production"

[pipelines.updates]
description = "Client installation updates"

[[pipelines.updates.environments]]
name = "sandbox"

[[pipelines.updates.environments]]
name = "live"
schedule_notice = "1d"
repeatable = true

[installations]
pipeline = "updates"
"#;

fn new_in(env: &Env, version: &str, pipeline: Option<&str>) -> String {
    let mut args = vec!["new", "--version", version, "--title", "A release"];
    if let Some(p) = pipeline {
        args.extend(["--pipeline", p]);
    }
    one_commit(env, &args).stdout.trim().to_string()
}

#[test]
fn a_release_of_a_named_pipeline_starts_there_records_it_and_moves_through_its_environments() {
    let env = Env::with_pipeline(PIPELINES);
    let id = new_in(&env, "1.1.0", Some("hotfix"));
    let text = env.read(&format!("releases/{id}.toml"));
    assert!(text.contains("pipeline = \"hotfix\"\n"), "{text}");
    assert!(text.contains("environment = \"staging\"\n"), "{text}");
    let m = manifest(&env, &id);
    assert_eq!(m["pipeline"], "hotfix");
    assert_eq!(m["environment"], "staging");
    // The default pipeline's environments are not its own.
    let run = refused(&env, &["promote", &id, "--to", "development"], 2);
    assert!(
        run.stderr.contains("unknown environment `development`"),
        "{}",
        run.stderr
    );
    one_commit(&env, &["promote", &id]);
    assert_eq!(manifest(&env, &id)["environment"], "production");
    // A release of the default pipeline records nothing: files as before.
    let plain = new_in(&env, "1.2.0", None);
    assert!(!env
        .read(&format!("releases/{plain}.toml"))
        .contains("pipeline"));
    assert_eq!(manifest(&env, &plain)["pipeline"], "default");
    let (code, text) = audit(&env, &[]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn exclusive_counts_the_releases_of_the_same_pipeline_only() {
    let env = Env::with_pipeline(PIPELINES);
    let a = new_in(&env, "1.0.0", None);
    let b = new_in(&env, "1.1.0", Some("hotfix"));
    one_commit(&env, &["promote", &a]);
    // b sits in hotfix's staging while a holds the default's.
    assert_eq!(manifest(&env, &b)["environment"], "staging");
    assert_eq!(manifest(&env, &a)["environment"], "staging");
    // A second release of the default pipeline queues behind a.
    let c = new_in(&env, "1.2.0", None);
    let run = refused(&env, &["promote", &c], 1);
    assert!(run.stderr.contains("[exclusive]"), "{}", run.stderr);
    assert!(run.stderr.contains(&a), "{}", run.stderr);
    assert!(!run.stderr.contains(&b), "{}", run.stderr);
    // And a second hotfix cannot be created into the held hotfix staging.
    let run = refused(
        &env,
        &[
            "new",
            "--version",
            "1.3.0",
            "--title",
            "Another fix",
            "--pipeline",
            "hotfix",
        ],
        1,
    );
    assert!(run.stderr.contains("[exclusive]"), "{}", run.stderr);
    assert!(run.stderr.contains(&b), "{}", run.stderr);
    let (code, text) = audit(&env, &[]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn an_unknown_pipeline_is_refused_naming_those_there_are() {
    let env = Env::with_pipeline(PIPELINES);
    for args in [
        vec![
            "new",
            "--version",
            "1.0.0",
            "--title",
            "X",
            "--pipeline",
            "nope",
        ],
        vec!["status", "--pipeline", "nope"],
        vec!["list", "--pipeline", "nope"],
        vec!["env", "--pipeline", "nope"],
        vec!["calendar", "--pipeline", "nope"],
    ] {
        let run = refused(&env, &args, 2);
        assert!(
            run.stderr.contains(
                "unknown pipeline `nope`; environments.toml has default, hotfix, updates"
            ),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "", "{args:?}");
    }
}

#[test]
fn an_update_goes_through_the_pipeline_of_updates_and_no_other() {
    let env = Env::with_pipeline(PIPELINES);
    one_commit(&env, &["installation", "new", "acme", "--version", "1.0.0"]);
    one_commit(
        &env,
        &["new", "--installation", "acme", "--version", "1.1.0"],
    );
    let m = manifest(&env, "acme-1.1.0");
    assert_eq!(m["pipeline"], "updates");
    assert_eq!(m["environment"], "sandbox");
    let run = refused(
        &env,
        &[
            "new",
            "--installation",
            "acme",
            "--version",
            "1.2.0",
            "--pipeline",
            "default",
        ],
        2,
    );
    assert!(
        run.stderr.contains("goes through the pipeline `updates`"),
        "{}",
        run.stderr
    );
    // Its live is the updates pipeline's.
    one_commit(&env, &["promote", "acme-1.1.0"]);
    assert_eq!(manifest(&env, "acme-1.1.0")["environment"], "live");
    let (code, text) = audit(&env, &[]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn env_shows_every_pipeline_with_every_key_and_one_with_pipeline() {
    let env = Env::with_pipeline(PIPELINES);
    let v = env.rel(&["--json", "env"]).ok().json();
    let pipelines = v["pipelines"].as_array().expect("pipelines");
    let names: Vec<&str> = pipelines
        .iter()
        .map(|p| p["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["default", "hotfix", "updates"]);
    assert_eq!(pipelines[1]["description"], "Urgent fixes");
    assert_eq!(pipelines[0]["description"], serde_json::Value::Null);
    let live = &pipelines[2]["environments"][1];
    assert_eq!(live["name"], "live");
    assert_eq!(live["schedule_notice"], "1d");
    assert_eq!(live["repeatable"], true);
    for key in [
        "auto_schedule",
        "schedule_notice",
        "notify",
        "override_by",
        "paths",
        "repeatable",
        "health_timeout",
        "approvals_valid_for",
    ] {
        assert!(live.get(key).is_some(), "{key} missing in {live}");
    }
    assert_eq!(v["installations"]["pipeline"], "updates");

    let one = env
        .rel(&["--json", "env", "--pipeline", "UPDATES"])
        .ok()
        .json();
    let pipelines = one["pipelines"].as_array().expect("pipelines");
    assert_eq!(pipelines.len(), 1);
    assert_eq!(pipelines[0]["name"], "updates");

    let text = env.rel(&["env"]).ok().stdout.clone();
    assert!(text.contains("pipeline hotfix: Urgent fixes"), "{text}");
    assert!(
        text.contains("installation updates go through the pipeline updates"),
        "{text}"
    );
    let text = env
        .rel(&["env", "--pipeline", "hotfix"])
        .ok()
        .stdout
        .clone();
    assert!(text.contains("pipeline hotfix"), "{text}");
    assert!(!text.contains("sandbox"), "{text}");
}

#[test]
fn status_list_and_calendar_name_and_filter_by_pipeline() {
    let env = Env::with_pipeline(PIPELINES);
    let a = new_in(&env, "1.0.0", None);
    let b = new_in(&env, "1.1.0", Some("hotfix"));
    let status = env.rel(&["status"]).ok().stdout.clone();
    assert!(status.contains("PIPELINE"), "{status}");
    let only = env
        .rel(&["status", "--pipeline", "hotfix"])
        .ok()
        .stdout
        .clone();
    assert!(only.contains(&b) && !only.contains(&a), "{only}");
    let json = env
        .rel(&["--json", "list", "--pipeline", "default"])
        .ok()
        .json();
    let ids: Vec<&str> = json
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, [a.as_str()]);
    let list = env
        .rel(&["list", "--pipeline", "hotfix"])
        .ok()
        .stdout
        .clone();
    assert!(list.contains("hotfix") && !list.contains(&a), "{list}");
    let show = env.rel(&["show", &b]).ok().stdout.clone();
    assert!(show.contains("  pipeline     hotfix"), "{show}");
}

#[test]
fn a_release_never_changes_pipeline_and_the_audit_finds_one_that_did() {
    let env = Env::with_pipeline(PIPELINES);
    let id = new_in(&env, "1.1.0", Some("hotfix"));
    let path = format!("releases/{id}.toml");
    let text = env.read(&path);
    env.write(&path, &text.replace("pipeline = \"hotfix\"\n", ""));
    env.commit_all("move the release to the default pipeline by hand");
    let (code, text) = audit(&env, &[]);
    assert_eq!(code, 1, "{text}");
    assert!(text.to_string().contains(&id), "{text}");
}

#[test]
fn bad_pipelines_in_environments_toml_are_refused_naming_the_place() {
    for (toml, wanted) in [
        (
            "[[environments]]\nname = \"a\"\n\n[installations]\npipeline = \"nope\"\n",
            "unknown pipeline \"nope\"",
        ),
        (
            "[[environments]]\nname = \"a\"\n\n[pipelines.Default]\n[[pipelines.Default.environments]]\nname = \"b\"\n",
            "pipeline `Default` is defined twice",
        ),
        (
            "[[environments]]\nname = \"a\"\n\n[pipelines.empty]\ndescription = \"x\"\n",
            "pipeline `empty` has no environments",
        ),
        (
            "[[environments]]\nname = \"a\"\n\n[pipelines.x]\n[[pipelines.x.environments]]\nname = \"b\"\n[[pipelines.x.environments]]\nname = \"B\"\n",
            "duplicate environment name `B`",
        ),
        (
            "[[environments]]\nname = \"a\"\n\n[pipelines.x]\nenvironment = []\n",
            "unknown field `environment`",
        ),
    ] {
        let env = Env::with_pipeline(toml);
        let run = env.rel(&["env"]);
        run.code(2);
        assert!(
            run.stderr.contains("environments.toml") && run.stderr.contains(wanted),
            "{toml}\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_dependency_reached_is_an_environment_of_the_other_release_s_pipeline() {
    let env = Env::with_pipeline(PIPELINES);
    let fix = new_in(&env, "1.1.0", Some("hotfix"));
    let app = new_in(&env, "1.2.0", None);
    // `development` is not a hotfix environment.
    let run = refused(
        &env,
        &["depend", &app, "--on", &fix, "--reached", "development"],
        2,
    );
    assert!(
        run.stderr.contains("unknown environment `development`"),
        "{}",
        run.stderr
    );
    one_commit(
        &env,
        &[
            "depend",
            &app,
            "--on",
            &fix,
            "--reached",
            "production",
            "--before",
            "staging",
        ],
    );
    let run = refused(&env, &["promote", &app], 1);
    assert!(run.stderr.contains("[depends]"), "{}", run.stderr);
    one_commit(&env, &["promote", &fix]);
    one_commit(&env, &["promote", &app]);
    let (code, text) = audit(&env, &[]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn the_forecast_queues_each_pipeline_s_exclusive_environment_apart() {
    let toml = r#"[[environments]]
name = "development"

[[environments]]
name = "staging"
exclusive = true
soak = { minor = 2 }

[[environments]]
name = "production"

[pipelines.hotfix]
[[pipelines.hotfix.environments]]
name = "staging"
exclusive = true
soak = { minor = 2 }

[[pipelines.hotfix.environments]]
name = "production"
"#;
    let env = Env::with_pipeline(toml);
    let a = new_in(&env, "1.1.0", None);
    let b = new_in(&env, "1.2.0", None);
    one_commit(&env, &["promote", &a]);
    let c = new_in(&env, "1.3.0", Some("hotfix"));
    let v = env.rel(&["--json", "forecast"]).ok().json();
    let of = |id: &str| {
        v["releases"]
            .as_array()
            .expect("releases")
            .iter()
            .find(|r| r["release"] == id)
            .cloned()
            .expect("forecast of the release")
    };
    let staging = |id: &str| {
        of(id)["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .find(|s| s["env"] == "staging")
            .cloned()
            .expect("a staging step")
    };
    // Friday 15:00 plus two business days: Tuesday 15:00.
    assert_eq!(staging(&a)["leave"], "2026-11-24T15:00:00Z");
    // b queues behind a in the default pipeline's staging ...
    assert_eq!(staging(&b)["enter"], "2026-11-24T15:00:00Z");
    let waits = staging(&b)["waits"].to_string();
    assert!(waits.contains("exclusive") && waits.contains(&a), "{waits}");
    // ... while c, in hotfix's staging at the same time, waits for nobody.
    assert_eq!(of(&c)["pipeline"], "hotfix");
    assert_eq!(staging(&c)["leave"], "2026-11-24T15:00:00Z");
    let waits = v.to_string();
    assert!(
        !staging(&c)["waits"].to_string().contains("exclusive"),
        "{waits}"
    );
}

#[test]
fn the_board_draws_each_pipeline_s_environments_and_takes_pipeline() {
    let env = Env::with_pipeline(PIPELINES);
    let a = new_in(&env, "1.0.0", None);
    let b = new_in(&env, "1.1.0", Some("hotfix"));
    env.rel(&["board"]).ok();
    let page = env.read("board/index.html");
    assert!(page.contains(">development</h2>"), "{page}");
    assert!(page.contains(">hotfix/staging</h2>"), "{page}");
    assert!(page.contains(">updates/live</h2>"), "{page}");
    assert!(page.contains(&a) && page.contains(&b));
    // b's card is in hotfix's staging, not in an "outside" column.
    assert!(
        !page.contains("Not an environment of the pipeline"),
        "{page}"
    );
    env.rel(&["board", "--pipeline", "hotfix"]).ok();
    let page = env.read("board/index.html");
    assert!(page.contains(">hotfix/staging</h2>"), "{page}");
    assert!(!page.contains(">development</h2>"), "{page}");
    assert!(
        page.contains(&b) && !page.contains(&format!(">{a}<")),
        "{page}"
    );
    refused(&env, &["board", "--pipeline", "nope"], 2);
}

#[test]
fn the_fleet_takes_pipeline() {
    let env = Env::with_pipeline(PIPELINES);
    one_commit(&env, &["installation", "new", "acme", "--version", "1.0.0"]);
    one_commit(
        &env,
        &["new", "--installation", "acme", "--version", "1.1.0"],
    );
    let all = env.rel(&["--json", "fleet"]).ok().json();
    assert_eq!(all["installations"][0]["update"]["release"], "acme-1.1.0");
    let updates = env
        .rel(&["--json", "fleet", "--pipeline", "updates"])
        .ok()
        .json();
    assert_eq!(
        updates["installations"][0]["update"]["environment"],
        "sandbox"
    );
    let other = env
        .rel(&["--json", "fleet", "--pipeline", "hotfix"])
        .ok()
        .json();
    assert_eq!(other["installations"][0]["name"], "acme");
    assert_eq!(other["installations"][0]["update"], serde_json::Value::Null);
    refused(&env, &["fleet", "--pipeline", "nope"], 2);
}

#[test]
fn zero_touch_schedules_and_applies_in_the_pipeline_of_updates() {
    // Only the updates pipeline has an auto_schedule environment.
    let toml = PIPELINES.replace("schedule_notice = \"1d\"", "auto_schedule = true");
    let env = Env::with_pipeline(&toml);
    one_commit(&env, &["installation", "new", "acme", "--version", "1.0.0"]);
    one_commit(
        &env,
        &["new", "--installation", "acme", "--version", "1.1.0"],
    );
    // A product release in the default pipeline's development: no schedule.
    let product = new_in(&env, "1.2.0", None);
    env.rel(&["due", "--apply"]).ok();
    let m = manifest(&env, "acme-1.1.0");
    assert_eq!(m["environment"], "live", "{m}");
    assert_eq!(manifest(&env, &product)["environment"], "development");
    let (code, text) = audit(&env, &[]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn an_update_carries_a_product_release_of_another_pipeline_once_it_reached_requires() {
    let toml = PIPELINES.replace(
        "[installations]\npipeline = \"updates\"",
        "[installations]\npipeline = \"updates\"\nrequires = \"production\"",
    );
    let env = Env::with_pipeline(&toml);
    one_commit(&env, &["installation", "new", "acme", "--version", "1.0.0"]);
    let product = new_in(&env, "1.1.0", None);
    let run = refused(
        &env,
        &["new", "--installation", "acme", "--version", &product],
        1,
    );
    assert!(run.stderr.contains("[depends]"), "{}", run.stderr);
    assert!(run.stderr.contains(&product), "{}", run.stderr);
    one_commit(&env, &["promote", &product, "--to", "staging"]);
    one_commit(&env, &["promote", &product, "--to", "production"]);
    one_commit(
        &env,
        &["new", "--installation", "acme", "--version", &product],
    );
    let m = manifest(&env, "acme-1.1.0");
    assert_eq!(m["pipeline"], "updates");
    assert_eq!(m["environment"], "sandbox");
    assert_eq!(m["carries"], serde_json::json!([product]));
    let (code, text) = audit(&env, &[]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn requires_names_an_environment_of_a_product_pipeline() {
    let toml = PIPELINES.replace(
        "[installations]\npipeline = \"updates\"",
        "[installations]\npipeline = \"updates\"\nrequires = \"live\"",
    );
    let env = Env::with_pipeline(&toml);
    let run = env.rel(&["env"]);
    run.code(2);
    assert!(
        run.stderr.contains("environments.toml")
            && run.stderr.contains("requires names no environment: `live`"),
        "{}",
        run.stderr
    );
}

/// Zero-touch in a named pipeline whose environment names repeat those of
/// the default one at other positions: the update is scheduled by the
/// `auto_schedule` keys of its own pipeline, and `rel due --apply` takes it
/// into the environment its schedule names (staging, then live), never by
/// the default pipeline's positions.
#[test]
fn zero_touch_and_due_follow_the_updates_own_pipeline() {
    let env = Env::with_pipeline(
        r#"[[environments]]
name = "development"

[[environments]]
name = "uat"

[[environments]]
name = "staging"

[[environments]]
name = "ga"

[installations]
pipeline = "updates"

[pipelines.updates]

[[pipelines.updates.environments]]
name = "copy"

[[pipelines.updates.environments]]
name = "staging"
requires_health = true
auto_schedule = true

[[pipelines.updates.environments]]
name = "live"
auto_schedule = true
"#,
    );
    one_commit(&env, &["installation", "new", "acme", "--version", "5.2.0"]);
    let id = one_commit(
        &env,
        &["new", "--version", "5.3.0", "--installation", "acme"],
    )
    .stdout
    .trim()
    .to_string();
    one_commit(&env, &["verify", &id, "--passed", "10", "--failed", "0"]);
    let m = manifest(&env, &id);
    let envs: Vec<&str> = m["schedules"]
        .as_array()
        .expect("schedules")
        .iter()
        .map(|s| s["env"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(envs, ["staging", "live"], "{m}");
    let later = [("REL_NOW", "2026-11-20T16:00:00Z")];
    let run = env.rel_env(&["due", "--apply"], &later);
    run.ok();
    assert!(run.stdout.contains("applied"), "{}", run.stdout);
    let m = manifest(&env, &id);
    assert_eq!(m["environment"], "live", "{m}");
    let history: Vec<&str> = m["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|e| e["action"] == "promote")
        .map(|e| e["env"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(history, ["staging", "live"], "{m}");
}

/// `notify_on` of an environment is read in the pipeline of the release an
/// event is about: hotfix's `production` tells nothing although the
/// default pipeline's `production` tells every event.
#[test]
fn notify_on_is_read_in_the_release_s_own_pipeline() {
    let toml = PIPELINES.replace(
        "[[pipelines.hotfix.environments]]\nname = \"production\"",
        "[[pipelines.hotfix.environments]]\nname = \"production\"\nnotify_on = []",
    );
    let env = Env::with_pipeline(&toml);
    let log = env.tmp.path().join("events.jsonl");
    env.git(&[
        "config",
        "rel.notify",
        &format!("cat >> {}", log.to_string_lossy()),
    ]);
    let told = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(|l| {
                let e: serde_json::Value = serde_json::from_str(l).expect("event JSON");
                format!("{} {} {}", e["event"], e["release"], e["env"])
            })
            .collect::<Vec<_>>()
    };
    let fix = new_in(&env, "1.1.0", Some("hotfix"));
    let product = new_in(&env, "1.2.0", None);
    one_commit(&env, &["promote", &fix]);
    one_commit(&env, &["promote", &product, "--to", "staging"]);
    one_commit(&env, &["promote", &product, "--to", "production"]);
    let promoted: Vec<String> = told()
        .into_iter()
        .filter(|e| e.starts_with("\"promoted\""))
        .collect();
    assert_eq!(
        promoted,
        [
            format!("\"promoted\" \"{product}\" \"staging\""),
            format!("\"promoted\" \"{product}\" \"production\""),
        ]
    );
}

#[test]
fn a_release_whose_pipeline_was_removed_is_told_so_not_to_roll_back() {
    let env = Env::with_pipeline(PIPELINES);
    let id = new_in(&env, "1.0.1", Some("hotfix"));
    // The pipeline taken out of environments.toml by a policy change.
    let cut = PIPELINES
        .replace("[pipelines.hotfix]\ndescription = \"Urgent fixes\"\n\n", "")
        .replace(
            "[[pipelines.hotfix.environments]]\nname = \"staging\"\nexclusive = true\n\n",
            "",
        )
        .replace(
            "[[pipelines.hotfix.environments]]\nname = \"production\"\n\n",
            "",
        );
    assert!(!cut.contains("hotfix"), "{cut}");
    env.write("environments.toml", &cut);
    env.commit_all("drop the hotfix pipeline");
    let said = format!(
        "{id} belongs to pipeline `hotfix`, which environments.toml does not define \
         (it has default, updates); define it again, or cancel {id}"
    );
    for args in [&["check", &id][..], &["promote", &id]] {
        let run = refused(&env, args, 2);
        assert!(run.stderr.contains(&said), "{args:?}: {}", run.stderr);
    }
    let status = env.rel(&["status"]).ok().stdout.clone();
    assert!(status.contains("pipeline `hotfix` not defined"), "{status}");
    let forecast = env.rel(&["forecast"]).ok().stdout.clone();
    assert!(forecast.contains(&said), "{forecast}");
    // It can still be cancelled.
    one_commit(&env, &["cancel", &id, "--reason", "its pipeline is gone"]);
}
