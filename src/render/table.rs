//! Tables for people (comfy-table), plain when not on a terminal.

use comfy_table::presets::{NOTHING, UTF8_HORIZONTAL_ONLY};
use comfy_table::{Cell, ContentArrangement, Table};

use crate::context::Context;

pub fn new_table(ctx: &Context, header: &[&str]) -> Table {
    let mut table = Table::new();
    if ctx.color {
        table.load_preset(UTF8_HORIZONTAL_ONLY);
        table.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        // Plain columns: stable for scripts that grep and for snapshots.
        table.load_preset(NOTHING);
        table.set_content_arrangement(ContentArrangement::Disabled);
    }
    table.set_header(header.iter().map(|h| Cell::new(h.to_uppercase())));
    table
}

/// Renders a table with trailing spaces trimmed from each line.
pub fn render(table: &Table) -> String {
    table
        .to_string()
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}
