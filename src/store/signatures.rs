//! Commit signatures, as git makes and checks them: rel signs its commits
//! when git's configuration asks for it (`commit.gpgSign`), through `git
//! commit-tree -S` so that every setting of git's applies (gpg.format,
//! user.signingKey, gpg.program, gpg.ssh.program, an ssh agent); the audit
//! and the evidence check signatures with `git verify-commit`.

use git2::{Oid, Repository};

use crate::rules::audit::Signed;

use super::git_cli;
use super::Workspace;

/// The variables with which git reads configuration libgit2 does not see.
const GIT_CONFIG_VARS: [&str; 5] = [
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG",
];

/// Whether git's configuration asks for signed commits. libgit2 reads the
/// usual files in-process; where git would read others (GIT_CONFIG_*
/// variables, `git -c`), git itself is asked.
pub fn signing_wanted(repo: &Repository, workdir: &std::path::Path) -> anyhow::Result<bool> {
    if GIT_CONFIG_VARS
        .iter()
        .any(|v| std::env::var_os(v).is_some())
    {
        return Ok(git_cli::config_bool(workdir, "commit.gpgsign")?.unwrap_or(false));
    }
    Ok(repo
        .config()
        .and_then(|c| c.get_bool("commit.gpgsign"))
        .unwrap_or(false))
}

/// Commit `id`'s signature as git judges it.
pub fn check(ws: &Workspace, id: Oid) -> Signed {
    if ws.git_repo().extract_signature(&id, None).is_err() {
        return Signed::None;
    }
    verified(ws.workdir(), id)
}

/// `git verify-commit` of a commit that carries a signature.
fn verified(workdir: &std::path::Path, id: Oid) -> Signed {
    match git_cli::verify_commit(workdir, &id.to_string()) {
        Ok((true, said)) => Signed::Good {
            signer: signer(&said),
        },
        Ok((false, said)) => Signed::Bad(last_words(&said)),
        Err(e) => Signed::Bad(e.to_string()),
    }
}

/// Signatures of a long history, checked ahead in parallel: each check is
/// a `git verify-commit` (and its gpg or ssh-keygen), tens of milliseconds
/// mostly spent waiting for processes, so the commits after the one asked
/// for are checked together on every core. Those checked ahead are only
/// wasted where a policy stops requiring signatures.
#[derive(Default)]
pub struct Ahead {
    known: std::collections::HashMap<Oid, Signed>,
}

/// How many commits are checked ahead at once, per core.
const AHEAD_PER_CORE: usize = 32;

impl Ahead {
    /// The signature of `ids[at]`, checking it and the next commits of
    /// `ids` that `wanted` (those judged) when it is not known yet.
    pub fn check(
        &mut self,
        ws: &Workspace,
        ids: &[Oid],
        at: usize,
        wanted: impl Fn(Oid) -> bool,
    ) -> Signed {
        if let Some(s) = self.known.remove(&ids[at]) {
            return s;
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut batch = Vec::new();
        for id in ids[at..].iter().copied().filter(|id| wanted(*id)) {
            if batch.len() >= cores * AHEAD_PER_CORE {
                break;
            }
            // Unsigned commits need no process.
            if ws.git_repo().extract_signature(&id, None).is_err() {
                self.known.insert(id, Signed::None);
            } else {
                batch.push(id);
            }
        }
        let workdir = ws.workdir().to_path_buf();
        let chunk = batch.len().div_ceil(cores).max(1);
        let results: Vec<(Oid, Signed)> = std::thread::scope(|scope| {
            let workers: Vec<_> = batch
                .chunks(chunk)
                .map(|ids| {
                    let workdir = &workdir;
                    scope.spawn(move || {
                        ids.iter()
                            .map(|id| (*id, verified(workdir, *id)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_default())
                .collect()
        });
        self.known.extend(results);
        self.known
            .remove(&ids[at])
            .unwrap_or_else(|| check(ws, ids[at]))
    }
}

/// The evidence's word for a commit's signature: `none`, `good by SIGNER`,
/// `good`, or `bad: why`.
pub fn status(ws: &Workspace, id: &str) -> String {
    let Ok(oid) = Oid::from_str(id) else {
        return "none".into();
    };
    match check(ws, oid) {
        Signed::None => "none".into(),
        Signed::Good { signer: Some(s) } => format!("good by {s}"),
        Signed::Good { signer: None } => "good".into(),
        Signed::Bad(why) => format!("bad: {why}"),
    }
}

/// Who signed, from `git verify-commit --raw`: ssh-keygen says `Good "git"
/// signature for PRINCIPAL with ...`; gpg says `[GNUPG:] GOODSIG KEYID Name
/// <email>`.
fn signer(said: &str) -> Option<String> {
    for line in said.lines() {
        if let Some(rest) = line.split("signature for ").nth(1) {
            if let Some(principal) = rest.split(" with ").next() {
                return Some(principal.trim().to_string());
            }
        }
        if let Some(rest) = line.strip_prefix("[GNUPG:] GOODSIG ") {
            let uid = rest.split_once(' ').map_or("", |(_, uid)| uid);
            let email = uid
                .rsplit_once('<')
                .and_then(|(_, e)| e.strip_suffix('>'))
                .unwrap_or(uid);
            return Some(email.trim().to_string());
        }
    }
    None
}

/// The last line git or its signing program said, for a message.
fn last_words(said: &str) -> String {
    said.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("git verify-commit failed")
        .to_string()
}
