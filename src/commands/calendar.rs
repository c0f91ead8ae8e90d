//! `rel calendar [--output FILE]`: an iCalendar (RFC 5545) feed of the
//! schedules of releases in progress (with their slots) and of the
//! pipeline's blackouts, built with the `icalendar` crate.
//!
//! Instants are written in UTC (`...Z`), which every calendar shows in its
//! reader's own zone, so daylight-saving changes cannot shift them. Event
//! ids are stable: a schedule's is its release and environment (moving it
//! updates the same event in subscribers' calendars), a blackout's its
//! environment and bounds. DTSTAMP is when the schedule was made (for a
//! blackout: now), so the feed of one state differs only in that.
//!
//! Every TEXT value goes through `ical_text` (RFC 5545 section 3.3.11: no
//! control character; a line break is written `\n`), so a note cannot add
//! a line to the feed; `PRODID` names rel and its version.

use icalendar::{Calendar, Component, Event, EventLike};

use crate::commands::shared::pipeline_filter::PipelineFilter;
use crate::context::Context;
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::render::output::{document, errln, json as json_doc};
use crate::render::text::ical_text;
use crate::render::time::rfc3339;
use crate::rules::time::blackout_interval;
use crate::store::output::output_path::OutputFile;

use super::shared::notify::recipients_for;
use super::shared::schedule_facts::in_progress;

pub fn run(
    ctx: &Context,
    output: Option<&std::path::Path>,
    pipeline: Option<&str>,
) -> anyhow::Result<Outcome> {
    let ws = super::shared::open_reading(ctx)?;
    let target = output
        .map(|given| OutputFile::check(&ctx.start_dir, given, &ws.root))
        .transpose()?;
    let p = ws.pipeline()?;
    let only = PipelineFilter::new(&p, pipeline)?;
    let releases: Vec<Release> = in_progress(&ws)?
        .into_iter()
        .filter(|r| only.admits(r.pipeline_name()))
        .collect();
    let text = feed(&p, &releases, ctx.now, &only);
    match (output, target) {
        (Some(given), Some(target)) => {
            if ctx.dry_run {
                errln(&format!(
                    "dry run: would write the calendar to {}",
                    given.display()
                ));
            } else {
                target.write(text.as_bytes())?;
                errln(&format!("wrote the calendar to {}", given.display()));
            }
            if ctx.json {
                json_doc(&serde_json::json!({"output": given, "dry_run": ctx.dry_run}))?;
            }
        }
        _ if ctx.json => json_doc(&serde_json::json!({"calendar": text}))?,
        _ => document(text.trim_end())?,
    }
    Ok(Outcome::Done)
}

/// Who made the feed (RFC 5545 section 3.7.3): rel, and which version.
const PRODID: &str = concat!("-//rel//rel ", env!("CARGO_PKG_VERSION"), "//EN");

/// The feed's text (CRLF line ends, as RFC 5545 asks).
pub fn feed(
    p: &Pipeline,
    releases: &[Release],
    now: chrono::DateTime<chrono::Utc>,
    only: &PipelineFilter,
) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODID))
        .append_property(("CALSCALE", "GREGORIAN"));
    cal.name("rel: release schedules and blackouts");
    for r in releases {
        for s in &r.schedules {
            let mut event = Event::new();
            event
                .uid(&ical_text(
                    &format!("schedule-{}-{}@rel", r.id, s.env).to_lowercase(),
                ))
                .timestamp(s.made_at)
                .summary(&ical_text(&format!(
                    "{} {} into {}",
                    r.id, r.version, s.env
                )))
                .starts(s.at);
            if s.slot.is_some() {
                event.ends(s.until());
            }
            let mut description = vec![
                r.title.clone(),
                format!(
                    "{} by {}{}",
                    if s.auto {
                        "zero-touch schedule"
                    } else {
                        "scheduled"
                    },
                    s.by,
                    s.slot
                        .map(|slot| format!(", slot {slot}"))
                        .unwrap_or_default()
                ),
            ];
            if let Some(note) = &s.note {
                description.push(note.clone());
            }
            let told = recipients_for(p, r, Some(&s.env));
            if !told.is_empty() {
                description.push(format!("for {}", told.join(", ")));
            }
            let description: Vec<_> = description.iter().map(|d| ical_text(d)).collect();
            event.description(&description.join("\n"));
            cal.push(event.done());
        }
    }
    // The blackouts of every pipeline shown; an environment of a named
    // pipeline is named with it (environment names repeat across them).
    let lanes = p.pipeline_names().into_iter().filter(|n| only.admits(n));
    for lane in lanes.filter_map(|n| p.lane(n)) {
        blackouts(&mut cal, &lane, now);
    }
    cal.done().to_string()
}

/// The blackout events of one pipeline's environments.
fn blackouts(cal: &mut Calendar, p: &Pipeline, now: chrono::DateTime<chrono::Utc>) {
    let prefix = p
        .recorded_name()
        .map(|n| format!("{n}/"))
        .unwrap_or_default();
    for env in &p.environments {
        let name = format!("{prefix}{}", env.name);
        for b in &env.blackouts {
            let (start, end) = blackout_interval(&p.calendar, b);
            let mut event = Event::new();
            event
                .uid(&ical_text(
                    &format!("blackout-{}-{}-{}@rel", name, rfc3339(start), rfc3339(end))
                        .to_lowercase(),
                ))
                .timestamp(now)
                .summary(&ical_text(&format!(
                    "{} blackout{}",
                    name,
                    b.reason
                        .as_deref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                )))
                .starts(start)
                .ends(end);
            cal.push(event.done());
        }
    }
}
