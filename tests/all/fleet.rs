//! Contract 11.9, `rel fleet`: every installation with its version and its
//! update in progress, a summary, and with `--version` the campaign.

use crate::common::git::one_commit;
use crate::common::Env;
use crate::installations::two_installations;

/// `rel new --installation INSTALLATION --version 5.4.0`, committed.
fn update_to_5_4_0(env: &Env, installation: &str) {
    let args = ["new", "--installation", installation, "--version", "5.4.0"];
    one_commit(env, &[&args[..], &["--title", "t"]].concat());
}

fn fleet() -> Env {
    let env = two_installations(); // acme 5.2.1, globex 5.3.0
    one_commit(
        &env,
        &["installation", "new", "initech", "--version", "5.4.0"],
    );
    update_to_5_4_0(&env, "acme");
    update_to_5_4_0(&env, "globex");
    one_commit(&env, &["promote", "globex-5.4.0"]);
    let run = env.rel(&["verify", "globex-5.4.0", "--passed", "1", "--failed", "2"]);
    run.code(1);
    one_commit(&env, &["hold", "acme-5.4.0", "--reason", "exams week"]);
    env
}

#[test]
fn every_installation_with_its_update_and_a_summary() {
    let env = fleet();
    let v = env.rel(&["--json", "fleet"]).ok().json();
    let all = v["installations"].as_array().expect("installations");
    assert_eq!(all.len(), 3);
    let acme = &all[0];
    assert_eq!(acme["name"], "acme");
    assert_eq!(acme["version"], "5.2.1");
    assert_eq!(acme["update"]["release"], "acme-5.4.0");
    assert_eq!(acme["update"]["held"], true);
    assert!(acme["update"]["blocked_by"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "held"));
    let globex = &all[1];
    assert_eq!(globex["update"]["environment"], "staging");
    assert_eq!(globex["update"]["health"], "failed");
    assert!(all[2]["update"].is_null());
    let s = &v["summary"];
    assert_eq!(s["versions"]["5.2.1"], 1);
    assert_eq!(s["versions"]["5.4.0"], 1);
    assert_eq!(s["environments"]["preview"], 1);
    assert_eq!(s["environments"]["staging"], 1);
    assert_eq!(s["blocked"]["held"], 1);
    assert_eq!(s["failed_health"], 1);
    assert!(s["campaign"].is_null());
    assert!(v["version"].is_null());
    let text = env.rel(&["fleet"]).ok().stdout.clone();
    for says in [
        "acme-5.4.0",
        "preview (held)",
        "failed",
        "failed health reports waiting for a person: 1",
    ] {
        assert!(text.contains(says), "{says}: {text}");
    }
}

#[test]
fn the_campaign_of_a_version_counts_done_on_the_way_and_not_started() {
    let env = fleet();
    one_commit(
        &env,
        &["installation", "new", "hooli", "--version", "5.1.0"],
    );
    let v = env
        .rel(&["--json", "fleet", "--version", "5.4.0"])
        .ok()
        .json();
    assert_eq!(v["version"], "5.4.0");
    let c = &v["summary"]["campaign"];
    assert_eq!(c["done"], 1, "{v}"); // initech
    assert_eq!(c["in_progress"], 2, "{v}"); // acme, globex
    assert_eq!(c["not_started"], 1, "{v}"); // hooli
                                            // A product release id stands for its version; a bad one is exit 2.
    env.rel(&["fleet", "--version", "nonsense!"]).code(2);
}

/// `--version` takes a product release id as `rel rollout` does, also once
/// that release is closed (it is then only in the archive's index); an
/// update's id is not a product release (exit 2, saying so).
#[test]
fn the_campaign_of_a_released_product_release_by_its_id() {
    let env = Env::with_pipeline(
        "[[environments]]\nname = \"development\"\n\n[[environments]]\nname = \"ga\"\n",
    );
    one_commit(&env, &["installation", "new", "acme", "--version", "5.2.0"]);
    let id = one_commit(&env, &["new", "--version", "5.3.0", "--title", "Product"])
        .stdout
        .trim()
        .to_string();
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["close", &id]);
    let v = env.rel(&["--json", "fleet", "--version", &id]).ok().json();
    assert_eq!(v["version"], "5.3.0", "{v}");
    assert_eq!(v["summary"]["campaign"]["not_started"], 1, "{v}");
    one_commit(&env, &["rollout", "--version", &id, "--title", "t"]);
    let run = env.rel(&["fleet", "--version", "acme-5.3.0"]);
    run.code(2);
    assert!(
        run.stderr.contains("not a product release"),
        "{}",
        run.stderr
    );
}

/// The text shows instants as `rel status` does, in the calendar's time
/// zone (Tokyo, nine hours ahead of UTC: no day or hour lines up by
/// chance); the JSON keeps RFC 3339 UTC (contract 11.9).
#[test]
fn the_next_schedule_is_shown_in_the_calendars_time_zone() {
    let env = Env::with_pipeline(
        "[calendar]\ntimezone = \"Asia/Tokyo\"\n\n\
         [[environments]]\nname = \"preview\"\n\n\
         [[environments]]\nname = \"live\"\n",
    );
    one_commit(&env, &["installation", "new", "acme", "--version", "5.2.1"]);
    update_to_5_4_0(&env, "acme");
    // Mon 2026-11-23 22:30 UTC is Tue 2026-11-24 07:30 in Tokyo.
    one_commit(
        &env,
        &["schedule", "acme-5.4.0", "--at", "2026-11-23T22:30:00Z"],
    );
    let text = env.rel(&["fleet"]).ok().stdout.clone();
    let local = "live at Tue 2026-11-24 07:30 JST";
    assert!(text.contains(local), "{text}");
    assert!(!text.contains("2026-11-23T22:30:00Z"), "{text}");
    // The same words as `rel status`.
    let status = env.rel(&["status"]).ok().stdout.clone();
    assert!(status.contains("Tue 2026-11-24 07:30 JST"), "{status}");
    let v = env.rel(&["--json", "fleet"]).ok().json();
    assert_eq!(
        v["installations"][0]["update"]["schedules"][0]["at"], "2026-11-23T22:30:00Z",
        "{v}"
    );
    assert_eq!(v["at"], "2026-11-20T15:00:00Z");
}
