//! Writing to stdout and stderr.
//!
//! A closed stdout (`rel list | head`) is returned as the `BrokenPipe` I/O
//! error it is; `main` finds it in the error's chain and exits 0 quietly.
//! stdout also remembers whether anything was written to it, so that with
//! `--json` it holds exactly one document whatever the outcome: a command
//! prints at most one, and `main` prints the refusal or error document only
//! when stdout is still empty.
//!
//! Text printed for people passes through `text::for_terminal`: a control
//! character from the repository shows escaped, never raw (contract 11.10).
//! A document in a format with escapes of its own (JSON, iCalendar) is
//! written as it is made (`document`).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::internal;

use super::text::{for_terminal, ForTerminal};

/// Something was written (or tried) to stdout.
static STDOUT_USED: AtomicBool = AtomicBool::new(false);
/// A JSON document was written (or tried) to stdout.
static JSON_WRITTEN: AtomicBool = AtomicBool::new(false);

/// True once anything went to stdout: an outcome document would then be a
/// second document (or JSON after text).
pub fn stdout_used() -> bool {
    STDOUT_USED.load(Ordering::SeqCst)
}

/// Prints `text` and a newline, control characters but line breaks
/// escaped.
pub fn outln(text: &str) -> anyhow::Result<()> {
    document(&for_terminal(text))
}

/// Prints a document that carries its own escapes (an iCalendar feed, a
/// JSON text) and a newline, as it is.
pub fn document(text: &str) -> anyhow::Result<()> {
    STDOUT_USED.store(true, Ordering::SeqCst);
    let mut lock = std::io::stdout().lock();
    lock.write_all(text.as_bytes())
        .and_then(|_| lock.write_all(b"\n"))?;
    Ok(())
}

/// Writes to stdout through a buffer as `write` goes (a listing of 100,000
/// rows is never held as one string), then flushes; control characters but
/// line breaks escaped.
pub fn stream_out(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> anyhow::Result<()> {
    STDOUT_USED.store(true, Ordering::SeqCst);
    let mut out = ForTerminal(std::io::BufWriter::with_capacity(
        1 << 16,
        std::io::stdout().lock(),
    ));
    write(&mut out)?;
    out.flush()?;
    Ok(())
}

/// Prints a message and a newline on stderr. Unlike `eprintln!`, which
/// panics when stderr is a closed pipe (`rel new 2>&1 | head -1`), a message
/// nobody can read is dropped: the work it reports is already done.
pub fn errln(text: &str) {
    let mut lock = std::io::stderr().lock();
    let _ = lock
        .write_all(for_terminal(text).as_bytes())
        .and_then(|_| lock.write_all(b"\n"));
}

pub fn flush() -> anyhow::Result<()> {
    std::io::stdout().lock().flush()?;
    Ok(())
}

/// Prints a value as pretty JSON: the one document of this run.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    stream_json(|ser| value.serialize(ser))
}

/// A JSON array whose items are made one at a time as they are written, so
/// a listing of 100,000 incidents never holds all their JSON at once.
pub fn json_seq<I>(items: I) -> anyhow::Result<()>
where
    I: IntoIterator,
    I::Item: serde::Serialize,
{
    use serde::Serializer;
    stream_json(|ser| ser.collect_seq(items))
}

/// `json_seq` over items read as they are written, skipping the `None`s.
/// The first item that cannot be made stops the document there (stdout
/// then holds no valid JSON) and is the error returned: a listing never
/// looks complete when it is not.
pub fn json_seq_of_results<I, T>(items: I) -> anyhow::Result<()>
where
    I: Iterator<Item = anyhow::Result<Option<T>>>,
    T: serde::Serialize,
{
    let failure: std::cell::RefCell<Option<anyhow::Error>> = std::cell::RefCell::new(None);
    let each = items.filter_map(|item| match item {
        Ok(Some(value)) => Some(Made::Value(value)),
        Ok(None) => None,
        Err(e) => {
            failure.borrow_mut().get_or_insert(e);
            Some(Made::Failed)
        }
    });
    let written = json_seq(each);
    match failure.into_inner() {
        Some(e) => Err(e),
        None => written,
    }
}

/// An item of `json_seq_of_results`: a value, or the failure that stops it.
enum Made<T> {
    Value(T),
    Failed,
}

impl<T: serde::Serialize> serde::Serialize for Made<T> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self {
            Made::Value(v) => v.serialize(ser),
            Made::Failed => Err(serde::ser::Error::custom("an item could not be read")),
        }
    }
}

type PrettySerializer<'a> = serde_json::Serializer<
    &'a mut std::io::BufWriter<std::io::StdoutLock<'static>>,
    serde_json::ser::PrettyFormatter<'static>,
>;

/// Pretty JSON streamed to stdout through a buffer (hundreds of megabytes
/// for a large register need not sit in memory as one string), then a
/// newline. A second document in one run is refused: scripts read stdout
/// as exactly one.
fn stream_json(
    write: impl FnOnce(&mut PrettySerializer<'_>) -> Result<(), serde_json::Error>,
) -> anyhow::Result<()> {
    let mut out = start_document()?;
    let mut ser = serde_json::Serializer::pretty(&mut out);
    match write(&mut ser) {
        Ok(()) => {}
        // The I/O error itself (a closed pipe stays a closed pipe).
        Err(e) if e.is_io() => return Err(std::io::Error::from(e).into()),
        Err(e) => return Err(e.into()),
    }
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// The buffered stdout of the one JSON document of this run; a second one
/// is refused: scripts read stdout as exactly one.
fn start_document() -> anyhow::Result<std::io::BufWriter<std::io::StdoutLock<'static>>> {
    if JSON_WRITTEN.swap(true, Ordering::SeqCst) {
        return Err(internal(
            "internal error: a second JSON document was about to be printed",
        ));
    }
    STDOUT_USED.store(true, Ordering::SeqCst);
    Ok(std::io::BufWriter::with_capacity(
        1 << 16,
        std::io::stdout().lock(),
    ))
}

/// `value` as an item of the pretty array `json_seq` writes: its pretty
/// form one level in. Made as serde_json writes it in an array of one (the
/// array's `[\n  ` and `\n]` cut off), so it is those bytes by
/// construction.
pub fn json_item<T: serde::Serialize>(value: &T) -> anyhow::Result<Vec<u8>> {
    let mut one = serde_json::to_vec_pretty(std::slice::from_ref(value))?;
    match (one.starts_with(b"[\n  "), one.ends_with(b"\n]")) {
        (true, true) => {
            one.truncate(one.len() - 2);
            one.drain(..4);
            Ok(one)
        }
        _ => Err(internal("internal error: a JSON item is not in its array")),
    }
}

/// A pretty JSON array of items made by `json_item`, written as `fill`
/// hands them over (through the function it is given), byte for byte what
/// `json_seq` writes for their values: `[]` when there is none. An error
/// from `fill` stops the document there (stdout then holds no valid JSON)
/// and is returned.
pub fn json_items(
    fill: impl FnOnce(&mut dyn FnMut(&[u8]) -> anyhow::Result<()>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut out = start_document()?;
    write_items(&mut out, fill)?;
    out.flush()?;
    Ok(())
}

/// The array of `json_items` and its newline, written to `out`.
fn write_items(
    out: &mut impl Write,
    fill: impl FnOnce(&mut dyn FnMut(&[u8]) -> anyhow::Result<()>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut any = false;
    fill(&mut |item: &[u8]| {
        out.write_all(if any { b",\n  " } else { b"[\n  " })?;
        any = true;
        out.write_all(item)?;
        Ok(())
    })?;
    out.write_all(if any { b"\n]\n" } else { b"[]\n" })?;
    Ok(())
}

/// `errln!("...", args)`: like `eprintln!`, but never panics (see `errln`).
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::render::output::errln(&format!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `json_items` over `json_item`s: what `json_seq` (serde_json's
    /// pretty array) and its newline are.
    #[test]
    fn items_made_apart_are_the_pretty_array_byte_for_byte() {
        let odd = [
            json!({}),
            json!([]),
            json!("a \"quoted\"\nline\r\t\u{7f} é 漢字 😀 \\ </script>"),
            json!({"id": "INC-1", "empty": [], "none": {}, "null": null, "n": [1, 2.5, -3],
                   "nested": [{"a": [[], [{}], {"b": "x\ny"}]}], "title": "  \n  "}),
            json!(42),
        ];
        for count in 0..=odd.len() {
            let values = &odd[..count];
            let mut expected = serde_json::to_vec_pretty(values).expect("json");
            expected.push(b'\n');
            let mut got = Vec::new();
            write_items(&mut got, |emit| {
                for v in values {
                    emit(&json_item(v)?)?;
                }
                Ok(())
            })
            .expect("written");
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&expected),
                "{count} items"
            );
        }
    }
}
