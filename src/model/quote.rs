//! Quoting what a user or a file gave in a message, cut to a length a
//! terminal and a log can hold: a 10,000-character id or a 1 MB line must
//! not become a 10,000-character error.

use std::borrow::Cow;

/// The most characters of a given value a message repeats.
pub const MAX_QUOTED: usize = 200;

/// `text` cut to `MAX_QUOTED` characters, `…` marking a cut.
pub fn cut(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(MAX_QUOTED) {
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
        None => Cow::Borrowed(text),
    }
}

/// `text` in double quotes with Rust's escapes (so a line break or a
/// control character shows as `\n`, `\u{1b}`), cut to `MAX_QUOTED`
/// characters of the original, then how long it was.
pub fn quoted(text: &str) -> String {
    match cut(text) {
        Cow::Owned(short) => format!("{short:?} ({} characters)", text.chars().count()),
        Cow::Borrowed(_) => format!("{text:?}"),
    }
}

/// `text` with every control character (`is_control`: C0, DEL, C1) written
/// as Rust writes it (`\n`, `\t`, `\u{1b}`), the rest as it is: shown on a
/// terminal or put on one line, a text cannot move the cursor, clear the
/// screen, set the terminal's title or start a line of its own.
pub fn controls_escaped(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_short_ones_kept() {
        assert_eq!(quoted("R-1"), "\"R-1\"");
        assert_eq!(cut("R-1"), "R-1");
        let long = "é".repeat(10_000);
        let q = quoted(&long);
        assert_eq!(q.matches('é').count(), MAX_QUOTED);
        assert!(q.ends_with("é…\" (10000 characters)"), "{q}");
        assert_eq!(cut(&long).chars().count(), MAX_QUOTED + 1);
        assert_eq!(quoted("a\nb"), "\"a\\nb\"");
    }

    #[test]
    fn controls_are_escaped_and_nothing_else() {
        assert!(matches!(
            controls_escaped("plain é \\ \""),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            controls_escaped("x\u{1b}]0;T\u{7}\u{1b}[2J\r\n\t\u{0}\u{7f}\u{9b}é"),
            "x\\u{1b}]0;T\\u{7}\\u{1b}[2J\\r\\n\\t\\0\\u{7f}\\u{9b}é"
        );
    }
}
