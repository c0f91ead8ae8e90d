//! The log commits: the latest steps of the releases' lives, replayed
//! through `git fast-import` as commits carrying `Rel-*` trailers.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::life::{live, Step};
use crate::plan::{Ctx, Spec};
use crate::Res;

/// `rel: <action> <subject>` and the `Rel-*` trailers, as rel writes them.
pub fn commit_message(step: &Step, release: &str) -> String {
    let mut m = format!(
        "rel: {} {}\n\nRel-Action: {}\nRel-Release: {release}\n",
        step.action, step.subject, step.action
    );
    if let Some(env) = step.env {
        m.push_str(&format!("Rel-Env: {env}\n"));
    }
    for o in &step.overrides {
        m.push_str(&format!("Rel-Override: {o}\n"));
    }
    if let Some(r) = step.reason {
        m.push_str(&format!("Rel-Reason: {r}\n"));
    }
    m
}

/// `Name <email>` as a fast-import identity line with a date.
fn ident(kind: &str, by: &str, t: i64) -> String {
    format!("{kind} {by} {t} +0000\n")
}

/// Streams the log commits to `git fast-import`: one pack, trees stored as
/// deltas of their previous version, instead of thousands of loose objects.
pub fn log_commits(
    dir: &Path,
    specs: &[Spec],
    steps: &[(i64, usize, usize)],
    ctx: &Ctx,
) -> Res<()> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git fast-import: {e}"))?;
    let stdin = child.stdin.take().ok_or("no stdin for git fast-import")?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdin);
    for (k, &(_, i, s)) in steps.iter().enumerate() {
        let spec = &specs[i];
        let life = live(spec, s + 1, ctx);
        let step = &life.steps[s];
        let message = commit_message(step, &spec.id);
        let content = toml::to_string(&life.release)?;
        writeln!(out, "commit refs/heads/main")?;
        out.write_all(ident("author", step.by, step.at).as_bytes())?;
        out.write_all(ident("committer", step.by, step.at).as_bytes())?;
        write!(out, "data {}\n{message}\n", message.len())?;
        if k == 0 {
            writeln!(out, "from refs/heads/main^0")?;
        }
        writeln!(out, "M 100644 inline releases/{}.toml", spec.id)?;
        write!(out, "data {}\n{content}\n", content.len())?;
    }
    writeln!(out, "done")?;
    out.flush()?;
    drop(out);
    let status = child.wait()?;
    if !status.success() {
        return Err(format!("git fast-import failed: {status}").into());
    }
    Ok(())
}
