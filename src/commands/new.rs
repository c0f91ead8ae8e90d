//! `rel new`: create a release in the first environment.

use chrono::{Datelike, NaiveDate};

use crate::cli::NewArgs;
use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::ids::id_key;
use crate::model::quote::quoted;
use crate::model::release::{parse_version, Kind, Release};
use crate::render::output::{json, outln};
use crate::render::release::release_json;
use crate::rules::actions::may_create;
use crate::rules::moves::{self, NewRelease};
use crate::rules::register::effects::Stamp;
use crate::store::toml_file::to_canonical;
use crate::store::{file_of, Change, CommitMessage};

use super::shared::args::{required_text, Id};
use super::shared::promotion_facts::occupants;
use super::shared::{refuse, write, Decision};

pub fn run(ctx: &Context, args: &NewArgs) -> anyhow::Result<i32> {
    // Check the arguments before touching the repository.
    let version = parse_version(&args.version).map_err(invalid)?;
    let kind = match &args.kind {
        Some(k) => k.parse::<Kind>().map_err(invalid)?,
        None => Kind::from_version(&version),
    };
    let asked_id = args.id.as_deref().map(Id::release).transpose()?;
    let target = args.target.as_deref().map(target_date).transpose()?;
    let title = required_text("--title", &args.title, "the release's title")?;

    let release = write(ctx, |ws, actor| {
        let pipeline = ws.pipeline()?;
        let existing = ws.ids::<Release>()?;
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
        let occupants = occupants(ws, &pipeline, 0, &id)?;
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
        let release = moves::create(
            &NewRelease {
                id: &id,
                title: &title,
                version: &version,
                kind,
                target,
                first: &first,
            },
            Stamp {
                at: ctx.now,
                by: &by,
            },
        );
        let change = Change {
            path: file_of::<Release>(&id),
            content: to_canonical(&release)?.into_bytes(),
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
    Ok(0)
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
