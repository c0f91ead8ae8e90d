//! `rel list [--state S]`: releases.

use crate::cli::StateFilter;
use crate::context::Context;
use crate::model::release::{Release, State};
use crate::render::output::{errln, json_seq_of_results};
use crate::render::release::release_json;
use crate::render::table::print_rows;
use crate::store::cache_load::Listed;

fn wanted(filter: StateFilter, state: State) -> bool {
    match filter {
        StateFilter::All => true,
        StateFilter::Open => state == State::Open,
        StateFilter::Frozen => state == State::Frozen,
        StateFilter::Released => state == State::Released,
        StateFilter::Cancelled => state == State::Cancelled,
    }
}

pub fn run(ctx: &Context, filter: StateFilter, installation: Option<&str>) -> anyhow::Result<i32> {
    let ws = crate::commands::shared::open_reading(ctx)?;
    let only = super::installation::filter(&ws, installation)?;
    // The table is made of each release's facts (cached per blob); the
    // JSON of the wanted ones is read from their files a chunk at a time.
    let listed: Vec<Listed<_>> = ws
        .facts::<Release>()?
        .into_iter()
        .filter(|l| wanted(filter, l.facts.state))
        .filter(|l| only.admits(l.facts.installation.as_deref()))
        .collect();
    if ctx.json {
        let files: Vec<_> = listed.iter().map(|l| &l.file).collect();
        let items = ws.parse_each::<Release>(&files).map(|r| {
            r.map(|r| {
                (wanted(filter, r.state) && only.admits(r.installation.as_deref()))
                    .then(|| release_json(&r))
            })
        });
        json_seq_of_results(items)?;
        return Ok(0);
    }
    if listed.is_empty() {
        errln("no releases");
        return Ok(0);
    }
    print_rows(
        ctx,
        &[
            "id",
            "version",
            "kind",
            "state",
            "environment",
            "incidents",
            "title",
        ],
        || {
            listed.iter().map(|l| {
                let r = &l.facts;
                vec![
                    r.id.clone(),
                    r.version.clone(),
                    r.kind.to_string(),
                    r.state.to_string(),
                    r.environment.clone(),
                    r.incidents.to_string(),
                    r.title.clone(),
                ]
            })
        },
    )?;
    Ok(0)
}
