//! `rel log` on changes made outside rel that are not plain edits: which
//! files it names for each (the audit's tree differ finds them). A change
//! of type (a file become a link, a submodule, and back) names the file
//! twice, as a deletion and an addition: what `rel log` always said.

use std::os::unix::fs::{symlink, PermissionsExt};

use serde_json::Value;

use crate::common::releases::new_release;
use crate::common::Env;

/// Every entry of `rel --json log ARGS`, newest first.
fn entries(env: &Env, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--json", "log"];
    all.extend_from_slice(args);
    let run = env.rel(&all);
    run.ok();
    run.json().as_array().expect("a JSON array").clone()
}

/// The entry of the commit whose first line is `message`.
fn entry<'a>(all: &'a [Value], message: &str) -> &'a Value {
    all.iter()
        .find(|e| e["message"] == message)
        .unwrap_or_else(|| panic!("no entry `{message}` in {all:#?}"))
}

fn files(e: &Value) -> Vec<&str> {
    e["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f.as_str().unwrap_or_default())
        .collect()
}

fn set_mode(env: &Env, file: &str, mode: u32) {
    std::fs::set_permissions(env.path(file), std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Stages a submodule (a gitlink to HEAD) at `path` without a work tree.
fn add_gitlink(env: &Env, path: &str) {
    let head = env.head();
    env.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{head},{path}"),
    ]);
}

fn commit_index(env: &Env, message: &str) {
    env.git(&["commit", "-q", "--allow-empty", "-m", message]);
}

#[test]
fn log_names_the_files_of_links_modes_submodules_folders_renames_and_merges() {
    let env = Env::new();
    let id = new_release(&env, "1.0.0");
    let other = new_release(&env, "1.1.0");
    let manifest = format!("releases/{id}.toml");
    let other_manifest = format!("releases/{other}.toml");
    let text = env.read(&manifest);

    // A manifest become a link, and back.
    std::fs::remove_file(env.path(&manifest)).unwrap();
    symlink("../environments.toml", env.path(&manifest)).unwrap();
    env.commit_all("file to link");
    std::fs::remove_file(env.path(&manifest)).unwrap();
    env.write(&manifest, &text);
    env.commit_all("link to file");
    // Its mode 100644 -> 100755, and back.
    set_mode(&env, &manifest, 0o755);
    env.commit_all("mode 755");
    set_mode(&env, &manifest, 0o644);
    env.commit_all("mode 644");
    // A submodule added, then removed.
    add_gitlink(&env, "releases/sub");
    commit_index(&env, "submodule added");
    env.git(&["rm", "-q", "--cached", "releases/sub"]);
    commit_index(&env, "submodule removed");
    // A file become a submodule, beside an edit of a manifest.
    env.write("releases/g", "a\n");
    env.commit_all("g file");
    env.git(&["rm", "-q", "--cached", "releases/g"]);
    std::fs::remove_file(env.path("releases/g")).unwrap();
    add_gitlink(&env, "releases/g");
    env.write(&other_manifest, &(env.read(&other_manifest) + "# edited\n"));
    env.git(&["add", &other_manifest]);
    commit_index(&env, "file to submodule and an edit");
    env.git(&["rm", "-q", "--cached", "releases/g"]);
    env.write("releases/g", "b\n");
    env.git(&["add", "releases/g"]);
    commit_index(&env, "submodule to file");
    // A folder replaced by a file of the same name, beside names that sort
    // between them.
    for file in ["d/x", "d/y", "d.txt", "d-b"] {
        env.write(&format!("releases/{file}"), "1\n");
    }
    env.commit_all("folder d");
    std::fs::remove_dir_all(env.path("releases/d")).unwrap();
    env.write("releases/d", "now a file\n");
    env.commit_all("folder to file");
    // A rename.
    env.git(&["mv", "releases/d.txt", "releases/e.txt"]);
    commit_index(&env, "rename");
    // Files in and outside releases/, then only outside, then nothing.
    env.write("README.md", "hello\n");
    env.write(&other_manifest, &(env.read(&other_manifest) + "# again\n"));
    env.commit_all("in and out");
    env.write("README.md", "hello again\n");
    env.commit_all("outside only");
    commit_index(&env, "empty");
    // A merge: listed against its first parent.
    let trunk = env.git(&["branch", "--show-current"]).trim().to_string();
    env.git(&["checkout", "-q", "-b", "side"]);
    env.write(&manifest, &(text.clone() + "# side\n"));
    env.commit_all("side edit");
    env.write("releases/side.txt", "s\n");
    env.commit_all("side add");
    env.git(&["checkout", "-q", &trunk]);
    env.write(&other_manifest, &(env.read(&other_manifest) + "# main\n"));
    env.commit_all("main edit");
    env.git(&["merge", "-q", "--no-ff", "-m", "merge side", "side"]);

    let all = entries(&env, &[]);
    let listed = |message: &str| files(entry(&all, message));
    let twice = [manifest.as_str(), manifest.as_str()];
    assert_eq!(listed("file to link"), twice);
    assert_eq!(listed("link to file"), twice);
    assert_eq!(listed("mode 755"), [manifest.as_str()]);
    assert_eq!(listed("mode 644"), [manifest.as_str()]);
    assert_eq!(listed("submodule added"), ["releases/sub"]);
    assert_eq!(listed("submodule removed"), ["releases/sub"]);
    assert_eq!(
        listed("file to submodule and an edit"),
        [other_manifest.as_str(), "releases/g", "releases/g"]
    );
    assert_eq!(listed("submodule to file"), ["releases/g", "releases/g"]);
    assert_eq!(
        listed("folder d"),
        [
            "releases/d-b",
            "releases/d.txt",
            "releases/d/x",
            "releases/d/y"
        ]
    );
    assert_eq!(
        listed("folder to file"),
        ["releases/d", "releases/d/x", "releases/d/y"]
    );
    assert_eq!(listed("rename"), ["releases/d.txt", "releases/e.txt"]);
    assert_eq!(listed("in and out"), [other_manifest.as_str()]);
    assert_eq!(
        listed("merge side"),
        [manifest.as_str(), "releases/side.txt"]
    );
    // Commits that changed none of rel's files are not listed.
    for message in ["outside only", "empty"] {
        assert!(all.iter().all(|e| e["message"] != message), "{message}");
    }
    // Each is outside rel; the one release whose manifest changed is named.
    let merge = entry(&all, "merge side");
    assert_eq!(merge["action"], "merge");
    assert_eq!(merge["outside_rel"], true);
    assert_eq!(merge["release"], id.as_str());
    assert_eq!(entry(&all, "mode 755")["release"], id.as_str());
    assert_eq!(entry(&all, "rename")["action"], "edit");
    assert_eq!(entry(&all, "rename")["release"], Value::Null);

    // The table: three names and how many more.
    let table = env.rel(&["log"]);
    table.ok();
    for line in [
        format!("OUTSIDE REL: file to link; files {manifest}, {manifest}"),
        "OUTSIDE REL: folder d; files releases/d-b, releases/d.txt, releases/d/x and 1 more"
            .to_string(),
        format!("OUTSIDE REL: merge side; files {manifest}, releases/side.txt"),
    ] {
        assert!(table.stdout.contains(&line), "{line}\n{}", table.stdout);
    }
    assert!(!table.stdout.contains("outside only"), "{}", table.stdout);
}

#[test]
fn log_json_of_a_release_lists_only_its_entries_with_all_their_files() {
    let env = Env::new();
    let id = new_release(&env, "1.0.0");
    let manifest = format!("releases/{id}.toml");
    for n in 0..5 {
        env.write(&format!("releases/notes/{n}.md"), "n\n");
    }
    env.write(&manifest, &(env.read(&manifest) + "# by hand\n"));
    env.commit_all("by hand");
    let run = env.rel(&["--json", "log", &id]);
    run.ok();
    let all = run.json();
    let all = all.as_array().expect("array");
    // `rel new` and the hand edit, newest first; all six files of the edit.
    let messages: Vec<&str> = all
        .iter()
        .map(|e| e["message"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[0], "by hand");
    assert_eq!(files(&all[0]).len(), 6);
    // A release nobody ever made: exit 2, naming it, one JSON document.
    let run = env.rel(&["--json", "log", "R-2099-001"]);
    run.code(2);
    assert!(run.stderr.contains("R-2099-001"), "{}", run.stderr);
    run.json();
}

#[test]
fn log_json_still_finds_a_release_removed_by_hand_and_an_environment_renamed() {
    let env = Env::with_pipeline(
        "[[environments]]\nname = \"dev\"\n\n[[environments]]\nname = \"live\"\n",
    );
    let id = new_release(&env, "1.0.0");
    // The release's manifest removed by hand; `dev` renamed `test`.
    env.git(&["rm", "-q", &format!("releases/{id}.toml")]);
    env.write(
        "environments.toml",
        "[[environments]]\nname = \"test\"\n\n[[environments]]\nname = \"live\"\n",
    );
    env.commit_all("gone by hand");
    let messages = |args: &[&str]| -> Vec<String> {
        entries(&env, args)
            .iter()
            .map(|e| e["message"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let new = format!("rel: new {id}");
    assert_eq!(messages(&[&id]), ["gone by hand".to_string(), new.clone()]);
    assert_eq!(messages(&["--env", "dev"]), [new]);
    // The table says the same.
    let table = env.rel(&["log", &id]);
    table.ok();
    assert!(
        table.stdout.contains("OUTSIDE REL: gone by hand"),
        "{}",
        table.stdout
    );
    // Neither now nor in the history: exit 2.
    env.rel(&["--json", "log", "--env", "nowhere"]).code(2);
}
