//! `rel board` (contract section 10): what the page shows. Columns per
//! environment in pipeline order with the releases in them, readiness in
//! words (the same as `rel status`), schedules and holds, `rel plan`'s steps
//! as a timeline, everything from the repository escaped. Where it writes
//! is in `board_output`, accessibility in `board_a11y`, a real browser in
//! `board_browser`.

use std::path::PathBuf;

use scraper::{ElementRef, Html, Selector};

use crate::common::git::one_commit;
use crate::common::releases::new_release;
use crate::common::Env;
use crate::promotion::SIMPLE;

/// Generates the board into a fresh folder outside the repository and
/// returns the folder.
#[track_caller]
pub fn generate(env: &Env) -> PathBuf {
    let out = env.tmp.path().join("board-out");
    let out_text = out.to_string_lossy().to_string();
    env.rel(&["board", "--output", &out_text]).ok();
    out
}

/// The page, parsed.
#[track_caller]
pub fn page(env: &Env) -> Html {
    let out = generate(env);
    Html::parse_document(&std::fs::read_to_string(out.join("index.html")).expect("index.html"))
}

pub fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("selector")
}

pub fn text(e: ElementRef) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// (column heading, release ids in it), in page order.
fn columns(html: &Html) -> Vec<(String, Vec<String>)> {
    html.select(&sel("section.column"))
        .map(|c| {
            let heading = text(c.select(&sel("h2")).next().expect("h2"));
            let ids = c.select(&sel("article.card .id")).map(text).collect();
            (heading, ids)
        })
        .collect()
}

/// The card of release `id`.
fn card<'a>(html: &'a Html, id: &str) -> ElementRef<'a> {
    html.select(&sel("article.card"))
        .find(|c| c.select(&sel(".id")).next().map(text).as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no card for {id}"))
}

#[test]
fn releases_appear_in_their_environments_columns_in_pipeline_order() {
    let env = Env::new();
    let a = new_release(&env, "1.4.0");
    let b = new_release(&env, "1.4.1");
    let c = new_release(&env, "1.5.0");
    one_commit(&env, &["promote", &b, "--yes"]);
    one_commit(&env, &["promote", &c, "--yes"]);
    let html = page(&env);
    assert_eq!(
        columns(&html),
        vec![
            ("development".to_string(), vec![a.clone()]),
            ("uat".to_string(), vec![b.clone(), c.clone()]),
            ("staging".to_string(), vec![]),
            ("production".to_string(), vec![]),
        ]
    );
    // The navigation names every column with its count.
    let nav: Vec<String> = html.select(&sel("nav a")).map(text).collect();
    assert_eq!(nav, ["development 1", "uat 2", "staging 0", "production 0"]);
    let empty: Vec<String> = html.select(&sel(".column .empty")).map(text).collect();
    assert_eq!(empty, ["No release here.", "No release here."]);
}

#[test]
fn readiness_is_rel_status_in_words_with_its_badge() {
    let env = Env::with_pipeline(SIMPLE);
    // Ready: dev -> test asks for nothing.
    let ready = new_release(&env, "1.1.0");
    // Waiting: in test, only the soak (3 business days for minor) blocks.
    let waiting = new_release(&env, "1.2.0");
    one_commit(&env, &["promote", &waiting]);
    // Blocked: held.
    let blocked = new_release(&env, "1.3.0");
    one_commit(&env, &["hold", &blocked, "--reason", "client audit"]);
    let status = env.rel(&["status"]).ok().stdout.clone();
    let html = page(&env);
    for (id, badge) in [
        (&ready, "Ready"),
        (&waiting, "Waiting"),
        (&blocked, "Blocked"),
    ] {
        let c = card(&html, id);
        let readiness = text(c.select(&sel(".readiness")).next().expect("readiness"));
        let words = readiness
            .strip_prefix(&format!("{} ", badge_sign(badge)))
            .and_then(|r| r.strip_prefix(badge))
            .unwrap_or_else(|| panic!("{id}: badge {badge} expected in {readiness:?}"))
            .trim()
            .to_string();
        assert!(
            status.contains(&words),
            "{id}: {words:?} is not what rel status says:\n{status}"
        );
        let class = badge.to_lowercase();
        assert!(
            c.value().classes().any(|k| k == class),
            "{id}: card {class}"
        );
    }
    assert!(text(card(&html, &waiting)).contains("ready at Wed 2026-11-25 15:00"));
    assert!(text(card(&html, &blocked)).contains("blocked: held"));
}

fn badge_sign(badge: &str) -> &'static str {
    match badge {
        "Ready" => "\u{2713}",
        "Waiting" => "\u{25f7}",
        _ => "\u{2715}",
    }
}

#[test]
fn a_schedule_and_a_hold_are_shown_on_the_card() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.1.0");
    one_commit(
        &env,
        &[
            "schedule",
            &id,
            "--at",
            "2026-11-24T02:00:00Z",
            "--slot",
            "2h",
            "--note",
            "Agreed with the client",
        ],
    );
    one_commit(
        &env,
        &["hold", &id, "--reason", "waiting for the client's audit"],
    );
    let html = page(&env);
    let c = card(&html, &id);
    let schedule = text(c.select(&sel(".schedule")).next().expect("schedule"));
    assert_eq!(
        schedule,
        "Scheduled into test at Tue 2026-11-24 02:00 UTC (slot 2h), by Ana Smith \
         <ana@example.com>: Agreed with the client \
         still to do by then: held"
    );
    let hold = text(c.select(&sel(".hold")).next().expect("hold"));
    assert_eq!(
        hold,
        "On hold since Fri 2026-11-20 15:00 UTC by Ana Smith <ana@example.com>: \
         waiting for the client's audit"
    );
    // Instants are machine-readable too.
    let datetimes: Vec<&str> = c
        .select(&sel(".schedule time"))
        .filter_map(|t| t.value().attr("datetime"))
        .collect();
    assert_eq!(datetimes, ["2026-11-24T02:00:00Z"]);
}

#[test]
fn a_schedule_the_rules_would_now_refuse_says_so() {
    let mut env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.1.0");
    one_commit(&env, &["promote", &id]);
    // Into live at Wed 15:00, when the soak in test has just passed...
    one_commit(&env, &["schedule", &id, "--at", "2026-11-25T15:00:00Z"]);
    // ...then, on Monday, the content changes: the soak starts again.
    env.now = "2026-11-23T10:00:00Z".into();
    crate::common::releases::group_ready_incident(&env, &id, "INC-1");
    let html = page(&env);
    let schedule = text(
        card(&html, &id)
            .select(&sel(".schedule"))
            .next()
            .expect("schedule"),
    );
    assert!(
        schedule.contains("cannot be applied then: soak"),
        "{schedule}"
    );
}

#[test]
fn each_release_has_its_plan_as_a_timeline() {
    let env = Env::new();
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id, "--yes"]);
    let plan = env.rel(&["--json", "plan", &id]).ok().json();
    let html = page(&env);
    let c = card(&html, &id);
    let items: Vec<ElementRef> = c.select(&sel(".timeline li")).collect();
    assert_eq!(text(items[0]), "uat now, since Fri 2026-11-20 15:00 UTC");
    let steps = plan["steps"].as_array().expect("steps");
    assert_eq!(items.len(), steps.len() + 1);
    for (item, step) in items[1..].iter().zip(steps) {
        let env_name = text(item.select(&sel(".env")).next().expect("env"));
        assert_eq!(env_name, step["env"].as_str().expect("env"));
        let earliest = item
            .select(&sel("time"))
            .next()
            .and_then(|t| t.value().attr("datetime"));
        assert_eq!(earliest, step["earliest"].as_str());
        let blocked: Vec<&str> = step["blocked_by"]
            .as_array()
            .expect("blocked_by")
            .iter()
            .filter_map(|c| c.as_str())
            .collect();
        let shown = item.select(&sel(".blocked-by")).next().map(text);
        if blocked.is_empty() {
            assert_eq!(shown, None);
        } else {
            assert_eq!(
                shown,
                Some(format!("still blocked by: {}", blocked.join(", ")))
            );
        }
    }
}

#[test]
fn everything_from_the_repository_is_escaped() {
    let env = Env::with_pipeline(SIMPLE);
    let run = env.rel(&[
        "new",
        "--version",
        "1.1.0",
        "--title",
        "<script>alert(1)</script>",
    ]);
    let id = run.ok().stdout.trim().to_string();
    one_commit(
        &env,
        &[
            "hold",
            &id,
            "--reason",
            "<img src=x onerror=alert(2)> & \"more\"",
        ],
    );
    let out = generate(&env);
    let raw = std::fs::read_to_string(out.join("index.html")).expect("page");
    assert!(!raw.contains("<script"), "a script element: {raw}");
    assert!(!raw.contains("<img"), "an img element: {raw}");
    let html = Html::parse_document(&raw);
    assert_eq!(html.select(&sel("script, img")).count(), 0);
    let c = card(&html, &id);
    assert_eq!(
        text(c.select(&sel(".title")).next().expect("title")),
        "<script>alert(1)</script>"
    );
    assert!(text(c).contains("<img src=x onerror=alert(2)> & \"more\""));
}

#[test]
fn the_board_of_an_empty_pipeline_has_its_columns_and_says_so() {
    let env = Env::new();
    let html = page(&env);
    let cols = columns(&html);
    assert_eq!(cols.len(), 4);
    assert!(cols.iter().all(|(_, ids)| ids.is_empty()));
    assert_eq!(html.select(&sel(".column .empty")).count(), 4);
    let asof = text(html.select(&sel(".asof")).next().expect("as of"));
    assert_eq!(
        asof,
        "As of Fri 2026-11-20 15:00 UTC: no releases in progress."
    );
}

#[test]
fn the_same_state_and_now_give_the_same_bytes() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.1.0");
    one_commit(&env, &["schedule", &id, "--at", "earliest"]);
    let out = generate(&env);
    let first = std::fs::read(out.join("index.html")).expect("page");
    let css = std::fs::read(out.join("board.css")).expect("css");
    let again = generate(&env);
    assert_eq!(
        std::fs::read(again.join("index.html")).expect("page"),
        first
    );
    assert_eq!(std::fs::read(again.join("board.css")).expect("css"), css);
    // Another now is another page, saying when.
    let out_text = out.to_string_lossy().to_string();
    env.rel_env(
        &["board", "--output", &out_text],
        &[("REL_NOW", "2026-11-23T09:30:00Z")],
    )
    .ok();
    let later = std::fs::read_to_string(out.join("index.html")).expect("page");
    assert!(later
        .contains("As of <time datetime=\"2026-11-23T09:30:00Z\">Mon 2026-11-23 09:30 UTC</time>"));
}

#[test]
fn releases_in_an_environment_the_pipeline_lost_get_a_column_saying_so() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.1.0");
    one_commit(&env, &["promote", &id]);
    // The pipeline drops `test` while the release is in it.
    env.write(
        "environments.toml",
        "[[environments]]\nname = \"dev\"\n\n[[environments]]\nname = \"live\"\n",
    );
    env.commit_all("drop test");
    let html = page(&env);
    assert_eq!(
        columns(&html),
        vec![
            ("dev".to_string(), vec![]),
            ("live".to_string(), vec![]),
            ("test".to_string(), vec![id.clone()]),
        ]
    );
    let note = text(html.select(&sel(".column .note")).next().expect("note"));
    assert_eq!(
        note,
        "Not an environment of the pipeline any more: roll these back."
    );
    let c = card(&html, &id);
    assert!(text(c).contains("not in the pipeline: roll it back"));
    let plan: Vec<String> = c.select(&sel(".timeline li")).map(text).collect();
    assert_eq!(
        plan,
        [
            "test now, since Fri 2026-11-20 15:00 UTC",
            "no plan: the pipeline has no such environment"
        ]
    );
}
