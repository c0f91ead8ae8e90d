//! `rel list [--state S]`: the releases in progress, or those in a state;
//! finished ones are read from the archive (and from `releases/` in a
//! repository not yet migrated by `rel archive`).

use crate::cli::StateFilter;
use crate::commands::shared::pipeline_filter::PipelineFilter;
use crate::context::Context;
use crate::model::named_pipelines::DEFAULT_PIPELINE;
use crate::model::release::{Release, State};
use crate::outcome::Outcome;
use crate::render::output::{errln, json_seq_of_results};
use crate::render::release::release_json;
use crate::render::table::print_rows;
use crate::store::repo::listing::{Listed, ReleaseFacts};

fn wanted(filter: Option<StateFilter>, state: State) -> bool {
    let Some(filter) = filter else {
        return state.in_progress();
    };
    match filter {
        StateFilter::All => true,
        StateFilter::Open => state == State::Open,
        StateFilter::Frozen => state == State::Frozen,
        StateFilter::Released => state == State::Released,
        StateFilter::Cancelled => state == State::Cancelled,
    }
}

/// Whether the listing asks for finished releases (then the archive is read).
fn past(filter: Option<StateFilter>) -> bool {
    matches!(
        filter,
        Some(StateFilter::All | StateFilter::Released | StateFilter::Cancelled)
    )
}

pub fn run(
    ctx: &Context,
    filter: Option<StateFilter>,
    installation: Option<&str>,
    pipeline: Option<&str>,
) -> anyhow::Result<Outcome> {
    let ws = crate::commands::shared::open_reading(ctx)?;
    let only = super::shared::installation_filter::filter(&ws, installation)?;
    // environments.toml is needed only to check --pipeline and to know
    // whether pipelines are named: a listing works without it otherwise.
    let config = match (pipeline, ws.pipeline()) {
        (Some(_), Err(e)) => return Err(e),
        (_, config) => config.ok(),
    };
    let lane = match &config {
        Some(config) => PipelineFilter::new(config, pipeline)?,
        None => PipelineFilter::new_all(),
    };
    let only = |installation: Option<&str>, pipeline: Option<&str>| {
        only.admits(installation) && lane.admits(pipeline.unwrap_or(DEFAULT_PIPELINE))
    };
    let archived: Vec<Release> = if past(filter) {
        ws.archived_all::<Release>()?
            .into_iter()
            .filter(|r| {
                wanted(filter, r.state) && only(r.installation.as_deref(), r.pipeline.as_deref())
            })
            .collect()
    } else {
        Vec::new()
    };
    // The table is made of each release's facts; the JSON of the wanted
    // ones is read from their files a chunk at a time.
    let facts = ws.facts::<Release>()?;
    let open = facts.iter().filter(|l| l.facts.state.in_progress()).count();
    super::shared::note_unarchived(&ws, open);
    let listed: Vec<Listed<_>> = facts
        .into_iter()
        .filter(|l| wanted(filter, l.facts.state))
        .filter(|l| only(l.facts.installation.as_deref(), l.facts.pipeline.as_deref()))
        .collect();
    if ctx.json && !archived.is_empty() {
        // With the archive's: in id order with the others (read whole;
        // a listing of the past).
        let files: Vec<_> = listed.iter().map(|l| &l.file).collect();
        let mut all: Vec<Release> = ws
            .parse_each::<Release>(&files)
            .filter_map(|r| match r {
                Ok(r)
                    if wanted(filter, r.state)
                        && only(r.installation.as_deref(), r.pipeline.as_deref()) =>
                {
                    Some(Ok(r))
                }
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<anyhow::Result<_>>()?;
        all.extend(archived);
        all.sort_by(|a, b| a.id.cmp(&b.id));
        json_seq_of_results(all.iter().map(|r| Ok(Some(release_json(r)))))?;
        return Ok(Outcome::Done);
    }
    if ctx.json {
        let files: Vec<_> = listed.iter().map(|l| &l.file).collect();
        let items = ws.parse_each::<Release>(&files).map(|r| {
            r.map(|r| {
                (wanted(filter, r.state) && only(r.installation.as_deref(), r.pipeline.as_deref()))
                    .then(|| release_json(&r))
            })
        });
        json_seq_of_results(items)?;
        return Ok(Outcome::Done);
    }
    let archived: Vec<ReleaseFacts> = archived.iter().map(ReleaseFacts::from).collect();
    let mut rows: Vec<&ReleaseFacts> = listed.iter().map(|l| &l.facts).chain(&archived).collect();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    if rows.is_empty() {
        errln("no releases");
        return Ok(Outcome::Done);
    }
    // A pipeline column only where the file names pipelines (11.2).
    let pipelines = config.as_ref().is_some_and(|c| c.has_named_pipelines());
    let mut headers = vec!["id", "version", "kind", "state"];
    if pipelines {
        headers.push("pipeline");
    }
    headers.extend(["environment", "incidents", "title"]);
    print_rows(ctx, &headers, || {
        rows.iter().map(move |r| {
            let mut row = vec![
                r.id.clone(),
                r.version.clone(),
                r.kind.to_string(),
                r.state.to_string(),
            ];
            if pipelines {
                row.push(
                    r.pipeline
                        .as_deref()
                        .unwrap_or(DEFAULT_PIPELINE)
                        .to_string(),
                );
            }
            row.extend([
                r.environment.clone(),
                r.incidents.to_string(),
                r.title.clone(),
            ]);
            row
        })
    })?;
    Ok(Outcome::Done)
}
