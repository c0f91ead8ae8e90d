use crate::model::action::Action;
use chrono::{Duration, TimeZone};
use proptest::prelude::*;

use super::*;
use crate::model::release::{Event, Kind, State};

fn t(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0)
        .single()
        .unwrap()
        + Duration::hours(hours)
}

fn release(env: &str, entered: i64, history: Vec<Event>) -> Release {
    Release {
        pipeline: None,
        id: "R-1".into(),
        title: "t".into(),
        version: "1.0.0".into(),
        kind: Kind::Minor,
        state: State::Open,
        environment: env.into(),
        entered_at: t(entered),
        revision: 1,
        target: None,
        installation: None,
        from_version: None,
        created_at: t(0),
        created_by: "a".into(),
        incidents: Vec::new(),
        approvals: Vec::new(),
        ticks: Vec::new(),
        health: Vec::new(),
        schedules: Vec::new(),
        held: None,
        path: None,
        history,
        checklist: Vec::new(),
        depends: Vec::new(),
    }
}

fn event(at: i64, action: &str, env: Option<&str>, from: Option<&str>) -> Event {
    let action = action.parse::<Action>().expect("an action rel writes");
    let mut e = Event::new(t(at), "a", action);
    e.env = env.map(str::to_string);
    e.from = from.map(str::to_string);
    e
}

#[test]
fn the_soak_counts_from_the_last_content_change_while_there() {
    let history = vec![
        event(0, "new", Some("dev"), None),
        event(1, "group", None, None),
        event(2, "promote", Some("uat"), Some("dev")),
        event(5, "approve", Some("prod"), None),
    ];
    // Grouped before the entry: the entry counts.
    let r = release("uat", 2, history.clone());
    assert_eq!(soak_from(&r), t(2));
    // Grouped, ungrouped or unfrozen while there: that change counts.
    for action in CONTENT_CHANGES {
        let mut h = history.clone();
        h.push(event(30, action, None, None));
        assert_eq!(soak_from(&release("uat", 2, h)), t(30), "{action}");
    }
    // Freezing, approving, ticking do not change the content.
    let mut h = history;
    h.push(event(40, "freeze", None, None));
    h.push(event(41, "tick", Some("prod"), None));
    assert_eq!(soak_from(&release("uat", 2, h)), t(2));
}

#[test]
fn entered_environments_are_those_the_history_moves_through() {
    let r = release(
        "prod",
        9,
        vec![
            event(0, "new", Some("dev"), None),
            event(2, "promote", Some("staging"), Some("dev")),
            event(4, "rollback", Some("Dev"), Some("staging")),
            event(6, "promote", Some("staging"), Some("dev")),
            event(9, "promote", Some("prod"), Some("staging")),
            event(10, "approve", Some("uat"), None),
        ],
    );
    assert!(has_entered(&r, "DEV"));
    assert!(has_entered(&r, "staging"));
    assert!(has_entered(&r, "prod"));
    // An approval for uat is not an entry; uat was passed over.
    assert!(!has_entered(&r, "uat"));
    // A manifest without history has been where it is, nowhere else known.
    let bare = release("uat", 0, Vec::new());
    assert!(has_entered(&bare, "uat") && !has_entered(&bare, "dev"));
}

#[test]
fn a_write_before_the_last_event_names_both_instants() {
    let r = release(
        "dev",
        0,
        vec![
            event(0, "new", Some("dev"), None),
            event(3, "group", None, None),
        ],
    );
    assert!(time_moves_forward(&r, t(3)).is_ok());
    assert!(time_moves_forward(&r, t(4)).is_ok());
    let message = time_moves_forward(&r, t(2)).unwrap_err();
    assert!(message.contains("2026-11-20T17:00:00Z"), "{message}");
    assert!(
        message.contains("group at 2026-11-20T18:00:00Z"),
        "{message}"
    );
    // Without history, the entry is the last recorded instant.
    let bare = release("dev", 5, Vec::new());
    let message = time_moves_forward(&bare, t(4)).unwrap_err();
    assert!(
        message.contains("entered dev at 2026-11-20T20:00:00Z"),
        "{message}"
    );
}

proptest! {
    /// The soak start is the entry or a content change, never earlier than
    /// either; a write is accepted exactly at or after every recorded instant.
    #[test]
    fn soak_start_and_time_order_follow_the_history(
        entered in 0i64..100,
        events in prop::collection::vec((0i64..200, 0usize..6), 0..8),
        now in 0i64..250,
    ) {
        const ACTIONS: [&str; 6] = ["group", "ungroup", "unfreeze", "freeze", "tick", "promote"];
        let history: Vec<Event> = events.iter().map(|(at, a)| event(*at, ACTIONS[*a], Some("dev"), None)).collect();
        let r = release("dev", entered, history);
        let from = soak_from(&r);
        prop_assert!(from >= r.entered_at);
        for e in r.history.iter().filter(|e| CONTENT_CHANGES.contains(&e.action.as_str())) {
            prop_assert!(from >= e.at);
        }
        prop_assert!(from == r.entered_at || r.history.iter().any(|e| e.at == from && CONTENT_CHANGES.contains(&e.action.as_str())));
        let latest = r.history.iter().map(|e| e.at).chain([r.created_at, r.entered_at]).max().unwrap();
        prop_assert_eq!(time_moves_forward(&r, t(now)).is_ok(), t(now) >= latest);
        prop_assert_eq!(last_recorded(&r).0, latest);
    }
}
