//! Commit signatures, as git makes and checks them: rel signs its commits
//! when git's configuration asks for it (`commit.gpgSign`), through `git
//! commit-tree -S` so that every setting of git's applies (gpg.format,
//! user.signingKey, gpg.program, gpg.ssh.program, an ssh agent); the audit
//! and the evidence check signatures with `git verify-commit`.

use git2::{Oid, Repository};

use crate::rules::audit::Signed;

use super::git_cli;
use crate::store::Workspace;

/// Whether git's configuration asks for signed commits, as git reads it
/// (`git_config`: in-process where that is certainly git's view, else one
/// `git config --list`, shared with the checkout after the commit).
pub fn signing_wanted(repo: &Repository, workdir: &std::path::Path) -> anyhow::Result<bool> {
    Ok(super::git_config::cached(repo, workdir)?
        .get_bool("commit.gpgsign")?
        .unwrap_or(false))
}

/// Commit `id`'s signature as git judges it.
pub fn check(ws: &Workspace, id: Oid) -> Signed {
    if ws.git_repo().extract_signature(&id, None).is_err() {
        return Signed::None;
    }
    verified(ws.workdir(), id, None)
}

/// Commit `id`'s signature as git judges it with the allowed signers in
/// `signers`.
pub fn check_with(ws: &Workspace, id: Oid, signers: Option<&std::path::Path>) -> Signed {
    if ws.git_repo().extract_signature(&id, None).is_err() {
        return Signed::None;
    }
    verified(ws.workdir(), id, signers)
}

/// `git verify-commit` of a commit that carries a signature, with the
/// allowed signers of `signers` when given.
fn verified(workdir: &std::path::Path, id: Oid, signers: Option<&std::path::Path>) -> Signed {
    match git_cli::verify_commit(workdir, &id.to_string(), signers) {
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
    /// By commit and the allowed-signers file it was checked with.
    known: std::collections::HashMap<(Oid, Option<std::path::PathBuf>), Signed>,
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
        signers: Option<&std::path::Path>,
    ) -> Signed {
        let key = |id: Oid| (id, signers.map(std::path::Path::to_path_buf));
        if let Some(s) = self.known.remove(&key(ids[at])) {
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
                self.known.insert(key(id), Signed::None);
            } else {
                batch.push(id);
            }
        }
        let workdir = ws.workdir().to_path_buf();
        let chunk = batch.len().div_ceil(cores).max(1);
        let results: Vec<((Oid, Option<std::path::PathBuf>), Signed)> =
            std::thread::scope(|scope| {
                let workers: Vec<_> = batch
                    .chunks(chunk)
                    .map(|ids| {
                        let workdir = &workdir;
                        scope.spawn(move || {
                            ids.iter()
                                .map(|id| (key(*id), verified(workdir, *id, signers)))
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
        self.known.remove(&key(ids[at])).unwrap_or_else(|| {
            if ws.git_repo().extract_signature(&ids[at], None).is_err() {
                Signed::None
            } else {
                verified(ws.workdir(), ids[at], signers)
            }
        })
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

/// The allowed-signers files of the commits an audit judges by, written
/// once per distinct content into a private temporary folder (git reads
/// the file by path), removed when the audit is done.
#[derive(Default)]
pub struct SignersFiles {
    dir: Option<tempfile::TempDir>,
    by_blob: std::collections::HashMap<Option<Oid>, std::path::PathBuf>,
}

impl SignersFiles {
    /// The file `path` (in the release repository) as commit `commit`
    /// holds it; an empty file when it holds none (nothing verifies).
    pub fn at(
        &mut self,
        ws: &Workspace,
        commit: Oid,
        path: &str,
    ) -> anyhow::Result<std::path::PathBuf> {
        let blob = ws.blob_in_commit(commit, path)?;
        if let Some(p) = self.by_blob.get(&blob) {
            return Ok(p.clone());
        }
        let dir = match &self.dir {
            Some(d) => d.path().to_path_buf(),
            None => {
                let d = tempfile::tempdir()?;
                let p = d.path().to_path_buf();
                self.dir = Some(d);
                p
            }
        };
        let file = dir.join(format!("allowed-signers-{}", self.by_blob.len()));
        let content = match blob {
            Some(b) => ws.git_repo().find_blob(b)?.content().to_vec(),
            None => Vec::new(),
        };
        std::fs::write(&file, content)?;
        self.by_blob.insert(blob, file.clone());
        Ok(file)
    }
}
