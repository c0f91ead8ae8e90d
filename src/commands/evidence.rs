//! `rel evidence R [--output FILE]`: one JSON document with what an auditor
//! needs about release R (contract section 9). Deterministic: made from the
//! commits alone (HEAD's tree and its first-parent history), never from the
//! clock, so the same repository gives the same bytes whenever it is run.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::context::Context;
use crate::model::incident::Incident;
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::render::output::{document, errln, json as json_doc};
use crate::store::output::output_path::OutputFile;
use crate::store::repo::workspace::PIPELINE_FILE;
use crate::store::Workspace;

use super::shared::audit::audit_observed;
use super::shared::evidence_walk::{sha256, EvidenceWalk};
use super::shared::notes::markdown_of;

pub fn run(ctx: &Context, release_id: &str, output: Option<&Path>) -> anyhow::Result<Outcome> {
    let id = super::shared::args::Id::release(release_id)?;
    let ws = super::shared::open::reading(&ctx.start_dir, false)?;
    let release: Release = crate::commands::shared::suggest::load_past(&ws, id.as_str())?;
    let target = output
        .map(|given| OutputFile::check(&ctx.start_dir, given, &ws.root))
        .transpose()?;
    let doc = evidence(&ws, &release)?;
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    match (output, target) {
        (Some(given), Some(target)) => {
            if ctx.dry_run {
                errln(&format!(
                    "dry run: would write the evidence of {} to {}",
                    release.id,
                    given.display()
                ));
            } else {
                target.write(text.as_bytes())?;
                errln(&format!(
                    "wrote the evidence of {} to {}",
                    release.id,
                    given.display()
                ));
            }
            if ctx.json {
                json_doc(&json!({"release": release.id, "output": given, "dry_run": ctx.dry_run}))?;
            }
        }
        _ => document(text.trim_end())?,
    }
    Ok(Outcome::Done)
}

/// The evidence document of `release`, from HEAD and its history.
pub fn evidence(ws: &Workspace, release: &Release) -> anyhow::Result<Value> {
    let incidents = release
        .incidents
        .iter()
        .map(|id| ws.load_past::<Incident>(id))
        .collect::<anyhow::Result<Vec<Incident>>>()?;
    let mut walk = EvidenceWalk::new(&release.id);
    // No now: the evidence is the same bytes whenever it is made.
    audit_observed(ws, None, false, None, &mut walk)?;

    // Every file the document is made of, with its sha256.
    let mut digests: BTreeMap<String, String> = BTreeMap::new();
    let mut digest_of = |path: &str| -> anyhow::Result<Option<String>> {
        let Some(bytes) = committed_bytes(ws, path)? else {
            return Ok(None);
        };
        let d = sha256(&bytes);
        digests.insert(path.to_string(), d.clone());
        Ok(Some(d))
    };
    digest_of(PIPELINE_FILE)?;
    // Each file where it lies: in progress, or in the archive.
    digest_of(&ws.past_file::<Release>(&release.id)?)?;
    for i in &incidents {
        digest_of(&ws.past_file::<Incident>(&i.id)?)?;
    }
    let mut health = Vec::new();
    for h in &release.health {
        let mut v = serde_json::to_value(h)?;
        if let (Some(log), Value::Object(map)) = (&h.log, &mut v) {
            map.insert(
                "log_sha256".into(),
                json!(digest_of(&ws.past_report(log)?)?),
            );
        }
        health.push(v);
    }
    // The notes are made with the project's template when it has one.
    digest_of(super::shared::notes::TEMPLATE)?;

    let approvals: Vec<Value> = release
        .approvals
        .iter()
        .map(|a| {
            let key = (
                a.env.clone(),
                a.role.clone(),
                a.email.clone(),
                crate::render::time::rfc3339(a.at),
            );
            let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut v {
                let members = walk.members.get(&key).cloned().flatten();
                map.insert(
                    "role_open_to_anyone".into(),
                    json!(walk.members.get(&key).is_some_and(|m| m.is_none())),
                );
                map.insert("role_members".into(), json!(members));
            }
            v
        })
        .collect();

    let mut transitions = walk.transitions;
    for t in &mut transitions {
        let status = t["commit"]
            .as_str()
            .map(|c| crate::store::git::signatures::status(ws, c))
            .unwrap_or_default();
        t["signature"] = json!(status);
    }
    let notes = markdown_of(
        ws,
        &super::shared::notes::notes_of(ws, release, &incidents)?,
    )?;

    Ok(json!({
        "release": serde_json::to_value(release)?,
        "incidents": incidents,
        "transitions": transitions,
        "approvals": approvals,
        "ticks": release.ticks,
        "health": health,
        "pipeline": walk.entered,
        "audit": walk.findings,
        "notes": notes,
        "digests": digests,
    }))
}

/// The bytes of a file of rel's in HEAD's tree (relative to the release
/// root); None when absent.
fn committed_bytes(ws: &Workspace, relative: &str) -> anyhow::Result<Option<Vec<u8>>> {
    match ws.blob_of(relative)? {
        Some(id) => Ok(Some(ws.git_repo().find_blob(id)?.content().to_vec())),
        None => Ok(None),
    }
}
