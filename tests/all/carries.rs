//! Product releases and the updates that carry them (contract 11.3):
//! `[installations] requires`, what an update carries in `show`, `notes`,
//! the update path and the board, `--version` taking a product release id,
//! and the refusals (rule `depends`) that leave the repository unchanged.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{group_ready_incident, manifest};
use crate::common::Env;

/// dev, then sandbox on the standard path only, then production. Updates
/// exist only for versions a product release has taken to production.
const PIPELINE: &str = r#"
[paths]
simple_max_hop = { major = 0, minor = 2 }

[installations]
requires = "production"

[[environments]]
name = "dev"

[[environments]]
name = "sandbox"
paths = ["standard"]

[[environments]]
name = "production"
"#;

/// The same without `requires`: updates carry whatever product releases there are.
const PIPELINE_ANY: &str = r#"
[paths]
simple_max_hop = { major = 0, minor = 2 }

[[environments]]
name = "dev"

[[environments]]
name = "sandbox"
paths = ["standard"]

[[environments]]
name = "production"
"#;

/// acme runs 6.1.0, globex 6.0.0.
fn fleet(pipeline: &str) -> Env {
    let env = Env::with_pipeline(pipeline);
    one_commit(&env, &["installation", "new", "acme", "--version", "6.1.0"]);
    one_commit(
        &env,
        &["installation", "new", "globex", "--version", "6.0.0"],
    );
    env
}

/// Product release `id` of `version` holding incident `inc`, flagged with
/// `flag` when given.
fn product(env: &Env, id: &str, version: &str, inc: &str, flag: Option<&str>) {
    one_commit(
        env,
        &[
            "new",
            "--version",
            version,
            "--title",
            &format!("Product {version}"),
            "--id",
            id,
        ],
    );
    group_ready_incident(env, id, inc);
    if let Some(flag) = flag {
        one_commit(env, &["incident", "flag", inc, flag]);
    }
}

/// Promotes `id` until it is in production.
fn to_production(env: &Env, id: &str) {
    for _ in 0..3 {
        let shown = env.rel(&["--json", "show", id]).ok().json();
        if shown["environment"] == "production" {
            return;
        }
        one_commit(env, &["promote", id]);
    }
    panic!("{id} did not reach production");
}

fn carries(env: &Env, id: &str) -> Vec<String> {
    manifest(env, id)["carries"]
        .as_array()
        .expect("carries")
        .iter()
        .map(|v| v.as_str().expect("an id").to_string())
        .collect()
}

/// The path's reason for `condition`: (holds, message).
fn condition(env: &Env, id: &str, condition: &str) -> (bool, String) {
    let path = env.rel(&["--json", "path", id]).ok().json();
    let c = path["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .find(|c| c["condition"] == condition)
        .expect("the condition")
        .clone();
    (
        c["holds"].as_bool().expect("holds"),
        c["message"].as_str().expect("message").to_string(),
    )
}

#[test]
fn requires_must_name_an_environment() {
    let env =
        Env::with_pipeline(&PIPELINE.replace("requires = \"production\"", "requires = \"prod\""));
    let run = env.rel(&["env"]);
    run.code(2);
    assert!(run.stderr.contains("environments.toml:6"), "{}", run.stderr);
    assert!(run.stderr.contains("`prod`"), "{}", run.stderr);
    assert!(run.stderr.contains("production"), "{}", run.stderr);
    let env = Env::with_pipeline(&PIPELINE.replace("requires", "needs"));
    let run = env.rel(&["env"]);
    run.code(2);
    assert!(run.stderr.contains("needs"), "{}", run.stderr);
}

#[test]
fn an_update_waits_for_a_product_release_of_its_version_to_reach_requires() {
    let env = fleet(PIPELINE);
    let new = ["new", "--installation", "acme", "--version", "6.2.0"];
    // No product release of 6.2.0 at all.
    let run = refused(&env, &new, 1);
    assert!(
        run.stderr.contains("no product release has version 6.2.0"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("depends"), "{}", run.stderr);
    // Bad input is exit 2 first, whatever the product releases.
    let run = refused(
        &env,
        &["new", "--installation", "acme", "--version", "6.0.5"],
        2,
    );
    assert!(run.stderr.contains("not above"), "{}", run.stderr);
    let run = refused(
        &env,
        &[
            "rollout",
            "--version",
            "6.2.0",
            "--title",
            "T",
            "--installation",
            "nobody",
        ],
        2,
    );
    assert!(run.stderr.contains("nobody"), "{}", run.stderr);
    // One, not yet in production: named with where it is.
    product(&env, "P-6.2.0", "6.2.0", "INC-1", None);
    let mut json = vec!["--json"];
    json.extend_from_slice(&new);
    let run = refused(&env, &json, 1);
    let doc = run.json();
    assert_eq!(doc["refused"], true);
    assert_eq!(doc["violations"][0]["rule"], "depends");
    assert_eq!(doc["release"], "acme-6.2.0");
    let message = doc["violations"][0]["message"].as_str().expect("message");
    assert!(message.contains("P-6.2.0 is in dev (open)"), "{message}");
    let run = refused(
        &env,
        &["rollout", "--version", "6.2.0", "--title", "Six two"],
        1,
    );
    assert!(run.stderr.contains("P-6.2.0 is in dev"), "{}", run.stderr);
    one_commit(&env, &["promote", "P-6.2.0"]);
    refused(&env, &new, 1);
    // In production: the update exists, and carries it.
    to_production(&env, "P-6.2.0");
    one_commit(&env, &new);
    assert_eq!(carries(&env, "acme-6.2.0"), ["P-6.2.0"]);
    let text = env.rel(&["show", "acme-6.2.0"]).ok().stdout.clone();
    assert!(text.contains("carries      P-6.2.0"), "{text}");
    // A product release carries nothing.
    assert_eq!(carries(&env, "P-6.2.0"), Vec::<String>::new());
    env.rel(&["audit"]).code(0);
}

#[test]
fn version_takes_a_product_release_id() {
    let env = fleet(PIPELINE);
    product(&env, "P-6.2.0", "6.2.0", "INC-1", None);
    to_production(&env, "P-6.2.0");
    // An unknown id: exit 2 with the closest product release.
    let run = refused(
        &env,
        &[
            "--json",
            "new",
            "--installation",
            "acme",
            "--version",
            "P-6.2.1",
        ],
        2,
    );
    let doc = run.json();
    assert!(
        doc["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("P-6.2.1")),
        "{doc}"
    );
    assert_eq!(doc["error"]["hint"], "did you mean `P-6.2.0`?");
    let run = refused(
        &env,
        &["rollout", "--version", "p-6.2.x", "--title", "T"],
        2,
    );
    assert!(run.stderr.contains("did you mean"), "{}", run.stderr);
    // Neither a version nor an id.
    refused(
        &env,
        &["new", "--installation", "acme", "--version", "6..2"],
        2,
    );
    // The id of a product release means its version (any case).
    let made = one_commit(
        &env,
        &["new", "--installation", "acme", "--version", "p-6.2.0"],
    );
    assert_eq!(made.stdout.trim(), "acme-6.2.0");
    assert_eq!(manifest(&env, "acme-6.2.0")["version"], "6.2.0");
    // An update's id is not a product release's.
    let run = refused(
        &env,
        &["rollout", "--version", "acme-6.2.0", "--title", "T"],
        2,
    );
    assert!(
        run.stderr.contains("not a product release"),
        "{}",
        run.stderr
    );
    // rollout takes it too: globex gets its update (acme has one).
    let made = one_commit(
        &env,
        &[
            "rollout",
            "--version",
            "P-6.2.0",
            "--title",
            "Six two",
            "--installation",
            "globex",
        ],
    );
    assert_eq!(made.stdout.trim(), "globex-6.2.0");
    assert_eq!(carries(&env, "globex-6.2.0"), ["P-6.2.0"]);
    env.rel(&["audit"]).code(0);
}

#[test]
fn carried_flags_turn_the_path_standard_and_name_the_release_and_incident() {
    for (flag, name) in [
        ("breaking", "breaking"),
        ("compat-work", "compat-work"),
        ("client-work", "client-work"),
    ] {
        let env = fleet(PIPELINE);
        product(&env, "P-6.2.0", "6.2.0", "INC-7", Some(flag));
        to_production(&env, "P-6.2.0");
        one_commit(
            &env,
            &["new", "--installation", "acme", "--version", "6.2.0"],
        );
        assert_eq!(manifest(&env, "acme-6.2.0")["path"], "standard", "{flag}");
        let (holds, message) = condition(&env, "acme-6.2.0", name);
        assert!(!holds, "{flag}");
        assert!(message.contains("P-6.2.0 (INC-7)"), "{flag}: {message}");
        // The reason is recorded with the decision.
        let reasons = manifest(&env, "acme-6.2.0")["path_record"]["reasons"].to_string();
        assert!(reasons.contains("P-6.2.0 (INC-7)"), "{reasons}");
        env.rel(&["audit"]).code(0);
    }
    // Nothing flagged: the simple path.
    let env = fleet(PIPELINE);
    product(&env, "P-6.2.0", "6.2.0", "INC-7", None);
    to_production(&env, "P-6.2.0");
    one_commit(
        &env,
        &["new", "--installation", "acme", "--version", "6.2.0"],
    );
    assert_eq!(manifest(&env, "acme-6.2.0")["path"], "simple");
}

/// P-6.2.0 released (in the archive, breaking INC-2), P-6.3.0 in
/// production (client work INC-3), P-6.4.0 in dev (INC-4).
fn three_products(pipeline: &str) -> Env {
    let env = fleet(pipeline);
    product(&env, "P-6.2.0", "6.2.0", "INC-2", Some("breaking"));
    to_production(&env, "P-6.2.0");
    one_commit(&env, &["close", "P-6.2.0"]);
    product(&env, "P-6.3.0", "6.3.0", "INC-3", Some("client-work"));
    to_production(&env, "P-6.3.0");
    product(&env, "P-6.4.0", "6.4.0", "INC-4", None);
    env
}

#[test]
fn an_update_carries_released_and_far_enough_product_releases_oldest_first() {
    let env = three_products(PIPELINE);
    // The released one is read from the archive's index.
    let index = env.read("releases/archive/index/6.toml");
    assert!(index.contains("INC-2"), "{index}");
    one_commit(
        &env,
        &["rollout", "--version", "6.3.0", "--title", "Six three"],
    );
    // acme from 6.1.0, globex from 6.0.0: both carry 6.2.0 and 6.3.0.
    assert_eq!(carries(&env, "acme-6.3.0"), ["P-6.2.0", "P-6.3.0"]);
    assert_eq!(carries(&env, "globex-6.3.0"), ["P-6.2.0", "P-6.3.0"]);
    let (holds, message) = condition(&env, "acme-6.3.0", "breaking");
    assert!(!holds);
    assert!(message.contains("P-6.2.0 (INC-2)"), "{message}");
    let (holds, message) = condition(&env, "acme-6.3.0", "client-work");
    assert!(!holds);
    assert!(message.contains("P-6.3.0 (INC-3)"), "{message}");
    // 6.4.0 has not reached production: no update to it yet.
    refused(
        &env,
        &[
            "new",
            "--installation",
            "acme",
            "--version",
            "6.4.0",
            "--id",
            "acme-next",
        ],
        1,
    );
    env.rel(&["audit"]).code(0);

    // Without requires, every product release there is counts.
    let env = three_products(PIPELINE_ANY);
    one_commit(
        &env,
        &["new", "--installation", "acme", "--version", "6.4.0"],
    );
    assert_eq!(
        carries(&env, "acme-6.4.0"),
        ["P-6.2.0", "P-6.3.0", "P-6.4.0"]
    );
    // ... and none is needed: a version no product release has.
    one_commit(
        &env,
        &["new", "--installation", "globex", "--version", "6.1.5"],
    );
    assert_eq!(carries(&env, "globex-6.1.5"), Vec::<String>::new());
    env.rel(&["audit"]).code(0);
}

#[test]
fn notes_list_what_an_update_carries_then_its_own() {
    let env = three_products(PIPELINE);
    one_commit(
        &env,
        &["new", "--installation", "acme", "--version", "6.3.0"],
    );
    let notes = env.rel(&["notes", "acme-6.3.0"]).ok().stdout.clone();
    assert!(!notes.contains("holds no changes"), "{notes}");
    let at = |text: &str| {
        notes
            .find(text)
            .unwrap_or_else(|| panic!("{text:?} missing from\n{notes}"))
    };
    // Grouped by product release, oldest first, breaking changes first.
    assert!(at("## Carried: P-6.2.0 6.2.0") < at("### Breaking changes"));
    assert!(at("### Breaking changes") < at("#### INC-2: Change INC-2"));
    assert!(at("#### INC-2") < at("## Carried: P-6.3.0 6.3.0"));
    assert!(at("## Carried: P-6.3.0") < at("#### INC-3: Change INC-3"));
    // Then the update's own incidents.
    group_ready_incident(&env, "acme-6.3.0", "INC-OWN");
    let notes = env.rel(&["notes", "acme-6.3.0"]).ok().stdout.clone();
    let own = notes
        .find("## This update's own changes")
        .expect("own section");
    assert!(notes.find("#### INC-3").expect("carried") < own, "{notes}");
    assert!(
        notes[own..].contains("### INC-OWN: Change INC-OWN"),
        "{notes}"
    );
    let json = env
        .rel(&["notes", "acme-6.3.0", "--format", "json"])
        .ok()
        .json();
    assert_eq!(json["carried"][0]["release"], "P-6.2.0");
    assert_eq!(json["carried"][0]["breaking"][0]["id"], "INC-2");
    assert_eq!(json["carried"][1]["changes"][0]["id"], "INC-3");
    assert_eq!(json["changes"][0]["id"], "INC-OWN");
    // A product release's notes are as before.
    let notes = env.rel(&["notes", "P-6.4.0"]).ok().stdout.clone();
    assert!(!notes.contains("Carried"), "{notes}");
    env.rel(&["audit"]).code(0);
}

#[test]
fn the_board_shows_what_an_update_carries() {
    let env = three_products(PIPELINE);
    one_commit(
        &env,
        &["new", "--installation", "acme", "--version", "6.3.0"],
    );
    env.rel(&["board", "--output", "out"]).ok();
    let page = env.read("out/index.html");
    assert!(page.contains("carries P-6.2.0, P-6.3.0"), "{page}");
}

/// An update committed as `rel new` would, but onto a state where no
/// product release of its version had reached `requires`: the audit finds
/// it refused, as `rel new` would have refused it.
#[test]
fn the_audit_refuses_an_update_made_before_its_product_release_reached_requires() {
    let env = fleet(PIPELINE);
    product(&env, "P-6.2.0", "6.2.0", "INC-1", None);
    let (code, _) = crate::audit::audit(&env, &[]);
    assert_eq!(code, 0);
    let base = env.head();
    // Made where requires is dropped, then moved onto `base` as it is.
    env.write(
        "environments.toml",
        &PIPELINE.replace("[installations]\nrequires = \"production\"\n", ""),
    );
    env.commit_all("no requires for a moment");
    one_commit(
        &env,
        &["new", "--installation", "acme", "--version", "6.2.0"],
    );
    let message = env.last_message();
    let who = env.git(&["log", "-1", "--format=%an%n%ae%n%aI%n%cn%n%ce%n%cI"]);
    let who: Vec<&str> = who.lines().collect();
    let update = env.read("releases/acme-6.2.0.toml");
    env.git(&["reset", "-q", "--hard", &base]);
    env.write("releases/acme-6.2.0.toml", &update);
    env.git(&["add", "-A"]);
    let file = env.tmp.path().join("message");
    std::fs::write(&file, message).expect("message");
    let out = env
        .program("git")
        .args(["commit", "-q", "--cleanup=verbatim", "-F"])
        .arg(&file)
        .env("GIT_AUTHOR_NAME", who[0])
        .env("GIT_AUTHOR_EMAIL", who[1])
        .env("GIT_AUTHOR_DATE", who[2])
        .env("GIT_COMMITTER_NAME", who[3])
        .env("GIT_COMMITTER_EMAIL", who[4])
        .env("GIT_COMMITTER_DATE", who[5])
        .output()
        .expect("git commit");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, v) = crate::audit::audit(&env, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        crate::audit::findings(&v),
        [("refused".to_string(), "acme-6.2.0".to_string())],
        "{v}"
    );
    let message = v["findings"][0]["message"].as_str().expect("message");
    assert!(message.contains("P-6.2.0 is in dev"), "{message}");
}

/// Archived updates are kept in their major's updates file of the index,
/// apart from the product releases; each reader still finds what it asks.
#[test]
fn archived_updates_are_indexed_apart_and_still_found() {
    let env = fleet(PIPELINE);
    product(&env, "P-6.2.0", "6.2.0", "INC-1", Some("breaking"));
    to_production(&env, "P-6.2.0");
    one_commit(&env, &["close", "P-6.2.0"]);
    one_commit(
        &env,
        &["new", "--installation", "acme", "--version", "P-6.2.0"],
    );
    to_production(&env, "acme-6.2.0");
    one_commit(&env, &["close", "acme-6.2.0"]);
    assert!(env
        .last_commit_files()
        .contains(&"releases/archive/index/6-updates.toml".to_string()));
    let updates = env.read("releases/archive/index/6-updates.toml");
    assert!(
        updates.contains("id = \"acme-6.2.0\"") && updates.contains("installation = \"acme\""),
        "{updates}"
    );
    let products = env.read("releases/archive/index/6.toml");
    assert!(
        products.contains("P-6.2.0") && !products.contains("acme"),
        "{products}"
    );
    // An archived update's id is still known as an update.
    let run = refused(
        &env,
        &["rollout", "--version", "acme-6.2.0", "--title", "T"],
        2,
    );
    assert!(
        run.stderr.contains("acme-6.2.0 is an update of acme"),
        "{}",
        run.stderr
    );
    // The installation lists it; globex's update carries the archived
    // product release, breaking change and all.
    let shown = env
        .rel(&["--json", "installation", "show", "acme"])
        .ok()
        .json();
    assert_eq!(shown["updates"], serde_json::json!(["acme-6.2.0"]));
    one_commit(
        &env,
        &["new", "--installation", "globex", "--version", "6.2.0"],
    );
    assert_eq!(carries(&env, "globex-6.2.0"), ["P-6.2.0"]);
    let (holds, message) = condition(&env, "globex-6.2.0", "breaking");
    assert!(!holds);
    assert!(message.contains("P-6.2.0 (INC-1)"), "{message}");
    env.rel(&["audit"]).code(0);
}
