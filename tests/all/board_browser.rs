//! `rel board` in a real browser: headless Chromium opens the generated
//! page from `file://` (offline, as a reader would), shows the releases,
//! logs nothing to its console, and paints the style sheet (the header's
//! colour is in the screenshot). Chromium is /usr/bin/chromium; without it
//! the test fails in CI (`CI` set) and is skipped with a message elsewhere.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::board::generate;
use crate::common::git::one_commit;
use crate::common::releases::new_release;
use crate::common::Env;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium, or None (with a message) when it may be skipped.
pub fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from(CHROMIUM);
    if path.is_file() {
        return Some(path);
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        !ci,
        "{CHROMIUM} is missing; CI must install it (see .ci/run: apt-get install chromium)"
    );
    eprintln!("skipped: {CHROMIUM} is missing (install chromium to run the browser test)");
    None
}

/// Runs headless Chromium on `page` with `extra` flags, in a fresh profile
/// and HOME, killed if it takes more than two minutes.
pub fn run_chromium(chromium: &Path, scratch: &Path, page: &Path, extra: &[String]) -> Output {
    let profile = tempfile::tempdir_in(scratch).expect("profile");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .env("HOME", scratch)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    // Read both pipes while waiting, so a full pipe cannot stall it.
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let (out, err) = (read(Box::new(stdout)), read(Box::new(stderr)));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium took more than two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Output {
        status,
        stdout: out.join().expect("stdout"),
        stderr: err.join().expect("stderr"),
    }
}

#[test]
fn chromium_shows_the_board_offline_without_console_errors() {
    let Some(chromium) = chromium() else {
        return;
    };
    let env = Env::new();
    let a = new_release(&env, "1.4.0");
    let b = new_release(&env, "1.4.1");
    one_commit(&env, &["promote", &b, "--yes"]);
    one_commit(&env, &["hold", &b, "--reason", "client audit"]);
    let page = generate(&env).join("index.html");
    let scratch = env.tmp.path();

    // The DOM as rendered, and the console.
    let dom = run_chromium(
        &chromium,
        scratch,
        &page,
        &[
            "--dump-dom".into(),
            "--enable-logging=stderr".into(),
            "--v=0".into(),
        ],
    );
    let stderr = String::from_utf8_lossy(&dom.stderr);
    assert!(dom.status.success(), "chromium failed: {stderr}");
    let rendered = String::from_utf8_lossy(&dom.stdout);
    for id in [&a, &b] {
        assert!(
            rendered.contains(id.as_str()),
            "{id} not rendered:\n{rendered}"
        );
    }
    assert!(rendered.contains("Release board"));
    // The forecast of all releases as one timeline (B is held: it stops).
    assert!(rendered.contains("forecast-title"), "{rendered}");
    assert!(rendered.contains("stops before"), "{rendered}");
    // The page has no script: any console message at all is a fault.
    let console: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:#?}");

    // A screenshot: a real PNG of the window's size, with the style sheet
    // painted (the header's dark background at its top-left corner).
    let shot = scratch.join("board.png");
    let run = run_chromium(
        &chromium,
        scratch,
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1400,900".into(),
            "--hide-scrollbars".into(),
        ],
    );
    assert!(
        run.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let bytes = std::fs::read(&shot).expect("a screenshot");
    assert!(
        bytes.len() > 20_000,
        "a near-empty screenshot: {} bytes",
        bytes.len()
    );
    let (width, height, pixel) = top_left_pixel(&bytes);
    assert_eq!((width, height), (1400, 900));
    assert_eq!(
        pixel,
        [0x24, 0x29, 0x2f],
        "the header's colour: board.css applied"
    );
}

/// The size of a PNG and the colour of its pixel (4, 4).
fn top_left_pixel(bytes: &[u8]) -> (u32, u32, [u8; 3]) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let at = (4 * info.width as usize + 4) * channels;
    (info.width, info.height, [buf[at], buf[at + 1], buf[at + 2]])
}
