//! `rel audit [--since REV] [--json]`: the branch's first-parent history
//! replayed against the rules of each commit's day (contract section 9).
//! Exit 1 with findings, 0 without. Reads commits only, so it works in a
//! bare repository too; in a shallow clone it judges only the commits whose
//! parent is there and says how many it could not judge (contract 11.5).
//! `--hook`: see `audit_hook`.

use serde_json::json;

use crate::context::Context;
use crate::render::output::{errln, json, outln};
use crate::render::time::rfc3339;
use crate::store::git::audit_walk::UNSHALLOW;

use super::shared::audit::{audit, finding_line, plural, Report};

pub fn run(ctx: &Context, since: Option<&str>) -> anyhow::Result<i32> {
    let ws = super::shared::open::commits(&ctx.start_dir)?;
    let report = audit(&ws, since, ctx.progress, Some(ctx.now))?;
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
