//! `rel audit --hook`: a git `pre-receive` hook for the shared (bare)
//! repository (contract 11.5). For the guarded branch (see `store::remote::hook`)
//! it audits the pushed commits before git accepts them, each judged by its
//! parent's state as `rel audit` judges; any finding, a deletion of the
//! branch, or a push that is not a fast-forward refuses the whole push
//! (exit 1, the reasons on stderr, which git shows the pusher as
//! `remote: ...`). Other refs pass.
//!
//! In `pre-receive` the pushed objects are in git's quarantine: the
//! repository is opened from git's environment (`store::git::bare::open`) so
//! they can be read.

use std::io::Read;

use crate::context::Context;
use crate::error::invalid;
use crate::outcome::Outcome;
use crate::render::output::errln;
use crate::store::git::bare;
use crate::store::remote::hook::{self, Update};
use crate::store::Workspace;

use super::shared::audit::{audit_walked, finding_line, plural, Nobody};

/// git writes one short line per ref; more than this is not git.
const MAX_INPUT: u64 = 64 << 20;

pub fn run(ctx: &Context) -> anyhow::Result<Outcome> {
    let mut input = String::new();
    std::io::stdin()
        .take(MAX_INPUT)
        .read_to_string(&mut input)
        .map_err(|e| invalid(format!("pre-receive input: {e}")))?;
    let updates = hook::parse_updates(&input)?;
    crate::store::git::pack_windows::bound(2, 8);
    let open = || {
        bare::open(&ctx.start_dir)?.ok_or_else(|| {
            invalid(
                "rel audit --hook runs as a git pre-receive hook in a bare repository \
                 (git runs it there with GIT_DIR set); this is not one",
            )
        })
    };
    let repo = open()?;
    let (_, head_branch) = bare::head(&repo)?;
    let mut refused = Vec::new();
    for update in &updates {
        let Some(root) = hook::guarded(&repo, update, head_branch.as_deref())? else {
            continue;
        };
        refused.extend(judge(open()?, update, root, ctx.now)?);
    }
    if refused.is_empty() {
        return Ok(Outcome::Done);
    }
    for line in &refused {
        errln(line);
    }
    errln(
        "rel: push refused, nothing was accepted; make the change with rel (which records \
         what the rules allow), or ask a release manager",
    );
    Ok(Outcome::Refused)
}

/// What refuses `update` of the guarded branch: nothing when it passes.
fn judge(
    repo: git2::Repository,
    update: &Update,
    root: std::path::PathBuf,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Vec<String>> {
    let branch = update.branch().unwrap_or(&update.refname);
    let Some(new) = update.new else {
        return Ok(vec![format!(
            "rel: deleting {branch}, the release repository's shared branch, is refused"
        )]);
    };
    if let Some(old) = update.old {
        if !hook::fast_forward(&repo, old, new)? {
            return Ok(vec![format!(
                "rel: the push to {branch} is not a fast-forward ({} is not an ancestor of {}): \
                 the shared branch's history is never rewritten; fetch, rebase your commits \
                 onto it and push again",
                &old.to_string()[..10],
                &new.to_string()[..10]
            )]);
        }
    }
    let ws = Workspace::in_bare(repo, Some(new), root)?;
    let walk = ws.audit_walk_pushed(update.old)?;
    // The server's now: a commit dated in the future is refused too.
    let mut report = audit_walked(&ws, &walk, false, Some(now), &mut Nobody)?;
    if report.findings.is_empty() {
        return Ok(Vec::new());
    }
    let mut lines = vec![format!(
        "rel: the push to {branch} is refused: {} finding{} in {} pushed commit{} rel would judge",
        report.findings.len(),
        plural(report.findings.len()),
        report.commits,
        plural(report.commits)
    )];
    report.findings.each(&mut |f| {
        lines.push(finding_line(f));
        Ok(())
    })?;
    Ok(lines)
}
