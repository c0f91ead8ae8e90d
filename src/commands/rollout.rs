//! `rel rollout --version V --title T [--installation NAME]…`: one update
//! per installation, in one commit (contract section 8). All or nothing:
//! when the rules refuse one update, none is made.
//!
//! Without `--installation`, every installation whose version is below V
//! gets an update and those already at V or above are passed over (and
//! named on stderr); an installation named with `--installation` that is
//! not below V is exit 2, as with `rel new --installation`.

use serde_json::Value;

use crate::cli_updates::RolloutArgs;
use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::ids::id_key;
use crate::model::installation::Installation;
use crate::model::path::Hop;
use crate::model::release::{parse_version, Release};
use crate::outcome::Outcome;
use crate::render::output::{errln, json, outln};
use crate::render::progress::Progress;
use crate::render::release::release_json;
use crate::store::{change_for, CommitMessage};

use super::shared::args::{required_text, Id};
use super::shared::carries::{require_product, GivenVersion, Products};
use super::shared::paths::breaking_released;
use super::shared::update::{make_update_with, Update};
use super::shared::{write, Decision};

pub fn run(ctx: &Context, args: &RolloutArgs) -> anyhow::Result<Outcome> {
    // A version, or a product release's id (contract 11.3).
    let given = GivenVersion::parse(&args.version, true)?;
    let title = required_text("--title", &args.title, "the update's title")?;
    let named = args
        .installations
        .iter()
        .map(|n| Id::installation(n))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let (made, passed, version) = write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let products = Products::read(ws)?;
        let version = given.resolve(ws, &products)?;
        let all = ws.installations()?;
        let mut chosen: Vec<Installation> = Vec::new();
        let mut passed: Vec<String> = Vec::new();
        if named.is_empty() {
            for i in all {
                let below = parse_version(&i.version).is_ok_and(|v| v < version);
                if below {
                    chosen.push(i);
                } else {
                    passed.push(format!("{} runs {}", i.name, i.version));
                }
            }
        } else {
            for n in &named {
                let found = all
                    .iter()
                    .find(|i| id_key(&i.name) == id_key(n.as_str()))
                    .ok_or_else(|| invalid(format!("unknown installation `{n}`")))?;
                if !chosen.iter().any(|c| c.name == found.name) {
                    chosen.push(found.clone());
                }
            }
        }
        if chosen.is_empty() {
            return Err(invalid(format!(
                "no installation runs a version below {version}; nothing to roll out"
            )));
        }
        // The breaking releases over the widest hop, read once.
        let lowest = chosen
            .iter()
            .filter_map(|i| parse_version(&i.version).ok())
            .min()
            .unwrap_or_else(|| semver::Version::new(0, 0, 0));
        let breaking = breaking_released(ws, &Hop::between(&lowest, &version))?;
        let mut taken = ws.release_ids_taken(chrono::Datelike::year(&ctx.now), None)?;
        let mut made: Vec<Release> = Vec::with_capacity(chosen.len());
        // On a terminal, a bar over the installations.
        let bar = Progress::bar(ctx.progress, chosen.len() as u64, "rollout: updates");
        for installation in chosen {
            bar.inc(1);
            let spec = Update {
                installation,
                version: &version,
                kind: None,
                title: &title,
                id: None,
                target: None,
            };
            let r = make_update_with(
                ctx,
                ws,
                &pipeline,
                &spec,
                &taken,
                actor,
                Some(&breaking),
                &products,
            )?;
            taken.push(r.id.clone());
            made.push(r);
        }
        bar.finish();
        // Once the input is checked (exit 2 first): may updates to V exist?
        require_product(&pipeline, &version, &products, Action::Rollout, None)?;
        let changes = made
            .iter()
            .map(change_for)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut message = CommitMessage::new(
            Action::Rollout,
            &format!("{version} to {} installation(s)", made.len()),
        );
        for r in &made {
            message.body.push(format!(
                "{} ({}, {} path): {} from {}",
                r.id,
                r.kind,
                r.path.as_ref().map_or("no", |p| p.name.as_str()),
                r.installation.as_deref().unwrap_or_default(),
                r.from_version.as_deref().unwrap_or_default()
            ));
        }
        message.env = Some(pipeline.first().name.clone());
        Ok(Decision::commit(changes, message, (made, passed, version)))
    })?;
    for p in &passed {
        errln(&format!("passed over: {p}, not below {version}"));
    }
    if ctx.json {
        json(&Value::Array(made.iter().map(release_json).collect()))?;
    } else {
        for r in &made {
            outln(&r.id)?;
        }
    }
    Ok(Outcome::Done)
}
