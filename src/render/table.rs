//! Tables for people (comfy-table), plain when not on a terminal.

use comfy_table::presets::{NOTHING, UTF8_FULL_CONDENSED};
use comfy_table::{Cell, ContentArrangement, Table};

use crate::context::Context;

pub fn new_table(ctx: &Context, header: &[&str]) -> Table {
    let mut table = Table::new();
    if ctx.color {
        table.load_preset(UTF8_FULL_CONDENSED);
        // Wrap to the terminal's width, when it has a sensible one (a pty
        // without a size reports 0, which would squeeze every column).
        let wide = table.width().is_some_and(|w| w >= 60);
        table.set_content_arrangement(if wide {
            ContentArrangement::Dynamic
        } else {
            ContentArrangement::Disabled
        });
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

/// What a cell says about the state of things, coloured on a terminal only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Waiting,
    Bad,
}

pub fn toned(ctx: &Context, text: String, tone: Tone) -> Cell {
    let cell = Cell::new(text);
    if !ctx.color {
        return cell;
    }
    cell.fg(match tone {
        Tone::Good => comfy_table::Color::Green,
        Tone::Waiting => comfy_table::Color::Yellow,
        Tone::Bad => comfy_table::Color::Red,
    })
}
