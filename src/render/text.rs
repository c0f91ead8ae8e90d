//! Text from the repository (titles, reasons, notes, names, components,
//! git history) as rel prints it (contract 11.10): control characters shown
//! escaped as Rust writes them (`\u{1b}`, `\n`), never raw, so a title
//! cannot move the cursor, clear the screen or set the terminal's title.
//!
//! Two layers. `shown` is for a field that sits on one line (a table's
//! cell, the title after an id): every control character escaped, line
//! breaks too. `for_terminal` is the net under everything printed as text
//! (`output::outln`, `errln`, `stream_out`): every control character but
//! the line breaks rel itself writes, so no text reaches the terminal raw
//! even where a field was printed without `shown`. Documents with escapes
//! of their own (JSON, iCalendar) do not pass through either.

use std::borrow::Cow;
use std::io::Write;

pub use crate::model::quote::controls_escaped as shown;

/// A line rel makes of fields: `shown`, kept as a `String`.
pub fn shown_line(line: String) -> String {
    match shown(&line) {
        Cow::Borrowed(_) => line,
        Cow::Owned(escaped) => escaped,
    }
}

/// `text` with every control character but `\n` escaped, and but the
/// colour sequences (SGR: `ESC [ digits ; ... m`) of rel's own tables on a
/// terminal: a colour cannot move the cursor, clear the screen or set the
/// terminal's title, and every table cell and one-line field has escaped
/// its own ESC before (`shown`), so the colours that pass are rel's.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(len) = colour_at(rest) {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        if c.is_control() && c != '\n' {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// The length of the SGR sequence `text` starts with, if it does.
fn colour_at(text: &str) -> Option<usize> {
    let params = text.strip_prefix("\u{1b}[")?;
    let digits = params
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (params.as_bytes().get(digits) == Some(&b'm')).then_some(2 + digits + 1)
}

/// A writer that passes what it is given through `for_terminal`. Writes
/// come whole from `write!` and `write_all` of strings; bytes that are not
/// UTF-8 keep their non-ASCII bytes and lose only their raw ASCII controls.
pub struct ForTerminal<W: Write>(pub W);

impl<W: Write> Write for ForTerminal<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match std::str::from_utf8(buf) {
            Ok(text) => self.0.write_all(for_terminal(text).as_bytes()),
            Err(_) => {
                for &b in buf {
                    if (b < 0x20 && b != b'\n') || b == 0x7f {
                        write!(self.0, "{}", char::from(b).escape_debug())?;
                    } else {
                        self.0.write_all(&[b])?;
                    }
                }
                Ok(())
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// `text` as an iCalendar TEXT value holds it (RFC 5545 section 3.3.11:
/// no control character): a line break stays `\n` (the calendar library
/// writes it as the two characters `\n`), CR and every other control
/// character are dropped, so a note cannot start a line of the feed
/// (`BEGIN:VEVENT`, `ATTENDEE`) in a reader that splits lines at CR.
pub fn ical_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter(|&c| c == '\n' || !c.is_control())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "x\u{1b}]0;T\u{7}\u{1b}[2J\r\nnext\tline\u{7f}\u{9b}é";

    #[test]
    fn a_field_shows_every_control_character_escaped() {
        assert_eq!(
            shown(HOSTILE),
            "x\\u{1b}]0;T\\u{7}\\u{1b}[2J\\r\\nnext\\tline\\u{7f}\\u{9b}é"
        );
        assert!(matches!(shown("plain title é"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_terminal_gets_line_breaks_and_nothing_else_raw() {
        assert_eq!(
            for_terminal(HOSTILE),
            "x\\u{1b}]0;T\\u{7}\\u{1b}[2J\\r\nnext\\tline\\u{7f}\\u{9b}é"
        );
        let mut out = ForTerminal(Vec::new());
        out.write_all(HOSTILE.as_bytes()).expect("written");
        out.write_all(b"\xff\x1b\n").expect("written");
        assert_eq!(
            out.0,
            [for_terminal(HOSTILE).as_bytes(), b"\xff\\u{1b}\n"].concat()
        );
    }

    #[test]
    fn colours_pass_and_no_other_sequence() {
        assert_eq!(
            for_terminal("\u{1b}[38;5;10m ready \u{1b}[39m\u{1b}[2J\u{1b}[1;31\u{1b}[m"),
            "\u{1b}[38;5;10m ready \u{1b}[39m\\u{1b}[2J\\u{1b}[1;31\u{1b}[m"
        );
        // A table's hostile cell is escaped before its colours are added.
        let text = super::super::table::fancy_for_tests(HOSTILE);
        let through = for_terminal(&text);
        assert!(through.contains("\u{1b}[38;5;9m"), "{through:?}");
        let raw: Vec<&str> = through.split('\u{1b}').skip(1).collect();
        assert!(
            raw.iter()
                .all(|r| colour_at(&format!("\u{1b}{r}")).is_some()),
            "{through:?}"
        );
        assert!(through.contains(&*shown(HOSTILE)), "{through:?}");
    }

    #[test]
    fn a_calendar_text_keeps_line_breaks_only() {
        assert_eq!(
            ical_text("a\r\nb\rBEGIN:VEVENT\r\u{1b}[2J\u{85}c\td"),
            "a\nbBEGIN:VEVENT[2Jcd"
        );
        assert!(matches!(ical_text("a\nb"), Cow::Borrowed(_)));
    }
}
