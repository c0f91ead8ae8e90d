//! The reading commands about the past read it linearly (issue 20):
//! `rel list --state ...` reads the archive a year at a time and lets git
//! compare its folders for the note about uncommitted edits (no file
//! hashed or asked about one by one); `rel log` walks the trees of a
//! change outside rel itself. What they say is what they always said.

use crate::archive::ids;
use crate::common::git::one_commit;
use crate::common::releases::new_release;
use crate::common::Env;

const PIPELINE: &str = "[[environments]]\nname = \"dev\"\n\n[[environments]]\nname = \"live\"\n";

/// Three cancelled releases (in the archive) and one in progress.
fn archived(env: &Env) -> (Vec<String>, String) {
    let mut past = Vec::new();
    for version in ["1.0.0", "1.1.0", "1.2.0"] {
        let id = new_release(env, version);
        one_commit(env, &["cancel", &id, "--reason", "not wanted"]);
        past.push(id);
    }
    (past, new_release(env, "2.0.0"))
}

fn archived_file(id: &str) -> String {
    format!("releases/archive/2026/{id}.toml")
}

#[test]
fn a_past_listing_notes_every_uncommitted_edit_of_the_archive() {
    let env = Env::with_pipeline(PIPELINE);
    let (past, open) = archived(&env);
    let (edited, gone, added) = (
        archived_file(&past[0]),
        archived_file(&past[1]),
        archived_file("R-2026-900"),
    );
    env.write(&edited, &env.read(&edited).replace("not wanted", "edited"));
    std::fs::remove_file(env.path(&gone)).unwrap();
    env.write(&added, &env.read(&archived_file(&past[2])));
    let run = env.rel(&["list", "--state", "all"]);
    run.ok();
    // The committed archive is listed, the new file is not.
    for id in past.iter().chain([&open]) {
        assert!(run.stdout.contains(id.as_str()), "{id}: {}", run.stdout);
    }
    assert!(!run.stdout.contains("R-2026-900"), "{}", run.stdout);
    let mut named = [edited.clone(), gone.clone(), added.clone()];
    named.sort();
    assert!(
        run.stderr.contains(&format!(
            "uncommitted edits to {} are not counted",
            named.join(", ")
        )),
        "{}",
        run.stderr
    );
    // --json the same, in id order.
    let mut all = past.clone();
    all.push(open.clone());
    assert_eq!(ids(&env, &["list", "--state", "all"]), all);
    // A listing of work in progress does not read the archive.
    let run = env.rel(&["list"]);
    run.ok();
    assert!(!run.stderr.contains("not counted"), "{}", run.stderr);
}

#[test]
fn a_sparse_checkout_without_the_archive_lists_it_with_no_note() {
    let env = Env::with_pipeline(PIPELINE);
    let (past, open) = archived(&env);
    let before = env.rel(&["list", "--state", "all"]).ok().stdout.clone();
    env.git(&[
        "sparse-checkout",
        "set",
        "--no-cone",
        "/environments.toml",
        "/releases/*.toml",
    ]);
    assert!(!env.path(&archived_file(&past[0])).exists());
    let run = env.rel(&["list", "--state", "all"]);
    run.ok();
    assert_eq!(run.stdout, before);
    assert!(!run.stderr.contains("not counted"), "{}", run.stderr);
    let mut all = past.clone();
    all.push(open);
    assert_eq!(ids(&env, &["list", "--state", "released"]).len(), 0);
    assert_eq!(ids(&env, &["list", "--state", "cancelled"]), past);
    assert_eq!(ids(&env, &["list", "--state", "all"]), all);
}

/// The files a change outside rel touched, as `rel log --json` gives them.
fn logged_files(env: &Env) -> Vec<String> {
    let run = env.rel(&["--json", "log"]);
    run.ok();
    run.json()[0]["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f.as_str().unwrap_or_default().to_string())
        .collect()
}

fn git_files(env: &Env) -> Vec<String> {
    env.git(&[
        "diff",
        "--name-only",
        "--no-renames",
        "HEAD~",
        "HEAD",
        "--",
        "releases",
        "environments.toml",
    ])
    .lines()
    .map(str::to_string)
    .collect()
}

#[test]
fn log_names_the_files_of_a_change_outside_rel_in_gits_order() {
    let env = Env::with_pipeline(PIPELINE);
    let (past, _) = archived(&env);
    // Names that sort differently as files and as a folder's.
    for file in ["q/1", "q.t", "q-x", "q0", "q/sub/2"] {
        env.write(&format!("releases/{file}"), "x\n");
    }
    std::fs::remove_file(env.path(&archived_file(&past[0]))).unwrap();
    env.write("notes.txt", "not rel's\n");
    env.commit_all("By hand");
    let files = logged_files(&env);
    assert_eq!(files, git_files(&env));
    assert_eq!(files.len(), 6, "{files:?}");
    let table = env.rel(&["log"]).ok().stdout.clone();
    let first = table.lines().nth(1).expect("a row");
    assert!(
        first.contains(&format!(
            "files {}, {}, {} and 3 more",
            files[0], files[1], files[2]
        )),
        "{table}"
    );
    // A mode change and a file that became a folder: the same files.
    let mode = archived_file(&past[1]);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(env.path(&mode), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::remove_file(env.path("releases/q0")).unwrap();
    env.write("releases/q0/inner", "y\n");
    env.commit_all("More by hand");
    let mut files = logged_files(&env);
    let mut git = git_files(&env);
    files.sort();
    git.sort();
    assert_eq!(files, git);
    assert!(files.contains(&mode), "{files:?}");
}
