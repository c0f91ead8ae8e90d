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
    let text = serde_json::to_string_pretty(value)?;
    outln(&text);
    Ok(())
}

/// `errln!("...", args)`: like `eprintln!`, but never panics (see `errln`).
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::render::output::errln(&format!($($arg)*))
    };
}
