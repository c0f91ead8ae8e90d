//! `rel new`: create a release in the first environment.

use crate::model::action::Action;
use chrono::{Datelike, NaiveDate};

use crate::cli::NewArgs;
use crate::context::Context;
use crate::error::invalid;
use crate::model::ids::{id_key, validate_id};
use crate::model::quote::quoted;
use crate::model::release::{parse_version, Event, Kind, Release, State};
use crate::render::output::{json, outln};
use crate::render::release::release_json;
use crate::store::toml_file::to_canonical;
use crate::store::{file_of, Change, CommitMessage, Workspace};

pub fn run(ctx: &Context, args: &NewArgs) -> anyhow::Result<i32> {
    // Check the arguments before touching the repository.
    let version = parse_version(&args.version).map_err(invalid)?;
    let kind = match &args.kind {
        Some(k) => k.parse::<Kind>().map_err(invalid)?,
        None => Kind::from_version(&version),
    };
    if let Some(id) = &args.id {
        validate_id("release", id).map_err(invalid)?;
    }
    let target = args
        .target
        .as_deref()
        .map(|t| {
            // Exactly YYYY-MM-DD: chrono alone also takes 2026-1-1 or +99999-01-01.
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
        })
        .transpose()?;
    let title = args.title.trim();
    if title.is_empty() {
        return Err(invalid("a release needs a title (--title)"));
    }

    let ws = Workspace::open_for_write(&ctx.start_dir)?;
    let pipeline = ws.pipeline()?;
    let existing = ws.ids::<Release>()?;
    let id = match &args.id {
        Some(id) => {
            if let Some(other) = existing.iter().find(|e| id_key(e) == id_key(id)) {
                return Err(invalid(format!("release `{other}` already exists")));
            }
            id.clone()
        }
        None => next_id(&existing, ctx.now.year()).ok_or_else(|| {
            invalid(format!(
                "no next number after the highest R-{:04}-NNN id; name the release with --id",
                ctx.now.year()
            ))
        })?,
    };
    let actor = super::actor(ctx, &ws)?;
    let first = pipeline.first().name.clone();
    let mut event = Event::new(ctx.now, &actor.to_string(), Action::New);
    event.env = Some(first.clone());
    event.detail = Some(format!("version {version}, {kind}"));
    let release = Release {
        id: id.clone(),
        title: title.to_string(),
        version: version.to_string(),
        kind,
        state: State::Open,
        environment: first.clone(),
        entered_at: ctx.now,
        revision: 1,
        target,
        created_at: ctx.now,
        created_by: actor.to_string(),
        incidents: Vec::new(),
        approvals: Vec::new(),
        ticks: Vec::new(),
        health: Vec::new(),
        schedules: Vec::new(),
        held: None,
        history: vec![event],
    };
    let change = Change {
        path: file_of::<Release>(&id),
        content: to_canonical(&release)?,
    };
    let mut message = CommitMessage::new(Action::New, &id);
    message
        .body
        .push(format!("{} {} ({kind}): {title}", id, release.version));
    message.release = Some(id.clone());
    message.env = Some(first);
    super::apply(ctx, &ws, &actor, &[change], &message)?;
    if ctx.json {
        json(&release_json(&release))?;
    } else {
        outln(&id)?;
    }
    Ok(0)
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
