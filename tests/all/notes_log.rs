//! Release notes end to end (issue 5): the built-in Markdown (snapshot, and
//! its structure read back with a real CommonMark parser) and the JSON form
//! with the same content. `--output` and a project's own template are in
//! `notes_log_template`; the audit trail (`rel log`) in `notes_log_trail`
//! and `notes_log_outside`.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde_json::Value;

use crate::common::Env;

pub const RELEASE: &str = "R-2026-001";

/// A title with every kind of Markdown syntax in it: it must show literally.
pub const TRICKY_TITLE: &str = "Remove the *legacy* SOAP_v1 endpoint #12 <b>now</b>";
pub const TRICKY_IMPACT: &str =
    "Clients calling /soap/v1 must switch to /api/v2 & re-test; see [guide](https://x.example/g) _soon_";

/// One incident: registered, resolved, authorised by the client, tested.
pub fn ready_incident(env: &Env, id: &str, title: &str, extra: &[&str]) {
    let mut args = vec!["incident", "new", id, "--title", title];
    args.extend_from_slice(extra);
    env.rel(&args).ok();
    env.rel(&["incident", "resolve", id]).ok();
    env.rel(&["incident", "authorise", id, "--by", "Carla Client"])
        .ok();
    env.rel(&[
        "incident",
        "test",
        id,
        "--evidence",
        &format!("https://ci.example/{id}"),
    ])
    .ok();
}

/// Release 2.0.0 (major) with two breaking and two other incidents,
/// grouped in a mixed order, frozen and promoted to uat on Mon 2026-11-23
/// 10:00 UTC. Components of several kinds, given out of order.
pub fn release_with_incidents() -> Env {
    let env = Env::new();
    let run = env.rel(&[
        "new",
        "--version",
        "2.0.0",
        "--title",
        "Spring billing release",
        "--target",
        "2026-12-15",
    ]);
    run.ok();
    assert_eq!(run.stdout.trim(), RELEASE);
    ready_incident(
        &env,
        "INC-101",
        TRICKY_TITLE,
        &[
            "--breaking",
            "--impact",
            TRICKY_IMPACT,
            "--component",
            "dll:Billing.Soap.dll",
            "--component",
            "permission:soap.invoke",
            "--component",
            "dll:Billing.Core.dll",
            "--component",
            "parameter:SOAP_ENABLED",
        ],
    );
    ready_incident(
        &env,
        "INC-102",
        "Faster invoice search",
        &[
            "--impact",
            "Searches return in under a second",
            "--component",
            "parameter:SEARCH_PAGE_SIZE",
            "--component",
            "dll:Billing.Core.dll",
        ],
    );
    ready_incident(
        &env,
        "INC-103",
        "Rename the export column",
        &[
            "--breaking",
            "--impact",
            "Spreadsheets reading the export need the new column name",
            "--component",
            "sql:`invoice`.amount",
        ],
    );
    ready_incident(&env, "INC-104", "Typo in the invoice footer", &[]);
    env.rel(&["group", RELEASE, "INC-102", "INC-101", "INC-104", "INC-103"])
        .ok();
    env.rel(&["freeze", RELEASE]).ok();
    env.rel(&["tick", RELEASE, "--env", "uat", "1"]).ok();
    env.rel_env(
        &["promote", RELEASE],
        &[("REL_NOW", "2026-11-23T10:00:00Z")],
    )
    .ok();
    env
}

/// The document as a CommonMark parser sees it, one line per block:
/// `h1 text`, `p text`, `li text`; inline code shown between backticks,
/// emphasis and links would show as `<em>`/`<strong>`/`<a>`.
pub fn outline(markdown: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current: Option<String> = None;
    let mut depth = 0;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(tag) => {
                let block = match &tag {
                    Tag::Heading { level, .. } => Some(format!(
                        "h{} ",
                        match level {
                            HeadingLevel::H1 => 1,
                            HeadingLevel::H2 => 2,
                            HeadingLevel::H3 => 3,
                            _ => 9,
                        }
                    )),
                    Tag::Paragraph => Some("p ".to_string()),
                    Tag::Item => Some("li ".to_string()),
                    Tag::Emphasis => {
                        push(&mut current, "<em>");
                        None
                    }
                    Tag::Link { .. } => {
                        push(&mut current, "<a>");
                        None
                    }
                    Tag::Strikethrough => {
                        push(&mut current, "<del>");
                        None
                    }
                    _ => None,
                };
                if let Some(b) = block {
                    if current.is_none() {
                        current = Some(b);
                    }
                    depth += 1;
                }
            }
            Event::End(end) => {
                if matches!(end, TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::Item) {
                    depth -= 1;
                    if depth == 0 {
                        lines.extend(current.take());
                    }
                }
            }
            Event::Text(t) => push(&mut current, &t),
            Event::Code(c) => push(&mut current, &format!("`{c}`")),
            Event::SoftBreak | Event::HardBreak => push(&mut current, " "),
            Event::Html(h) | Event::InlineHtml(h) => push(&mut current, &format!("<html:{h}>")),
            other => push(&mut current, &format!("<{other:?}>")),
        }
    }
    lines
}

fn push(current: &mut Option<String>, text: &str) {
    current.get_or_insert_with(String::new).push_str(text);
}

fn html(markdown: &str) -> String {
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, Parser::new(markdown));
    out
}

pub fn notes(env: &Env, args: &[&str]) -> String {
    let mut all = vec!["notes", RELEASE];
    all.extend_from_slice(args);
    env.rel(&all).ok().stdout.clone()
}

// ---- the built-in Markdown ----

#[test]
fn markdown_snapshot() {
    let env = release_with_incidents();
    insta::assert_snapshot!("notes_markdown", notes(&env, &[]));
}

#[test]
fn markdown_structure_breaking_first_components_grouped_by_kind() {
    let env = release_with_incidents();
    let md = notes(&env, &[]);
    assert!(md.ends_with("footer\n"), "one newline at the end: {md:?}");
    let expected = [
        "h1 R-2026-001 2.0.0: Spring billing release",
        "p Version 2.0.0 (major release), frozen in uat since 2026-11-23 10:00:00 UTC.",
        "h2 Breaking changes",
        "h3 INC-101: Remove the *legacy* SOAP_v1 endpoint #12 <b>now</b>",
        "p Impact: Clients calling /soap/v1 must switch to /api/v2 & re-test; see [guide](https://x.example/g) _soon_",
        "p Components:",
        "li dll: `Billing.Core.dll`, `Billing.Soap.dll`",
        "li parameter: `SOAP_ENABLED`",
        "li permission: `soap.invoke`",
        "h3 INC-103: Rename the export column",
        "p Impact: Spreadsheets reading the export need the new column name",
        "p Components:",
        "li sql: ``invoice`.amount`",
        "h2 Changes",
        "h3 INC-102: Faster invoice search",
        "p Impact: Searches return in under a second",
        "p Components:",
        "li dll: `Billing.Core.dll`",
        "li parameter: `SEARCH_PAGE_SIZE`",
        "h3 INC-104: Typo in the invoice footer",
    ];
    assert_eq!(outline(&md), expected, "\n{md}");
}

#[test]
fn markdown_special_characters_show_literally_in_html() {
    let env = release_with_incidents();
    let page = html(&notes(&env, &[]));
    for literal in [
        "Remove the *legacy* SOAP_v1 endpoint #12 &lt;b&gt;now&lt;/b&gt;",
        "switch to /api/v2 &amp; re-test; see [guide](https://x.example/g) _soon_",
        "<code>`invoice`.amount</code>",
    ] {
        assert!(page.contains(literal), "missing {literal:?} in\n{page}");
    }
    for markup in ["<em>", "<b>", "<a ", "<del>"] {
        assert!(!page.contains(markup), "{markup} in\n{page}");
    }
    assert_eq!(page.matches("<h1>").count(), 1, "{page}");
    let breaking = page.find("<h2>Breaking changes</h2>").expect("breaking");
    let changes = page.find("<h2>Changes</h2>").expect("changes");
    assert!(breaking < changes, "{page}");
}

#[test]
fn markdown_of_a_release_without_incidents() {
    let env = Env::new();
    env.rel(&["new", "--version", "1.0.1", "--title", "Empty"])
        .ok();
    let md = notes(&env, &[]);
    assert_eq!(
        outline(&md),
        [
            "h1 R-2026-001 1.0.1: Empty",
            "p Version 1.0.1 (patch release), open in development since 2026-11-20 15:00:00 UTC.",
            "p This release holds no changes.",
        ]
    );
    assert!(md.ends_with("changes.\n"), "{md:?}");
}

#[test]
fn notes_of_an_unknown_release_is_exit_2() {
    let env = Env::new();
    let run = env.rel(&["notes", "R-2026-999"]);
    run.code(2);
    assert!(run.stderr.contains("R-2026-999"), "{}", run.stderr);
    env.rel(&["notes", "../etc"]).code(2);
}

// ---- JSON ----

#[test]
fn json_snapshot() {
    let env = release_with_incidents();
    insta::assert_snapshot!("notes_json", notes(&env, &["--format", "json"]));
}

#[test]
fn json_parses_back_with_the_raw_text() {
    let env = release_with_incidents();
    let v: Value = serde_json::from_str(&notes(&env, &["--format", "json"])).expect("json");
    assert_eq!(v["release"], RELEASE);
    assert_eq!(v["title"], "Spring billing release");
    assert_eq!(v["version"], "2.0.0");
    assert_eq!(v["kind"], "major");
    assert_eq!(v["state"], "frozen");
    assert_eq!(v["environment"], "uat");
    assert_eq!(v["reached_at"], "2026-11-23T10:00:00Z");
    assert_eq!(v["target"], "2026-12-15");
    let ids = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_string())
            .collect()
    };
    assert_eq!(ids("breaking"), ["INC-101", "INC-103"]);
    assert_eq!(ids("changes"), ["INC-102", "INC-104"]);
    let first = &v["breaking"][0];
    assert_eq!(first["title"], TRICKY_TITLE, "JSON is not escaped");
    assert_eq!(first["impact"], TRICKY_IMPACT);
    assert_eq!(first["breaking"], true);
    assert_eq!(
        first["components"],
        serde_json::json!([
            {"kind": "dll", "names": ["Billing.Core.dll", "Billing.Soap.dll"]},
            {"kind": "parameter", "names": ["SOAP_ENABLED"]},
            {"kind": "permission", "names": ["soap.invoke"]},
        ])
    );
    let last = &v["changes"][1];
    assert_eq!(last["breaking"], false);
    assert_eq!(last["impact"], Value::Null);
    assert_eq!(last["components"], serde_json::json!([]));
    // The global --json flag means the same thing.
    let global: Value = env.rel(&["--json", "notes", RELEASE]).ok().json();
    assert_eq!(global, v);
}

/// The Markdown says exactly what the JSON says: rebuilding the expected
/// outline from the JSON gives the parsed Markdown, line for line.
#[test]
fn json_and_markdown_have_the_same_content() {
    let env = release_with_incidents();
    let v: Value = serde_json::from_str(&notes(&env, &["--format", "json"])).expect("json");
    let s = |x: &Value| x.as_str().expect("string").to_string();
    let mut expected = vec![
        format!(
            "h1 {} {}: {}",
            s(&v["release"]),
            s(&v["version"]),
            s(&v["title"])
        ),
        format!(
            "p Version {} ({} release), {} in {} since {}.",
            s(&v["version"]),
            s(&v["kind"]),
            s(&v["state"]),
            s(&v["environment"]),
            s(&v["reached_at"]).replace('T', " ").replace('Z', " UTC")
        ),
    ];
    for (key, heading) in [("breaking", "Breaking changes"), ("changes", "Changes")] {
        expected.push(format!("h2 {heading}"));
        for i in v[key].as_array().expect("incidents") {
            expected.push(format!("h3 {}: {}", s(&i["id"]), s(&i["title"])));
            if !i["impact"].is_null() {
                expected.push(format!("p Impact: {}", s(&i["impact"])));
            }
            let groups = i["components"].as_array().expect("components");
            if !groups.is_empty() {
                expected.push("p Components:".to_string());
            }
            for g in groups {
                let names: Vec<String> = g["names"]
                    .as_array()
                    .expect("names")
                    .iter()
                    .map(|n| format!("`{}`", s(n)))
                    .collect();
                expected.push(format!("li {}: {}", s(&g["kind"]), names.join(", ")));
            }
        }
    }
    assert_eq!(outline(&notes(&env, &[])), expected);
}
