//! The board's style sheet. Every colour is in `PAIRS`, one table of
//! (selector, text, background): each rule that sets a colour sets both, so
//! the contrast of every pair can be checked (WCAG AA, at least 4.5:1) by
//! reading the sheet back, without knowing which element sits on which.

/// A text colour on its background, for the elements `selector` names.
pub struct Pair {
    pub selector: &'static str,
    pub text: &'static str,
    pub background: &'static str,
}

const fn pair(selector: &'static str, text: &'static str, background: &'static str) -> Pair {
    Pair {
        selector,
        text,
        background,
    }
}

/// Ready, waiting, blocked: the badge colours, and the card's edge.
pub const READY: &str = "#1a7f37";
pub const WAITING: &str = "#7d4e00";
pub const BLOCKED: &str = "#cf222e";

pub const PAIRS: &[Pair] = &[
    pair("body", "#1f2328", "#f6f8fa"),
    pair("header.top", "#ffffff", "#24292f"),
    pair("header.top .asof", "#d0d7de", "#24292f"),
    pair("header.top nav a", "#ffffff", "#24292f"),
    pair("header.top nav .count", "#24292f", "#d0d7de"),
    pair("header.top .pages", "#d0d7de", "#24292f"),
    pair("header.top .pages a", "#ffffff", "#24292f"),
    pair(".legend", "#1f2328", "#ffffff"),
    pair(".column", "#1f2328", "#eaeef2"),
    pair(".column .tags li", "#24292f", "#d0d7de"),
    pair(".column .empty", "#424a53", "#eaeef2"),
    pair(".card", "#1f2328", "#ffffff"),
    pair(".card .meta", "#57606a", "#ffffff"),
    pair(".badge.ready", "#ffffff", READY),
    pair(".badge.waiting", "#ffffff", WAITING),
    pair(".badge.blocked", "#ffffff", BLOCKED),
    pair(".hold", "#82071e", "#ffebe9"),
    pair(".schedule", "#0a3069", "#ddf4ff"),
    pair(".schedule .problem", "#82071e", "#ffebe9"),
    pair(".timeline .current", "#0a3069", "#ddf4ff"),
    pair(".timeline .blocked-by", "#82071e", "#ffffff"),
    pair(".summary", "#1f2328", "#ffffff"),
    pair("table.fleet", "#1f2328", "#ffffff"),
    pair("table.fleet thead th", "#1f2328", "#eaeef2"),
    pair("table.fleet .none", "#424a53", "#ffffff"),
    pair("table.fleet .problem", "#82071e", "#ffebe9"),
    pair(".forecast", "#1f2328", "#ffffff"),
    pair(".forecast-stay", "#0a3069", "#ddf4ff"),
    pair(".forecast-stop", "#82071e", "#ffebe9"),
    pair(".forecast .waited", "#57606a", "#ffffff"),
    pair("footer", "#424a53", "#f6f8fa"),
];

/// Layout only: no `color` or `background-color` here (see `PAIRS`).
const LAYOUT: &str = r#"* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 15px; line-height: 1.45; }
header.top { padding: 1rem 1.5rem 0.75rem; }
header.top h1 { margin: 0; font-size: 1.6rem; }
header.top .asof { margin: 0.25rem 0 0.75rem; }
header.top nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; }
header.top nav a { text-decoration: underline; text-underline-offset: 3px; font-weight: 600; }
header.top nav .count { display: inline-block; min-width: 1.5rem; padding: 0 0.4rem; margin-left: 0.3rem; border-radius: 999px; text-align: center; font-size: 0.85rem; }
.legend { margin: 1rem 1.5rem 0; padding: 0.5rem 1rem; border: 1px solid #d0d7de; border-radius: 8px; display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 1.25rem; font-size: 0.9rem; }
.legend h2 { margin: 0; font-size: 0.95rem; }
.legend ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.4rem 1.1rem; }
.legend li { display: flex; align-items: center; gap: 0.35rem; }
.legend .schedule, .legend .hold { padding: 0.05rem 0.45rem; border-radius: 6px; margin: 0; }
main { padding: 1rem 1.5rem; }
/* Columns side by side, wrapping in pipeline order on narrow screens
   (reflow without scrolling sideways). */
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; align-items: start; }
.column { border-radius: 10px; padding: 0.75rem; min-height: 8rem; }
.column h2 { margin: 0 0 0.4rem; font-size: 1.15rem; }
.column .note { margin: 0 0 0.4rem; font-size: 0.85rem; }
.column .tags { list-style: none; margin: 0 0 0.75rem; padding: 0; display: flex; flex-wrap: wrap; gap: 0.3rem; }
.column .tags li { font-size: 0.8rem; padding: 0.05rem 0.5rem; border-radius: 999px; }
.column .empty { margin: 0.5rem 0; font-style: italic; }
.cards { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.75rem; }
.card { border: 1px solid #d0d7de; border-left-width: 6px; border-radius: 8px; padding: 0.7rem 0.85rem; }
.card.ready { border-left-color: #1a7f37; }
.card.waiting { border-left-color: #7d4e00; }
.card.blocked { border-left-color: #cf222e; }
.card h3 { margin: 0; font-size: 1.05rem; display: flex; justify-content: space-between; gap: 0.5rem; }
.card .title { margin: 0.15rem 0 0.4rem; font-weight: 600; overflow-wrap: anywhere; }
.card .meta { margin: 0 0 0.5rem; font-size: 0.85rem; }
.card h4 { margin: 0.6rem 0 0.25rem; font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.04em; }
.readiness { margin: 0.35rem 0; }
.badge { display: inline-block; padding: 0.05rem 0.55rem; border-radius: 999px; font-size: 0.8rem; font-weight: 700; white-space: nowrap; margin-right: 0.35rem; }
.hold { margin: 0.4rem 0; padding: 0.35rem 0.55rem; border-radius: 6px; border: 1px solid #cf222e; font-size: 0.9rem; overflow-wrap: anywhere; }
.schedules { list-style: none; margin: 0.4rem 0; padding: 0; display: grid; gap: 0.3rem; }
.schedule { padding: 0.3rem 0.55rem; border-radius: 6px; font-size: 0.88rem; overflow-wrap: anywhere; }
.schedule .todo { display: block; margin-top: 0.2rem; }
.schedule .problem { display: block; margin-top: 0.2rem; padding: 0.1rem 0.35rem; border-radius: 4px; }
.timeline { list-style: none; margin: 0; padding: 0 0 0 1rem; border-left: 2px solid #8c959f; }
.timeline li { position: relative; margin: 0 0 0.35rem; padding: 0.1rem 0.4rem; font-size: 0.88rem; border-radius: 4px; }
.timeline li::before { content: ""; position: absolute; left: -1.45rem; top: 0.45rem; width: 0.7rem; height: 0.7rem; border-radius: 50%; border: 2px solid #57606a; background: #ffffff; }
.timeline li.current::before { border-color: #0969da; background: #0969da; }
.timeline .env { font-weight: 700; }
.timeline .blocked-by { display: block; font-size: 0.82rem; }
header.top .pages { margin: 0 0 0.6rem; }
header.top .pages a { text-decoration: underline; text-underline-offset: 3px; font-weight: 600; }
.summary { margin: 0 0 1rem; padding: 0.6rem 1rem; border: 1px solid #d0d7de; border-radius: 8px; }
.summary h2, .fleet h2 { margin: 0 0 0.4rem; font-size: 1.15rem; }
.summary dl { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
.summary dt { font-weight: 600; }
.summary dd { margin: 0; overflow-wrap: anywhere; }
section.fleet { overflow-x: auto; }
table.fleet { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
table.fleet th, table.fleet td { border: 1px solid #d0d7de; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
table.fleet thead th { white-space: nowrap; }
table.fleet .none { font-style: italic; }
table.fleet .problem, table.fleet .hold { padding: 0.05rem 0.35rem; border-radius: 4px; }
footer { padding: 0.5rem 1.5rem 1.5rem; font-size: 0.85rem; }
.forecast { margin: 0 1.5rem 1rem; padding: 0.75rem 1rem; border: 1px solid #d0d7de; border-radius: 8px; }
.forecast h2 { margin: 0 0 0.4rem; font-size: 1.15rem; }
.forecast .note { margin: 0 0 0.6rem; font-size: 0.85rem; }
.forecast-rows { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.6rem; }
.forecast-id { margin: 0 0 0.2rem; font-weight: 600; overflow-wrap: anywhere; }
.forecast-stop { padding: 0 0.35rem; border-radius: 4px; font-weight: 400; }
/* The stays side by side on one line, each as wide as its share of the forecast. */
.forecast-track { display: flex; border-bottom: 1px solid #8c959f; min-height: 1.4rem; }
.forecast-stay { flex: none; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font-size: 0.75rem; padding: 0.1rem 0.25rem; border-right: 2px solid #ffffff; border-radius: 3px; }
.forecast-steps { list-style: none; margin: 0.2rem 0 0; padding: 0; font-size: 0.82rem; display: flex; flex-wrap: wrap; gap: 0 1rem; }
.forecast-steps .env { font-weight: 700; }
"#;

/// The whole sheet: layout, then the colour pairs.
pub fn sheet() -> String {
    let mut css = String::from("/* rel board: generated, do not edit */\n");
    css.push_str(LAYOUT);
    for p in PAIRS {
        css.push_str(&format!(
            "{} {{ color: {}; background-color: {}; }}\n",
            p.selector, p.text, p.background
        ));
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")) / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    #[test]
    fn every_pair_reaches_wcag_aa() {
        for p in PAIRS {
            let (a, b) = (luminance(p.text), luminance(p.background));
            let ratio = (a.max(b) + 0.05) / (a.min(b) + 0.05);
            assert!(ratio >= 4.5, "{}: {ratio:.2}", p.selector);
        }
    }

    #[test]
    fn the_layout_sets_no_text_or_background_colour() {
        for decl in LAYOUT.split(['{', ';', '}']) {
            let property = decl.split(':').next().unwrap_or("").trim();
            assert!(
                property != "color" && property != "background-color",
                "{decl}"
            );
        }
    }
}
