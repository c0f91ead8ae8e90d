//! `rel board`'s fleet page (contract 11.9): `fleet.html` beside the
//! board, showing what `rel fleet` shows (one computation, two renderings):
//! every installation, its version, its update in progress, the summary;
//! linked from the board's header and back; repository text escaped; and
//! in headless Chromium, offline, with no console message.

use std::path::PathBuf;

use scraper::Html;

use crate::board::{sel, text};
use crate::board_browser::{chromium, run_chromium};
use crate::common::git::one_commit;
use crate::common::Env;
use crate::installations::two_installations;

/// A reason with markup in it: it must reach the page as text.
const REASON: &str = "<b>exams</b> & \"week\"";

/// acme 5.2.1 and globex 5.3.0 (the installations fixture), initech 5.4.0;
/// a rollout of 5.4.0 gives acme and globex an update (initech is passed
/// over); globex's is in staging with a failed health report and a
/// schedule into live; acme's is held.
fn fleet() -> Env {
    let env = two_installations();
    one_commit(
        &env,
        &["installation", "new", "initech", "--version", "5.4.0"],
    );
    one_commit(
        &env,
        &[
            "rollout",
            "--version",
            "5.4.0",
            "--title",
            "Winter update",
            "--yes",
        ],
    );
    one_commit(&env, &["promote", "globex-5.4.0", "--yes"]);
    env.rel(&["verify", "globex-5.4.0", "--passed", "1", "--failed", "2"])
        .code(1);
    one_commit(&env, &["hold", "acme-5.4.0", "--reason", REASON]);
    one_commit(
        &env,
        &["schedule", "globex-5.4.0", "--at", "2026-11-28 01:30"],
    );
    env
}

/// Writes the board into `site/` and returns the folder.
fn board(env: &Env) -> PathBuf {
    let out = env.tmp.path().join("site");
    let out_text = out.to_string_lossy().to_string();
    let head = env.head();
    env.rel(&["board", "--output", &out_text]).ok();
    assert_eq!(env.head(), head, "no commit");
    out
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The cells of each row of the fleet table, as text.
fn rows(html: &Html) -> Vec<Vec<String>> {
    html.select(&sel("table.fleet tbody tr"))
        .map(|tr| tr.select(&sel("th, td")).map(text).collect())
        .collect()
}

#[test]
fn the_fleet_page_shows_what_rel_fleet_shows() {
    let env = fleet();
    let out = board(&env);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("written")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["board.css", "fleet.html", "index.html"]);
    let raw = read(out.join("fleet.html"));
    let html = Html::parse_document(&raw);

    // A row per installation, as `rel fleet --json` has it.
    let v = env.rel(&["--json", "fleet"]).ok().json();
    let all = v["installations"].as_array().expect("installations");
    let rows = rows(&html);
    assert_eq!(rows.len(), all.len());
    assert_eq!(
        rows[0],
        [
            "acme",
            "5.2.1",
            "acme-5.4.0",
            "5.4.0",
            "preview",
            "open",
            "-",
            "-",
            &format!("held: {REASON}"),
            "held",
        ]
    );
    assert_eq!(
        rows[1],
        [
            "globex",
            "5.3.0",
            "globex-5.4.0",
            "5.4.0",
            "staging",
            "open",
            "live at Sat 2026-11-28 01:30 GMT",
            "failed",
            "no",
            "approval, window",
        ]
    );
    assert_eq!(rows[2], ["initech", "5.4.0", "no update in progress"]);
    for (row, i) in rows.iter().zip(all) {
        assert_eq!(row[0], i["name"].as_str().expect("name"));
        assert_eq!(row[1], i["version"].as_str().expect("version"));
        let u = &i["update"];
        if u.is_null() {
            continue;
        }
        assert_eq!(row[2], u["release"].as_str().expect("release"));
        assert_eq!(row[4], u["environment"].as_str().expect("environment"));
        assert_eq!(row[5], u["state"].as_str().expect("state"));
        assert_eq!(row[7], u["health"].as_str().unwrap_or("-"));
        let blocked: Vec<&str> = u["blocked_by"]
            .as_array()
            .expect("blocked_by")
            .iter()
            .filter_map(|c| c.as_str())
            .collect();
        assert_eq!(row[9], blocked.join(", "));
    }
    // The schedule carries its instant for tools.
    assert!(raw.contains("<time datetime=\"2026-11-28T01:30:00Z\">"));

    // The summary, as `rel fleet` counts it.
    let summary: Vec<(String, String)> = html
        .select(&sel(".summary dt"))
        .map(text)
        .zip(html.select(&sel(".summary dd")).map(text))
        .collect();
    assert_eq!(
        summary,
        [
            ("Installations per version", "5.2.1: 1, 5.3.0: 1, 5.4.0: 1"),
            ("Updates per environment", "preview: 1, staging: 1"),
            (
                "Blocked updates per rule",
                "approval: 1, held: 1, window: 1"
            ),
            ("Failed health reports waiting for a person", "1"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let s = &v["summary"];
    assert_eq!(s["failed_health"], 1);
    assert_eq!(s["blocked"]["window"], 1);

    // The reason's markup is text, escaped once.
    assert!(
        raw.contains("held: &lt;b&gt;exams&lt;/b&gt; &amp; &quot;week&quot;"),
        "{raw}"
    );
    assert!(!raw.contains("<b>exams"));
    assert_eq!(html.select(&sel("main b")).count(), 0);
}

#[test]
fn the_board_and_the_fleet_page_link_to_each_other() {
    let env = fleet();
    let out = board(&env);
    let index = Html::parse_document(&read(out.join("index.html")));
    let fleet = Html::parse_document(&read(out.join("fleet.html")));
    // The board's header names the fleet page and counts the installations.
    let pages = index
        .select(&sel("header.top .pages"))
        .next()
        .expect("a link to the fleet page");
    assert_eq!(text(pages), "Fleet: 3 installations");
    let link = pages.select(&sel("a")).next().expect("a");
    assert_eq!(link.value().attr("href"), Some("fleet.html"));
    // And back, in the fleet page's navigation.
    let back: Vec<&str> = fleet
        .select(&sel("header.top nav a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(back, ["index.html"]);
    // Each update links to its card on the board.
    for a in fleet.select(&sel("table.fleet a")) {
        let href = a.value().attr("href").expect("href");
        let (page, id) = href.split_once('#').expect("a card");
        assert_eq!(page, "index.html");
        assert_eq!(
            index.select(&sel(&format!("article[id=\"{id}\"]"))).count(),
            1,
            "{href}"
        );
        assert_eq!(id, format!("release-{}", text(a)));
    }
    // The fleet page: a language, landmarks, one h1, then h2s.
    assert_eq!(
        fleet.root_element().value().attr("lang"),
        Some("en"),
        "lang"
    );
    for landmark in ["header", "nav", "main", "footer"] {
        assert_eq!(fleet.select(&sel(landmark)).count(), 1, "one {landmark}");
    }
    let headings: Vec<String> = fleet.select(&sel("h1, h2, h3")).map(text).collect();
    assert_eq!(headings, ["Fleet", "Summary", "Installations"]);
    assert_eq!(fleet.select(&sel("script, img, iframe")).count(), 0);
}

#[test]
fn without_installations_the_fleet_page_says_so() {
    let env = Env::new();
    let out = board(&env);
    let fleet = Html::parse_document(&read(out.join("fleet.html")));
    let empty = text(fleet.select(&sel(".fleet .empty")).next().expect("empty"));
    assert_eq!(
        empty,
        "No installations: register one with rel installation new."
    );
    assert_eq!(fleet.select(&sel("table")).count(), 0);
    let asof = text(fleet.select(&sel(".asof")).next().expect("as of"));
    assert!(
        asof.ends_with(": no installations, no updates in progress."),
        "{asof}"
    );
    let index = Html::parse_document(&read(out.join("index.html")));
    let pages = text(index.select(&sel(".pages")).next().expect("link"));
    assert_eq!(pages, "Fleet: 0 installations");
}

#[test]
fn chromium_shows_the_fleet_page_offline_without_console_errors() {
    let Some(chromium) = chromium() else {
        return;
    };
    let env = fleet();
    let page = board(&env).join("fleet.html");
    let dom = run_chromium(
        &chromium,
        env.tmp.path(),
        &page,
        &[
            "--dump-dom".into(),
            "--enable-logging=stderr".into(),
            "--v=0".into(),
        ],
    );
    let stderr = String::from_utf8_lossy(&dom.stderr);
    assert!(dom.status.success(), "chromium failed: {stderr}");
    // The page has no script: any console message at all is a fault.
    let console: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    // The DOM as Chromium built it: the table with every installation.
    let rendered = Html::parse_document(&String::from_utf8_lossy(&dom.stdout));
    let names: Vec<String> = rendered
        .select(&sel("table.fleet tbody th[scope=row]"))
        .map(text)
        .collect();
    assert_eq!(names, ["acme", "globex", "initech"]);
    let title = text(rendered.select(&sel("h1")).next().expect("h1"));
    assert_eq!(title, "Fleet");
    // The reason stays text in the browser too.
    assert_eq!(rendered.select(&sel("main b")).count(), 0);
    assert!(rendered
        .root_element()
        .text()
        .collect::<String>()
        .contains(REASON));
}
