//! Team use over a git remote (contract section 6): the remote's branch is
//! the one truth, and git's refusal of a non-fast-forward push is the lock
//! that spans machines. Fetch and push go through the `git` program, so
//! credential helpers, SSH settings, proxies and hooks apply.

use std::path::Path;
use std::process::{Command, Stdio};

use git2::{Oid, Repository};

use crate::error::{conflict, hinted, Kind};
use crate::model::pipeline::SyncSettings;
use crate::store::kept::journal::{self, Journal};

/// Where a clone syncs: the remote, its branch, and the local branch.
#[derive(Debug, Clone)]
pub struct Shared {
    pub remote: String,
    /// The remote's branch name, e.g. `main`.
    pub branch: String,
    /// The local branch checked out, e.g. `refs/heads/main`.
    pub local: String,
    pub retries: u32,
}

impl Shared {
    /// `[sync]` for this clone: the branch defaults to the one checked out.
    pub fn new(settings: &SyncSettings, local: &str) -> Shared {
        let checked_out = local.strip_prefix("refs/heads/").unwrap_or(local);
        Shared {
            remote: settings.remote.clone(),
            branch: settings
                .branch
                .clone()
                .unwrap_or_else(|| checked_out.to_string()),
            local: local.to_string(),
            retries: settings.retries,
        }
    }

    /// `refs/remotes/<remote>/<branch>`: where the fetched tip is kept.
    pub fn tracking(&self) -> String {
        format!("refs/remotes/{}/{}", self.remote, self.branch)
    }

    fn shown(&self) -> String {
        format!("{}/{}", self.remote, self.branch)
    }
}

/// Runs git in `workdir`; Ok(stdout) or Err(stderr) as text.
fn git(workdir: &Path, args: &[&str]) -> anyhow::Result<Result<String, String>> {
    let mut cmd = Command::new("git");
    crate::store::git::git_cli::dies_with_rel(&mut cmd);
    let out = cmd
        .arg("-C")
        .arg(workdir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(crate::store::git::git_cli::not_run)?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    Ok(if out.status.success() {
        Ok(stdout)
    } else {
        Err(if stderr.is_empty() { stdout } else { stderr })
    })
}

/// Fetches the shared branch; its tip, or None when the remote has no such
/// branch yet (the first push creates it). Exit 3 with git's message when
/// the remote cannot be reached or refuses.
pub fn fetch(repo: &Repository, workdir: &Path, shared: &Shared) -> anyhow::Result<Option<Oid>> {
    let refspec = format!("+refs/heads/{}:{}", shared.branch, shared.tracking());
    // git fetch killed mid-update leaves the remote-tracking branch's lock:
    // the journal names it, so the next command may remove it.
    let head = repo
        .find_reference(&shared.local)
        .ok()
        .and_then(|r| r.target())
        .map(|id| id.to_string());
    let mut record = Journal::new(
        "fetch",
        &shared.local,
        head.clone(),
        head.unwrap_or_default(),
    );
    record.refs.push(shared.tracking());
    journal::begin(repo, &record)?;
    let fetched = git(
        workdir,
        &["fetch", "--quiet", "--no-tags", &shared.remote, &refspec],
    );
    journal::end(repo);
    match fetched? {
        Ok(_) => {}
        Err(msg) if msg.contains("couldn't find remote ref") => return Ok(None),
        Err(msg) => {
            return Err(hinted(
                Kind::Conflict,
                format!("cannot fetch {} : {msg}", shared.shown()),
                "nothing was written; reading commands work offline on this clone, writes need the remote ([sync] in environments.toml)",
            ))
        }
    }
    Ok(repo
        .find_reference(&shared.tracking())
        .ok()
        .and_then(|r| r.target()))
}

/// Where the local branch stands against the fetched tip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Equal, or the remote has no such branch yet (the first push makes it).
    UpToDate,
    /// The remote is ahead: fast-forward to this tip.
    Behind(Oid),
}

/// Compares the local branch with the fetched tip; exit 3 when the local
/// branch has commits the remote lacks (rel never publishes someone's
/// unpushed work) or the two have diverged.
pub fn standing(repo: &Repository, shared: &Shared, tip: Option<Oid>) -> anyhow::Result<Standing> {
    let local = repo
        .find_reference(&shared.local)
        .ok()
        .and_then(|r| r.target());
    let Some(tip) = tip else {
        return Ok(Standing::UpToDate);
    };
    let Some(local) = local else {
        return Ok(Standing::Behind(tip));
    };
    if local == tip {
        return Ok(Standing::UpToDate);
    }
    if repo.graph_descendant_of(local, tip)? {
        let (ahead, _) = repo.graph_ahead_behind(local, tip)?;
        return Err(hinted(
            Kind::Conflict,
            format!(
                "{} has {ahead} commit{} that {} lacks; rel never publishes unpushed work",
                short_ref(&shared.local),
                if ahead == 1 { "" } else { "s" },
                shared.shown()
            ),
            "push or rebase them first (git push, or git pull --rebase), then run rel again",
        ));
    }
    if !repo.graph_descendant_of(tip, local)? {
        return Err(hinted(
            Kind::Conflict,
            format!(
                "{} and {} have diverged",
                short_ref(&shared.local),
                shared.shown()
            ),
            "bring them together first (git pull --rebase, or git reset --hard to drop local commits), then run rel again",
        ));
    }
    Ok(Standing::Behind(tip))
}

/// Brings the local branch to `tip`, as `git merge --ff-only` would (the
/// work tree follows; a local edit in the way is exit 3), in steps that
/// the next command can finish after a kill (see `sync_forward`). The
/// caller holds rel's lock.
pub fn fast_forward(workdir: &Path, shared: &Shared, tip: Oid) -> anyhow::Result<()> {
    let repo = Repository::open(workdir)
        .map_err(|e| crate::error::git_failure("open the repository", &e))?;
    super::sync_forward::fast_forward(&repo, workdir, shared, tip)
}

/// What the remote said to a push.
#[derive(Debug, PartialEq, Eq)]
pub enum Pushed {
    Done,
    /// The remote moved meanwhile: decide again on its new tip.
    Moved,
    /// Refused for another reason (a protected branch, a hook,
    /// authentication) or not reached: git's message.
    Refused(String),
}

/// Pushes `commit` as a fast-forward of the shared branch (never forced).
pub fn push(workdir: &Path, shared: &Shared, commit: Oid) -> anyhow::Result<Pushed> {
    let refspec = format!("{commit}:refs/heads/{}", shared.branch);
    let mut cmd = Command::new("git");
    // A push outliving a killed rel would update the remote-tracking branch
    // while the next command repairs or fetches.
    crate::store::git::git_cli::dies_with_rel(&mut cmd);
    let out = cmd
        .arg("-C")
        .arg(workdir)
        .args(["push", "--porcelain", &shared.remote, &refspec])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(crate::store::git::git_cli::not_run)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    // `git push --porcelain`: one line per ref, flag first; `!` rejected.
    let line = stdout
        .lines()
        .find(|l| l.contains(&format!("refs/heads/{}", shared.branch)));
    match line {
        Some(l) if !l.starts_with('!') && out.status.success() => Ok(Pushed::Done),
        Some(l) if l.contains("(fetch first)") || l.contains("(non-fast-forward)") => {
            Ok(Pushed::Moved)
        }
        // Two pushes reached the remote at the same instant: its ref moved
        // between its own check and its update.
        Some(l) if l.contains("(failed to update ref)") && stderr.contains("cannot lock ref") => {
            Ok(Pushed::Moved)
        }
        Some(l) => {
            let why = l.rsplit('\t').next().unwrap_or(l).trim();
            Ok(Pushed::Refused(join(&stderr, why)))
        }
        None => Ok(Pushed::Refused(join(&stderr, stdout.trim()))),
    }
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a} ({b})"),
    }
}

/// `main` for `refs/heads/main`.
pub fn short_ref(name: &str) -> &str {
    name.strip_prefix("refs/heads/").unwrap_or(name)
}

/// The conflict for a push the remote refused: exit 3, git's message.
pub fn refused(shared: &Shared, why: &str) -> anyhow::Error {
    hinted(
        Kind::Conflict,
        format!("{} refused the push: {why}", shared.shown()),
        "nothing was written: the commit was discarded; mend the cause (access, a protected branch, the hook) and run again",
    )
}

/// The conflict after `retries` attempts found the remote moved each time.
pub fn kept_moving(shared: &Shared) -> anyhow::Error {
    conflict(format!(
        "{} moved on {} attempts in a row (others are writing); nothing was written, run the command again",
        shared.shown(),
        shared.retries
    ))
}

/// The push was rejected because the remote moved: the write runs again
/// from the fetch, deciding afresh (never a rebase of the old decision).
/// Caught by the write runner (`commands::shared::spine`).
#[derive(Debug)]
pub struct RemoteMoved(pub Shared);

impl std::fmt::Display for RemoteMoved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} moved while rel was pushing", self.0.shown())
    }
}

impl std::error::Error for RemoteMoved {}

/// How long to wait before attempt `attempt` (1-based) after the remote
/// moved: exponential from 50 ms up to 1.6 s, with a random half so racing
/// clones spread out.
pub fn backoff(attempt: u32) -> std::time::Duration {
    let base = 50u64 << attempt.min(5);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0) as u64
        ^ u64::from(std::process::id()).wrapping_mul(2654435761);
    std::time::Duration::from_millis(base / 2 + seed % (base / 2 + 1))
}
