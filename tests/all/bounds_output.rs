//! `rel notes --output FILE` writes only where it should: never inside a git
//! directory, onto a file rel owns or through a symbolic link (exit 2 naming
//! the path, nothing written); elsewhere atomically.

use std::os::unix::fs::{symlink, PermissionsExt};

use crate::common::releases::new_release;
use crate::common::Env;

fn with_release() -> (Env, String) {
    let env = Env::new();
    let id = new_release(&env, "1.0.0");
    (env, id)
}

/// `rel notes ID --output FILE` (and its dry run) exit 2 naming FILE and
/// write nothing.
#[track_caller]
fn refused(env: &Env, id: &str, file: &str) {
    env.assert_unchanged(|| {
        for dry in [false, true] {
            let mut args = vec!["notes", id, "--output", file];
            if dry {
                args.insert(0, "--dry-run");
            }
            let run = env.rel(&args);
            run.code(2);
            assert!(
                run.stderr.contains(&format!("--output {file}:")),
                "{file}: {}",
                run.stderr
            );
        }
    });
}

#[test]
fn nothing_is_written_inside_the_git_directory() {
    let (env, id) = with_release();
    std::fs::create_dir(env.path("docs")).expect("mkdir");
    env.write("docs/keep.md", "kept\n");
    env.commit_all("hand edit: docs");
    let absolute = env.path(".git/config").display().to_string();
    for file in [
        ".git/HEAD",
        ".git/config",
        ".git/hooks/pre-commit",
        "./.git/config",
        "docs/../.git/config",
        "releases/../.git/HEAD",
        ".GIT/config",
        ".git",
        &absolute,
    ] {
        refused(&env, &id, file);
    }
    // From a sub-folder, `..` leads back into it just the same.
    env.assert_unchanged(|| {
        let run = env.rel_in("docs", &["notes", &id, "--output", "../.git/config"]);
        run.code(2);
        assert!(run.stderr.contains("../.git/config"), "{}", run.stderr);
    });
}

#[test]
fn nothing_is_written_onto_a_file_rel_owns() {
    let (env, id) = with_release();
    for file in [
        "environments.toml",
        "./environments.toml",
        "releases/R-2026-001.toml",
        "releases/notes.md",
        "releases/incidents/INC-1.toml",
        "releases/../environments.toml",
    ] {
        refused(&env, &id, file);
    }
}

#[test]
fn nothing_is_written_through_a_symbolic_link() {
    let (env, id) = with_release();
    let outside = env.tmp.path().join("outside");
    std::fs::create_dir(&outside).expect("mkdir");
    std::fs::write(outside.join("victim.md"), "untouched\n").expect("write");
    // A hostile repository commits links: to a folder outside, to a file
    // outside, to its own git directory.
    symlink(&outside, env.path("docs")).expect("link");
    symlink(outside.join("victim.md"), env.path("notes.md")).expect("link");
    symlink(env.path(".git"), env.path("gitdir")).expect("link");
    env.commit_all("hand edit: links");
    for file in [
        "docs/notes.md",
        "docs/victim.md",
        "notes.md",
        "gitdir/config",
    ] {
        refused(&env, &id, file);
    }
    assert_eq!(
        std::fs::read_to_string(outside.join("victim.md")).expect("read"),
        "untouched\n"
    );
    assert_eq!(std::fs::read_dir(&outside).expect("ls").count(), 1);
}

#[test]
fn a_path_that_is_not_a_file_name_is_refused() {
    let (env, id) = with_release();
    for file in [".", "..", "releases/.."] {
        refused(&env, &id, file);
    }
}

#[test]
fn the_file_is_replaced_atomically_keeping_its_permissions() {
    let (env, id) = with_release();
    std::fs::create_dir(env.path("out")).expect("mkdir");
    env.write("out/notes.md", "old\n");
    std::fs::set_permissions(env.path("out/notes.md"), PermissionsExt::from_mode(0o640))
        .expect("chmod");
    let run = env.rel(&["notes", &id, "--output", "out/notes.md"]);
    run.ok();
    let written = env.read("out/notes.md");
    assert!(written.starts_with(&format!("# {id} 1.0.0")), "{written}");
    let mode = std::fs::metadata(env.path("out/notes.md"))
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    let names: Vec<String> = std::fs::read_dir(env.path("out"))
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["notes.md"], "no temporary file is left");
    // Outside the repository, by an absolute path, is the user's business.
    let outside = env.tmp.path().join("notes-outside.md");
    env.rel(&["notes", &id, "--output", &outside.display().to_string()])
        .ok();
    assert!(std::fs::read_to_string(&outside)
        .expect("read")
        .starts_with("# "));
}
