//! `rel list [--state S]`: releases.

use crate::cli::StateFilter;
use crate::context::Context;
use crate::model::release::{Release, State};
use crate::render::output::{errln, json_seq, outln};
use crate::render::release::release_json;
use crate::render::table::{new_table, render};

fn wanted(filter: StateFilter, state: State) -> bool {
    match filter {
        StateFilter::All => true,
        StateFilter::Open => state == State::Open,
        StateFilter::Frozen => state == State::Frozen,
        StateFilter::Released => state == State::Released,
        StateFilter::Cancelled => state == State::Cancelled,
    }
}

pub fn run(ctx: &Context, filter: StateFilter) -> anyhow::Result<i32> {
    let ws = crate::commands::shared::open_reading(ctx)?;
    let releases: Vec<Release> = ws
        .load_all::<Release>()?
        .into_iter()
        .filter(|r| wanted(filter, r.state))
        .collect();
    if ctx.json {
        json_seq(releases.iter().map(release_json))?;
        return Ok(0);
    }
    if releases.is_empty() {
        errln("no releases");
        return Ok(0);
    }
    let mut table = new_table(
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
    );
    for r in &releases {
        table.add_row(vec![
            r.id.clone(),
            r.version.clone(),
            r.kind.to_string(),
            r.state.to_string(),
            r.environment.clone(),
            r.incidents.len().to_string(),
            r.title.clone(),
        ]);
    }
    outln(&render(&table))?;
    Ok(0)
}
