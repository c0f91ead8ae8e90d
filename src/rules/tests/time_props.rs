//! Properties of `rules::time` over random calendars, timezones (with odd
//! DST rules: Lord Howe's half hour, Samoa's missing day), windows and
//! blackouts: a property is worth ten examples.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;
use crate::model::calendar::{Blackout, BlackoutBound, Calendar, WeekdaySet, Window};
use crate::model::window::parse_window;

const ZONES: [Tz; 6] = [
    Tz::UTC,
    chrono_tz::Europe::London,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Apia,
    chrono_tz::Asia::Kolkata,
];

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 2010..2031, on odd seconds so entries are not always on the minute.
    (1_262_304_000i64..1_924_992_000).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

fn calendar() -> impl Strategy<Value = Calendar> {
    let zone = prop::sample::select(ZONES.to_vec());
    let workdays = (1u8..128).prop_map(|bits| {
        (0..7u8)
            .filter(|i| bits & (1 << i) != 0)
            .filter_map(|i| Weekday::try_from(i).ok())
            .collect::<WeekdaySet>()
    });
    let holidays = prop::collection::btree_set(0i64..7_700, 0..40);
    (zone, workdays, holidays).prop_map(|(timezone, workdays, offsets)| Calendar {
        timezone,
        workdays,
        holidays: offsets
            .into_iter()
            .map(|d| NaiveDate::from_ymd_opt(2010, 1, 1).unwrap() + chrono::Duration::days(d))
            .collect::<BTreeSet<_>>(),
    })
}

fn window() -> impl Strategy<Value = Window> {
    let days = prop_oneof![
        Just("workdays".to_string()),
        Just("daily".to_string()),
        prop::sample::subsequence(vec!["mon", "tue", "wed", "thu", "fri", "sat", "sun"], 1..4)
            .prop_map(|d| d.join(",")),
    ];
    (days, 0u32..24, 0u32..4, 0u32..24, 0u32..4)
        .prop_filter("not empty", |(_, h1, m1, h2, m2)| (h1, m1) != (h2, m2))
        .prop_map(|(d, h1, m1, h2, m2)| {
            parse_window(&format!(
                "{d} {h1:02}:{:02}-{h2:02}:{:02}",
                m1 * 15,
                m2 * 15
            ))
            .unwrap()
        })
}

fn blackout() -> impl Strategy<Value = (i64, i64, bool)> {
    (0i64..2_000_000, 0i64..600_000, any::<bool>())
}

proptest! {
    #[test]
    fn soak_end_is_monotonic_and_never_before_entry(c in calendar(), at in instant(), n in 0u32..40) {
        let a = soak_end(&c, at, n).unwrap();
        let b = soak_end(&c, at, n + 1).unwrap();
        prop_assert!(at <= a && a <= b, "{a} {b}");
        prop_assert!(a < b || n == 0);
        prop_assert!(business_days_elapsed(&c, at, a) >= n);
    }

    #[test]
    fn a_holiday_never_makes_soak_end_earlier(
        c in calendar(), at in instant(), n in 0u32..30, extra in 0i64..60,
    ) {
        let before = soak_end(&c, at, n).unwrap();
        let mut more = c.clone();
        more.holidays.insert(at.date_naive() + chrono::Duration::days(extra - 2));
        prop_assert!(soak_end(&more, at, n).is_none_or(|after| after >= before));
    }

    #[test]
    fn elapsed_is_the_largest_n_whose_soak_has_ended(
        c in calendar(), at in instant(), later in -86_400i64..4_000_000,
    ) {
        let now = at + chrono::Duration::seconds(later);
        let n = business_days_elapsed(&c, at, now);
        if now < at {
            prop_assert_eq!(n, 0);
            return Ok(());
        }
        prop_assert!(soak_end(&c, at, n).unwrap() <= now);
        prop_assert!(soak_end(&c, at, n + 1).unwrap() > now);
    }

    #[test]
    fn next_window_open_finds_the_first_open_minute(
        c in calendar(), ws in prop::collection::vec(window(), 1..3), at in instant(),
    ) {
        let Some(r) = next_window_open(&c, &ws, at) else {
            return Ok(());
        };
        prop_assert!(r >= at && window_open(&c, &ws, r));
        if r - at <= chrono::Duration::days(3) {
            let mut t = at;
            while t < r {
                prop_assert!(!window_open(&c, &ws, t), "open at {t}, answer {r}");
                t += chrono::Duration::minutes(1);
            }
        }
        if let Some(close) = window_close(&c, &ws, r) {
            prop_assert!(close > r && !window_open(&c, &ws, close));
        }
    }

    #[test]
    fn earliest_time_ok_is_outside_blackouts_and_inside_a_window(
        c in calendar(),
        ws in prop::collection::vec(window(), 0..3),
        raw in prop::collection::vec(blackout(), 0..4),
        at in instant(),
    ) {
        let blackouts: Vec<Blackout> = raw
            .iter()
            .map(|&(from, len, as_dates)| {
                let start = at + chrono::Duration::seconds(from - 500_000);
                let end = start + chrono::Duration::seconds(len);
                if as_dates {
                    Blackout {
                        from: BlackoutBound::Date(start.date_naive()),
                        to: BlackoutBound::Date(end.date_naive()),
                        reason: None,
                    }
                } else {
                    Blackout {
                        from: BlackoutBound::Instant(start),
                        to: BlackoutBound::Instant(end),
                        reason: None,
                    }
                }
            })
            .collect();
        let Some(r) = earliest_time_ok(&c, &c, at, &ws, &blackouts) else {
            return Ok(());
        };
        prop_assert!(r >= at);
        prop_assert!(active_blackout(&c, &blackouts, r).is_none());
        prop_assert!(window_open(&c, &ws, r));
        if r - at <= chrono::Duration::days(2) {
            let mut t = at;
            while t < r {
                let ok = active_blackout(&c, &blackouts, t).is_none() && window_open(&c, &ws, t);
                prop_assert!(!ok, "ok at {t}, answer {r}");
                t += chrono::Duration::minutes(1);
            }
        }
    }
}
