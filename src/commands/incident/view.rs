//! `rel incident list [--unassigned] [--status S]` and `rel incident show ID`.

use crate::context::Context;
use crate::error::invalid;
use crate::model::incident::{Incident, IncidentStatus};
use crate::outcome::Outcome;
use crate::render::incident::{incident_json, incident_text, yes_no};
use crate::render::output::{errln, json, json_seq_of_results, outln};
use crate::render::table::{print_made_rows, RowSink};
use crate::store::kept::archive_cache::{FactsBlock, FactsRef};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The register (incidents not shipped); with `all`, the archive's too.
pub fn list(
    ctx: &Context,
    all: bool,
    unassigned: bool,
    status: Option<&str>,
) -> anyhow::Result<Outcome> {
    let status: Option<IncidentStatus> = status.map(str::parse).transpose().map_err(invalid)?;
    let wanted = |release: Option<&str>, s: IncidentStatus| {
        (!unassigned || release.is_none()) && status.is_none_or(|w| w == s)
    };
    if all {
        // Before the workspace opens: no thread reads git yet.
        crate::store::git::pack_windows::bound(8, 96);
    }
    let ws = crate::commands::shared::open_reading(ctx)?;
    let folders = if all {
        ws.archived_incident_folders()?
    } else {
        Default::default()
    };
    if ctx.json {
        // Every archived folder is read whole first (its table facts, from
        // the archive cache when it holds them), so a file that cannot be
        // read is the error before anything is written.
        for i in 0..folders.count() {
            ws.archived_facts(&folders, i)?;
        }
        // Each file read and parsed once, a chunk at a time; the archive's
        // after the register's, as in the table.
        let files = ws.listed_files::<Incident>()?;
        let files: Vec<_> = files.iter().collect();
        let keep = |i: Incident| wanted(i.release.as_deref(), i.status).then(|| incident_json(&i));
        let items = ws
            .parse_each::<Incident>(&files)
            .chain(ws.archived_incidents(&folders))
            .map(|i| i.map(keep));
        json_seq_of_results(items)?;
        return Ok(Outcome::Done);
    }
    // The table is made of each incident's facts: the register's, then
    // the archive's a year at a time (twice: widths, then lines), holding
    // what the first pass read while it stays small.
    let listed: Vec<_> = ws
        .facts::<Incident>()?
        .into_iter()
        .filter(|l| wanted(l.facts.release.as_deref(), l.facts.status))
        .collect();
    let held: RefCell<Vec<Option<Rc<FactsBlock>>>> = RefCell::new(vec![None; folders.count()]);
    let held_bytes = Cell::new(0usize);
    let each = |sink: RowSink| -> anyhow::Result<()> {
        for l in &listed {
            let f = &l.facts;
            sink(&row(FactsRef {
                id: &f.id,
                title: &f.title,
                status: f.status,
                release: f.release.as_deref(),
                authorised: f.authorised,
                tested: f.tested,
            }));
        }
        for i in 0..folders.count() {
            let kept = held.borrow()[i].clone();
            let block = match kept {
                Some(block) => block,
                None => {
                    let block = Rc::new(ws.archived_facts(&folders, i)?);
                    if held_bytes.get() + block.size() <= HELD_BYTES {
                        held_bytes.set(held_bytes.get() + block.size());
                        held.borrow_mut()[i] = Some(block.clone());
                    }
                    block
                }
            };
            for facts in block.rows_shown() {
                if wanted(facts.release, facts.status) {
                    sink(&row(facts));
                }
            }
        }
        Ok(())
    };
    let header = ["id", "status", "release", "authorised", "tested", "title"];
    if !print_made_rows(ctx, &header, each)? {
        errln("no incidents");
    }
    Ok(Outcome::Done)
}

/// What the table holds of the archive between its two passes; beyond
/// this, a folder is read again (from the cache it was just written to).
const HELD_BYTES: usize = 16 << 20;

/// One row of the table: which release holds the incident.
fn row(i: FactsRef<'_>) -> [&str; 6] {
    [
        i.id,
        i.status.as_str(),
        i.release.unwrap_or("-"),
        yes_no(i.authorised),
        yes_no(i.tested),
        i.title,
    ]
}

pub fn show(ctx: &Context, id: &str) -> anyhow::Result<Outcome> {
    let ws = crate::commands::shared::open_reading(ctx)?;
    let incident: Incident = crate::commands::shared::suggest::load_past(&ws, id)?;
    if ctx.json {
        json(&incident_json(&incident))?;
    } else {
        let tz = ws.pipeline()?.calendar.timezone;
        outln(&incident_text(ctx, tz, &incident))?;
    }
    Ok(Outcome::Done)
}
