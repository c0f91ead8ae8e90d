//! The `git` program, for what must be exactly what git does: comparing the
//! work tree with HEAD (filters, line endings, sparse checkouts, the stat
//! cache) and checking rel's files out after a commit. libgit2 runs no
//! clean/smudge filter drivers, so its answer could differ from `git status`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// How git gets the pathspecs.
enum Paths {
    /// After `--` on the command line.
    Args,
    /// On stdin, NUL-separated (no limit on how many).
    Stdin,
    /// None: the command takes no pathspec.
    None,
}

/// Runs git in `workdir` with `paths` as literal pathspecs, returning stdout.
fn run_with_paths(
    workdir: &Path,
    args: &[&str],
    paths: &[String],
    how: Paths,
) -> anyhow::Result<Vec<u8>> {
    run_git(workdir, args, paths, how, true)
}

fn run_git(
    workdir: &Path,
    args: &[&str],
    paths: &[String],
    how: Paths,
    literal: bool,
) -> anyhow::Result<Vec<u8>> {
    let mut cmd = Command::new("git");
    cmd.arg("--no-optional-locks")
        .arg("-C")
        .arg(workdir)
        .args(args)
        .env("GIT_LITERAL_PATHSPECS", if literal { "1" } else { "0" })
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut input = Vec::new();
    match how {
        Paths::Args => {
            cmd.arg("--").args(paths);
        }
        Paths::None => {}
        Paths::Stdin => {
            cmd.arg("--pathspec-from-file=-").arg("--pathspec-file-nul");
            for p in paths {
                input.extend_from_slice(p.as_bytes());
                input.push(0);
            }
        }
    }
    let mut child = spawn_git(&mut cmd)?;
    if let Some(mut stdin) = child.stdin.take() {
        // git may exit early (and close stdin); its status says why.
        let _ = stdin.write_all(&input);
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(anyhow::anyhow!(
            "git {} failed: {}",
            args.join(" "),
            stderr.trim()
        ));
    }
    Ok(out.stdout)
}

/// At most this many bytes of pathspecs on one git command line: the
/// kernel refuses a command line past its limit ("Argument list too long",
/// 2 MB on Linux, all arguments and the environment together), and `git
/// status` and `git diff-index` take no `--pathspec-from-file`.
const PATHSPEC_BYTES: usize = 64 * 1024;

/// `run_git` with `Paths::Args`, once per chunk of `paths` that fits on a
/// command line; the outputs one after the other. Only for commands whose
/// output is a list of paths (each path matched in one chunk only).
fn run_git_chunked(
    workdir: &Path,
    args: &[&str],
    paths: &[String],
    literal: bool,
) -> anyhow::Result<Vec<u8>> {
    if paths.is_empty() {
        return run_git(workdir, args, paths, Paths::Args, literal);
    }
    let mut out = Vec::new();
    let mut start = 0;
    while start < paths.len() {
        let mut end = start;
        let mut bytes = 0;
        // At least one path per chunk, however long.
        while end < paths.len() && (end == start || bytes + paths[end].len() < PATHSPEC_BYTES) {
            bytes += paths[end].len() + 1;
            end += 1;
        }
        out.extend(run_git(
            workdir,
            args,
            &paths[start..end],
            Paths::Args,
            literal,
        )?);
        start = end;
    }
    Ok(out)
}

/// Paths under `pathspecs` (relative to the work tree's top) that `git
/// status` reports: modified, staged, deleted or untracked.
pub fn changed_paths(workdir: &Path, pathspecs: &[String]) -> anyhow::Result<Vec<String>> {
    status(workdir, pathspecs, true, true)
}

/// `changed_paths` for tracked files only (`--untracked-files=no`): git
/// then reads no folder looking for new files (`releases/incidents` holds
/// 100,000 of them).
pub fn changed_tracked(workdir: &Path, pathspecs: &[String]) -> anyhow::Result<Vec<String>> {
    status(workdir, pathspecs, true, false)
}

/// Paths under `pathspecs` (with magic, such as `:(glob)releases/*`) whose
/// index entry differs from HEAD or whose work-tree file's stat differs
/// from its index entry (`git diff-index HEAD`): a superset of the tracked
/// files `git status` reports (a file only touched is listed too), without
/// refreshing the index or looking for untracked files.
pub fn differ_from_head(workdir: &Path, pathspecs: &[String]) -> anyhow::Result<Vec<String>> {
    let out = run_git_chunked(
        workdir,
        &[
            "diff-index",
            "--name-only",
            "-z",
            "--ignore-submodules=all",
            "--no-renames",
            "HEAD",
        ],
        pathspecs,
        false,
    )?;
    Ok(out
        .split(|b| *b == 0)
        .filter(|r| !r.is_empty())
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .collect())
}

/// `changed_paths` for pathspecs with magic such as `:(glob)releases/*`.
pub fn changed_matching(workdir: &Path, pathspecs: &[String]) -> anyhow::Result<Vec<String>> {
    status(workdir, pathspecs, false, true)
}

/// Past this many literal paths, `git status` is asked about their folders
/// and the answer filtered here: git matches every index entry against
/// every pathspec, so 100,000 paths (`rel archive`) in a repository of
/// 100,000 files cost minutes, where their few folders cost one pass.
pub const MANY_PATHS: usize = 256;

/// The folders holding `paths` (a path ending in `/` is a folder; a path
/// without a folder stands for itself), without any folder that another one already holds.
fn folders_of(paths: &[String]) -> Vec<String> {
    let mut folders: Vec<&str> = paths
        .iter()
        .map(|p| match p.strip_suffix('/') {
            // Already a folder.
            Some(folder) => folder,
            None => p.rsplit_once('/').map_or(p.as_str(), |(folder, _)| folder),
        })
        .collect();
    folders.sort_unstable();
    folders.dedup();
    let mut kept: Vec<String> = Vec::new();
    for f in folders {
        let held = kept.last().is_some_and(|k| {
            f.strip_prefix(k.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
        });
        if !held {
            kept.push(f.to_string());
        }
    }
    kept
}

/// Whether `path` is one of `asked` or lies under one of them (what a
/// literal pathspec matches).
fn asked_about(path: &str, asked: &std::collections::HashSet<&str>) -> bool {
    let mut at = path;
    loop {
        if asked.contains(at) {
            return true;
        }
        match at.rsplit_once('/') {
            Some((folder, _)) => at = folder,
            None => return false,
        }
    }
}

fn status(
    workdir: &Path,
    pathspecs: &[String],
    literal: bool,
    untracked: bool,
) -> anyhow::Result<Vec<String>> {
    if literal && pathspecs.len() > MANY_PATHS {
        let asked: std::collections::HashSet<&str> =
            pathspecs.iter().map(|p| p.trim_end_matches('/')).collect();
        let found = status(workdir, &folders_of(pathspecs), true, untracked)?;
        return Ok(found
            .into_iter()
            .filter(|p| asked_about(p.trim_end_matches('/'), &asked))
            .collect());
    }
    let out = run_git_chunked(
        workdir,
        &[
            "status",
            "--porcelain=v1",
            "-z",
            if untracked {
                "--untracked-files=all"
            } else {
                "--untracked-files=no"
            },
            "--ignore-submodules=all",
            "--no-renames",
        ],
        pathspecs,
        literal,
    )?;
    let mut paths = Vec::new();
    for record in out.split(|b| *b == 0).filter(|r| r.len() > 3) {
        // `XY path`
        paths.push(String::from_utf8_lossy(&record[3..]).into_owned());
    }
    Ok(paths)
}

/// Makes `paths` in the index and the work tree equal to those of commit
/// `source`, as `git restore` does (line endings and filters applied; a path
/// the source lacks is removed).
pub fn restore_from(workdir: &Path, source: &str, paths: &[String]) -> anyhow::Result<()> {
    if paths.is_empty() {
        return Ok(());
    }
    let source = format!("--source={source}");
    run_with_paths(
        workdir,
        &["restore", &source, "--staged", "--worktree"],
        paths,
        Paths::Stdin,
    )
    .map(|_| ())
}

/// Moves the index and the work tree from commit `old` to commit `new`
/// (`git read-tree -m -u`, the two-tree merge `git checkout` does): paths
/// the two commits share are left as they are, staged or edited; the
/// others must be clean and are brought to `new`. One pass over the index,
/// where `git restore` of 100,000 paths matches every index entry against
/// every path. Refused, with nothing written, if a changed path is not
/// clean.
pub fn switch_tree(workdir: &Path, old: &str, new: &str) -> anyhow::Result<()> {
    run_git(
        workdir,
        &["read-tree", "-m", "-u", old, new],
        &[],
        Paths::None,
        true,
    )
    .map(|_| ())
}

/// Starts git's `cmd` so that it dies with rel (`dies_with_rel`).
fn spawn_git(cmd: &mut Command) -> anyhow::Result<std::process::Child> {
    dies_with_rel(cmd);
    cmd.spawn().map_err(not_run)
}

/// The error of a git that could not be started.
pub fn not_run(e: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!("cannot run git (is it installed and on PATH?): {e}")
}

/// A git rel starts to update the index or the work tree ends when rel
/// ends, even by SIGKILL: an orphan still writing `index.lock` would race
/// the next rel's repair. (Linux; elsewhere the repair's wait for the lock
/// to go away is what remains.)
pub fn dies_with_rel(cmd: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let parent = std::process::id();
        // SAFETY: prctl, getppid and _exit are async-signal-safe; nothing
        // else runs between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // rel died before the request took effect.
                if libc::getppid() as u32 != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
    }
}

/// Who makes a commit and when, for `commit_tree_signed`.
pub struct CommitIdentity<'a> {
    pub name: &'a str,
    pub email: &'a str,
    /// Seconds since the epoch, UTC.
    pub seconds: i64,
}

/// `git commit-tree -S`: the commit of `tree` on `parents` with `message`,
/// by `who` as author and committer, signed as git signs (gpg.format,
/// user.signingKey, gpg.program, an ssh agent: all git's own). Returns the
/// new commit's id; nothing points at it yet.
pub fn commit_tree_signed(
    workdir: &Path,
    tree: &str,
    parents: &[String],
    who: &CommitIdentity,
    message: &str,
) -> anyhow::Result<String> {
    let date = format!("@{} +0000", who.seconds);
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(workdir).arg("commit-tree").arg("-S");
    for p in parents {
        cmd.arg("-p").arg(p);
    }
    cmd.arg(tree)
        .env("GIT_AUTHOR_NAME", who.name)
        .env("GIT_AUTHOR_EMAIL", who.email)
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_NAME", who.name)
        .env("GIT_COMMITTER_EMAIL", who.email)
        .env("GIT_COMMITTER_DATE", &date)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn_git(&mut cmd)?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(message.as_bytes());
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(anyhow::anyhow!(
            "{}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `git verify-commit --raw ID`: whether git accepts the commit's
/// signature, and what it said (gpg's status lines or ssh-keygen's words).
pub fn verify_commit(
    workdir: &Path,
    id: &str,
    signers: Option<&Path>,
) -> anyhow::Result<(bool, String)> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(workdir);
    if let Some(file) = signers {
        // The allowed signers the parent commit's policy names, not this
        // machine's configuration (contract 11.5).
        let mut setting = std::ffi::OsString::from("gpg.ssh.allowedSignersFile=");
        setting.push(file);
        cmd.arg("-c").arg(setting);
    }
    let out = cmd
        .args(["verify-commit", "--raw", id])
        .stdin(Stdio::null())
        .output()
        .map_err(not_run)?;
    let mut said = String::from_utf8_lossy(&out.stderr).into_owned();
    said.push_str(&String::from_utf8_lossy(&out.stdout));
    Ok((out.status.success(), said))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty git repository in a temporary folder, made without the
    /// user's or the system's git config.
    fn new_repository() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let ok = Command::new("git")
            .args(["init", "-q"])
            .arg(dir.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .expect("git runs");
        assert!(ok.success());
        dir
    }

    /// More pathspecs than a command line holds (`rel archive` of 10,000
    /// releases writes 60,000 paths): asked a chunk at a time, not refused
    /// with "Argument list too long".
    #[test]
    fn a_status_of_more_paths_than_a_command_line_holds_is_asked_in_chunks() {
        let dir = new_repository();
        std::fs::write(dir.path().join("changed.toml"), "x").expect("a file");
        let mut paths: Vec<String> = (0..120_000)
            .map(|n| format!("releases/incidents/INC-{n:06}.toml"))
            .collect();
        paths.push("changed.toml".to_string());
        let total: usize = paths.iter().map(|p| p.len() + 1).sum();
        assert!(
            total > 2 * 1024 * 1024,
            "{total} bytes fit on one command line"
        );
        let changed = changed_paths(dir.path(), &paths).expect("asked in chunks");
        assert_eq!(changed, ["changed.toml"]);
    }

    /// Many paths are asked by folder and the answer filtered: a changed
    /// file beside the asked ones in the same folder is not reported, one
    /// asked is, and so is a file under an asked folder.
    #[test]
    fn many_paths_are_asked_by_folder_and_only_the_asked_ones_answered() {
        let dir = new_repository();
        let folder = dir.path().join("releases/incidents");
        std::fs::create_dir_all(&folder).expect("a folder");
        std::fs::create_dir_all(dir.path().join("releases/reports/R-1")).expect("a folder");
        std::fs::write(folder.join("INC-000007.toml"), "x").expect("a file");
        std::fs::write(folder.join("INC-999999.toml"), "x").expect("a file");
        std::fs::write(dir.path().join("releases/reports/R-1/h.txt"), "x").expect("a file");
        std::fs::write(dir.path().join("top.toml"), "x").expect("a file");
        let mut paths: Vec<String> = (0..2 * MANY_PATHS)
            .map(|n| format!("releases/incidents/INC-{n:06}.toml"))
            .collect();
        paths.push("releases/reports/R-1/".to_string());
        paths.push("top.toml".to_string());
        let mut changed = changed_paths(dir.path(), &paths).expect("asked by folder");
        changed.sort();
        assert_eq!(
            changed,
            [
                "releases/incidents/INC-000007.toml",
                "releases/reports/R-1/h.txt",
                "top.toml"
            ]
        );
        assert_eq!(
            folders_of(&paths),
            ["releases/incidents", "releases/reports/R-1", "top.toml"]
        );
    }
}
