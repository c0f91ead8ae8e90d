//! The archive's index split by major version: `close` rewrites one
//! shard, `rel new` finds where its hop starts in the shards, the audit
//! checks the shards a commit touches, and `rel archive` splits the one
//! index file a repository made by the previous version keeps.

use crate::audit::{audit, commit_dated, findings};
use crate::common::git::one_commit;
use crate::common::releases::{group_ready_incident, new_release};
use crate::common::Env;

const PIPELINE: &str = "[[environments]]\nname = \"dev\"\n\n[[environments]]\nname = \"live\"\n";

/// A release of `version` (made in dev) promoted to live and closed; its id.
fn released(env: &Env, version: &str) -> String {
    let id = new_release(env, version);
    one_commit(env, &["promote", &id]);
    one_commit(env, &["close", &id]);
    id
}

fn from_version(env: &Env, id: &str) -> String {
    let shown = env.rel(&["--json", "show", id]).ok().json();
    shown["from_version"].as_str().unwrap_or("none").to_string()
}

fn index_files(env: &Env) -> Vec<String> {
    env.git(&[
        "ls-files",
        "releases/archive/index",
        "releases/archive/index.toml",
    ])
    .lines()
    .map(str::to_string)
    .collect()
}

fn entry(id: &str, version: &str) -> String {
    format!("[[released]]\nid = \"{id}\"\nversion = \"{version}\"\nbreaking = false\n")
}

#[test]
fn a_close_writes_its_major_and_rel_new_starts_from_the_highest_version_below() {
    let env = Env::with_pipeline(PIPELINE);
    let one = released(&env, "1.4.1");
    released(&env, "3.0.0");
    let other = released(&env, "1.9.0");
    // The last close rewrote its major's file alone.
    assert_eq!(
        env.last_commit_files(),
        [
            format!("releases/archive/2026/{other}.toml"),
            "releases/archive/index/1.toml".to_string(),
        ]
    );
    assert_eq!(
        index_files(&env),
        [
            "releases/archive/index/1.toml",
            "releases/archive/index/3.toml"
        ]
    );
    assert_eq!(
        env.read("releases/archive/index/1.toml"),
        format!("{}\n{}", entry(&one, "1.4.1"), entry(&other, "1.9.0"))
    );
    // No major 2 file: the highest below 2.5.0 is in major 1's.
    for (version, from) in [
        ("2.5.0", "1.9.0"),
        ("1.5.0", "1.4.1"),
        ("3.1.0", "3.0.0"),
        ("7.0.0", "3.0.0"),
        ("1.0.0", "none"),
    ] {
        let id = new_release(&env, version);
        assert_eq!(from_version(&env, &id), from, "rel new --version {version}");
    }
    let (code, v) = audit(&env, &[]);
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
}

#[test]
fn a_close_that_leaves_its_shard_behind_is_inconsistent() {
    let env = Env::with_pipeline(PIPELINE);
    released(&env, "1.4.1");
    let id = new_release(&env, "2.0.0");
    one_commit(&env, &["promote", &id]);
    one_commit(&env, &["close", &id]);
    // The same close, its index file left out.
    let message = env.last_message();
    let at = env.git(&["log", "-1", "--format=%aI"]);
    env.git(&["reset", "-q", "--soft", "HEAD~1"]);
    env.git(&["rm", "-q", "--cached", "releases/archive/index/2.toml"]);
    std::fs::remove_file(env.path("releases/archive/index/2.toml")).expect("removed");
    commit_dated(&env, &message, at.trim());
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        v.to_string().contains(&format!(
            "releases/archive/index/2.toml disagrees with the archive about {id}"
        )),
        "{v:#}"
    );
    // An entry filed under another major is named too.
    let env = Env::with_pipeline(PIPELINE);
    let one = released(&env, "1.4.1");
    env.git(&[
        "mv",
        "releases/archive/index/1.toml",
        "releases/archive/index/4.toml",
    ]);
    commit_dated(&env, "index by hand", "2026-11-20T16:00:00Z");
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1, "{v:#}");
    for file in ["1", "4"] {
        assert!(
            v.to_string().contains(&format!(
                "releases/archive/index/{file}.toml disagrees with the archive about {one}"
            )),
            "{v:#}"
        );
    }
}

/// Every close of the history rewritten as the previous version made it:
/// one index file for the whole archive.
fn closed_with_the_legacy_index(env: &Env, versions: &[&str]) -> Vec<String> {
    let mut entries: Vec<(String, String)> = Vec::new();
    for version in versions {
        let id = released(env, version);
        let message = env.last_message();
        let at = env.git(&["log", "-1", "--format=%aI"]);
        env.git(&["reset", "-q", "--soft", "HEAD~1"]);
        env.git(&[
            "rm",
            "-q",
            "-r",
            "-f",
            "--ignore-unmatch",
            "releases/archive/index",
        ]);
        entries.push((id, version.to_string()));
        entries.sort();
        let whole: Vec<String> = entries.iter().map(|(i, v)| entry(i, v)).collect();
        env.write("releases/archive/index.toml", &whole.join("\n"));
        commit_dated(env, &message, at.trim());
    }
    entries.into_iter().map(|(id, _)| id).collect()
}

#[test]
fn rel_archive_splits_the_legacy_index_in_one_commit_the_audit_accepts() {
    let env = Env::with_pipeline(PIPELINE);
    let ids = closed_with_the_legacy_index(&env, &["1.4.1", "2.0.0", "2.1.0"]);
    assert_eq!(index_files(&env), ["releases/archive/index.toml"]);
    let (code, v) = audit(&env, &[]);
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
    // While it is there, it is the index: read, and written by a close.
    let next = new_release(&env, "2.5.0");
    assert_eq!(from_version(&env, &next), "2.1.0");
    let kept = released(&env, "1.5.0");
    assert_eq!(index_files(&env), ["releases/archive/index.toml"]);
    assert!(env.read("releases/archive/index.toml").contains(&kept));
    let (code, v) = audit(&env, &[]);
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);

    let run = one_commit(&env, &["archive"]);
    assert_eq!(
        run.stdout,
        "releases/archive/index.toml split into 2 file(s) of releases/archive/index\n"
    );
    assert!(env.last_message().contains("Rel-Action: archive"));
    assert_eq!(
        env.last_commit_files(),
        [
            "releases/archive/index.toml",
            "releases/archive/index/1.toml",
            "releases/archive/index/2.toml",
        ]
    );
    assert_eq!(
        env.read("releases/archive/index/2.toml"),
        format!("{}\n{}", entry(&ids[1], "2.0.0"), entry(&ids[2], "2.1.0"))
    );
    let (code, v) = audit(&env, &[]);
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
    // The same answers from the shards; nothing left to split.
    let again = new_release(&env, "2.6.0");
    assert_eq!(from_version(&env, &again), "2.1.0");
    env.assert_unchanged(|| {
        env.rel(&["archive"]).ok();
    });
}

#[test]
fn deleting_the_legacy_index_without_its_shards_is_inconsistent() {
    let env = Env::with_pipeline(PIPELINE);
    let ids = closed_with_the_legacy_index(&env, &["1.4.1"]);
    env.git(&["rm", "-q", "releases/archive/index.toml"]);
    commit_dated(&env, "no index", "2026-11-20T16:00:00Z");
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        v.to_string().contains(&format!(
            "releases/archive/index/1.toml disagrees with the archive about {}",
            ids[0]
        )),
        "{v:#}"
    );
}

#[test]
fn splitting_removes_a_shard_kept_beside_the_legacy_index() {
    let env = Env::with_pipeline(PIPELINE);
    let ids = closed_with_the_legacy_index(&env, &["1.4.1"]);
    env.write(
        "releases/archive/index/9.toml",
        &entry("R-2025-099", "9.0.0"),
    );
    commit_dated(&env, "a stale file", "2026-11-20T16:00:00Z");
    // The legacy file is the index: the stray file is not read.
    let next = new_release(&env, "9.1.0");
    assert_eq!(from_version(&env, &next), "1.4.1");
    one_commit(&env, &["archive"]);
    // (git sees index.toml renamed to 1.toml: the same one entry.)
    assert_eq!(
        env.last_commit_files(),
        [
            "releases/archive/index/1.toml",
            "releases/archive/index/9.toml",
        ]
    );
    assert_eq!(index_files(&env), ["releases/archive/index/1.toml"]);
    assert_eq!(
        env.read("releases/archive/index/1.toml"),
        entry(&ids[0], "1.4.1")
    );
    let again = new_release(&env, "9.2.0");
    assert_eq!(from_version(&env, &again), "1.4.1");
}

/// Release 1.4.1 holding INC-1, promoted to live and closed: its id.
fn released_with_inc_1(env: &Env) -> String {
    let id = new_release(env, "1.4.1");
    group_ready_incident(env, &id, "INC-1");
    one_commit(env, &["promote", &id]);
    one_commit(env, &["close", &id]);
    id
}

#[test]
fn an_archived_incident_flagged_by_hand_leaves_its_index_file_disagreeing() {
    let env = Env::with_pipeline(PIPELINE);
    let id = released_with_inc_1(&env);
    let (code, v) = audit(&env, &[]);
    assert_eq!((code, findings(&v)), (0, vec![]), "{v:#}");
    // Breaking now, by hand; the release and the index left as they were.
    let path = "releases/archive/2026/incidents/INC-1.toml";
    let text = env.read(path);
    assert!(text.contains("breaking = false"), "{text}");
    env.write(
        path,
        &text.replacen("breaking = false", "breaking = true", 1),
    );
    commit_dated(&env, "flag by hand", "2026-11-20T16:00:00Z");
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1, "{v:#}");
    let kinds = findings(&v);
    assert!(
        kinds.contains(&("hand-edit".to_string(), id.clone())),
        "{v:#}"
    );
    // The finding names the file edited, in the archive.
    assert!(
        v.to_string().contains(
            "(no Rel-Action trailer): releases/archive/2026/incidents/INC-1.toml: breaking"
        ),
        "{v:#}"
    );
    assert!(
        v.to_string().contains(&format!(
            "releases/archive/index/1.toml disagrees with the archive about {id}"
        )),
        "{v:#}"
    );
}

#[test]
fn a_hand_edit_in_the_archive_names_the_archived_file() {
    let env = Env::with_pipeline(PIPELINE);
    let id = released_with_inc_1(&env);
    // A commit that deletes an incident's file is judged whole (not read
    // file by file): its files are named as they lie too.
    env.git(&["rm", "-q", "releases/archive/2026/incidents/INC-1.toml"]);
    let manifest = format!("releases/archive/2026/{id}.toml");
    let text = env.read(&manifest);
    env.write(
        &manifest,
        &text.replacen("title = ", "title = \"Renamed\"\nold_title = ", 1),
    );
    commit_dated(&env, "by hand", "2026-11-20T16:00:00Z");
    let (code, v) = audit(&env, &[]);
    assert_eq!(code, 1, "{v:#}");
    let messages: Vec<String> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["finding"] == "hand-edit")
        .map(|f| f["message"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(messages.len(), 2, "{v:#}");
    assert!(
        messages[0].contains(&format!("{manifest} does not parse")),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("releases/archive/2026/incidents/INC-1.toml deleted"),
        "{messages:?}"
    );
}
