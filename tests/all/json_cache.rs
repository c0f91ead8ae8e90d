//! The JSON cache under `.git/rel/json-v1`: `rel --json incident list`
//! copies each incident's JSON from it instead of parsing the file again.
//! It only ever saves work: cold, warm, deleted, cut short, edited,
//! foreign, filled by processes at once or left by another commit, the
//! output is byte for byte the output of no cache.

use std::path::PathBuf;

use crate::answers::{answers, assert_answers, Answer};
use crate::common::Env;
use crate::promotion::{group_ready_incident, new_release};

/// Listings whose output the cache must not change (the filtered ones
/// first: they fill the shards in part, the full listing completes them).
const LISTINGS: &[&[&str]] = &[
    &["--json", "incident", "list", "--unassigned"],
    &["--json", "incident", "list", "--status", "resolved"],
    &[
        "--json",
        "incident",
        "list",
        "--status",
        "open",
        "--unassigned",
    ],
    // No incident is closed: an empty array.
    &["--json", "incident", "list", "--status", "closed"],
    &["--json", "incident", "list"],
];

fn cache_dir(env: &Env) -> PathBuf {
    env.path(".git/rel/json-v1/incidents")
}

/// The answers with no cache: a file where the cache's folder goes, so
/// nothing can be read from it or written to it.
fn without_cache(env: &Env) -> Vec<Answer> {
    let json = env.path(".git/rel/json-v1");
    let _ = std::fs::remove_dir_all(&json);
    std::fs::create_dir_all(json.parent().expect("parent")).expect("mkdir");
    std::fs::write(&json, "not a folder").expect("write");
    let answers = answers(env, LISTINGS);
    std::fs::remove_file(&json).expect("remove");
    answers
}

/// Titles JSON must escape or carry as they are.
const ODD_TITLES: &[&str] = &[
    r#"Quote \" and backslash \\ and slash /"#,
    r#"Newline \n tab \t return \r"#,
    r#"Control \u0001 \u001f and delete \u007f"#,
    "Unicode é ß 漢字 😀 \u{2028} and </script>",
    "",
];

/// 2,500 incidents (INC-1 to INC-2500, ids of every length, so the
/// listing spans several shards): two grouped by a release, the others
/// copies of two rel wrote (one open, one resolved), some with odd titles.
fn repository() -> Env {
    let env = Env::new();
    let r1 = new_release(&env, "1.0.0");
    group_ready_incident(&env, &r1, "INC-1");
    group_ready_incident(&env, &r1, "INC-2");
    env.rel(&["incident", "new", "INC-3", "--title", "Model"])
        .ok();
    env.rel(&["incident", "new", "INC-4", "--title", "Model"])
        .ok();
    env.rel(&["incident", "resolve", "INC-4"]).ok();
    let open = env.read("releases/incidents/INC-3.toml");
    let resolved = env.read("releases/incidents/INC-4.toml");
    for n in 5..=2500 {
        let id = format!("INC-{n}");
        let model = if n % 3 == 0 { &resolved } else { &open };
        let model_id = if n % 3 == 0 { "INC-4" } else { "INC-3" };
        let title = match n % 7 {
            0 => ODD_TITLES[(n / 7) % ODD_TITLES.len()].to_string(),
            _ => format!("Copy {n}"),
        };
        env.write(
            &format!("releases/incidents/{id}.toml"),
            &model
                .replace(model_id, &id)
                .replace("title = \"Model\"", &format!("title = \"{title}\"")),
        );
    }
    env.commit_all("hand edit: many incidents");
    env
}

fn shard_names(env: &Env) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cache_dir(env))
        .expect("the cache was written")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Overwrites every shard with `damage(its bytes)`.
fn damage(env: &Env, damage: impl Fn(&[u8]) -> Vec<u8>) {
    for name in shard_names(env) {
        let path = cache_dir(env).join(name);
        let bytes = std::fs::read(&path).expect("read");
        std::fs::write(&path, damage(&bytes)).expect("write");
    }
}

#[test]
fn the_json_of_a_listing_is_the_same_from_a_cold_warm_or_damaged_cache() {
    let env = repository();
    let expected = without_cache(&env);
    assert!(!cache_dir(&env).exists(), "no cache was kept");
    // The array as serde_json writes it, every odd title included.
    let all = &expected[4].1;
    let items: Vec<serde_json::Value> = serde_json::from_str(all).expect("JSON");
    assert_eq!(items.len(), 2500);
    for title in [
        "Quote \" and backslash \\ and slash /",
        "Newline \n tab \t return \r",
    ] {
        assert!(items.iter().any(|i| i["title"] == title), "{title:?}");
    }
    assert_eq!(expected[3].1, "[]\n", "an empty listing");
    // The work tree's files, read without blob ids nor cache.
    assert_eq!(
        env.rel(&["--worktree", "--json", "incident", "list"])
            .stdout,
        *all
    );

    assert_answers(&env, LISTINGS, &expected, "cold cache");
    let shards = shard_names(&env);
    assert!(shards.len() >= 2, "several shards: {shards:?}");
    assert!(shards.iter().all(|n| !n.starts_with('.')), "{shards:?}");
    assert_answers(&env, LISTINGS, &expected, "warm cache");

    std::fs::remove_dir_all(cache_dir(&env)).expect("remove");
    assert_answers(&env, LISTINGS, &expected, "deleted");
    damage(&env, |b| b[..b.len() / 2].to_vec());
    assert_answers(&env, LISTINGS, &expected, "truncated");
    damage(&env, |_| Vec::new());
    assert_answers(&env, LISTINGS, &expected, "empty");
    // A byte flipped in the middle of each shard (inside some item).
    damage(&env, |b| {
        let mut edited = b.to_vec();
        let at = edited.len() / 2;
        edited[at] ^= 0x01;
        edited
    });
    assert_answers(&env, LISTINGS, &expected, "a byte flipped");
    // A lie of the same length: another status in every item.
    damage(&env, |b| {
        let text = String::from_utf8_lossy(b).replace("\"open\"", "\"shut\"");
        text.into_bytes()
    });
    assert_answers(&env, LISTINGS, &expected, "edited to lie");
    // One shard's file in another's place.
    let first = std::fs::read(cache_dir(&env).join(&shards[0])).expect("read");
    for name in &shards[1..] {
        std::fs::write(cache_dir(&env).join(name), &first).expect("write");
    }
    assert_answers(&env, LISTINGS, &expected, "another shard's file");
    // A folder where a shard goes: that shard is not kept, answers stand.
    std::fs::remove_dir_all(cache_dir(&env)).expect("remove");
    std::fs::create_dir_all(cache_dir(&env).join(&shards[0])).expect("mkdir");
    assert_answers(&env, LISTINGS, &expected, "a folder in a shard's place");
}

#[test]
fn processes_filling_the_cache_at_once_print_the_same_and_leave_it_whole() {
    let env = repository();
    let expected = without_cache(&env);
    let all = &expected[4].1;
    for _ in 0..2 {
        let _ = std::fs::remove_dir_all(cache_dir(&env));
        let children: Vec<_> = (0..2)
            .map(|_| {
                env.cmd(&["--json", "incident", "list"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn rel")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            assert!(out.status.success(), "{out:?}");
            assert!(out.stdout == all.as_bytes(), "same output while filling");
            assert!(out.stderr.is_empty(), "{out:?}");
        }
        let names = shard_names(&env);
        assert!(
            names.iter().all(|n| !n.starts_with('.')),
            "no temporary file left: {names:?}"
        );
        assert_answers(&env, LISTINGS, &expected, "filled at once");
    }
}

#[test]
fn an_incident_changed_since_the_cache_was_written_shows_its_new_json() {
    let env = repository();
    let before = answers(&env, LISTINGS);
    let old = env
        .rel(&["--json", "incident", "show", "INC-2000"])
        .ok()
        .json();
    env.rel(&["incident", "resolve", "INC-2000"]).ok();
    env.rel(&["incident", "authorise", "INC-2000", "--by", "Carla Client"])
        .ok();
    let new = env
        .rel(&["--json", "incident", "show", "INC-2000"])
        .ok()
        .json();
    assert_ne!(old, new);
    let after = answers(&env, LISTINGS);
    assert_eq!(after, without_cache(&env), "the new JSON, as with no cache");
    let items: Vec<serde_json::Value> = serde_json::from_str(&after[4].1).expect("JSON");
    let shown = items
        .iter()
        .find(|i| i["id"] == "INC-2000")
        .expect("listed");
    assert_eq!(*shown, new);
    assert_eq!(shown["status"], "resolved");
    assert_eq!(shown["authorised"], true);
    // Back to the commit before: the cache now knows both blobs.
    answers(&env, LISTINGS);
    env.git(&["reset", "-q", "--hard", "HEAD~2"]);
    assert_answers(
        &env,
        LISTINGS,
        &before,
        "back two commits with the newer cache",
    );
    // An uncommitted edit: --worktree reads the file, a listing the commit
    // (and says so).
    let path = "releases/incidents/INC-8.toml";
    env.write(path, &env.read(path).replace("Copy 8", "Edited 8"));
    let worktree = env.rel(&["--worktree", "--json", "incident", "list"]);
    assert!(worktree.ok().stdout.contains("\"Edited 8\""));
    let run = env.rel(&["--json", "incident", "list"]);
    assert!(run.ok().stdout == before[4].1, "the commit's JSON");
    assert!(
        run.stderr
            .contains("uncommitted edits to releases/incidents/INC-8.toml"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_invalid_incident_is_reported_the_same_with_or_without_the_cache() {
    let env = repository();
    answers(&env, LISTINGS);
    let path = "releases/incidents/INC-1500.toml";
    env.write(
        path,
        &env.read(path).replace("status = ", "bogus = 1\nstatus = "),
    );
    env.commit_all("hand edit");
    let expected = without_cache(&env);
    for (code, stdout, stderr) in &expected {
        assert_eq!(*code, 2, "{stderr}");
        assert!(stdout.contains("INC-1500"), "the error document: {stdout}");
        assert!(!stdout.contains("\"title\""), "no listing: {stdout}");
    }
    assert_answers(&env, LISTINGS, &expected, "warm cache");
}
