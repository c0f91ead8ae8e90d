//! The branch moving underneath a command (another tool committing between
//! rel's read and its commit) cannot be staged from outside the process, so
//! it is tested here: the commit must be refused with exit 3 and nothing
//! written to the work tree.

use chrono::{TimeZone, Utc};
use git2::{Repository, Signature};

use crate::error::{exit_code_of, RelError};
use crate::model::actor::Actor;

use super::*;

fn actor() -> Actor {
    Actor {
        name: "Ana".into(),
        email: "ana@example.com".into(),
    }
}

fn change(path: &str, content: &str) -> Change {
    Change {
        path: path.into(),
        content: content.as_bytes().to_vec(),
        removed: false,
    }
}

/// Commits `path` on the current branch behind rel's back.
fn commit_behind_rels_back(dir: &std::path::Path, path: &str) -> git2::Oid {
    let repo = Repository::open(dir).expect("open");
    let head = repo.head().expect("head").peel_to_commit().expect("commit");
    let blob = repo.blob(b"someone else\n").expect("blob");
    let mut builder = repo
        .treebuilder(Some(&head.tree().expect("tree")))
        .expect("builder");
    builder.insert(path, blob, 0o100644).expect("insert");
    let tree = repo
        .find_tree(builder.write().expect("write"))
        .expect("find");
    let sig = Signature::now("Other", "other@example.com").expect("sig");
    repo.commit(Some("HEAD"), &sig, &sig, "other", &tree, &[&head])
        .expect("commit")
}

#[test]
fn a_branch_that_moved_since_the_read_is_a_conflict_and_nothing_is_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().canonicalize().expect("canonical");
    Repository::init(&dir).expect("init");
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 15, 0, 0)
        .single()
        .expect("now");

    // A first commit through rel, from an unborn branch.
    let ws = Workspace::at_root(dir.clone(), true).expect("open");
    ws.commit(
        &[change(
            "environments.toml",
            "[[environments]]\nname = \"dev\"\n",
        )],
        &CommitMessage::new(crate::model::action::Action::Init, "test"),
        &actor(),
        now,
    )
    .expect("first commit");
    drop(ws);

    // rel reads (and notes HEAD), then someone else commits.
    let mut ws = Workspace::open_for_write_local(&dir).expect("open");
    ws.prepare_write(false).expect("ready to write");
    let moved_to = commit_behind_rels_back(&dir, "other.txt");
    let err = ws
        .commit(
            &[change("releases/R-1.toml", "id = \"R-1\"\n")],
            &CommitMessage::new(crate::model::action::Action::New, "R-1"),
            &actor(),
            now,
        )
        .expect_err("the branch moved");
    assert_eq!(exit_code_of(&err), 3, "{err}");
    assert!(matches!(
        err.downcast_ref::<RelError>(),
        Some(RelError::Conflict(_))
    ));
    assert!(err.to_string().contains("moved"), "{err}");

    // Nothing written: the branch is where the other tool put it, and the
    // file rel meant to write is not in the work tree.
    let repo = Repository::open(&dir).expect("open");
    assert_eq!(repo.head().expect("head").target(), Some(moved_to));
    assert!(!dir.join("releases/R-1.toml").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("read_dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("rel-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
