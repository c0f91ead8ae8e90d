//! `rel log [R] [--env E] [--since DATE]`: the audit trail from git history.

use chrono::{DateTime, NaiveDate, Utc};

use crate::context::{parse_instant, Context};
use crate::error::invalid;
use crate::model::ids::id_key;
use crate::model::pipeline::Pipeline;
use crate::model::quote::cut;
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::render::output::{errln, json_seq_of_results};
use crate::render::table::print_rows;
use crate::render::time::rfc3339;
use crate::rules::verdict::when;
use crate::store::git::history::{LogEntry, Paths};
use crate::store::Workspace;

pub struct LogArgs<'a> {
    pub release: Option<&'a str>,
    pub env: Option<&'a str>,
    pub since: Option<&'a str>,
}

/// A date (from its local midnight in the calendar's timezone) or an instant.
fn since_instant(text: &str, tz: chrono_tz::Tz) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        return midnight
            .and_local_timezone(tz)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| invalid(format!("--since {}: no such local time", cut(text))));
    }
    parse_instant(text).map_err(|m| invalid(format!("--since: {m}; or a date YYYY-MM-DD")))
}

fn wanted(
    e: &LogEntry,
    release: Option<&str>,
    env: Option<&str>,
    since: Option<DateTime<Utc>>,
) -> bool {
    let release_ok = release.is_none_or(|r| {
        e.release
            .as_deref()
            .is_some_and(|er| id_key(er) == id_key(r))
    });
    let env_ok = env.is_none_or(|x| {
        e.env
            .as_deref()
            .is_some_and(|ee| ee.eq_ignore_ascii_case(x))
    });
    let since_ok = since.is_none_or(|s| e.at >= s);
    release_ok && env_ok && since_ok
}

/// The history `known` looks into, read only when it must be: the table
/// has read it already; `--json` streams it, and reads it first only for
/// a release or environment that is not there now.
enum Past<'w> {
    Read(Vec<LogEntry>),
    Unread(&'w Workspace),
}

impl Past<'_> {
    fn entries(&mut self) -> anyhow::Result<&[LogEntry]> {
        if let Past::Unread(ws) = self {
            // Only the releases and environments are looked at.
            *self = Past::Read(ws.history(Some(0))?);
        }
        match self {
            Past::Read(entries) => Ok(entries),
            Past::Unread(_) => Ok(&[]),
        }
    }
}

/// A release or environment asked for must exist now or appear somewhere
/// in the history (a renamed environment, a release whose manifest was
/// removed by hand): otherwise it is a typo, exit 2, not an empty trail.
fn known(
    ws: &Workspace,
    pipeline: Option<&Pipeline>,
    past: &mut Past,
    args: &LogArgs,
) -> anyhow::Result<()> {
    if let Some(r) = args.release {
        if ws.resolve::<Release>(r).is_err() {
            let in_history = past.entries()?.iter().any(|e| {
                e.release
                    .as_deref()
                    .is_some_and(|er| id_key(er) == id_key(r))
            });
            if !in_history {
                crate::commands::shared::suggest::load_past::<Release>(ws, r)?;
            }
        }
    }
    if let Some(x) = args.env {
        // The environments of every pipeline (contract 11.2).
        let names: Vec<&str> = pipeline
            .map(|p| p.all_environment_names())
            .unwrap_or_default();
        let configured = names.iter().any(|n| n.eq_ignore_ascii_case(x));
        if !configured {
            let in_history = past.entries()?.iter().any(|e| {
                e.env
                    .as_deref()
                    .is_some_and(|ee| ee.eq_ignore_ascii_case(x))
            });
            if !in_history {
                return Err(invalid(if names.is_empty() {
                    format!(
                        "unknown environment `{}`: no entry of the history names it",
                        cut(x)
                    )
                } else {
                    format!(
                        "unknown environment `{}`; the pipeline has {}",
                        cut(x),
                        names.join(", ")
                    )
                }));
            }
        }
    }
    Ok(())
}

/// An entry as `--json` writes it (the fields in this order).
#[derive(serde::Serialize)]
struct JsonEntry {
    commit: String,
    at: String,
    by: String,
    action: String,
    release: Option<String>,
    env: Option<String>,
    message: String,
    overrides: Vec<String>,
    reason: Option<String>,
    outside_rel: bool,
    files: Paths,
}

impl From<LogEntry> for JsonEntry {
    fn from(e: LogEntry) -> JsonEntry {
        JsonEntry {
            commit: e.commit,
            at: rfc3339(e.at),
            by: e.by,
            action: e.action,
            release: e.release,
            env: e.env,
            message: e.message,
            overrides: e.overrides,
            reason: e.reason,
            outside_rel: e.outside_rel,
            files: e.files,
        }
    }
}

/// What the subject line says beyond the action and the release (the
/// incidents grouped, the item ticked, the incident changed).
fn subject_detail(e: &LogEntry) -> String {
    let rest = e
        .message
        .strip_prefix("rel: ")
        .and_then(|m| m.strip_prefix(e.action.as_str()))
        .unwrap_or("")
        .trim();
    let rest = match &e.release {
        Some(r) => rest.strip_prefix(r.as_str()).unwrap_or(rest).trim(),
        None => rest,
    };
    // "to staging" says again what the env column says.
    let rest = match &e.env {
        Some(env) => {
            let without_to = rest.strip_prefix("to ").unwrap_or(rest);
            without_to
                .strip_prefix(env.as_str())
                .map(str::trim)
                .unwrap_or(rest)
        }
        None => rest,
    };
    rest.to_string()
}

/// How many file names a row of the table shows.
const SHOWN_FILES: usize = 3;

/// A few file names and how many more: a commit that added the whole
/// register (100,000 files) must not make every row of the table that wide.
fn files_summary(files: &Paths) -> String {
    const SHOWN: usize = SHOWN_FILES;
    let mut s = files.iter().take(SHOWN).collect::<Vec<_>>().join(", ");
    if files.len() > SHOWN {
        s.push_str(&format!(" and {} more", files.len() - SHOWN));
    }
    s
}

pub fn run(ctx: &Context, args: &LogArgs) -> anyhow::Result<Outcome> {
    // The history's trees are read once each: the pages of git's packs
    // they lie on need not stay mapped (before the workspace opens: no
    // thread reads git yet).
    crate::store::git::pack_windows::bound(8, 96);
    let ws = crate::commands::shared::open_reading(ctx)?;
    // The trail must stay readable when environments.toml is broken: that
    // is when one asks who changed it. Times are then shown in UTC.
    let pipeline = match ws.pipeline() {
        Ok(p) => Some(p),
        Err(e) => {
            errln(&format!("warning: {e:#}; times are shown in UTC"));
            None
        }
    };
    let calendar = pipeline
        .as_ref()
        .map(|p| p.calendar.clone())
        .unwrap_or_default();
    let tz = calendar.timezone;
    let since = args.since.map(|s| since_instant(s, tz)).transpose()?;
    if let Some(r) = args.release {
        crate::model::ids::validate_id("release", r).map_err(invalid)?;
    }
    uncached_trees();
    if ctx.json {
        known(&ws, pipeline.as_ref(), &mut Past::Unread(&ws), args)?;
        // Each entry written as it is read, with all its files: the
        // history's file names are never all held (an import of a
        // million incidents is one entry).
        let entries = ws.log(None)?.map(|entry| {
            entry.map(|e| wanted(&e, args.release, args.env, since).then(|| JsonEntry::from(e)))
        });
        json_seq_of_results(entries)?;
        return Ok(Outcome::Done);
    }
    // The table names three files of a change outside rel.
    let mut past = Past::Read(ws.history(Some(SHOWN_FILES))?);
    known(&ws, pipeline.as_ref(), &mut past, args)?;
    let entries: Vec<LogEntry> = match past {
        Past::Read(history) => history
            .into_iter()
            .filter(|e| wanted(e, args.release, args.env, since))
            .collect(),
        Past::Unread(_) => Vec::new(),
    };
    if entries.is_empty() {
        errln("no entries");
        return Ok(Outcome::Done);
    }
    // Made once: the table reads its rows twice (widths, then lines), and
    // a row's time in the calendar's zone costs more than its copy.
    let rows: Vec<Vec<String>> = entries.iter().map(|e| row(&calendar, e)).collect();
    drop(entries);
    print_rows(
        ctx,
        &["commit", "at", "by", "action", "release", "env", "details"],
        || rows.iter().cloned(),
    )?;
    Ok(Outcome::Done)
}

/// The walk reads each tree once (rel's two entries of a root tree are
/// remembered by the walk; a folder a change outside rel added is read to
/// name its files): libgit2's object cache, which the first look-up of
/// this process let keep trees, would only fill up with them and free them
/// all at exit (at 10k, the import's 11,000 trees: 13% of `rel log`'s
/// instructions). Process-wide; rel log runs no other thread.
fn uncached_trees() {
    // SAFETY: from the main thread, and no thread that uses libgit2 runs.
    let _ = unsafe { git2::opts::set_cache_object_limit(git2::ObjectType::Tree, 0) };
}

/// One row of the table.
fn row(calendar: &crate::model::calendar::Calendar, e: &LogEntry) -> Vec<String> {
    let mut details = Vec::new();
    if e.outside_rel {
        details.push(format!(
            "OUTSIDE REL: {}; files {}",
            e.message,
            files_summary(&e.files)
        ));
    } else {
        let subject = subject_detail(e);
        if !subject.is_empty() {
            details.push(subject);
        }
    }
    if !e.overrides.is_empty() {
        details.push(format!("override {}", e.overrides.join(", ")));
    }
    if let Some(r) = &e.reason {
        details.push(format!("reason: {r}"));
    }
    vec![
        e.commit.chars().take(10).collect(),
        when(calendar, e.at),
        e.by.clone(),
        e.action.clone(),
        e.release.clone().unwrap_or_default(),
        e.env.clone().unwrap_or_default(),
        details.join("; "),
    ]
}
