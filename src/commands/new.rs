//! `rel new`: create a release in the first environment.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};

use crate::cli::NewArgs;
use crate::context::Context;
use crate::error::{invalid, usage};
use crate::model::action::Action;
use crate::model::ids::id_key;
use crate::model::installation::Installation;
use crate::model::pipeline::Pipeline;
use crate::model::quote::quoted;
use crate::model::release::{Kind, Release};
use crate::outcome::Outcome;
use crate::render::output::{json, outln};
use crate::render::release::release_json;
use crate::rules::actions::may_create;
use crate::rules::moves::{self, NewRelease};
use crate::rules::occupancy::Asker;
use crate::rules::register::effects::Stamp;
use crate::store::repo::toml_file::to_canonical;
use crate::store::{file_of, Change, CommitMessage};

use super::shared::args::{required_text, Id};
use super::shared::carries::{GivenVersion, Products};
use super::shared::paths::{last_released_below, redecide};
use super::shared::promotion_facts::occupants;
use super::shared::update::{make_update, Update};
use super::shared::{refuse, write, Decision};

pub fn run(ctx: &Context, args: &NewArgs) -> anyhow::Result<Outcome> {
    // Check the arguments before touching the repository. An update's
    // --version may name a product release (contract 11.3).
    let given = GivenVersion::parse(&args.version, args.installation.is_some())?;
    let asked_kind = args
        .kind
        .as_deref()
        .map(|k| k.parse::<Kind>().map_err(invalid))
        .transpose()?;
    let asked_id = args.id.as_deref().map(Id::release).transpose()?;
    let target = args.target.as_deref().map(target_date).transpose()?;
    let installation = args
        .installation
        .as_deref()
        .map(Id::installation)
        .transpose()?;
    // Contract section 8: `--title` may be left out for an update only
    // (its default names the installation, as stored, once it is loaded).
    let title = match (&args.title, &installation) {
        (Some(t), _) => Some(required_text("--title", t, "the release's title")?),
        (None, Some(_)) => None,
        (None, None) => return Err(title_needed()),
    };

    let release = write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let lane = chosen_pipeline(&pipeline, args.pipeline.as_deref(), installation.is_some())?;
        let existing =
            ws.release_ids_taken(ctx.now.year(), asked_id.as_ref().map(|i| i.as_str()))?;
        if let Some(name) = &installation {
            let installation = super::shared::suggest::load::<Installation>(ws, name.as_str())?;
            let products = Products::read(ws)?;
            let version = given.resolve(ws, &products)?;
            let title = title
                .clone()
                .unwrap_or_else(|| format!("Update of {} to {version}", installation.name));
            let spec = Update {
                installation,
                version: &version,
                kind: asked_kind,
                title: &title,
                id: asked_id.as_ref().map(|i| i.to_string()),
                target,
            };
            let release = make_update(ctx, ws, &lane, &spec, &existing, actor, &products)?;
            let change = Change {
                path: file_of::<Release>(&release.id),
                content: to_canonical(&release)?.into_bytes(),
                removed: false,
            };
            let mut message = CommitMessage::new(Action::New, &release.id);
            message.body.push(format!(
                "{} {} ({}): update of {} from {}: {title}",
                release.id,
                release.version,
                release.kind,
                spec.installation.name,
                spec.installation.version
            ));
            message.release = Some(release.id.clone());
            message.env = Some(release.environment.clone());
            return Ok(Decision::commit(vec![change], message, release));
        }
        // A release of the product: its title was checked above, its
        // version is a version.
        let title = title.clone().ok_or_else(title_needed)?;
        let GivenVersion::Version(version) = &given else {
            return Err(invalid(format!(
                "invalid version {}",
                quoted(&args.version)
            )));
        };
        let kind = asked_kind.unwrap_or_else(|| Kind::from_version(version));
        let id = match &asked_id {
            Some(id) => {
                if let Some(other) = existing.iter().find(|e| id_key(e) == id_key(id.as_str())) {
                    return Err(invalid(format!("release `{other}` already exists")));
                }
                id.to_string()
            }
            None => next_id(&existing, ctx.now.year()).ok_or_else(|| {
                invalid(format!(
                    "no next number after the highest R-{:04}-NNN id; name the release with --id",
                    ctx.now.year()
                ))
            })?,
        };
        let pipeline = lane;
        let asker = Asker {
            id: &id,
            installation: None,
            pipeline: pipeline.pipeline_name(),
        };
        let occupants = occupants(ws, &pipeline, 0, asker)?;
        let verdict = may_create(&pipeline, &id, &occupants);
        if !verdict.allowed() {
            return Err(refuse(
                Action::New,
                Some(&id),
                &format!("cannot create {id} in {}", pipeline.first().name),
                &verdict,
            ));
        }
        let first = pipeline.first().name.clone();
        let by = actor.to_string();
        let from = last_released_below(ws, version)?;
        let mut release = moves::create(
            &NewRelease {
                id: &id,
                title: &title,
                version,
                kind,
                target,
                first: &first,
                installation: None,
                pipeline: pipeline.recorded_name(),
                from_version: from.as_ref(),
                path: None,
            },
            Stamp {
                at: ctx.now,
                by: &by,
            },
        );
        redecide(ws, &pipeline, &mut release, &[], ctx.now, &by)?;
        let change = Change {
            path: file_of::<Release>(&id),
            content: to_canonical(&release)?.into_bytes(),
            removed: false,
        };
        let mut message = CommitMessage::new(Action::New, &id);
        message
            .body
            .push(format!("{} {} ({kind}): {title}", id, release.version));
        message.release = Some(id.clone());
        message.env = Some(first);
        Ok(Decision::commit(vec![change], message, release))
    })?;
    if ctx.json {
        json(&release_json(&release))?;
    } else {
        outln(&release.id)?;
    }
    Ok(Outcome::Done)
}

/// The pipeline a new release goes through: `--pipeline`, checked (exit
/// 2), else the default; an update's is `[installations] pipeline`, and a
/// `--pipeline` naming another is a mistake (exit 2).
fn chosen_pipeline<'a>(
    pipeline: &'a Pipeline,
    asked: Option<&str>,
    update: bool,
) -> anyhow::Result<Cow<'a, Pipeline>> {
    let lane = match asked {
        Some(name) => pipeline.find_lane(name).map_err(invalid)?,
        None if update => pipeline.lane_of_updates(),
        None => Cow::Borrowed(pipeline),
    };
    let updates = &pipeline.pipelines.updates;
    if update && !lane.pipeline_name().eq_ignore_ascii_case(updates) {
        return Err(usage(format!(
            "an update of an installation goes through the pipeline `{updates}` \
             ([installations] pipeline in environments.toml), not `{}`",
            lane.pipeline_name()
        )));
    }
    Ok(lane)
}

/// `--title` left out of a release of the product (exit 2).
fn title_needed() -> anyhow::Error {
    usage(
        "--title is needed for a release of the product: say in a few words what it is \
         (only an update, with --installation, has a default title)",
    )
}

/// Exactly YYYY-MM-DD: chrono alone also takes 2026-1-1 or +99999-01-01.
fn target_date(t: &str) -> anyhow::Result<NaiveDate> {
    let shaped = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .filter(|_| shaped)
        .ok_or_else(|| {
            invalid(format!(
                "invalid target date {}; expected YYYY-MM-DD",
                quoted(t)
            ))
        })
}

/// `R-YYYY-NNN`: one more than the highest number used in that year; None
/// when that number would overflow (a hand-made id such as R-2026-4294967295).
pub fn next_id(existing: &[String], year: i32) -> Option<String> {
    let prefix = format!("r-{year:04}-");
    let highest = existing
        .iter()
        .filter_map(|id| {
            id_key(id)
                .strip_prefix(&prefix)
                .and_then(|n| n.parse::<u32>().ok())
        })
        .max()
        .unwrap_or(0);
    Some(format!("R-{year:04}-{:03}", highest.checked_add(1)?))
}

#[cfg(test)]
mod tests {
    use super::next_id;

    #[test]
    fn numbers_follow_the_highest_in_the_year() {
        let ids = vec![
            "R-2026-001".to_string(),
            "r-2026-007".into(),
            "R-2025-099".into(),
            "X".into(),
        ];
        assert_eq!(next_id(&ids, 2026).as_deref(), Some("R-2026-008"));
        assert_eq!(next_id(&ids, 2027).as_deref(), Some("R-2027-001"));
        assert_eq!(next_id(&[], 2026).as_deref(), Some("R-2026-001"));
        assert_eq!(next_id(&[], 7).as_deref(), Some("R-0007-001"));
        assert_eq!(next_id(&["R-2026-4294967295".into()], 2026), None);
    }
}
