//! Parsing TOML with errors that point at the file, line and column.

use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::invalid;

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
/// its location.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> anyhow::Result<T> {
    toml::from_str(text).map_err(|e| {
        let message = e.message().trim().replace('\n', " ");
        invalid(located(path, text, e.span(), &message))
    })
}

/// Reads a file as UTF-8 text; `shown` is the path named in messages.
pub fn read_text(path: &Path, shown: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path)
        .map_err(|e| invalid(format!("{}: cannot read: {e}", shown.display())))?;
    String::from_utf8(bytes).map_err(|_| invalid(format!("{}: not valid UTF-8", shown.display())))
}

/// Canonical serialization of a manifest.
pub fn to_canonical<T: serde::Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(toml::to_string(value)?)
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
}
