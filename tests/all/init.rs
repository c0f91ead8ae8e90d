//! `rel init`: in an empty folder, inside an existing repository, in a
//! monorepo sub-folder; refused when the pipeline exists; dry run.

use crate::common::Env;

/// What `rel init` commits.
const RELEASE_FILES: [&str; 2] = ["environments.toml", "releases/incidents/.gitkeep"];

#[test]
fn init_in_an_empty_folder_runs_git_init_and_commits_once() {
    let env = Env::empty();
    assert!(!env.path(".git").exists());
    let run = env.rel(&["init"]);
    run.ok();
    assert!(env.path(".git").is_dir(), "git init was not run");
    assert_eq!(env.commit_count(), 1);
    let mut files = env.last_commit_files();
    files.sort();
    assert_eq!(files, RELEASE_FILES);
    assert!(env.path("releases/incidents").is_dir());
    assert_eq!(env.porcelain(), "", "the work tree is clean after init");
    assert!(env.last_message().starts_with("rel: init "));
    let author = env.git(&["log", "-1", "--format=%an <%ae>"]);
    assert_eq!(author.trim(), crate::common::ACTOR);
}

#[test]
fn init_writes_the_default_four_stage_pipeline() {
    let env = Env::new();
    let pipeline = env.read("environments.toml");
    assert!(pipeline.contains('#'), "the pipeline is commented");
    let v = env.rel(&["--json", "env"]).ok().json();
    let names: Vec<&str> = v["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["development", "uat", "staging", "production"]);
    let uat = &v["environments"][1];
    assert_eq!(uat["soak"]["major"], 10);
    assert_eq!(uat["soak"]["minor"], 3);
    assert_eq!(uat["soak"]["patch"], 0);
    assert_eq!(
        uat["entry_checklist"][0]["item"],
        "UAT data refreshed from production"
    );
    assert_eq!(uat["entry_checklist"][0]["kinds"][0], "major");
    let staging = &v["environments"][2];
    assert_eq!(staging["soak"]["major"], 5);
    assert_eq!(staging["soak"]["minor"], 5);
    assert_eq!(staging["requires_frozen"], true);
    assert_eq!(staging["exclusive"], true);
    let prod = &v["environments"][3];
    assert_eq!(prod["requires_frozen"], true);
    assert_eq!(prod["confirm"], true);
    assert_eq!(prod["entry_checklist"].as_array().unwrap().len(), 3);
    assert_eq!(
        prod["exit_checklist"][0]["item"],
        "Post-release tests passed on production"
    );
}

#[test]
fn init_inside_an_existing_repository_commits_only_its_files() {
    let env = Env::empty();
    env.git(&["init", "-q"]);
    env.write("app.txt", "v1\n");
    env.git(&["add", "app.txt"]);
    env.git(&["commit", "-q", "-m", "app"]);
    env.write("app.txt", "v2, not committed\n");
    env.write("staged.txt", "staged\n");
    env.git(&["add", "staged.txt"]);
    let status = env.porcelain();
    let git_config = env.read(".git/config");

    env.rel(&["init"]).ok();

    assert_eq!(env.read(".git/config"), git_config, "no second git init");
    assert_eq!(env.commit_count(), 2);
    let mut files = env.last_commit_files();
    files.sort();
    assert_eq!(files, RELEASE_FILES);
    assert_eq!(env.porcelain(), status);
    assert_eq!(env.read("app.txt"), "v2, not committed\n");
}

#[test]
fn init_in_a_repository_without_commits_keeps_staged_files_staged() {
    let env = Env::empty();
    env.git(&["init", "-q"]);
    env.write("staged.txt", "staged\n");
    env.git(&["add", "staged.txt"]);
    env.rel(&["init"]).ok();
    assert_eq!(env.commit_count(), 1);
    let mut files = env.last_commit_files();
    files.sort();
    assert_eq!(files, RELEASE_FILES);
    assert_eq!(env.porcelain(), "A  staged.txt\n");
}

#[test]
fn init_in_a_monorepo_sub_folder_is_found_by_walking_up() {
    let env = Env::empty();
    env.git(&["init", "-q"]);
    env.write("src/code.rs", "fn main() {}\n");
    env.git(&["add", "src/code.rs"]);
    env.git(&["commit", "-q", "-m", "code"]);
    std::fs::create_dir_all(env.path("sub/deeper")).unwrap();

    env.rel(&["-C", "sub", "init"]).ok();
    assert!(env.path("sub/environments.toml").is_file());
    assert!(!env.path("environments.toml").exists());
    assert!(!env.path("sub/.git").exists(), "no nested git repository");
    let mut files = env.last_commit_files();
    files.sort();
    assert_eq!(
        files,
        ["sub/environments.toml", "sub/releases/incidents/.gitkeep"]
    );

    env.rel(&["-C", "sub/deeper", "status"]).ok();
    let id = env.rel(&[
        "-C",
        "sub/deeper",
        "new",
        "--version",
        "1.0.0",
        "--title",
        "Mono",
    ]);
    assert_eq!(id.ok().stdout.trim(), "R-2026-001");
    assert_eq!(env.last_commit_files(), ["sub/releases/R-2026-001.toml"]);
    assert!(env.path("sub/releases/R-2026-001.toml").is_file());

    // Walking up from the working directory, without -C.
    let list = env.rel_in("sub/deeper", &["--json", "list"]);
    assert_eq!(list.ok().json()[0]["id"], "R-2026-001");
    let status = env.rel_in("sub/deeper", &["--json", "status"]);
    assert_eq!(status.ok().json()[0]["id"], "R-2026-001");
    assert_eq!(env.porcelain(), "");

    // Above the release repository there is none.
    let run = env.rel(&["status"]);
    run.code(2);
    assert!(run.stderr.contains("environments.toml"), "{}", run.stderr);
}

#[test]
fn init_is_refused_when_environments_toml_exists() {
    let env = Env::new();
    env.write("environments.toml", "# my own pipeline, not committed\n");
    env.assert_unchanged(|| {
        let run = env.rel(&["init"]);
        run.code(3);
        assert!(run.stderr.contains("environments.toml"), "{}", run.stderr);
    });
    assert_eq!(env.commit_count(), 1);
}

#[test]
fn init_dry_run_writes_nothing() {
    let env = Env::empty();
    env.assert_unchanged(|| {
        let run = env.rel(&["--dry-run", "init"]);
        run.ok();
        assert!(run.stderr.contains("environments.toml"), "{}", run.stderr);
    });
    assert!(!env.path(".git").exists());

    env.git(&["init", "-q"]);
    env.assert_unchanged(|| {
        let run = env.rel(&["--dry-run", "init"]);
        run.ok();
        assert!(run.stderr.contains("environments.toml"), "{}", run.stderr);
    });
    assert_eq!(env.commit_count(), 0);
}
