//! `rel board`: accessibility basics, read from the generated files. A
//! language, landmarks, one `<h1>` and headings that never skip a level, an
//! `<h2>` per environment; every text colour of the style sheet on its
//! background at WCAG AA contrast (at least 4.5:1); readiness never by
//! colour alone.

use crate::board::{generate, sel, text};
use crate::common::git::one_commit;
use crate::common::releases::new_release;
use crate::common::Env;

#[test]
fn the_page_has_a_language_landmarks_and_ordered_headings() {
    let env = Env::new();
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["hold", &id, "--reason", "audit"]);
    let out = generate(&env);
    let raw = std::fs::read_to_string(out.join("index.html")).expect("page");
    let html = scraper::Html::parse_document(&raw);
    let root = html.root_element();
    assert_eq!(root.value().attr("lang"), Some("en"));
    for landmark in ["header", "nav", "main", "footer", "aside"] {
        assert_eq!(html.select(&sel(landmark)).count(), 1, "one {landmark}");
    }
    assert!(html.select(&sel("main section.column")).count() == 4);
    // Headings: one h1, first; then never more than one level deeper.
    let levels: Vec<u8> = html
        .select(&sel("h1, h2, h3, h4, h5, h6"))
        .map(|h| h.value().name()[1..].parse().expect("level"))
        .collect();
    assert_eq!(levels.iter().filter(|l| **l == 1).count(), 1);
    assert_eq!(levels[0], 1);
    for pair in levels.windows(2) {
        assert!(
            pair[1] <= pair[0] + 1,
            "a heading skips a level: {levels:?}"
        );
    }
    // An h2 per environment, in pipeline order, each naming its section.
    let columns: Vec<String> = html.select(&sel("section.column > h2")).map(text).collect();
    assert_eq!(columns, ["development", "uat", "staging", "production"]);
    for section in html.select(&sel("section.column")) {
        let labelled = section.value().attr("aria-labelledby").expect("labelled");
        let heading = section.select(&sel("h2")).next().expect("h2");
        assert_eq!(heading.value().attr("id"), Some(labelled));
    }
    // Every link goes to a place on the page, or to the fleet page beside
    // it (written with it): nothing is fetched.
    for a in html.select(&sel("a")) {
        let href = a.value().attr("href").expect("href");
        if href == "fleet.html" {
            assert!(out.join(href).is_file(), "{href}");
            continue;
        }
        let target = href.strip_prefix('#').expect("a fragment");
        assert_eq!(
            html.select(&sel(&format!("[id=\"{target}\"]"))).count(),
            1,
            "{href}"
        );
    }
    // Nothing but the local style sheet is loaded; no script.
    assert_eq!(html.select(&sel("script, img, iframe")).count(), 0);
    let links: Vec<&str> = html
        .select(&sel("link"))
        .filter_map(|l| l.value().attr("href"))
        .collect();
    assert_eq!(links, ["board.css"]);
    // The readiness badge says its word: not colour alone.
    let badge = text(html.select(&sel(".card .badge")).next().expect("badge"));
    assert!(badge.ends_with("Blocked"), "{badge}");
}

#[test]
fn every_text_colour_reaches_wcag_aa_on_its_background() {
    let env = Env::new();
    let out = generate(&env);
    let css = std::fs::read_to_string(out.join("board.css")).expect("css");
    let mut pairs = 0;
    for (selector, declarations) in blocks(&css) {
        let value = |name: &str| {
            declarations
                .iter()
                .find(|(p, _)| p == name)
                .map(|(_, v)| v.clone())
        };
        let (fg, bg) = (value("color"), value("background-color"));
        match (fg, bg) {
            (Some(fg), Some(bg)) => {
                let ratio = contrast(&fg, &bg);
                assert!(ratio >= 4.5, "{selector}: {fg} on {bg} is {ratio:.2}:1");
                pairs += 1;
            }
            (None, None) => {}
            // A colour without its background (or the reverse) could land
            // on anything: every rule that sets one sets both.
            (fg, bg) => {
                panic!("{selector} sets only one of color ({fg:?}) and background ({bg:?})")
            }
        }
    }
    assert!(pairs >= 10, "only {pairs} colour pairs found");
}

/// `selector { property: value; ... }` blocks of a flat style sheet.
fn blocks(css: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut rest = css;
    // Comments out.
    let mut clean = String::new();
    while let Some(start) = rest.find("/*") {
        clean.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("closed comment");
        rest = &rest[start + end + 2..];
    }
    clean.push_str(rest);
    assert!(!clean.contains('@'), "at-rules are not read by this test");
    clean
        .split('}')
        .filter_map(|block| {
            let (selector, body) = block.split_once('{')?;
            let declarations = body
                .split(';')
                .filter_map(|d| {
                    let (p, v) = d.split_once(':')?;
                    Some((p.trim().to_string(), v.trim().to_string()))
                })
                .collect();
            Some((selector.trim().to_string(), declarations))
        })
        .collect()
}

fn luminance(hex: &str) -> f64 {
    let hex = hex.strip_prefix('#').expect("a #rrggbb colour");
    assert_eq!(hex.len(), 6, "a #rrggbb colour: {hex}");
    let channel = |i: usize| {
        let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")) / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

#[test]
fn the_contrast_arithmetic_is_wcag_s() {
    assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
    assert!((contrast("#777777", "#ffffff") - 4.48).abs() < 0.01);
}
