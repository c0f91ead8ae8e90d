use super::*;
use crate::store::kept::test_git::git;

/// A repository whose HEAD holds a.toml, b.toml, c.toml and d/e.toml.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    git(dir.path(), &["init", "-q"]);
    std::fs::create_dir(dir.path().join("d")).expect("a folder");
    for path in ["a.toml", "b.toml", "c.toml", "d/e.toml"] {
        std::fs::write(dir.path().join(path), path).expect("a file");
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "start"]);
    dir
}

fn clean_of(dir: &Path, paths: &[&str]) -> Vec<String> {
    let repo = Repository::open(dir).expect("a repository");
    let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
    certainly_clean(&repo, &paths)
}

/// Each path the check calls clean is one `git status` calls clean, and
/// what it cannot be sure of (an edit, a staged edit, a new file, a
/// removed one, an executable, a link) is left to git.
#[test]
fn only_what_git_calls_clean_is_called_clean() {
    let dir = repo();
    let d = dir.path();
    // Touched only: the bytes are HEAD's.
    std::fs::write(d.join("a.toml"), "a.toml").expect("touched");
    std::fs::write(d.join("b.toml"), "edited").expect("edited");
    std::fs::write(d.join("c.toml"), "staged").expect("edited");
    git(d, &["add", "c.toml"]);
    std::fs::write(d.join("c.toml"), "c.toml").expect("back to HEAD's bytes");
    std::fs::remove_file(d.join("d/e.toml")).expect("removed");
    std::fs::write(d.join("new.toml"), "new").expect("a new file");
    let asked = [
        "a.toml",
        "b.toml",
        "c.toml",
        "d/e.toml",
        "new.toml",
        "gone.toml",
    ];
    assert_eq!(clean_of(d, &asked), ["a.toml", "gone.toml"]);
    let status = git(d, &["status", "--porcelain", "--", "a.toml", "gone.toml"]);
    assert_eq!(status, "", "git agrees");

    std::fs::set_permissions(d.join("a.toml"), std::fs::Permissions::from_mode(0o755))
        .expect("executable");
    assert!(clean_of(d, &["a.toml"]).is_empty());
}

/// A folder that is a link, or any attributes file, and git is asked.
#[test]
fn links_and_attributes_are_left_to_git() {
    let dir = repo();
    let d = dir.path();
    assert_eq!(clean_of(d, &["d/e.toml"]), ["d/e.toml"]);
    std::fs::rename(d.join("d"), d.join("elsewhere")).expect("moved");
    std::os::unix::fs::symlink(d.join("elsewhere"), d.join("d")).expect("a link");
    assert!(clean_of(d, &["d/e.toml"]).is_empty());

    let dir = repo();
    let d = dir.path();
    std::fs::write(d.join(".gitattributes"), "*.toml text\n").expect("attributes");
    assert!(clean_of(d, &["a.toml"]).is_empty());
}
