//! `rel board`: where it writes. The board is an artefact, not state: no
//! commit, and the default folder ignores itself. `--output DIR` follows the
//! rules of `--output FILE`: no symbolic link, no file where the folder
//! should be, never into .git or onto rel's files; refused with exit 2 and
//! nothing written.

use std::os::unix::fs::symlink;

use crate::common::git::refused;
use crate::common::releases::new_release;
use crate::common::Env;

#[test]
fn the_board_is_not_a_commit_and_the_default_folder_stays_out_of_git() {
    let env = Env::new();
    new_release(&env, "1.4.0");
    let head = env.head();
    let run = env.rel(&["--json", "board"]);
    run.ok();
    assert_eq!(env.head(), head, "no commit");
    // board/.gitignore keeps the artefact out of `git status` and `git add -A`.
    assert_eq!(env.porcelain(), "");
    for file in ["index.html", "fleet.html", "board.css", ".gitignore"] {
        assert!(env.path("board").join(file).is_file(), "{file}");
    }
    let out = run.json();
    assert_eq!(out["releases"], 1);
    let shown = out["output"].as_str().expect("output");
    assert!(shown.ends_with("/board"), "{shown}");
    assert!(run.stderr.contains("wrote the board (1 release) to board"));
    // From a sub-folder, the default is still beside environments.toml.
    env.rel_in("releases", &["board"]).ok();
    assert!(!env.path("releases/board").exists());
}

#[test]
fn an_output_folder_is_made_and_holds_only_the_pages_and_their_sheet() {
    let env = Env::new();
    let out = env.tmp.path().join("site");
    let out_text = out.to_string_lossy().to_string();
    env.assert_unchanged(|| {
        env.rel(&["board", "--output", &out_text]).ok();
    });
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("made")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["board.css", "fleet.html", "index.html"]);
    // Written again over itself.
    env.rel(&["board", "--output", &out_text]).ok();
}

#[test]
fn a_dry_run_writes_nothing() {
    let env = Env::new();
    let out = env.tmp.path().join("site");
    let out_text = out.to_string_lossy().to_string();
    env.assert_unchanged(|| {
        let run = env.rel(&["--dry-run", "board", "--output", &out_text]);
        run.ok();
        assert!(run.stderr.contains("dry run: would write the board"));
    });
    assert!(!out.exists());
}

#[test]
fn output_paths_that_are_refused_write_nothing() {
    let env = Env::new();
    new_release(&env, "1.4.0");
    let elsewhere = env.tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("mkdir");
    // A symbolic link as DIR, outside and inside the repository.
    let link = env.tmp.path().join("link");
    symlink(&elsewhere, &link).expect("symlink");
    symlink(&elsewhere, env.path("linked")).expect("symlink");
    // A file where DIR should be.
    let file = env.tmp.path().join("a-file");
    std::fs::write(&file, "mine").expect("write");
    // A folder whose index.html is a link.
    let trap = env.tmp.path().join("trap");
    std::fs::create_dir(&trap).expect("mkdir");
    symlink(&file, trap.join("index.html")).expect("symlink");
    // A folder where a file of the board should be.
    let clash = env.tmp.path().join("clash");
    std::fs::create_dir_all(clash.join("board.css")).expect("mkdir");
    // A missing parent: rel makes one folder, not a path of them.
    let deep = env.tmp.path().join("no/such/place");
    let cases = [
        (link.to_string_lossy().to_string(), "is a symbolic link"),
        ("linked".to_string(), "is a symbolic link"),
        (
            file.to_string_lossy().to_string(),
            "exists and is not a folder",
        ),
        (trap.to_string_lossy().to_string(), "is a symbolic link"),
        (clash.to_string_lossy().to_string(), "is not a regular file"),
        (deep.to_string_lossy().to_string(), "No such file"),
        ("releases/board".to_string(), "a file rel owns"),
        (".git/board".to_string(), "git directory"),
    ];
    for (given, why) in cases {
        env.assert_unchanged(|| {
            let run = refused(&env, &["board", "--output", &given], 2);
            assert!(run.stderr.contains(why), "{given}: {}", run.stderr);
            assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
        });
    }
    assert_eq!(std::fs::read_dir(&elsewhere).expect("dir").count(), 0);
    assert_eq!(std::fs::read_to_string(&file).expect("file"), "mine");
    assert!(!env.tmp.path().join("no").exists());
    // The JSON of a refusal, like every command's.
    let run = env.rel(&["--json", "board", "--output", "linked"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["error"]["kind"], "invalid");
}

#[test]
fn a_committed_link_named_board_is_not_followed_by_default() {
    let env = Env::new();
    let elsewhere = env.tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("mkdir");
    symlink(&elsewhere, env.path("board")).expect("symlink");
    env.commit_all("a hostile link");
    env.assert_unchanged(|| {
        refused(&env, &["board"], 2);
    });
    assert_eq!(std::fs::read_dir(&elsewhere).expect("dir").count(), 0);
}
