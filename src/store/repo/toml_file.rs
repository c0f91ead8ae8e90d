//! Parsing TOML with errors that point at the file, line and column.

use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::invalid;
use crate::model::quote::cut;

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// `path:line:col: message`, the form editors jump to.
pub fn located(path: &Path, text: &str, span: Option<Range<usize>>, message: &str) -> String {
    match span {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("{}:{line}:{col}: {message}", path.display())
        }
        None => format!("{}: {message}", path.display()),
    }
}

/// Deserializes `text` (read from `path`), mapping any error to exit 2 with
/// its location. A big release manifest is read in batches
/// (`chunked_toml`), in memory proportional to its size.
pub fn parse<T: DeserializeOwned + 'static>(path: &Path, text: &str) -> anyhow::Result<T> {
    if text.len() >= super::chunked_toml::CHUNKED_FROM
        && std::any::TypeId::of::<T>() == std::any::TypeId::of::<crate::model::release::Release>()
    {
        let chunked = super::chunked_toml::release(text)
            .map(|r| Box::new(r) as Box<dyn std::any::Any>)
            .and_then(|r| r.downcast::<T>().ok());
        if let Some(value) = chunked {
            return Ok(*value);
        }
    }
    toml::from_str(text).map_err(|e| {
        let mut message = e.message().trim().replace('\n', " ");
        // Some messages do not name the key ("wanted string or table"):
        // the line itself does.
        if let Some(line) = e.span().and_then(|s| line_at(text, s.start)) {
            message.push_str(&format!(" (in `{line}`)"));
        }
        invalid(located(path, text, e.span(), &message))
    })
}

/// The line holding byte `offset`, trimmed and cut (`quote::cut`); None
/// when blank.
fn line_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(start..)?.lines().next()?.trim();
    (!line.is_empty()).then(|| cut(line).into_owned())
}

/// `bytes` as UTF-8 text, or exit 2 with the line and column of the first
/// byte that is not UTF-8 (what an editor needs to find it).
pub fn text_of(bytes: Vec<u8>, shown: &Path) -> anyhow::Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // The valid prefix is text; its end is where the bad byte starts.
        let before = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
        let (line, col) = line_col(before, good);
        invalid(format!(
            "{}:{line}:{col}: not valid UTF-8 (byte 0x{:02x}); rel's files are UTF-8 text",
            shown.display(),
            bytes.get(good).copied().unwrap_or(0)
        ))
    })
}

/// Canonical serialization of a manifest. rel's own serializers refuse
/// values that could not be read back (a content revision out of range):
/// that is invalid input (exit 2), nothing written.
pub fn to_canonical<T: serde::Serialize>(value: &T) -> anyhow::Result<String> {
    toml::to_string(value).map_err(|e| invalid(format!("cannot write a manifest: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let text = "a = 1\nbb = x\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 11), (2, 6));
    }

    #[test]
    fn the_line_of_an_error_is_shown_short() {
        let text = "a = 1\n\nstate = 3\n";
        assert_eq!(line_at(text, 15).as_deref(), Some("state = 3"));
        assert_eq!(line_at(text, 6), None);
        assert_eq!(line_at(text, 999), None);
        let long = format!("h = [{}]", "é".repeat(1000));
        assert_eq!(line_at(&long, 3).map(|l| l.chars().count()), Some(201));
    }

    #[test]
    fn invalid_utf8_is_located_at_its_first_bad_byte() {
        let bytes = b"a = 1\nname = \"d\xc3\xa9\xffx\"\n".to_vec();
        let err = text_of(bytes, Path::new("environments.toml")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("environments.toml:2:11: not valid UTF-8 (byte 0xff)"),
            "{text}"
        );
    }
}
