//! `rel path R [--set simple|standard --reason T]` (contract section 8):
//! the release's update path, the hop it makes and each condition's
//! outcome; `--set` reclassifies it. To simple only while every condition
//! holds (rule `path`); to standard, the release also goes back to the
//! first standard-path environment before it that it has not been
//! through, in the same commit. A path set by a person stays until set
//! again.

use serde_json::{json, Value};

use crate::cli_updates::PathArgs;
use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::path::{SetBy, UpdatePath};
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::render::output::{json as print_json, outln};
use crate::render::text::shown;
use crate::rules::occupancy::Asker;
use crate::rules::paths::{first_unvisited, may_set_path, set_path, PathDecision};
use crate::rules::register::effects::Stamp;
use crate::store::{change_for, CommitMessage};

use super::shared::args::{Id, Reason};
use super::shared::paths::decision;
use super::shared::promotion_facts::occupants;
use super::shared::{open_reading, refuse, release_to_change, write, Decision};

pub fn run(ctx: &Context, args: &PathArgs) -> anyhow::Result<Outcome> {
    let id = Id::release(&args.release)?;
    let Some(set) = &args.set else {
        let ws = open_reading(ctx)?;
        let pipeline = ws.pipeline()?;
        let release: Release = crate::commands::shared::suggest::load(&ws, id.as_str())?;
        // Its environments are those of its own pipeline.
        let pipeline = pipeline.lane_of(&release);
        let d = decision(&ws, &pipeline, &release, &[])?;
        return print(ctx, &release, &d);
    };
    let wanted: UpdatePath = set.parse().map_err(invalid)?;
    let reason = Reason::required(
        args.reason.as_deref().unwrap_or(""),
        "the path is set by hand",
    )?;
    let (release, d) = write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, id.as_str())?;
        // Its environments are those of its own pipeline.
        let pipeline = pipeline.lane_of(&release);
        let d = decision(ws, &pipeline, &release, &[])?;
        let back = if wanted == UpdatePath::Standard && release.state.in_progress() {
            first_unvisited(&pipeline, &release)
        } else {
            None
        };
        let occupants = match back {
            Some(i) => occupants(ws, &pipeline, i, Asker::from(&release))?,
            None => Vec::new(),
        };
        let verdict = may_set_path(&pipeline, &release, wanted, &d, back, &occupants);
        if !verdict.allowed() {
            return Err(refuse(
                Action::Path,
                Some(&release.id),
                &format!("cannot set {} to the {wanted} path", release.id),
                &verdict,
            ));
        }
        let unchanged = back.is_none()
            && release
                .path
                .as_ref()
                .is_some_and(|p| p.name == wanted && p.set_by == SetBy::Person);
        if unchanged {
            return Ok(Decision::nothing(
                format!("{} is already set to the {wanted} path", release.id),
                (release, d),
            ));
        }
        let from = release.environment.clone();
        let by = actor.to_string();
        set_path(
            &pipeline,
            &mut release,
            wanted,
            &d,
            back,
            reason.as_str(),
            Stamp {
                at: ctx.now,
                by: &by,
            },
        );
        let mut message = CommitMessage::new(Action::Path, &format!("{} {wanted}", release.id));
        message.release = Some(release.id.clone());
        message.reason = Some(reason.as_str().to_string());
        let moved = back.map(|_| {
            format!(
                "{} goes back from {from} to {}, the first standard-path environment it has not been through",
                release.id, release.environment
            )
        });
        if back.is_some() {
            message.body.push(format!(
                "Back from {from} to {}, the first standard-path environment it has not been through",
                release.environment
            ));
            message.env = Some(release.environment.clone());
        }
        let decision = Decision::commit(vec![change_for(&release)?], message, (release, d));
        Ok(match moved {
            Some(line) => decision.note(line),
            None => decision,
        })
    })?;
    print(ctx, &release, &d)
}

fn print(ctx: &Context, r: &Release, d: &PathDecision) -> anyhow::Result<Outcome> {
    let recorded = r.path.as_ref();
    let path = recorded.map_or(d.path, |p| p.name);
    let set_by = recorded.map_or(SetBy::Rules, |p| p.set_by);
    if ctx.json {
        print_json(&json!({
            "release": r.id,
            "path": path.as_str(),
            "set_by": set_by.as_str(),
            "hop": {
                "from": d.hop.from.to_string(),
                "to": d.hop.to.to_string(),
                "major": d.hop.major,
                "minor": d.hop.minor,
                "patch": d.hop.patch,
            },
            "reasons": d.conditions.iter().map(|c| json!({
                "condition": c.condition,
                "holds": c.holds,
                "message": c.message,
            })).collect::<Vec<Value>>(),
        }))?;
        return Ok(Outcome::Done);
    }
    if ctx.dry_run {
        return Ok(Outcome::Done);
    }
    outln(&format!(
        "{}: {path} path (set by {}), hop {} ({} -> {})",
        r.id,
        set_by.as_str(),
        d.hop.size(),
        d.hop.from,
        d.hop.to
    ))?;
    if let Some(reason) = recorded.and_then(|p| p.reason.as_deref()) {
        outln(&format!("  reason: {}", shown(reason)))?;
    }
    for c in &d.conditions {
        let mark = if c.holds { "holds" } else { "fails" };
        outln(&format!("  {:<12} {mark}: {}", c.condition, c.message))?;
    }
    Ok(Outcome::Done)
}
