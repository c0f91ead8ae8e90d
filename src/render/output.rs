//! Writing to stdout where a closed pipe (`rel list | head`) ends the program
//! quietly with exit 0 instead of an error.

use std::io::Write;

fn handle(result: std::io::Result<()>) {
    if let Err(e) = result {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// Prints `text` and a newline.
pub fn outln(text: &str) {
    let mut lock = std::io::stdout().lock();
    handle(
        lock.write_all(text.as_bytes())
            .and_then(|_| lock.write_all(b"\n")),
    );
}

/// Prints a message and a newline on stderr. Unlike `eprintln!`, which
/// panics when stderr is a closed pipe (`rel new 2>&1 | head -1`), a message
/// nobody can read is dropped: the work it reports is already done.
pub fn errln(text: &str) {
    let mut lock = std::io::stderr().lock();
    let _ = lock
        .write_all(text.as_bytes())
        .and_then(|_| lock.write_all(b"\n"));
}

pub fn flush() {
    handle(std::io::stdout().lock().flush());
}

/// Prints a value as pretty JSON.
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

type PrettySerializer<'a> = serde_json::Serializer<
    &'a mut std::io::BufWriter<std::io::StdoutLock<'static>>,
    serde_json::ser::PrettyFormatter<'static>,
>;

/// Pretty JSON streamed to stdout through a buffer (hundreds of megabytes
/// for a large register need not sit in memory as one string), then a newline.
/// A closed pipe ends the program quietly, as for every output.
fn stream_json(
    write: impl FnOnce(&mut PrettySerializer<'_>) -> Result<(), serde_json::Error>,
) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut ser = serde_json::Serializer::pretty(&mut out);
    match write(&mut ser) {
        Ok(()) => {}
        Err(e) if e.is_io() => {
            handle(Err(std::io::Error::from(e)));
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    }
    handle(out.write_all(b"\n").and_then(|_| out.flush()));
    Ok(())
}

/// `errln!("...", args)`: like `eprintln!`, but never panics (see `errln`).
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::render::output::errln(&format!($($arg)*))
    };
}
