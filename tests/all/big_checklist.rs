//! A release with a checklist of thousands of items, nearly all ticked
//! (issue 20: work proportional to input). Its manifest is big enough to
//! be read in batches (over 256 KiB): what the commands see must be what
//! the whole file says. Timings are in bench/ (bench/checklist.sh), not
//! here.

use crate::common::{Env, ACTOR, NOW};

const ITEMS: usize = 3_000;

fn item(n: usize) -> String {
    format!("Go-live check number {n} of the migration")
}

/// The `checklist` violations of `rel check id` (exit 1: not ready).
fn checklist_messages(env: &Env, id: &str) -> Vec<String> {
    let run = env.rel(&["--json", "check", id]);
    let v = run.json();
    v["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter(|x| x["rule"] == "checklist")
        .map(|x| x["message"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_checklist_of_thousands_of_items_is_read_checked_and_ticked() {
    let env = Env::new();
    let id = env
        .rel(&[
            "new",
            "--version",
            "1.0.0",
            "--kind",
            "patch",
            "--title",
            "Big",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    let items: Vec<String> = (0..ITEMS).map(item).collect();
    let mut args = vec!["--yes", "checklist", "add", &id, "--env", "uat"];
    args.extend(items.iter().map(String::as_str));
    env.rel(&args).ok();

    // Every item but the last ticked, written as rel writes ticks.
    let path = format!("releases/{id}.toml");
    let mut text = env.read(&path);
    let ticks: String = (0..ITEMS - 1)
        .map(|n| {
            format!(
                "[[ticks]]\nenv = \"uat\"\nchecklist = \"entry\"\nitem = \"{}\"\nby = \"{ACTOR}\"\nat = \"{NOW}\"\nrevision = 1\n\n",
                item(n)
            )
        })
        .collect();
    // The ticks go before the history, where rel writes them.
    let at = text.find("[[history]]").expect("history");
    text.insert_str(at, &ticks);
    env.write(&path, &text);
    env.commit_all("Ticks recorded by hand");
    assert!(text.len() > 256 * 1024, "{} bytes", text.len());

    // Only the last item is missing.
    let missing = checklist_messages(&env, &id);
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].contains(&item(ITEMS - 1)), "{missing:?}");

    // Shown whole: the release's own items and its ticks.
    let shown = env.rel(&["--json", "show", &id]).ok().json();
    assert_eq!(
        shown["checklist"].as_array().map(Vec::len),
        Some(ITEMS),
        "{}",
        shown["checklist"]
    );
    assert_eq!(shown["ticks"].as_array().map(Vec::len), Some(ITEMS - 1));

    // Ticking the last one: one commit, and nothing is missing any more.
    let before = env.commit_count();
    env.rel(&["--yes", "tick", &id, "--env", "uat", &item(ITEMS - 1)])
        .ok();
    assert_eq!(env.commit_count(), before + 1);
    assert!(checklist_messages(&env, &id).is_empty());
    // The manifest rel wrote back holds every item and every tick.
    let written = env.read(&path);
    assert_eq!(written.matches("[[ticks]]").count(), ITEMS);
    assert_eq!(written.matches("[[checklist]]").count(), ITEMS);
}
