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
use crate::store::repo::archive_listing::ArchivedFile;
use crate::store::repo::listing::{Listed, ReleaseFacts};
use crate::store::Workspace;

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
    // The archive's facts (each file parsed once, only what the table
    // shows kept), before the releases in progress, as it always was read.
    let archived: Vec<(ArchivedFile, ReleaseFacts)> = if past(filter) {
        ws.archived_release_facts()?
            .into_iter()
            .filter(|(_, r)| {
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
        // With the archive's: in id order with the others, the archived
        // ones read again a chunk at a time (never all held).
        let files: Vec<_> = listed.iter().map(|l| &l.file).collect();
        let current: Vec<Release> = ws
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
        json_seq_of_results(
            in_id_order(&ws, current, &archived).map(|r| r.map(|r| Some(release_json(&r)))),
        )?;
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
    let mut rows: Vec<&ReleaseFacts> = listed
        .iter()
        .map(|l| &l.facts)
        .chain(archived.iter().map(|(_, f)| f))
        .collect();
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

/// The releases in progress (`current`, in id order) and the archived
/// ones of `archived` merged in id order (those in progress first for an
/// equal id, as a stable sort of both lists put them), the archived ones
/// read a chunk at a time.
fn in_id_order<'a>(
    ws: &'a Workspace,
    current: Vec<Release>,
    archived: &'a [(ArchivedFile, ReleaseFacts)],
) -> impl Iterator<Item = anyhow::Result<Release>> + 'a {
    let mut order: Vec<(&str, Option<usize>)> = current
        .iter()
        .map(|r| (r.id.as_str(), None))
        .chain(
            archived
                .iter()
                .enumerate()
                .map(|(i, (f, _))| (f.id(), Some(i))),
        )
        .collect();
    order.sort_by(|a, b| a.0.cmp(b.0));
    let order: Vec<Option<usize>> = order.into_iter().map(|(_, i)| i).collect();
    let files: Vec<&ArchivedFile> = order.iter().flatten().map(|&i| &archived[i].0).collect();
    let mut read = ws.archived_releases(files);
    let mut current = current.into_iter();
    order.into_iter().map(move |at| match at {
        None => current
            .next()
            .ok_or_else(|| anyhow::anyhow!("a release in progress went missing")),
        Some(_) => read
            .next()
            .unwrap_or_else(|| Err(anyhow::anyhow!("an archived release went missing"))),
    })
}
