//! The state is a commit: every decision reads HEAD's tree; uncommitted
//! edits never count (reads say so, writes refuse), `--worktree` evaluates
//! them for what-if planning, and nothing is followed out of the repository.

use crate::common::git::{one_commit, refused};
use crate::common::releases::{edit_manifest, new_release};
use crate::common::Env;
use crate::promotion::SIMPLE;

const EXCLUSIVE: &str = r#"
[roles]
client = ["ana@client.example"]

[[environments]]
name = "dev"

[[environments]]
name = "test"
soak = { major = 5, minor = 3, patch = 0 }

[[environments]]
name = "staging"
exclusive = true

[[environments]]
name = "live"
approvals = ["client"]
"#;

#[test]
fn an_uncommitted_pipeline_edit_does_not_count_and_blocks_writes() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.4.0");
    one_commit(&env, &["promote", &id]); // into test: minor soak 3
    env.write(
        "environments.toml",
        &SIMPLE.replace("minor = 3", "minor = 0"),
    );

    // Reading: the committed soak counts, and the edit is named.
    let run = env.rel(&["check", &id]);
    run.code(1);
    assert!(run.stdout.contains("soak"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("uncommitted edits to environments.toml are not counted")
            && run.stderr.contains("--worktree"),
        "{}",
        run.stderr
    );
    // What-if: the work tree's pipeline, no note.
    let run = env.rel(&["--worktree", "check", &id]);
    run.ok();
    assert!(!run.stderr.contains("not counted"), "{}", run.stderr);

    // Writing: refused, whatever the command, nothing written.
    for args in [
        &["promote", id.as_str()][..],
        &["--dry-run", "promote", &id],
        &["new", "--version", "2.0.0", "--title", "Other"],
    ] {
        let run = refused(&env, args, 3);
        assert!(
            run.stderr
                .contains("uncommitted edits to environments.toml"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // --worktree is for reading only.
    let run = refused(&env, &["--worktree", "promote", &id], 2);
    assert!(run.stderr.contains("--worktree"), "{}", run.stderr);
}

#[test]
fn an_uncommitted_roles_edit_does_not_let_a_non_member_approve() {
    let mut env = Env::with_pipeline(EXCLUSIVE);
    let id = new_release(&env, "1.4.0");
    env.actor = Some("Eve <eve@elsewhere.example>".into());
    let edited = EXCLUSIVE.replace(
        "client = [\"ana@client.example\"]",
        "client = [\"ana@client.example\", \"eve@elsewhere.example\"]",
    );
    env.write("environments.toml", &edited);
    let run = refused(
        &env,
        &["approve", &id, "--env", "live", "--role", "client"],
        3,
    );
    assert!(run.stderr.contains("environments.toml"), "{}", run.stderr);
    // Committed, the same edit is a policy change like any other.
    env.commit_all("add eve to client");
    one_commit(&env, &["approve", &id, "--env", "live", "--role", "client"]);
}

#[test]
fn deleting_a_manifest_without_committing_frees_no_exclusive_environment() {
    let mut env = Env::with_pipeline(EXCLUSIVE);
    let a = new_release(&env, "1.0.1");
    let b = new_release(&env, "1.0.2");
    for id in [&a, &b] {
        one_commit(&env, &["promote", id]); // test; patch soak 0
    }
    env.now = "2026-11-23T15:00:00Z".into();
    one_commit(&env, &["promote", &a]); // staging, taken by a
    std::fs::remove_file(env.path(&format!("releases/{a}.toml"))).unwrap();
    let run = refused(&env, &["promote", &b], 1);
    assert!(run.stderr.contains("[exclusive]"), "{}", run.stderr);
    assert!(run.stderr.contains(&a), "{}", run.stderr);
    // Readers still see a, and say that a file was edited.
    let run = env.rel(&["status"]);
    run.ok();
    assert!(run.stdout.contains(&a), "{}", run.stdout);
    assert!(
        run.stderr.contains(&format!("releases/{a}.toml")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_sparse_checkout_does_not_hide_releases() {
    let env = Env::with_pipeline(SIMPLE);
    let ids: Vec<String> = ["1.0.0", "1.1.0", "1.2.0"]
        .iter()
        .map(|v| new_release(&env, v))
        .collect();
    env.git(&["sparse-checkout", "set", "--no-cone", "/environments.toml"]);
    assert!(!env.path(&format!("releases/{}.toml", ids[0])).exists());
    let run = env.rel(&["list"]);
    run.ok();
    for id in &ids {
        assert!(run.stdout.contains(id.as_str()), "{id}: {}", run.stdout);
    }
    assert!(!run.stderr.contains("not counted"), "{}", run.stderr);
}

/// In a cone-mode sparse checkout with the sparse index (a folder outside
/// it is one index entry), rel decides what is clean without git where it
/// can: a write of a clean file commits and leaves git's index in step,
/// and an edit (unstaged, or staged and the file put back) is refused.
#[test]
fn a_sparse_index_keeps_edits_refused_and_writes_clean() {
    let env = Env::with_pipeline(SIMPLE);
    std::fs::create_dir_all(env.path("docs/old")).unwrap();
    std::fs::write(env.path("docs/old/guide.md"), "outside the cone\n").unwrap();
    env.commit_all("docs");
    let id = new_release(&env, "1.0.0");
    env.git(&[
        "sparse-checkout",
        "set",
        "--cone",
        "--sparse-index",
        "releases",
    ]);
    assert!(!env.path("docs/old/guide.md").exists());
    assert!(env.git(&["ls-files", "--sparse"]).contains("docs/\n"));

    let other = new_release(&env, "2.0.0");
    one_commit(&env, &["promote", &id]);
    assert_eq!(env.porcelain(), "");
    assert_eq!(
        env.git(&["write-tree"]),
        env.git(&["rev-parse", "HEAD^{tree}"])
    );

    let file = format!("releases/{other}.toml");
    let committed = std::fs::read_to_string(env.path(&file)).unwrap();
    std::fs::write(env.path(&file), format!("{committed}# mine\n")).unwrap();
    let run = refused(&env, &["promote", &other], 3);
    assert!(run.stderr.contains(&file), "{}", run.stderr);
    env.git(&["add", "--sparse", &file]);
    std::fs::write(env.path(&file), &committed).unwrap();
    let run = refused(&env, &["promote", &other], 3);
    assert!(run.stderr.contains(&file), "{}", run.stderr);
}

/// In the sparse checkout contract 11.1 suggests (cone mode, sparse
/// index, the archive outside), a write inside the cone is checked out
/// without a git process, and one into the archive (a cancel) is left to
/// git: either way git's index and work tree are in step with HEAD and the
/// archive stays out of the work tree.
#[test]
fn writes_in_a_sparse_cone_keep_the_archive_out_and_the_index_in_step() {
    for index in ["--sparse-index", "--no-sparse-index"] {
        writes_in_a_sparse_cone(index);
    }
}

fn writes_in_a_sparse_cone(index: &str) {
    let env = Env::with_pipeline(SIMPLE);
    let first = new_release(&env, "1.0.0");
    one_commit(&env, &["cancel", &first, "--reason", "superseded"]);
    env.git(&[
        "sparse-checkout",
        "set",
        "--cone",
        index,
        "releases/incidents",
        "releases/installations",
        "releases/reports",
    ]);
    if index == "--sparse-index" {
        assert!(env
            .git(&["ls-files", "--sparse"])
            .contains("releases/archive/\n"));
    }
    let in_step = |what: &str| {
        let what = format!("{what} {index}");
        assert_eq!(env.porcelain(), "", "{what}");
        assert_eq!(
            env.git(&["write-tree"]),
            env.git(&["rev-parse", "HEAD^{tree}"]),
            "{what}"
        );
        assert!(!env.path("releases/archive").exists(), "{what}");
        // Kept as one folder entry, or as entries git does not check out.
        let archived = env.git(&["ls-files", "-t", "--sparse", "releases/archive"]);
        assert!(!archived.is_empty(), "{what}");
        assert!(
            archived.lines().all(|l| l.starts_with("S ")),
            "{what}: {archived}"
        );
    };
    let trace = env.tmp.path().join("git-trace");
    let traced = |args: &[&str]| {
        let _ = std::fs::remove_file(&trace);
        let run = env.rel_env(args, &[("GIT_TRACE", trace.to_str().expect("utf-8"))]);
        run.ok();
        std::fs::read_to_string(&trace).unwrap_or_default()
    };
    let before = env.commit_count();
    let ran = traced(&["new", "--version", "2.0.0", "--title", "Two"]);
    assert_eq!(env.commit_count(), before + 1);
    assert_eq!(ran, "", "no git process for a write inside the cone");
    in_step("new");
    let ran = traced(&["cancel", "R-2026-002", "--reason", "not now"]);
    assert!(
        ran.contains("read-tree -m -u"),
        "the archive is git's: {ran}"
    );
    in_step("cancel");
}

#[test]
fn a_committed_symlink_for_releases_is_invalid_and_nothing_is_written_outside() {
    let env = Env::with_pipeline(SIMPLE);
    new_release(&env, "1.0.0");
    let elsewhere = env.tmp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("keep.txt"), "mine\n").unwrap();
    env.git(&["rm", "-rq", "releases"]);
    std::fs::remove_dir_all(env.path("releases")).ok();
    std::os::unix::fs::symlink(&elsewhere, env.path("releases")).unwrap();
    env.commit_all("releases is a link");
    env.assert_unchanged(|| {
        for args in [
            &["new", "--version", "2.0.0", "--title", "T"][..],
            &["incident", "new", "INC-1", "--title", "T"],
            &["list"],
            &["status"],
            &["incident", "list"],
        ] {
            let run = env.rel(args);
            run.code(2);
            assert!(
                run.stderr.contains("releases is a symbolic link"),
                "{args:?}: {}",
                run.stderr
            );
        }
    });
    let names: Vec<_> = std::fs::read_dir(&elsewhere)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["keep.txt"]);
}

#[test]
fn symlinked_incidents_and_templates_are_invalid_never_read() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.0.0");
    one_commit(&env, &["incident", "new", "INC-1", "--title", "Real"]);
    std::os::unix::fs::symlink("/etc/passwd", env.path("releases/incidents/INC-2.toml")).unwrap();
    env.commit_all("a linked incident");
    for args in [&["incident", "list"][..], &["incident", "show", "INC-2"]] {
        let run = env.rel(args);
        run.code(2);
        assert!(
            run.stderr
                .contains("releases/incidents/INC-2.toml is a symbolic link"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("root:"), "{}", run.stderr);
    }
    env.git(&["rm", "-q", "releases/incidents/INC-2.toml"]);
    std::os::unix::fs::symlink("/etc/passwd", env.path("releases/notes.md.j2")).unwrap();
    env.commit_all("a linked template");
    let run = env.rel(&["notes", &id]);
    run.code(2);
    assert!(
        run.stderr
            .contains("releases/notes.md.j2 is a symbolic link"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("root:"), "{}", run.stdout);
}

/// Files as a Windows clone has them: CRLF in the work tree, LF in git.
fn assert_crlf_clone_writes_cleanly(env: &Env) {
    let id = new_release(env, "1.0.0");
    assert_eq!(env.porcelain(), "", "clean after new");
    let on_disk = env.read(&format!("releases/{id}.toml"));
    assert!(on_disk.contains("\r\n"), "work tree has CRLF: {on_disk:?}");
    let blob = env.git(&["show", &format!("HEAD:releases/{id}.toml")]);
    assert!(!blob.contains('\r'), "committed with LF: {blob:?}");
    one_commit(env, &["promote", &id]);
    one_commit(env, &["incident", "new", "INC-1", "--title", "T"]);
    one_commit(env, &["incident", "resolve", "INC-1"]);
    assert_eq!(env.porcelain(), "");
    assert!(env.read("releases/incidents/INC-1.toml").contains("\r\n"));
}

#[test]
fn a_clone_with_autocrlf_writes_and_stays_clean() {
    let env = Env::with_pipeline(SIMPLE);
    env.git(&["config", "core.autocrlf", "true"]);
    env.git(&["config", "core.eol", "crlf"]);
    std::fs::remove_file(env.path("environments.toml")).unwrap();
    env.git(&["checkout", "--", "environments.toml"]);
    assert!(env.read("environments.toml").contains("\r\n"));
    assert_eq!(env.porcelain(), "");
    assert_crlf_clone_writes_cleanly(&env);
}

#[test]
fn gitattributes_eol_crlf_on_rels_files_writes_and_stays_clean() {
    let env = Env::with_pipeline(SIMPLE);
    env.write(
        ".gitattributes",
        "environments.toml text eol=crlf\nreleases/** text eol=crlf\n",
    );
    env.commit_all("crlf for rel's files");
    std::fs::remove_file(env.path("environments.toml")).unwrap();
    env.git(&["checkout", "--", "environments.toml"]);
    assert_eq!(env.porcelain(), "");
    assert_crlf_clone_writes_cleanly(&env);
}

#[test]
fn a_clean_and_smudge_filter_on_releases_is_applied_as_git_would() {
    let env = Env::with_pipeline(SIMPLE);
    env.git(&["config", "filter.stamp.smudge", "sed '1i # checked out'"]);
    env.git(&["config", "filter.stamp.clean", "sed '/^# checked out$/d'"]);
    env.write(".gitattributes", "releases/*.toml filter=stamp\n");
    env.commit_all("a filter on manifests");
    let id = new_release(&env, "1.0.0");
    assert_eq!(env.porcelain(), "");
    let on_disk = env.read(&format!("releases/{id}.toml"));
    assert!(on_disk.starts_with("# checked out\n"), "{on_disk:?}");
    one_commit(&env, &["promote", &id]);
    assert_eq!(env.porcelain(), "");
}

#[test]
fn a_hand_edit_to_another_manifest_is_not_counted_and_not_committed() {
    let env = Env::with_pipeline(SIMPLE);
    let a = new_release(&env, "1.0.0");
    let b = new_release(&env, "1.1.0");
    edit_manifest(&env, &a, "title", "\"Committed title\"");
    let path = format!("releases/{a}.toml");
    let edited = env
        .read(&path)
        .replace("Committed title", "Uncommitted title");
    env.write(&path, &edited);
    let run = env.rel(&["show", &a]);
    run.ok();
    assert!(run.stdout.contains("Committed title"), "{}", run.stdout);
    let run = env.rel(&["--worktree", "show", &a]);
    run.ok();
    assert!(run.stdout.contains("Uncommitted title"), "{}", run.stdout);
    // A write to b commits b alone; a's edit stays as it was, uncommitted.
    one_commit(&env, &["promote", &b]);
    assert_eq!(env.last_commit_files(), [format!("releases/{b}.toml")]);
    assert_eq!(env.read(&path), edited);
}

#[test]
fn the_note_names_the_uncommitted_edits_the_answer_used() {
    let env = Env::with_pipeline(SIMPLE);
    let a = new_release(&env, "1.0.0");
    let b = new_release(&env, "1.1.0");
    let path = format!("releases/{a}.toml");
    env.write(&path, &env.read(&path).replace("A release", "Edited"));
    // `show a` read a's manifest: said.
    let run = env.rel(&["show", &a]);
    run.ok();
    assert!(
        run.stderr
            .contains(&format!("uncommitted edits to {path} are not counted")),
        "{}",
        run.stderr
    );
    // `show b` did not read a's: nothing to say about it.
    let run = env.rel(&["show", &b]);
    run.ok();
    assert!(!run.stderr.contains("not counted"), "{}", run.stderr);
    // A new manifest not committed, in a folder `list` lists: said.
    env.git(&["checkout", "--", &path]);
    env.write("releases/R-2026-099.toml", &env.read(&path));
    let run = env.rel(&["list"]);
    run.ok();
    assert!(
        run.stderr.contains("releases/R-2026-099.toml"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("R-2026-099"), "{}", run.stdout);
}

#[test]
fn a_crlf_work_tree_is_no_uncommitted_edit() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.0.0");
    env.git(&["config", "core.autocrlf", "true"]);
    env.git(&["config", "core.eol", "crlf"]);
    for f in [
        "environments.toml".to_string(),
        format!("releases/{id}.toml"),
    ] {
        std::fs::remove_file(env.path(&f)).unwrap();
        env.git(&["checkout", "--", &f]);
    }
    assert!(env.read("environments.toml").contains("\r\n"));
    for args in [&["show", id.as_str()][..], &["list"], &["status"]] {
        let run = env.rel(args);
        run.ok();
        assert!(
            !run.stderr.contains("not counted"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

/// rel's files checked out in-process (no attributes, a plain index): the
/// index records each file's stat (nothing stat-dirty for `git diff-files`,
/// which does not look at contents), its cache tree is right (`git
/// write-tree` gives HEAD's tree), and what the user staged stays staged.
#[test]
fn a_write_leaves_gits_index_in_step_and_what_is_staged_staged() {
    let env = Env::with_pipeline(SIMPLE);
    let id = new_release(&env, "1.0.0");
    env.git(&["write-tree"]); // a cache tree to keep right
    one_commit(&env, &["incident", "new", "INC-1", "--title", "T"]);
    one_commit(&env, &["promote", &id]);
    assert_eq!(env.git(&["diff-files", "--name-only"]), "");
    assert_eq!(
        env.git(&["write-tree"]),
        env.git(&["rev-parse", "HEAD^{tree}"])
    );
    env.write("notes.txt", "mine\n");
    env.git(&["add", "notes.txt"]);
    one_commit(&env, &["incident", "resolve", "INC-1"]);
    assert_eq!(env.git(&["diff", "--cached", "--name-only"]), "notes.txt\n");
    assert_eq!(env.git(&["diff-files", "--name-only"]), "");
    assert_eq!(env.porcelain(), "A  notes.txt\n");
}

/// A sparse checkout, a split index and index version 4 are git's to
/// update (`git restore`): the write works and the repository stays clean.
#[test]
fn an_index_rel_does_not_patch_is_left_to_git() {
    for setup in [
        &["update-index", "--index-version", "4"][..],
        &["update-index", "--split-index"],
        &["config", "core.sparseCheckout", "true"],
    ] {
        let env = Env::with_pipeline(SIMPLE);
        new_release(&env, "1.0.0");
        env.git(setup);
        let id = new_release(&env, "2.0.0");
        one_commit(&env, &["promote", &id]);
        assert_eq!(env.porcelain(), "", "{setup:?}");
        assert_eq!(
            env.git(&["write-tree"]),
            env.git(&["rev-parse", "HEAD^{tree}"]),
            "{setup:?}"
        );
    }
}
