//! Contract 11.7, reads that fetch: `--fetch` fetches and fast-forwards as
//! `rel sync` does, then reads; `[sync] fetch_on_read = true` makes that
//! the default and `--no-fetch` reads offline. Right after a colleague made
//! a release, `rel status --fetch` in another clone shows it.

use crate::common::releases::new_release_titled;
use crate::common::Env;
use crate::sync_common::{Team, SHARED};

#[test]
fn fetch_shows_what_a_colleague_just_made_and_no_fetch_does_not() {
    let team = Team::new(SHARED);
    let mine = team.clone();
    let theirs = team.clone();
    let id = new_release_titled(&theirs, "1.0.0", "Colleague's");
    // Without --fetch: the clone as it is (the contract's old behaviour).
    let offline = mine.rel(&["status"]).ok().stdout.clone();
    assert!(!offline.contains(&id), "{offline}");
    let fetched = mine.rel(&["status", "--fetch"]).ok().stdout.clone();
    assert!(fetched.contains(&id), "{fetched}");
    // The clone was fast-forwarded: HEAD is the remote's.
    assert_eq!(mine.head(), team.remote_head());
}

#[test]
fn fetch_on_read_makes_it_the_default_and_no_fetch_reads_offline() {
    let team = Team::new(&SHARED.replace("retries = 8", "retries = 8\nfetch_on_read = true"));
    let mine = team.clone();
    let theirs = team.clone();
    let first = new_release_titled(&theirs, "1.0.0", "Colleague's");
    let shown = mine.rel(&["--json", "show", &first]).ok().json();
    assert_eq!(shown["id"], first.as_str());
    let second = theirs
        .rel(&["new", "--version", "1.1.0", "--title", "Later"])
        .ok()
        .stdout
        .trim()
        .to_string();
    let offline = mine.rel(&["list", "--no-fetch"]).ok().stdout.clone();
    assert!(!offline.contains(&second), "{offline}");
    let online = mine.rel(&["list"]).ok().stdout.clone();
    assert!(online.contains(&second), "{online}");
}

#[test]
fn fetch_without_sync_is_exit_2_and_an_unreachable_remote_is_exit_3() {
    let env = Env::new();
    let run = env.rel(&["status", "--fetch"]);
    run.code(2);
    assert!(run.stderr.contains("[sync]"), "{}", run.stderr);
    // A shared repository whose remote is gone: the read says so (exit 3),
    // and --no-fetch still reads.
    let team = Team::new(SHARED);
    let mine = team.clone();
    std::fs::remove_dir_all(&team.remote).expect("remote removed");
    mine.rel(&["status", "--fetch"]).code(3);
    mine.rel(&["status", "--no-fetch"]).ok();
    mine.rel(&["status", "--fetch", "--no-fetch"]).code(2);
}
