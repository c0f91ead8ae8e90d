//! Examples from the contract and DST corners for `rules::time`; the
//! properties are in `time_props.rs`.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::*;
use crate::model::calendar::{Blackout, BlackoutBound, Calendar, WeekdaySet, Window};
use crate::model::window::parse_window;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn cal(tz: Tz, holidays: &[&str]) -> Calendar {
    Calendar {
        timezone: tz,
        holidays: holidays.iter().map(|d| date(d)).collect(),
        ..Calendar::default()
    }
}

fn windows(texts: &[&str]) -> Vec<Window> {
    texts.iter().map(|t| parse_window(t).unwrap()).collect()
}

fn dates(from: &str, to: &str) -> Blackout {
    Blackout {
        from: BlackoutBound::Date(date(from)),
        to: BlackoutBound::Date(date(to)),
        reason: None,
    }
}

fn instants(from: &str, to: &str) -> Blackout {
    Blackout {
        from: BlackoutBound::Instant(utc(from)),
        to: BlackoutBound::Instant(utc(to)),
        reason: Some("migration".into()),
    }
}

#[test]
fn contract_soak_examples() {
    let entered = utc("2026-11-20T15:00:00Z"); // Friday
    let plain = cal(Tz::UTC, &[]);
    assert_eq!(
        soak_end(&plain, entered, 3),
        Some(utc("2026-11-25T15:00:00Z"))
    );
    let monday_off = cal(Tz::UTC, &["2026-11-23"]);
    assert_eq!(
        soak_end(&monday_off, entered, 3),
        Some(utc("2026-11-26T15:00:00Z"))
    );
    assert_eq!(soak_end(&plain, entered, 0), Some(entered));
}

#[test]
fn entry_on_a_non_business_day_counts_from_the_next_business_day() {
    let plain = cal(Tz::UTC, &[]);
    let saturday = utc("2026-11-21T15:00:00Z");
    assert_eq!(
        soak_end(&plain, saturday, 1),
        Some(utc("2026-11-24T00:00:00Z"))
    );
    assert_eq!(
        soak_end(&plain, saturday, 3),
        Some(utc("2026-11-26T00:00:00Z"))
    );
    // A holiday Monday is a non-business day too.
    let holiday = cal(Tz::UTC, &["2026-11-23"]);
    let monday = utc("2026-11-23T10:00:00Z");
    assert_eq!(
        soak_end(&holiday, monday, 1),
        Some(utc("2026-11-25T00:00:00Z"))
    );
    assert_eq!(
        business_days_elapsed(&holiday, monday, utc("2026-11-24T23:59:59Z")),
        0
    );
    assert_eq!(
        business_days_elapsed(&holiday, monday, utc("2026-11-25T00:00:00Z")),
        1
    );
}

#[test]
fn long_soaks_jump_weeks_and_still_count_holidays() {
    let c = cal(Tz::UTC, &["2026-12-25", "2026-12-28", "2027-01-01"]);
    let entered = utc("2026-11-20T15:00:00Z");
    // 30 business days from Fri 20 Nov: six weeks less three holidays.
    assert_eq!(soak_end(&c, entered, 30), Some(utc("2027-01-06T15:00:00Z")));
    assert_eq!(
        business_days_elapsed(&c, entered, utc("2027-01-06T15:00:00Z")),
        30
    );
    assert_eq!(
        business_days_elapsed(&c, entered, utc("2027-01-06T14:59:59Z")),
        29
    );
    assert_eq!(soak_end(&c, entered, u32::MAX), None);
}

#[test]
fn no_business_days_means_never() {
    let mut c = cal(Tz::UTC, &[]);
    c.workdays = WeekdaySet::default();
    let entered = utc("2026-11-20T15:00:00Z");
    assert_eq!(soak_end(&c, entered, 1), None);
    assert_eq!(
        business_days_elapsed(&c, entered, utc("2030-01-01T00:00:00Z")),
        0
    );
    let w = windows(&["workdays 09:00-17:00"]);
    assert_eq!(next_window_open(&c, &w, entered), None);
    assert_eq!(earliest_time_ok(&c, &c, entered, &w, &[]), None);
}

#[test]
fn soak_keeps_the_london_wall_clock_across_dst() {
    let london = cal(chrono_tz::Europe::London, &[]);
    // Fri 15:00 BST → Wed 15:00 GMT (clocks go back Sun 2026-10-25).
    let entered = utc("2026-10-23T14:00:00Z");
    assert_eq!(
        soak_end(&london, entered, 3),
        Some(utc("2026-10-28T15:00:00Z"))
    );
    // Fri 15:00 GMT → Wed 15:00 BST (clocks go forward Sun 2027-03-28).
    let entered = utc("2027-03-26T15:00:00Z");
    assert_eq!(
        soak_end(&london, entered, 3),
        Some(utc("2027-03-31T14:00:00Z"))
    );
    assert_eq!(
        business_days_elapsed(&london, entered, utc("2027-03-31T13:59:00Z")),
        2
    );
    assert_eq!(
        business_days_elapsed(&london, entered, utc("2027-03-31T14:00:00Z")),
        3
    );
}

#[test]
fn missing_and_repeated_wall_clock_times() {
    let mut london = cal(chrono_tz::Europe::London, &[]);
    london.workdays = WeekdaySet::ALL;
    // 01:30 does not exist on 2027-03-28: the gap ends at 02:00 BST.
    let entered = utc("2027-03-27T01:30:00Z");
    assert_eq!(
        soak_end(&london, entered, 1),
        Some(utc("2027-03-28T01:00:00Z"))
    );
    // 01:30 happens twice on 2026-10-25: the earlier is 01:30 BST.
    let entered = utc("2026-10-24T00:30:00Z");
    assert_eq!(
        soak_end(&london, entered, 1),
        Some(utc("2026-10-25T00:30:00Z"))
    );
    assert_eq!(
        business_days_elapsed(&london, entered, utc("2026-10-25T00:30:00Z")),
        1
    );
    // Samoa skipped Friday 2011-12-30 entirely.
    let mut apia = cal(chrono_tz::Pacific::Apia, &[]);
    apia.workdays = WeekdaySet::ALL;
    let entered = utc("2011-12-30T01:00:00Z"); // Thu 29th 15:00 local (UTC-10)
    let end = soak_end(&apia, entered, 1).unwrap();
    assert_eq!(end, utc("2011-12-30T10:00:00Z")); // Sat 31 00:00 local (UTC+14)
    assert_eq!(business_days_elapsed(&apia, entered, end), 1);
}

#[test]
fn soak_in_new_york_across_the_november_change() {
    let ny = cal(chrono_tz::America::New_York, &[]);
    // Fri 10:00 EDT → Mon 10:00 EST (clocks go back Sun 2026-11-01).
    let entered = utc("2026-10-30T14:00:00Z");
    assert_eq!(soak_end(&ny, entered, 1), Some(utc("2026-11-02T15:00:00Z")));
    // Friday 21:00 in New York is already Saturday in UTC: still a business day.
    let entered = utc("2026-11-21T02:00:00Z");
    assert_eq!(soak_end(&ny, entered, 1), Some(utc("2026-11-24T02:00:00Z")));
}

#[test]
fn windows_run_past_midnight() {
    let c = cal(Tz::UTC, &[]);
    let w = windows(&["fri 22:00-02:00"]);
    assert!(!window_open(&c, &w, utc("2026-11-20T21:59:00Z")));
    assert!(window_open(&c, &w, utc("2026-11-20T22:00:00Z")));
    assert!(window_open(&c, &w, utc("2026-11-21T01:00:00Z")));
    assert!(!window_open(&c, &w, utc("2026-11-21T02:00:00Z")));
    let at = utc("2026-11-21T02:00:00Z");
    assert_eq!(
        next_window_open(&c, &w, at),
        Some(utc("2026-11-27T22:00:00Z"))
    );
    let inside = utc("2026-11-21T01:00:00Z");
    assert_eq!(next_window_open(&c, &w, inside), Some(inside));
    assert_eq!(
        window_close(&c, &w, inside),
        Some(utc("2026-11-21T02:00:00Z"))
    );
    assert_eq!(window_close(&c, &w, at), None);
}

#[test]
fn touching_windows_close_together_and_all_day_never_closes() {
    let c = cal(Tz::UTC, &[]);
    let w = windows(&["mon 20:00-24:00", "tue 00:00-03:00"]);
    let at = utc("2026-11-23T21:00:00Z");
    assert_eq!(window_close(&c, &w, at), Some(utc("2026-11-24T03:00:00Z")));
    assert_eq!(window_close(&c, &windows(&["daily 00:00-24:00"]), at), None);
    assert!(window_open(&c, &[], at));
    assert_eq!(next_window_open(&c, &[], at), Some(at));
}

#[test]
fn workdays_windows_skip_holidays() {
    let c = cal(Tz::UTC, &["2026-11-23"]);
    let w = windows(&["workdays 09:00-17:00"]);
    assert!(!window_open(&c, &w, utc("2026-11-23T10:00:00Z")));
    let saturday = utc("2026-11-21T10:00:00Z");
    assert_eq!(
        next_window_open(&c, &w, saturday),
        Some(utc("2026-11-24T09:00:00Z"))
    );
    // Plain weekdays ignore holidays.
    let mondays = windows(&["mon 09:00-17:00"]);
    assert!(window_open(&c, &mondays, utc("2026-11-23T10:00:00Z")));
}

#[test]
fn windows_are_local_time() {
    let london = cal(chrono_tz::Europe::London, &[]);
    let w = windows(&["tue-thu 09:00-17:00"]);
    assert!(window_open(&london, &w, utc("2026-07-07T08:00:00Z"))); // 09:00 BST
    assert!(!window_open(&london, &w, utc("2026-07-07T16:00:00Z"))); // 17:00 BST
    let ny = cal(chrono_tz::America::New_York, &[]);
    let monday_night = utc("2026-11-24T01:00:00Z"); // Mon 20:00 EST
    assert_eq!(
        next_window_open(&ny, &w, monday_night),
        Some(utc("2026-11-24T14:00:00Z"))
    );
}

#[test]
fn date_blackouts_are_inclusive_local_days() {
    let london = cal(chrono_tz::Europe::London, &[]);
    let freeze = [dates("2026-12-18", "2027-01-04")];
    let (start, end) = blackout_interval(&london, &freeze[0]);
    assert_eq!(
        (start, end),
        (utc("2026-12-18T00:00:00Z"), utc("2027-01-05T00:00:00Z"))
    );
    assert!(active_blackout(&london, &freeze, utc("2026-12-17T23:59:59Z")).is_none());
    assert!(active_blackout(&london, &freeze, utc("2027-01-04T23:59:59Z")).is_some());
    assert!(active_blackout(&london, &freeze, end).is_none());
    // In summer a London day starts at 23:00 UTC the day before.
    let one_day = dates("2026-07-01", "2026-07-01");
    let interval = blackout_interval(&london, &one_day);
    assert_eq!(
        interval,
        (utc("2026-06-30T23:00:00Z"), utc("2026-07-01T23:00:00Z"))
    );
}

#[test]
fn instant_blackouts_end_at_their_instant() {
    let c = cal(Tz::UTC, &[]);
    let b = [instants("2026-11-24T10:00:00Z", "2026-11-24T12:30:00Z")];
    assert!(active_blackout(&c, &b, utc("2026-11-24T09:59:59Z")).is_none());
    assert_eq!(
        active_blackout(&c, &b, utc("2026-11-24T10:00:00Z")),
        Some(&b[0])
    );
    assert!(active_blackout(&c, &b, utc("2026-11-24T12:30:00Z")).is_none());
    // The blackout ends inside the window: the answer is its end.
    let w = windows(&["tue 09:00-17:00"]);
    let at = utc("2026-11-24T11:00:00Z");
    assert_eq!(
        earliest_time_ok(&c, &c, at, &w, &b),
        Some(utc("2026-11-24T12:30:00Z"))
    );
}

#[test]
fn soak_ending_in_a_blackout_waits_for_the_first_window_after_it() {
    let london = cal(chrono_tz::Europe::London, &["2026-12-25", "2026-12-28"]);
    let w = windows(&["tue-thu 09:00-17:00"]);
    let freeze = [dates("2026-12-18", "2027-01-04")];
    let entered = utc("2026-12-15T15:00:00Z"); // Tuesday
    let soaked = soak_end(&london, entered, 4).unwrap();
    assert_eq!(soaked, utc("2026-12-21T15:00:00Z")); // Monday, inside the freeze
    let ok = earliest_time_ok(&london, &london, soaked, &w, &freeze);
    assert_eq!(ok, Some(utc("2027-01-05T09:00:00Z"))); // Tuesday after the freeze
                                                       // Overlapping blackouts are all jumped.
    let both = [freeze[0].clone(), dates("2027-01-05", "2027-01-05")];
    let ok = earliest_time_ok(&london, &london, soaked, &w, &both);
    assert_eq!(ok, Some(utc("2027-01-06T09:00:00Z")));
    // A blackout without end: never.
    let forever = [Blackout {
        from: BlackoutBound::Date(date("2026-12-01")),
        to: BlackoutBound::Date(NaiveDate::MAX),
        reason: None,
    }];
    assert_eq!(
        earliest_time_ok(&london, &london, soaked, &w, &forever),
        None
    );
    assert_eq!(
        earliest_time_ok(&london, &london, soaked, &[], &forever),
        None
    );
}
