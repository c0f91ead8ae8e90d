//! Changes made outside rel in `rel log` (a hand edit, a merge, a removed
//! manifest, commits of other files), a release repository in a sub-folder,
//! and `rel show` telling the same history as `rel log`.

use serde_json::Value;

use crate::common::Env;
use crate::notes_log_trail::{at, field, full_walk, log, R1, R1_TRAIL};

// ---- changes made outside rel ----

/// Hand-edits the title line of a manifest (a path from the repository
/// root) and commits as someone else.
fn hand_edit(env: &Env, path: &str) {
    let text = env.read(path);
    let edited = text.replacen("title = ", "title = \"Edited by hand\"\n#old title = ", 1);
    assert_ne!(text, edited);
    env.write(path, &edited);
    env.git(&["add", path]);
    env.git(&[
        "commit",
        "-q",
        "--author=Mallory Hand <mallory@example.com>",
        "--date=2026-12-03T08:00:00Z",
        "-m",
        "Quick fix of the title",
    ]);
}

#[test]
fn a_hand_edit_is_listed_as_outside_rel() {
    let env = full_walk();
    hand_edit(&env, &format!("releases/archive/2026/{R1}.toml"));
    let all = log(&env, &[]);
    let e = &all[0];
    assert_eq!(e["commit"], env.head());
    assert_eq!(e["outside_rel"], true);
    assert_eq!(e["action"], "edit");
    assert_eq!(e["release"], R1);
    assert_eq!(e["env"], Value::Null);
    assert_eq!(e["by"], "Mallory Hand <mallory@example.com>");
    assert_eq!(e["at"], "2026-12-03T08:00:00Z");
    assert_eq!(e["message"], "Quick fix of the title");
    assert_eq!(
        e["files"],
        serde_json::json!([format!("releases/archive/2026/{R1}.toml")])
    );
    // Also in the release's own trail, and in the table for people.
    assert_eq!(log(&env, &[R1])[0]["commit"], env.head());
    let table = env.rel(&["log", R1]).ok().stdout.clone();
    let first = table.lines().nth(1).expect("a first row");
    assert!(
        first.contains("OUTSIDE REL")
            && first.contains("Mallory Hand")
            && first.contains(&format!("releases/archive/2026/{R1}.toml")),
        "{table}"
    );
}

#[test]
fn a_commit_of_other_files_is_not_listed() {
    let env = full_walk();
    let before = log(&env, &[]);
    env.write("src/app.c", "int main(void) { return 0; }\n");
    env.write("releases-notes.txt", "not rel's\n");
    env.git(&["add", "src/app.c", "releases-notes.txt"]);
    env.git(&["commit", "-q", "-m", "Application code"]);
    assert_eq!(log(&env, &[]), before);
}

#[test]
fn a_release_whose_manifest_was_removed_keeps_its_trail() {
    let env = full_walk();
    env.git(&["rm", "-q", &format!("releases/archive/2026/{R1}.toml")]);
    env.git(&["commit", "-q", "-m", "Remove an old release"]);
    let r1 = log(&env, &[R1]);
    assert_eq!(r1.len(), R1_TRAIL.len() + 1);
    assert_eq!(r1[0]["action"], "edit");
    assert_eq!(
        r1[0]["files"],
        serde_json::json!([format!("releases/archive/2026/{R1}.toml")])
    );
}

#[test]
fn a_merge_is_listed_as_outside_rel_with_the_branch_commits() {
    let mut env = full_walk();
    let main = env.git(&["rev-parse", "--abbrev-ref", "HEAD"]);
    let main = main.trim();
    env.git(&["checkout", "-q", "-b", "hotfix"]);
    at(
        &mut env,
        "2026-12-03T09:00:00Z",
        &["new", "--version", "1.1.1", "--title", "Hotfix"],
    );
    env.git(&["checkout", "-q", main]);
    env.write("README.txt", "code moves on\n");
    env.git(&["add", "README.txt"]);
    env.git(&["commit", "-q", "-m", "Code on main"]);
    env.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'hotfix'",
        "hotfix",
    ]);

    let all = log(&env, &[]);
    let merge = &all[0];
    assert_eq!(merge["commit"], env.head());
    assert_eq!(merge["action"], "merge");
    assert_eq!(merge["outside_rel"], true);
    assert_eq!(merge["message"], "Merge branch 'hotfix'");
    assert_eq!(
        merge["files"],
        serde_json::json!(["releases/R-2026-002.toml"])
    );
    assert_eq!(merge["release"], "R-2026-002");
    // The branch's own rel commit is there too; the code commit is not.
    // (Which line of history comes first after a merge is git's choice.)
    let branch: Vec<&Value> = all[1..]
        .iter()
        .filter(|e| e["release"] == "R-2026-002")
        .collect();
    assert_eq!(branch.len(), 1, "{all:?}");
    assert_eq!(branch[0]["action"], "new");
    assert_eq!(branch[0]["outside_rel"], false);
    assert!(all.iter().all(|e| e["message"] != "Code on main"));
    assert_eq!(all.len(), 16 + 2);

    // A merge that brings no change to rel's files is not listed.
    env.git(&["checkout", "-q", "-b", "docs"]);
    env.write("DOCS.txt", "docs\n");
    env.git(&["add", "DOCS.txt"]);
    env.git(&["commit", "-q", "-m", "Docs"]);
    env.git(&["checkout", "-q", main]);
    env.write("README.txt", "code moves on again\n");
    env.git(&["commit", "-q", "-am", "More code"]);
    env.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'docs'",
        "docs",
    ]);
    assert_eq!(log(&env, &[]), all);
}

#[test]
fn log_of_a_release_repository_in_a_sub_folder() {
    let env = Env::empty();
    env.git(&["init", "-q"]);
    env.write("app/main.c", "int main(void) { return 0; }\n");
    env.git(&["add", "app/main.c"]);
    env.git(&["commit", "-q", "-m", "Application"]);
    std::fs::create_dir_all(env.path("ops")).expect("mkdir");
    env.rel_in("ops", &["init"]).ok();
    env.rel_in("ops", &["new", "--version", "1.0.1", "--title", "One"])
        .ok();
    hand_edit(&env, "ops/releases/R-2026-001.toml");
    let run = env.rel_in("ops", &["--json", "log"]);
    run.ok();
    let all = run.json();
    assert_eq!(
        field(all.as_array().expect("array"), "action"),
        ["edit", "new", "init"]
    );
    assert_eq!(
        all[0]["files"],
        serde_json::json!(["releases/R-2026-001.toml"])
    );
    assert_eq!(all[0]["release"], "R-2026-001");
}

// ---- rel show tells the same story ----

#[test]
fn show_history_matches_log() {
    let env = full_walk();
    let shown = env.rel(&["--json", "show", R1]).ok().json();
    let history = shown["history"].as_array().expect("history").clone();
    let mut logged: Vec<Value> = log(&env, &[R1])
        .into_iter()
        .filter(|e| e["outside_rel"] == false)
        .collect();
    logged.reverse();
    assert_eq!(field(&history, "action"), field(&logged, "action"));
    assert_eq!(field(&history, "at"), field(&logged, "at"));
    assert_eq!(field(&history, "by"), field(&logged, "by"));
    for (h, l) in history.iter().zip(&logged) {
        if let Some(e) = h.get("env") {
            assert_eq!(e, &l["env"], "{h} vs {l}");
        }
        if h["action"] == "promote" {
            let overrides = h.get("overrides").cloned().unwrap_or(serde_json::json!([]));
            assert_eq!(overrides, l["overrides"], "{h} vs {l}");
            assert_eq!(h.get("reason").unwrap_or(&Value::Null), &l["reason"]);
        }
    }
}

#[test]
fn log_still_reads_when_the_pipeline_is_broken() {
    let env = full_walk();
    let mut pipeline = env.read("environments.toml");
    pipeline.push_str("bogus = [\n");
    env.write("environments.toml", &pipeline);
    env.git(&[
        "commit",
        "-q",
        "--author=Mallory Hand <mallory@example.com>",
        "-am",
        "Tweak the pipeline",
    ]);
    // Who broke it is exactly what one wants to know now.
    let run = env.rel(&["--json", "log"]);
    run.ok();
    assert!(
        run.stderr.contains("environments.toml") && run.stderr.contains("UTC"),
        "{}",
        run.stderr
    );
    let all = run.json();
    assert_eq!(all[0]["by"], "Mallory Hand <mallory@example.com>");
    assert_eq!(all[0]["files"], serde_json::json!(["environments.toml"]));
    assert_eq!(all.as_array().map(Vec::len), Some(R1_TRAIL.len() + 6));
    let table = env.rel(&["log", "--env", "staging"]);
    table.ok();
    assert!(table.stdout.contains(" UTC "), "{}", table.stdout);
    env.rel(&["log", "--env", "qa"]).code(2);
}
