//! Tables for people. On a terminal: comfy-table with borders, colours and
//! wrapping. Elsewhere (pipes, files, CI): plain aligned columns written by a
//! linear renderer, stable for scripts that grep and for snapshots, and fast
//! for 100,000 rows (comfy-table spends microseconds per cell).

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, Color, ContentArrangement};
use std::io::Write;

use unicode_width::UnicodeWidthStr;

use crate::context::Context;

use super::text::shown;

/// What a cell says about the state of things, coloured on a terminal only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Waiting,
    Bad,
}

/// One cell: its text (lines split on `\n`) and, maybe, a tone.
#[derive(Debug, Clone)]
pub struct TableCell {
    text: String,
    tone: Option<Tone>,
}

/// A cell's text is one line, its control characters shown escaped
/// (contract 11.10): a title's line break or escape sequence cannot break
/// the table or reach the terminal.
impl<T: ToString> From<T> for TableCell {
    fn from(value: T) -> TableCell {
        TableCell {
            text: shown(&value.to_string()).into_owned(),
            tone: None,
        }
    }
}

impl TableCell {
    /// A cell of several lines rel puts one under the other, each shown
    /// as a one-line cell is.
    pub fn lines<S: AsRef<str>>(lines: &[S]) -> TableCell {
        TableCell {
            text: lines
                .iter()
                .map(|l| shown(l.as_ref()))
                .collect::<Vec<_>>()
                .join("\n"),
            tone: None,
        }
    }
}

pub fn toned(text: impl ToString, tone: Tone) -> TableCell {
    TableCell {
        tone: Some(tone),
        ..TableCell::from(text)
    }
}

pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<TableCell>>,
    /// Borders and colours: stdout is a terminal and colours are wanted.
    fancy: bool,
}

pub fn new_table(ctx: &Context, header: &[&str]) -> Table {
    Table {
        header: header.iter().map(|h| h.to_uppercase()).collect(),
        rows: Vec::new(),
        fancy: ctx.color,
    }
}

impl Table {
    pub fn add_row<C: Into<TableCell>>(&mut self, row: Vec<C>) {
        self.rows.push(row.into_iter().map(Into::into).collect());
    }
}

/// The table as text, without trailing spaces.
pub fn render(table: &Table) -> String {
    if table.fancy {
        fancy(table)
    } else {
        plain(table)
    }
}

/// Columns two spaces apart, each as wide as its widest line.
fn plain(table: &Table) -> String {
    let columns = table
        .rows
        .iter()
        .map(Vec::len)
        .chain([table.header.len()])
        .max()
        .unwrap_or(0);
    let mut widths = vec![0usize; columns];
    let lines_of = |text: &str| text.split('\n').map(str::to_string).collect::<Vec<_>>();
    let header: Vec<Vec<String>> = table.header.iter().map(|h| lines_of(h)).collect();
    let rows: Vec<Vec<Vec<String>>> = table
        .rows
        .iter()
        .map(|r| r.iter().map(|c| lines_of(&c.text)).collect())
        .collect();
    for row in std::iter::once(&header).chain(rows.iter()) {
        for (i, cell) in row.iter().enumerate() {
            for line in cell {
                widths[i] = widths[i].max(line.width());
            }
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows.iter()) {
        let height = row.iter().map(Vec::len).max().unwrap_or(1);
        for l in 0..height {
            let mut line = String::new();
            for (i, width) in widths.iter().enumerate() {
                let text = row
                    .get(i)
                    .and_then(|c| c.get(l))
                    .map(String::as_str)
                    .unwrap_or("");
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(text);
                line.extend(std::iter::repeat_n(' ', width.saturating_sub(text.width())));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out.pop();
    out
}

/// Prints a table whose rows `rows()` makes, as `outln(&render(..))`
/// would, but without holding it: plain columns take two passes over the
/// rows (widths, then lines). On a terminal the rows are gathered for
/// comfy-table, which needs them all. Each cell is one line, shown as
/// `TableCell::from` shows it.
pub fn print_rows<I>(ctx: &Context, header: &[&str], rows: impl Fn() -> I) -> anyhow::Result<()>
where
    I: Iterator<Item = Vec<String>>,
{
    let mut table = new_table(ctx, header);
    if table.fancy {
        for row in rows() {
            table.add_row(row);
        }
        return super::output::outln(&render(&table));
    }
    let header = std::mem::take(&mut table.header);
    super::output::stream_out(|out| write_plain(out, header, rows))
}

/// `plain` written line by line: widths from a first pass over the rows,
/// then the lines from a second; each cell one line, as `TableCell::from`
/// makes it.
fn write_plain<I>(
    out: &mut dyn Write,
    header: Vec<String>,
    rows: impl Fn() -> I,
) -> std::io::Result<()>
where
    I: Iterator<Item = Vec<String>>,
{
    let mut widths = Widths::of_header(&header);
    for row in rows() {
        widths.add(&row);
    }
    write_lines(out, &widths, std::iter::once(header).chain(rows()))
}

/// Printable ASCII only: shown as it is, as wide as it is long.
fn plain_ascii(text: &str) -> bool {
    text.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// The width of a cell as shown.
fn shown_width(text: &str) -> usize {
    if plain_ascii(text) {
        text.len()
    } else {
        shown(text).width()
    }
}

/// Column widths of a plain table, grown row by row.
struct Widths(Vec<usize>);

impl Widths {
    fn of_header(header: &[String]) -> Widths {
        Widths(header.iter().map(|h| max_width(h)).collect())
    }

    fn add<S: AsRef<str>>(&mut self, row: &[S]) {
        if row.len() > self.0.len() {
            self.0.resize(row.len(), 0);
        }
        for (i, cell) in row.iter().enumerate() {
            self.0[i] = self.0[i].max(shown_width(cell.as_ref()));
        }
    }
}

/// The lines of a plain table whose column widths are known.
fn write_lines(
    out: &mut dyn Write,
    widths: &Widths,
    rows: impl Iterator<Item = Vec<String>>,
) -> std::io::Result<()> {
    let mut line = String::new();
    for row in rows {
        write_row(out, widths, &row, &mut line)?;
    }
    Ok(())
}

/// The line(s) of one row of a plain table whose column widths are
/// known; `line` is room reused from row to row.
fn write_row<S: AsRef<str>>(
    out: &mut dyn Write,
    widths: &Widths,
    row: &[S],
    line: &mut String,
) -> std::io::Result<()> {
    if row.iter().all(|c| plain_ascii(c.as_ref())) {
        // The common row, a million times over: no escaping, one line,
        // one column per byte.
        line.clear();
        for (i, width) in widths.0.iter().enumerate() {
            let text = row.get(i).map(AsRef::as_ref).unwrap_or("");
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(text);
            line.extend(std::iter::repeat_n(' ', width.saturating_sub(text.len())));
        }
        out.write_all(line.trim_end().as_bytes())?;
        return out.write_all(b"\n");
    }
    let row: Vec<String> = row.iter().map(|c| shown(c.as_ref()).into_owned()).collect();
    let cells: Vec<Vec<&str>> = row.iter().map(|c| c.split('\n').collect()).collect();
    let height = cells.iter().map(Vec::len).max().unwrap_or(1);
    for l in 0..height {
        line.clear();
        for (i, width) in widths.0.iter().enumerate() {
            let text = cells.get(i).and_then(|c| c.get(l)).copied().unwrap_or("");
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(text);
            line.extend(std::iter::repeat_n(' ', width.saturating_sub(text.width())));
        }
        out.write_all(line.trim_end().as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Rows made by a reader that may fail (and need not hold them):
/// `each(sink)` gives every row to `sink`, in order, the same rows every
/// time it is called. A row is lent, not given: a listing of 1,000,000
/// rows makes no String for them.
pub type RowSink<'a> = &'a mut dyn FnMut(&[&str]);

/// `print_rows` of rows `each` makes, which it may fail to make: the rows
/// are made twice for plain columns (widths, then lines, each written as
/// it is made), once on a terminal. Nothing is printed when there is no
/// row (false), nor when the first pass fails (its error).
pub fn print_made_rows(
    ctx: &Context,
    header: &[&str],
    each: impl Fn(RowSink) -> anyhow::Result<()>,
) -> anyhow::Result<bool> {
    let mut table = new_table(ctx, header);
    if table.fancy {
        each(&mut |row| table.add_row(row.to_vec()))?;
        if table.rows.is_empty() {
            return Ok(false);
        }
        super::output::outln(&render(&table))?;
        return Ok(true);
    }
    let header = std::mem::take(&mut table.header);
    let mut widths = Widths::of_header(&header);
    let mut any = false;
    each(&mut |row| {
        any = true;
        widths.add(row);
    })?;
    if !any {
        return Ok(false);
    }
    let mut failed = None;
    super::output::stream_out(|out| {
        let mut line = String::new();
        let mut written = write_row(out, &widths, &header, &mut line);
        let made = each(&mut |row| {
            if written.is_ok() {
                written = write_row(out, &widths, row, &mut line);
            }
        });
        if let Err(e) = made {
            failed = Some(e);
        }
        written
    })?;
    match failed {
        Some(e) => Err(e),
        None => Ok(true),
    }
}

fn max_width(text: &str) -> usize {
    text.split('\n').map(|l| l.width()).max().unwrap_or(0)
}

fn fancy(table: &Table) -> String {
    fancy_styled(table, false)
}

/// `fancy`, coloured even where comfy-table finds no terminal (tests).
fn fancy_styled(table: &Table, styled: bool) -> String {
    let mut t = comfy_table::Table::new();
    if styled {
        t.enforce_styling();
    }
    t.load_preset(UTF8_FULL_CONDENSED);
    // Wrap to the terminal's width when it has a sensible one (a pty
    // without a size reports 0, which would squeeze every column).
    let wide = t.width().is_some_and(|w| w >= 60);
    t.set_content_arrangement(if wide {
        ContentArrangement::Dynamic
    } else {
        ContentArrangement::Disabled
    });
    t.set_header(table.header.iter().map(Cell::new));
    for row in &table.rows {
        t.add_row(row.iter().map(|c| {
            let cell = Cell::new(&c.text);
            match c.tone {
                Some(Tone::Good) => cell.fg(Color::Green),
                Some(Tone::Waiting) => cell.fg(Color::Yellow),
                Some(Tone::Bad) => cell.fg(Color::Red),
                None => cell,
            }
        }));
    }
    t.to_string()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A fancy table of one red cell holding `text`, as a terminal gets it.
#[cfg(test)]
pub fn fancy_for_tests(text: &str) -> String {
    let mut t = Table {
        header: vec!["ID".into(), "TITLE".into()],
        rows: Vec::new(),
        fancy: true,
    };
    t.add_row(vec![TableCell::from("R-1"), toned(text, Tone::Bad)]);
    fancy_styled(&t, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_columns_align_and_multi_line_cells_continue_below() {
        let mut t = Table {
            header: vec!["A".into(), "BB".into(), "C".into()],
            rows: Vec::new(),
            fancy: false,
        };
        t.add_row(vec![
            TableCell::from("x"),
            TableCell::lines(&["one", "two"]),
            TableCell::from(""),
        ]);
        t.add_row(vec!["long", "é", "z"]);
        assert_eq!(
            render(&t),
            "A     BB   C\nx     one\n      two\nlong  é    z"
        );
    }

    #[test]
    fn a_cell_of_text_is_one_line_with_its_controls_escaped() {
        let mut t = Table {
            header: vec!["ID".into(), "TITLE".into()],
            rows: Vec::new(),
            fancy: false,
        };
        t.add_row(vec!["R-1", "a\nb\u{1b}[2J\tc"]);
        t.add_row(vec![TableCell::from("R-2"), toned("x\ry", Tone::Bad)]);
        t.add_row(vec![
            TableCell::from("R-3"),
            TableCell::lines(&["rule\u{7}", "next"]),
        ]);
        assert_eq!(
            render(&t),
            "ID   TITLE\nR-1  a\\nb\\u{1b}[2J\\tc\nR-2  x\\ry\nR-3  rule\\u{7}\n     next"
        );
    }

    #[test]
    fn rows_written_line_by_line_are_the_rendered_table() {
        let rows = || {
            vec![
                vec!["x".to_string(), "one\ntwo".into(), String::new()],
                vec!["long".into(), "é".into(), "z  ".into()],
                vec![String::new(), "a wide cell".into(), "\n".into()],
            ]
            .into_iter()
        };
        let header = vec!["A".to_string(), "BB".into(), "C".into()];
        let mut t = Table {
            header: header.clone(),
            rows: Vec::new(),
            fancy: false,
        };
        for r in rows() {
            t.add_row(r);
        }
        let mut out = Vec::new();
        write_plain(&mut out, header, rows).expect("written");
        assert_eq!(String::from_utf8(out).expect("utf-8"), render(&t) + "\n");
    }
}
