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
/// The first item that cannot be made stops the document and is the error
/// returned: nothing of it reaches stdout (see `stream_json`), so the
/// error's own document is the one printed, and a listing never looks
/// complete when it is not.
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
    &'a mut std::io::BufWriter<Spool>,
    serde_json::ser::PrettyFormatter<'static>,
>;

/// Pretty JSON and a newline, made into a spool and copied to stdout only
/// once it is whole: with `--json` stdout holds one document whatever the
/// outcome (contract section 5), so a listing that fails half-way (an
/// object that cannot be read, exit 4) prints the error's document, not
/// half of its own. Hundreds of megabytes for a large register still
/// never sit in memory (the spool goes to a temporary file past a few
/// megabytes). A second document in one run is refused: scripts read
/// stdout as exactly one.
fn stream_json(
    write: impl FnOnce(&mut PrettySerializer<'_>) -> Result<(), serde_json::Error>,
) -> anyhow::Result<()> {
    if JSON_WRITTEN.swap(true, Ordering::SeqCst) {
        return Err(internal(
            "internal error: a second JSON document was about to be printed",
        ));
    }
    let made = spool_json(write);
    let mut spool = match made {
        Ok(spool) => spool,
        Err(e) => {
            // Nothing was printed: the outcome's document may be.
            JSON_WRITTEN.store(false, Ordering::SeqCst);
            return Err(e);
        }
    };
    STDOUT_USED.store(true, Ordering::SeqCst);
    let mut out = std::io::stdout().lock();
    spool.copy_to(&mut out)?;
    out.flush()?;
    Ok(())
}

fn spool_json(
    write: impl FnOnce(&mut PrettySerializer<'_>) -> Result<(), serde_json::Error>,
) -> anyhow::Result<Spool> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, Spool::Memory(Vec::new()));
    let written = write(&mut serde_json::Serializer::pretty(&mut out));
    match written {
        Ok(()) => {}
        Err(e) if e.is_io() => return Err(std::io::Error::from(e).into()),
        Err(e) => return Err(e.into()),
    }
    out.write_all(b"\n")?;
    out.into_inner().map_err(|e| e.into_error().into())
}

/// Bytes kept in memory before the spool moves to a temporary file.
const SPOOL_IN_MEMORY: usize = 8 << 20;

/// A document being made: in memory while it is small, then in an
/// unnamed temporary file (where none can be made, in memory still: the
/// document is printed either way).
enum Spool {
    Memory(Vec<u8>),
    File(std::fs::File),
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Spool::Memory(bytes) = self {
            if bytes.len() + buf.len() > SPOOL_IN_MEMORY {
                if let Ok(mut file) = tempfile::tempfile() {
                    file.write_all(bytes)?;
                    *self = Spool::File(file);
                }
            }
        }
        match self {
            Spool::Memory(bytes) => bytes.write(buf),
            Spool::File(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Spool::Memory(_) => Ok(()),
            Spool::File(file) => file.flush(),
        }
    }
}

impl Spool {
    fn copy_to(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        match self {
            Spool::Memory(bytes) => out.write_all(bytes),
            Spool::File(file) => {
                use std::io::Seek;
                file.seek(std::io::SeekFrom::Start(0))?;
                std::io::copy(file, out).map(|_| ())
            }
        }
    }
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

    #[test]
    fn a_spool_past_its_memory_moves_to_a_file_and_gives_back_every_byte() {
        let mut spool = Spool::Memory(Vec::new());
        let chunk: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
        for _ in 0..9 {
            spool.write_all(&chunk).unwrap();
        }
        assert!(matches!(spool, Spool::File(_)));
        let mut out = Vec::new();
        spool.copy_to(&mut out).unwrap();
        assert_eq!(out.len(), 9 << 20);
        assert!(out.chunks(1 << 20).all(|c| c == chunk.as_slice()));
    }
}
