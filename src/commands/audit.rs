//! `rel audit [--since REV] [--json]`: the branch's first-parent history
//! replayed against the rules of each commit's day (contract section 9).
//! Exit 1 with findings, 0 without. Reads commits only, so it works in a
//! bare repository too; in a shallow clone it judges only the commits whose
//! parent is there and says how many it could not judge (contract 11.5).
//! `--hook`: see `audit_hook`.

use chrono::{DateTime, Utc};
use git2::Oid;
use serde_json::json;

use crate::context::Context;
use crate::model::action::Trailers;
use crate::model::installation::Installation;
use crate::render::output::{errln, json, outln};
use crate::render::progress::Progress;
use crate::render::time::rfc3339;
use crate::rules::audit::{inconsistencies, judge, Found, Recorded, Signed, World};
use crate::store::audit_walk::{FileState, Walk, WalkedCommit, UNSHALLOW};
use crate::store::signatures;
use crate::store::{file_of, Workspace};

use super::shared::audit_state::{fold, parse};

/// One finding, with the commit it is about.
pub struct Finding {
    pub commit: String,
    pub at: DateTime<Utc>,
    pub by: String,
    pub action: String,
    pub found: Found,
}

/// A change of environments.toml: who made it, when.
pub struct PolicyChange {
    pub commit: String,
    pub at: DateTime<Utc>,
    pub by: String,
}

/// What the audit of a history found.
#[derive(Default)]
pub struct Report {
    pub commits: usize,
    pub findings: Vec<Finding>,
    pub policy: Vec<PolicyChange>,
    /// Commits not judged: a shallow clone lacks their parent.
    pub unjudged: Vec<String>,
}

pub fn run(ctx: &Context, since: Option<&str>) -> anyhow::Result<i32> {
    let ws = Workspace::open_commits(&ctx.start_dir)?;
    let report = audit(&ws, since, ctx.progress)?;
    if ctx.json {
        json(&report_json(&report))?;
    } else {
        print(&report)?;
    }
    if let Some(note) = unjudged_note(&report) {
        errln(&note);
    }
    Ok(if report.findings.is_empty() { 0 } else { 1 })
}

/// What a shallow clone's audit could not judge, and how to mend it.
fn unjudged_note(report: &Report) -> Option<String> {
    let first = report.unjudged.first()?;
    let n = report.unjudged.len();
    Some(format!(
        "note: this clone is shallow: {n} commit{} ({}) could not be judged, its parent is not \
         here, and the history before it was not audited; {UNSHALLOW} and run rel audit again",
        plural(n),
        &first[..10.min(first.len())]
    ))
}

/// Looks over the audit's shoulder (`rel evidence`): sees each commit with
/// the state before it, then the findings on it.
pub trait Observer {
    /// rel's files where the walk starts.
    fn start(&mut self, _files: &[FileState]) {}
    /// A commit about to be judged, and the state of its parent.
    fn before(&mut self, _world: &World, _commit: &WalkedCommit) {}
    /// The commit judged: the findings on it.
    fn after(&mut self, _commit: &WalkedCommit, _findings: &[Finding]) {}
}

/// No one looks over the audit's shoulder.
pub struct Nobody;
impl Observer for Nobody {}

/// Audits the first-parent history from `since` (default: the beginning);
/// `progress`: a bar over the commits may be drawn on the terminal.
pub fn audit(ws: &Workspace, since: Option<&str>, progress: bool) -> anyhow::Result<Report> {
    audit_observed(ws, since, progress, &mut Nobody)
}

/// `audit`, with `observer` shown every commit.
pub fn audit_observed(
    ws: &Workspace,
    since: Option<&str>,
    progress: bool,
    observer: &mut dyn Observer,
) -> anyhow::Result<Report> {
    let reading = Progress::spinner(progress, "audit: reading the history");
    let walk = ws.audit_walk(since)?;
    reading.finish();
    audit_walked(ws, &walk, progress, observer)
}

/// Judges the commits of `walk`, each against its parent's state.
pub fn audit_walked(
    ws: &Workspace,
    walk: &Walk,
    progress: bool,
    observer: &mut dyn Observer,
) -> anyhow::Result<Report> {
    let mut world = World::default();
    let start = walk.start()?;
    observer.start(&start);
    fold(&mut world, parse(&start));
    let mut report = Report {
        unjudged: walk.grafted.iter().map(Oid::to_string).collect(),
        ..Report::default()
    };
    let mut signed_ahead = signatures::Ahead::default();
    let bar = Progress::bar(progress, walk.commits.len() as u64, "audit: commits");
    for (n, id) in walk.commits.iter().enumerate() {
        bar.inc(1);
        let Some(c) = walk.commit(*id)? else {
            continue;
        };
        report.commits += 1;
        observer.before(&world, &c);
        let first = report.findings.len();
        // Signatures are checked (one git verify-commit each) only where
        // the policy of the parent commit asks for them.
        let required = matches!(&world.pipeline, Some(Ok(p)) if p.audit.require_signed);
        let signature =
            required.then(|| signed_ahead.check(ws, &walk.commits, n, |id| walk.touches(id)));
        let c = judge_commit(&mut world, c, signature, &mut report);
        observer.after(&c, &report.findings[first..]);
    }
    bar.finish();
    Ok(report)
}

fn judge_commit(
    world: &mut World,
    c: WalkedCommit,
    signature: Option<Signed>,
    report: &mut Report,
) -> WalkedCommit {
    let parsed = parse(&c.files);
    let by = format!("{} <{}>", c.name, c.email);
    let rec = Recorded {
        trailers: c.trailers.clone(),
        at: c.at,
        by: by.clone(),
        email: c.email.clone(),
        merge: c.merge,
        releases: parsed.releases.clone(),
        incidents: parsed.incidents.clone(),
        pipeline_changed: parsed.pipeline.is_some(),
        reports: parsed.reports.clone(),
        installations: parsed
            .installations
            .iter()
            .map(|(id, _)| file_of::<Installation>(id))
            .collect(),
        signature,
    };
    let commit = c.id.to_string();
    let action = match &c.trailers {
        Some(Ok(Trailers { action, .. })) => action.name().to_string(),
        _ if c.merge => "merge".to_string(),
        _ => "edit".to_string(),
    };
    let release_named = match &c.trailers {
        Some(Ok(t)) => t.release.clone(),
        _ => None,
    };
    let mut found = judge(world, &rec);
    if rec.pipeline_changed {
        report.policy.push(PolicyChange {
            commit: commit.clone(),
            at: c.at,
            by: by.clone(),
        });
    }
    let touched_releases: Vec<String> = parsed.releases.iter().map(|(id, _)| id.clone()).collect();
    let touched_incidents: Vec<String> =
        parsed.incidents.iter().map(|(id, _)| id.clone()).collect();
    fold(world, parsed);
    let pipeline = world.pipeline.as_ref().and_then(|p| p.as_ref().ok());
    found.extend(inconsistencies(
        world,
        pipeline,
        &touched_releases,
        &touched_incidents,
    ));
    for mut f in found {
        if f.release.is_none() {
            f.release = release_named.clone();
        }
        report.findings.push(Finding {
            commit: commit.clone(),
            at: c.at,
            by: by.clone(),
            action: action.clone(),
            found: f,
        });
    }
    c
}

fn report_json(report: &Report) -> serde_json::Value {
    let mut doc = json!({
        "commits": report.commits,
        "findings": report.findings.iter().map(|f| json!({
            "commit": f.commit,
            "at": rfc3339(f.at),
            "by": f.by,
            "action": f.action,
            "release": f.found.release,
            "finding": f.found.kind.as_str(),
            "message": f.found.message,
        })).collect::<Vec<_>>(),
        "policy": report.policy.iter().map(|p| json!({
            "commit": p.commit,
            "at": rfc3339(p.at),
            "by": p.by,
        })).collect::<Vec<_>>(),
    });
    // Only a shallow clone has commits it cannot judge: the field is there
    // when there are some.
    if !report.unjudged.is_empty() {
        doc["unjudged"] = json!(report.unjudged);
    }
    doc
}

fn print(report: &Report) -> anyhow::Result<()> {
    for p in &report.policy {
        outln(&format!(
            "policy  {} {} {}: environments.toml changed",
            &p.commit[..10.min(p.commit.len())],
            rfc3339(p.at),
            p.by
        ))?;
    }
    for f in &report.findings {
        outln(&finding_line(f))?;
    }
    let summary = format!(
        "{} commit{} audited: {} finding{}, {} policy change{}",
        report.commits,
        plural(report.commits),
        report.findings.len(),
        plural(report.findings.len()),
        report.policy.len(),
        plural(report.policy.len())
    );
    if report.findings.is_empty() {
        outln(&summary)
    } else {
        errln(&summary);
        Ok(())
    }
}

/// A finding on one line: kind, commit, time, who, action, release, why.
pub fn finding_line(f: &Finding) -> String {
    format!(
        "{:<12} {} {} {} {}{}: {}",
        f.found.kind.as_str(),
        &f.commit[..10.min(f.commit.len())],
        rfc3339(f.at),
        f.by,
        f.action,
        f.found
            .release
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default(),
        f.found.message
    )
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
