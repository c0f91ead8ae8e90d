//! `rel calendar` (contract section 7): an RFC 5545 feed of schedules with
//! their slots and of blackouts, with stable event ids, read back with an
//! independent parser (the `ical` crate).

use std::collections::BTreeMap;

use crate::common::git::{one_commit, refused};
use crate::common::releases::new_release;
use crate::common::Env;

const PIPELINE: &str = r#"
[calendar]
timezone = "Europe/London"

[[environments]]
name = "dev"

[[environments]]
name = "live"
blackouts = [{ from = 2026-12-18, to = 2027-01-04, reason = "Year-end change freeze" }]
"#;

/// Each event's properties by name.
fn events(text: &str) -> Vec<BTreeMap<String, String>> {
    let reader = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendars: Vec<_> = reader.map(|c| c.expect("valid iCalendar")).collect();
    assert_eq!(calendars.len(), 1);
    calendars[0]
        .events
        .iter()
        .map(|e| {
            e.properties
                .iter()
                .map(|p| (p.name.clone(), p.value.clone().unwrap_or_default()))
                .collect()
        })
        .collect()
}

#[test]
fn the_calendar_parses_back_with_slots_blackouts_and_stable_ids() {
    let env = Env::with_pipeline(PIPELINE);
    let id = new_release(&env, "2.1.0");
    one_commit(
        &env,
        &[
            "schedule",
            &id,
            "--at",
            "2026-12-05 02:00",
            "--slot",
            "2h",
            "--note",
            "Agreed with the client",
        ],
    );
    let first = refused(&env, &["calendar"], 0).stdout.clone();
    assert!(first.contains("BEGIN:VCALENDAR"));
    let ev = events(&first);
    assert_eq!(ev.len(), 2, "{first}");
    let schedule = ev
        .iter()
        .find(|e| e["UID"].starts_with("schedule-"))
        .expect("schedule");
    // 02:00 in London in December is 02:00Z; the slot gives the end.
    assert_eq!(schedule["DTSTART"], "20261205T020000Z");
    assert_eq!(schedule["DTEND"], "20261205T040000Z");
    assert!(schedule["SUMMARY"].contains(&id));
    assert!(schedule["SUMMARY"].contains("live"));
    assert!(schedule["DESCRIPTION"].contains("Agreed with the client"));
    let blackout = ev
        .iter()
        .find(|e| e["UID"].starts_with("blackout-"))
        .expect("blackout");
    assert_eq!(blackout["DTSTART"], "20261218T000000Z");
    // Inclusive local dates: it ends when 2027-01-04 ends.
    assert_eq!(blackout["DTEND"], "20270105T000000Z");
    assert!(blackout["SUMMARY"].contains("Year-end change freeze"));

    // Moving the schedule keeps its event id: calendars update it.
    one_commit(
        &env,
        &[
            "reschedule",
            &id,
            "--at",
            "2026-12-12T02:00:00Z",
            "--reason",
            "client moved it",
        ],
    );
    let second = env.rel(&["calendar"]).ok().stdout.clone();
    let moved = events(&second);
    let again = moved
        .iter()
        .find(|e| e["UID"] == schedule["UID"])
        .expect("same id");
    assert_eq!(again["DTSTART"], "20261212T020000Z");
}

#[test]
fn the_calendar_can_be_written_to_a_file() {
    let env = Env::with_pipeline(PIPELINE);
    let out = env.tmp.path().join("rel.ics");
    let out_text = out.to_string_lossy().to_string();
    env.assert_unchanged(|| {
        env.rel(&["calendar", "--output", &out_text]).ok();
    });
    let text = std::fs::read_to_string(&out).expect("written");
    assert_eq!(events(&text).len(), 1);
    // Never onto rel's own files.
    refused(&env, &["calendar", "--output", "environments.toml"], 2);
}
