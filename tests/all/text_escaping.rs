//! Text from the repository reaches a terminal with its control characters
//! shown escaped, never raw (contract 11.10): a title, reason, note or name
//! holding escape sequences, BEL, CR, tabs and line breaks cannot move the
//! cursor, clear the screen or set the terminal's title through any view.
//! In the iCalendar feed, TEXT values hold no control character, so a note
//! cannot add an event; `PRODID` names rel and its version.

use crate::common::Env;

const PIPELINE: &str = r#"
[roles]
release-manager = ["ana@example.com"]

[[environments]]
name = "dev"

[[environments]]
name = "test"
soak = { major = 5, minor = 3, patch = 0 }

[[environments]]
name = "live"
entry_checklist = ["Database compared"]
blackouts = [{ from = 2026-12-18, to = 2027-01-04, reason = "Year-end\r\nBEGIN:VEVENT\rfreeze\u0007" }]
"#;

/// Sets the terminal's title, rings the bell, clears the screen, returns
/// the carriage, breaks the line, tabs.
const HOSTILE: &str = "Pay\u{1b}]0;PWNED\u{7}\u{1b}[2J\rCR\nNL\tTAB\u{7f}\u{9b}";
/// The same, as rel shows it on one line.
const SHOWN: &str = "Pay\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J\\rCR\\nNL\\tTAB\\u{7f}\\u{9b}";

/// A repository where every free text rel shows is hostile: the release's
/// title, its incident's title, impact, authoriser and evidence, a hold's
/// reason, a schedule's note, an update path's reason, an update's title.
fn hostile_repo() -> Env {
    let env = Env::with_pipeline(PIPELINE);
    let text = |flag: &str| format!("--{flag}={HOSTILE}");
    for args in [
        vec!["new".to_string(), "--version=1.0.0".into(), text("title")],
        vec![
            "incident".into(),
            "new".into(),
            "INC-1".into(),
            text("title"),
            text("impact"),
        ],
        vec!["incident".into(), "resolve".into(), "INC-1".into()],
        vec![
            "incident".into(),
            "authorise".into(),
            "INC-1".into(),
            text("by"),
        ],
        vec![
            "incident".into(),
            "test".into(),
            "INC-1".into(),
            text("evidence"),
        ],
        vec!["group".into(), "R-2026-001".into(), "INC-1".into()],
        vec![
            "schedule".into(),
            "R-2026-001".into(),
            "--at=2026-11-23T10:00:00Z".into(),
            text("note"),
        ],
        vec![
            "path".into(),
            "R-2026-001".into(),
            "--set=standard".into(),
            text("reason"),
        ],
        vec!["hold".into(), "R-2026-001".into(), text("reason")],
        vec![
            "installation".into(),
            "new".into(),
            "acme".into(),
            "--version=1.0.0".into(),
        ],
        vec!["rollout".into(), "--version=1.1.0".into(), text("title")],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        env.rel(&args).ok();
    }
    env
}

/// The raw bytes rel writes on stdout and stderr.
fn raw(env: &Env, args: &[&str]) -> (i32, Vec<u8>, Vec<u8>) {
    let out = env.cmd(args).output().expect("run rel");
    (out.status.code().unwrap_or(-1), out.stdout, out.stderr)
}

/// The control bytes (C0 but the line break, DEL, and C1 as UTF-8) in `bytes`.
fn raw_controls(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.chars()
        .filter(|&c| c.is_control() && c != '\n')
        .map(|c| format!("{c:?}"))
        .collect()
}

#[test]
fn every_view_shows_hostile_text_escaped_never_raw() {
    let env = hostile_repo();
    let views: [&[&str]; 16] = [
        &["list"],
        &["list", "--state=all"],
        &["show", "R-2026-001"],
        &["status"],
        &["log"],
        &["incident", "list"],
        &["incident", "show", "INC-1"],
        &["notes", "R-2026-001"],
        &["plan", "R-2026-001"],
        &["check", "R-2026-001"],
        &["due"],
        &["path", "R-2026-001"],
        &["installation", "show", "acme"],
        &["installation", "list"],
        &["env"],
        &["show", "acme-1.1.0"],
    ];
    for args in views {
        let (code, stdout, stderr) = raw(&env, args);
        assert!((0..=1).contains(&code), "rel {args:?}: exit {code}");
        assert_eq!(
            raw_controls(&stdout),
            Vec::<String>::new(),
            "stdout of {args:?}"
        );
        assert_eq!(
            raw_controls(&stderr),
            Vec::<String>::new(),
            "stderr of {args:?}"
        );
        let out = String::from_utf8_lossy(&stdout);
        assert!(!out.contains("PWNED\u{7}"), "rel {args:?}:\n{out}");
    }
    // The text is there, escaped, on one line.
    for args in [
        &["list"][..],
        &["show", "R-2026-001"],
        &["incident", "list"],
        &["incident", "show", "INC-1"],
        &["show", "acme-1.1.0"],
    ] {
        let out = env.rel(args).stdout;
        assert!(
            out.contains(SHOWN),
            "rel {args:?} shows the title escaped:\n{out}"
        );
    }
    let show = env.rel(&["show", "R-2026-001"]).stdout;
    for shown_line in [
        format!("R-2026-001  {SHOWN}"),
        format!("  ON HOLD since Fri 2026-11-20 15:00 UTC by Ana Smith <ana@example.com>: {SHOWN}"),
    ] {
        assert!(
            show.lines().any(|l| l == shown_line),
            "{shown_line:?} in:\n{show}"
        );
    }
    assert!(
        show.contains(&format!(": {SHOWN}")),
        "the schedule's note:\n{show}"
    );
    let incident = env.rel(&["incident", "show", "INC-1"]).stdout;
    assert!(
        incident.contains(&format!("  impact      {SHOWN}")),
        "{incident}"
    );
    let log = env.rel(&["log"]).stdout;
    assert!(log.contains(&format!("reason: {SHOWN}")), "{log}");
    let path = env.rel(&["path", "R-2026-001"]).stdout;
    assert!(path.contains(&format!("  reason: {SHOWN}")), "{path}");
    // Markdown shows the escape literally: its backslash is escaped.
    let notes = env.rel(&["notes", "R-2026-001"]).stdout;
    assert!(notes.contains("Pay\\\\u{1b}"), "{notes}");
}

#[test]
fn json_keeps_the_text_as_json_escapes_it() {
    let env = hostile_repo();
    let show = env.rel(&["--json", "show", "R-2026-001"]);
    show.ok();
    assert_eq!(show.json()["title"], HOSTILE);
    assert!(
        show.stdout.contains("\\u001b]0;PWNED\\u0007"),
        "{}",
        show.stdout
    );
    let evidence = env.rel(&["evidence", "R-2026-001"]);
    evidence.ok();
    assert_eq!(evidence.json()["release"]["title"], HOSTILE);
}

#[test]
fn messages_on_stderr_quote_text_escaped() {
    let env = hostile_repo();
    // Committing echoes the subject; a refusal quotes the text it refuses.
    let (code, _, stderr) = raw(
        &env,
        &["cancel", "R-2026-001", &format!("--reason={HOSTILE}")],
    );
    assert_eq!(code, 0);
    assert_eq!(raw_controls(&stderr), Vec::<String>::new());
    let item = format!("tick R-2026-001 --env live {HOSTILE}");
    let args: Vec<&str> = item.splitn(5, ' ').collect();
    let (code, stdout, stderr) = raw(&env, &args);
    assert_ne!(code, 0);
    assert_eq!(raw_controls(&stdout), Vec::<String>::new());
    assert_eq!(raw_controls(&stderr), Vec::<String>::new());
    let (_, _, stderr) = raw(&env, &["show", HOSTILE]);
    assert_eq!(raw_controls(&stderr), Vec::<String>::new());
    assert!(String::from_utf8_lossy(&stderr).contains("\\u{1b}"));
}

/// The lines of a feed as a reader that ends a line at any CR or LF sees
/// them.
fn cr_split_lines(feed: &str) -> Vec<&str> {
    feed.split(['\r', '\n']).filter(|l| !l.is_empty()).collect()
}

#[test]
fn a_note_cannot_add_an_event_or_an_attendee_to_the_calendar() {
    let env = Env::with_pipeline(PIPELINE);
    env.rel(&["new", "--version=1.0.0", "--title=One\rBEGIN:VEVENT"])
        .ok();
    let note =
        "Agreed\r\nwith\rBEGIN:VEVENT\rATTENDEE:mailto:eve@example.com\r\u{1b}[2J\nsecond line";
    env.rel(&[
        "schedule",
        "R-2026-001",
        "--at=2026-11-23T10:00:00Z",
        &format!("--note={note}"),
    ])
    .ok();
    let (code, stdout, _) = raw(&env, &["calendar"]);
    assert_eq!(code, 0);
    let feed = String::from_utf8(stdout).expect("utf-8");
    // CR only before LF, as line ends: nothing else is a control byte.
    assert_eq!(
        feed.matches('\r').count(),
        feed.matches("\r\n").count(),
        "{feed:?}"
    );
    let body = feed.replace("\r\n", "\n");
    assert_eq!(
        raw_controls(body.as_bytes()),
        Vec::<String>::new(),
        "{feed:?}"
    );
    let lines = cr_split_lines(&feed);
    // The schedule and the blackout: two events, whatever the reader.
    assert_eq!(
        lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(),
        2,
        "{feed}"
    );
    assert!(!lines.iter().any(|l| l.starts_with("ATTENDEE")), "{feed}");
    let prodid = format!("PRODID:-//rel//rel {}//EN", env!("CARGO_PKG_VERSION"));
    assert_eq!(lines.iter().filter(|l| **l == prodid).count(), 1, "{feed}");
    // The new line of the note is kept, as iCalendar writes it.
    let unfolded = feed.replace("\r\n ", "");
    assert!(
        unfolded
            .contains("Agreed\\nwithBEGIN:VEVENTATTENDEE:mailto:eve@example.com[2J\\nsecond line"),
        "{unfolded}"
    );
    // An independent parser reads it too, with the same two events.
    let reader = ical::IcalParser::new(std::io::BufReader::new(feed.as_bytes()));
    let calendars: Vec<_> = reader.map(|c| c.expect("valid iCalendar")).collect();
    assert_eq!(calendars[0].events.len(), 2);
}
