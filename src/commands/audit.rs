//! `rel audit [--since REV] [--json]`: the branch's first-parent history
//! replayed against the rules of each commit's day (contract section 9).
//! Exit 1 with findings, 0 without. Reads commits only, so it works in a
//! bare repository too; in a shallow clone it judges only the commits whose
//! parent is there and says how many it could not judge (contract 11.5).
//! `--hook`: see `audit_hook`.

use serde_json::json;

use crate::context::Context;
use crate::outcome::Outcome;
use crate::render::output::{errln, json, outln};
use crate::render::time::rfc3339;
use crate::store::git::audit_walk::UNSHALLOW;

use super::shared::audit::{audit, finding_json, finding_line, plural, Report};
use super::shared::audit_findings::Findings;

pub fn run(ctx: &Context, since: Option<&str>) -> anyhow::Result<Outcome> {
    crate::store::git::pack_windows::bound(2, 8);
    let ws = super::shared::open::commits(&ctx.start_dir)?;
    let mut report = audit(&ws, since, ctx.progress, Some(ctx.now))?;
    if ctx.json {
        json(&ReportJson(std::cell::RefCell::new(&mut report)))?;
    } else {
        print(&mut report)?;
    }
    if let Some(note) = unjudged_note(&report) {
        errln(&note);
    }
    Ok(if report.findings.is_empty() {
        Outcome::Done
    } else {
        Outcome::Failed
    })
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

/// `rel audit --json`, written as it is serialized: an import commit of a
/// million files has a million findings, never held as one JSON value
/// (they are read back one by one from where the audit wrote them).
struct ReportJson<'a>(std::cell::RefCell<&'a mut Report>);

impl serde::Serialize for ReportJson<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut report = self.0.borrow_mut();
        let report = &mut **report;
        // Only a shallow clone has commits it cannot judge: the field is
        // there when there are some.
        let fields = if report.unjudged.is_empty() { 3 } else { 4 };
        let mut map = ser.serialize_map(Some(fields))?;
        map.serialize_entry("commits", &report.commits)?;
        map.serialize_entry(
            "findings",
            &FindingsJson(std::cell::RefCell::new(&mut report.findings)),
        )?;
        map.serialize_entry(
            "policy",
            &Seq(report.policy.iter().map(|p| {
                json!({
                    "commit": p.commit,
                    "at": rfc3339(p.at),
                    "by": p.by,
                })
            })),
        )?;
        if !report.unjudged.is_empty() {
            map.serialize_entry("unjudged", &report.unjudged)?;
        }
        map.end()
    }
}

/// The findings as a JSON array, each made as it is written.
struct FindingsJson<'a>(std::cell::RefCell<&'a mut Findings>);

impl serde::Serialize for FindingsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut findings = self.0.borrow_mut();
        let mut seq = ser.serialize_seq(Some(findings.len()))?;
        // The serializer's error, kept apart from a failure to read back.
        let mut written: Result<(), S::Error> = Ok(());
        let read = findings.each(&mut |f| {
            if let Err(e) = seq.serialize_element(&finding_json(f)) {
                written = Err(e);
                anyhow::bail!("stopped");
            }
            Ok(())
        });
        written?;
        read.map_err(|e| S::Error::custom(e.to_string()))?;
        seq.end()
    }
}

/// A sequence made item by item as it is written.
struct Seq<I>(I);

impl<I> serde::Serialize for Seq<I>
where
    I: Iterator<Item = serde_json::Value> + Clone,
{
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_seq(self.0.clone())
    }
}

fn print(report: &mut Report) -> anyhow::Result<()> {
    for p in &report.policy {
        outln(&format!(
            "policy  {} {} {}: environments.toml changed",
            &p.commit[..10.min(p.commit.len())],
            rfc3339(p.at),
            p.by
        ))?;
    }
    report.findings.each(&mut |f| outln(&finding_line(f)))?;
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
