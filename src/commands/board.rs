//! `rel board [--output DIR]`: the pipeline as a static HTML page, one
//! column per environment with the releases in progress in it.
//!
//! A reading command: it decides nothing of its own. Readiness is
//! `rel status`'s (the same verdict and words), the timeline is `rel
//! plan`'s, the schedules are decided again as `rel schedule` decides them.
//! The board is an artefact, not state: it is written as files (never a
//! commit), by default into `board/` beside environments.toml, where a
//! `.gitignore` keeps it out of commits. Beside it, `fleet.html`: the
//! fleet as `rel fleet` computes it (`shared::fleet::gather`).

use std::path::{Path, PathBuf};

use crate::commands::shared::pipeline_filter::PipelineFilter;
use crate::context::Context;
use crate::model::installation::same_installation;
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::render::board::{
    self, Board, Card, Column, InstallationRow, ScheduleCard, Step, FLEET_FILE, PAGE_FILE,
    STYLE_FILE,
};
use crate::render::output::{errln, json as json_doc};
use crate::render::progress::Progress;
use crate::rules::fleet::Fleet;
use crate::rules::history::soak_from;
use crate::rules::occupancy::Asker;
use crate::rules::plan::plan;
use crate::rules::schedule::{decide_all, Others};
use crate::rules::time::business_days_elapsed;
use crate::store::output::output_dir::OutputDir;
use crate::store::ReleaseHead;

use super::shared::readiness::{next_verdict, readiness, Row};
use super::shared::schedule_facts::Facts;
use crate::rules::occupancy::Occupancy;

/// Where the board goes without `--output`: beside environments.toml.
const DEFAULT_DIR: &str = "board";

/// Written into the default folder only, so that a `git add -A` does not
/// commit the artefact; an `--output` folder is the user's to manage.
const IGNORE_FILE: &str = ".gitignore";
const IGNORE_ALL: &str = "# Written by `rel board`: the board is generated, not state.\n*\n";

pub fn run(
    ctx: &Context,
    output: Option<&Path>,
    pipeline: Option<&str>,
) -> anyhow::Result<Outcome> {
    let ws = super::shared::open_reading(ctx)?;
    // Where to write is checked before any work: a refused path is
    // refused in a dry run too, and nothing is written.
    let (target, shown) = match output {
        Some(given) => (
            OutputDir::check(
                &ctx.start_dir,
                given,
                &ws.root,
                &[STYLE_FILE, FLEET_FILE, PAGE_FILE],
            )?,
            given.to_path_buf(),
        ),
        None => (
            OutputDir::check(
                &ws.root,
                Path::new(DEFAULT_DIR),
                &ws.root,
                &[STYLE_FILE, FLEET_FILE, PAGE_FILE, IGNORE_FILE],
            )?,
            PathBuf::from(DEFAULT_DIR),
        ),
    };
    // On a terminal, a spinner while the releases are read and decided.
    let progress = Progress::spinner(ctx.progress, "board: reading the releases in progress");
    let p = ws.pipeline()?;
    let only = PipelineFilter::new(&p, pipeline)?;
    let all = super::shared::schedule_facts::in_progress_and_dependencies(&ws)?;
    let releases: Vec<Release> = all
        .iter()
        .filter(|r| r.state.in_progress())
        .cloned()
        .collect();
    // The fleet page shows what `rel fleet` shows: the same computation.
    let fleet = super::shared::fleet::gather(&ws, &p, &releases, ctx.now, None, &only)?;
    let mut board = gather(ctx, &p, &releases, &all, fleet, &only);
    // What each update carries (contract 11.3), read once for all of them.
    if releases.iter().any(|r| r.installation.is_some()) {
        let products = super::shared::carries::Products::read(&ws)?;
        for card in board.columns.iter_mut().flat_map(|c| c.cards.iter_mut()) {
            if let Some(r) = releases.iter().find(|r| r.id == card.id) {
                card.carries = products.carries(&p, r);
            }
        }
    }
    board.installations = ws
        .installations()?
        .into_iter()
        .map(|i| InstallationRow {
            updates: releases
                .iter()
                .filter(|r| same_installation(r.installation.as_deref(), Some(&i.name)))
                .map(|r| (r.id.clone(), r.environment.clone()))
                .collect(),
            name: i.name,
            version: i.version,
            windows: i.windows,
            timezone: i.timezone,
        })
        .collect();
    progress.finish();
    let releases = board.release_count();
    if ctx.dry_run {
        errln(&format!(
            "dry run: would write the board ({releases} release{}) to {}",
            plural(releases),
            target.path().display()
        ));
    } else {
        let page = board::page(&board);
        let fleet = board::fleet_page(&board);
        let style = board::style();
        // The sheet first, then the fleet page, then the page that links
        // to it: a reader never follows a link to a file not yet there.
        let mut files: Vec<(&str, &[u8])> = vec![
            (STYLE_FILE, style.as_bytes()),
            (FLEET_FILE, fleet.as_bytes()),
            (PAGE_FILE, page.as_bytes()),
        ];
        if output.is_none() {
            files.insert(0, (IGNORE_FILE, IGNORE_ALL.as_bytes()));
        }
        target.write(&files)?;
        errln(&format!(
            "wrote the board ({releases} release{}) to {}; open {}",
            plural(releases),
            shown.display(),
            target.path().join(PAGE_FILE).display()
        ));
    }
    if ctx.json {
        json_doc(&serde_json::json!({
            "output": target.path(),
            "releases": releases,
            "dry_run": ctx.dry_run,
        }))?;
    }
    Ok(Outcome::Done)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The board's content, from the rules the commands already ask.
fn gather(
    ctx: &Context,
    p: &Pipeline,
    releases: &[Release],
    with_dependencies: &[Release],
    fleet: Fleet,
    only: &PipelineFilter,
) -> Board {
    let heads: Vec<ReleaseHead> = with_dependencies.iter().map(ReleaseHead::from).collect();
    // Every release's facts once (no id is empty); each card leaves out its
    // own release where the rules ask for the others.
    let facts = Facts::of(p, with_dependencies, "");
    // A column per environment of each pipeline shown, in pipeline order;
    // those of a named pipeline are named with it (names repeat across
    // pipelines).
    let mut columns: Vec<Column> = Vec::new();
    let mut first_column: Vec<(String, usize)> = Vec::new();
    for lane in p.pipeline_names().into_iter().filter(|n| only.admits(n)) {
        let Some(lane) = p.lane(lane) else { continue };
        first_column.push((lane.pipeline_name().to_string(), columns.len()));
        let prefix = lane
            .recorded_name()
            .map(|n| format!("{n}/"))
            .unwrap_or_default();
        columns.extend(lane.environments.iter().map(|e| Column {
            env: format!("{prefix}{}", e.name),
            outside: false,
            tags: board::env_tags(e),
            cards: Vec::new(),
        }));
    }
    for r in releases.iter().filter(|r| only.admits(r.pipeline_name())) {
        let card = card(ctx, p, &heads, &facts, r);
        let column = first_column
            .iter()
            .find(|(lane, _)| lane.eq_ignore_ascii_case(r.pipeline_name()))
            .and_then(|(_, first)| Some(first + p.lane_of(r).position(&r.environment)?));
        match column {
            Some(i) => columns[i].cards.push(card),
            None => {
                // An environment the pipeline no longer has: a column of
                // its own after the pipeline's, as `rel status` flags it.
                let at = columns
                    .iter()
                    .position(|c| c.outside && c.env.eq_ignore_ascii_case(&r.environment));
                match at {
                    Some(i) => columns[i].cards.push(card),
                    None => columns.push(Column {
                        env: r.environment.clone(),
                        outside: true,
                        tags: Vec::new(),
                        cards: vec![card],
                    }),
                }
            }
        }
    }
    Board {
        now: ctx.now,
        tz: p.calendar.timezone,
        columns,
        installations: Vec::new(),
        fleet,
        forecast: Some(forecast(ctx, p, with_dependencies, only)),
    }
}

/// The forecast as `rel forecast` makes it (without `--until`).
fn forecast(
    ctx: &Context,
    p: &Pipeline,
    with_dependencies: &[Release],
    only: &PipelineFilter,
) -> crate::rules::forecast::Forecast {
    // Every release takes part; those of the pipelines shown are drawn.
    let mut forecast = crate::rules::forecast::forecast(
        p,
        with_dependencies,
        crate::rules::forecast::Request {
            now: ctx.now,
            until: ctx.now + chrono::Duration::days(crate::rules::forecast::HORIZON_DAYS),
            strict: false,
        },
    );
    forecast.releases.retain(|r| only.admits(&r.pipeline));
    forecast
}

fn card(ctx: &Context, p: &Pipeline, heads: &[ReleaseHead], facts: &Facts, r: &Release) -> Card {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let row = Row {
        release: r,
        days: business_days_elapsed(&p.calendar, soak_from(r), ctx.now),
        next: next_verdict(p, heads, r, ctx),
    };
    // Schedules are decided as `rel schedule` decides them: with every
    // other release's facts (`conflict` leaves out the release's own).
    let others_in: Vec<Vec<String>> = facts
        .occupants
        .iter()
        .map(|ids| ids.iter().filter(|id| **id != r.id).cloned().collect())
        .collect();
    let others = Others {
        occupants: &others_in,
        schedules: &facts.schedules,
        standings: &facts.standings,
    };
    let decided = decide_all(p, r, &others);
    let schedules = crate::rules::schedule::in_pipeline_order(p, r)
        .into_iter()
        .map(|s| {
            let found = decided
                .iter()
                .find(|d| d.env.eq_ignore_ascii_case(&s.env) && d.at == s.at);
            let codes = |v: &[crate::rules::verdict::Violation]| {
                crate::rules::verdict::Verdict {
                    violations: v.to_vec(),
                }
                .codes()
            };
            ScheduleCard {
                schedule: s.clone(),
                refusals: found.map(|d| codes(&d.refusals)).unwrap_or_default(),
                to_do: found.map(|d| codes(&d.to_do)).unwrap_or_default(),
            }
        })
        .collect();
    // The plan is asked as `rel plan` asks it.
    let occupants: Vec<Vec<String>> = p
        .environments
        .iter()
        .map(|e| {
            if e.exclusive {
                heads.occupants(&e.name, Asker::from(r))
            } else {
                Vec::new()
            }
        })
        .collect();
    let dependencies = crate::rules::depends::facts(r, heads);
    let steps = plan(p, r, &occupants, &dependencies, ctx.now)
        .into_iter()
        .map(|s| Step {
            scheduled: r.schedule_for(&s.env).map(|x| x.at),
            blocked_by: s.blocked_by,
            earliest: s.earliest,
            env: s.env,
        })
        .collect();
    Card {
        id: r.id.clone(),
        title: r.title.clone(),
        version: r.version.clone(),
        kind: r.kind.to_string(),
        state: r.state.to_string(),
        environment: r.environment.clone(),
        outside: p.position(&r.environment).is_none(),
        entered_at: r.entered_at,
        days: row.days,
        next: row.next.as_ref().and_then(|v| v.to.clone()),
        readiness: readiness(p, &row),
        held: r.held.clone(),
        update_of: r
            .installation
            .clone()
            .map(|i| (i, r.from_version.clone().unwrap_or_default())),
        path: r.path.as_ref().map(|p| p.name.as_str().to_string()),
        carries: Vec::new(),
        schedules,
        steps,
    }
}
