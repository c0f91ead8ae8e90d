//! The business calendar of a pipeline: timezone, workdays, holidays, and the
//! time-based rules of an environment (windows and blackouts) as plain data.
//! The arithmetic on these lives in `rules::time`.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

/// A set of weekdays, Monday = bit 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WeekdaySet(u8);

impl WeekdaySet {
    pub const ALL: WeekdaySet = WeekdaySet(0b111_1111);
    pub const MON_FRI: WeekdaySet = WeekdaySet(0b001_1111);

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }
    pub fn insert(&mut self, day: Weekday) {
        self.0 |= 1 << day.num_days_from_monday();
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The days in order from Monday.
    pub fn days(self) -> impl Iterator<Item = Weekday> {
        (0..7u8)
            .filter(move |i| self.0 & (1 << i) != 0)
            .filter_map(|i| Weekday::try_from(i).ok())
    }
}

impl FromIterator<Weekday> for WeekdaySet {
    fn from_iter<I: IntoIterator<Item = Weekday>>(iter: I) -> Self {
        let mut set = WeekdaySet::default();
        for d in iter {
            set.insert(d);
        }
        set
    }
}

/// `[calendar]` of environments.toml.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub timezone: Tz,
    pub workdays: WeekdaySet,
    /// Local dates that are not business days.
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            timezone: Tz::UTC,
            workdays: WeekdaySet::MON_FRI,
            holidays: BTreeSet::new(),
        }
    }
}

/// Which days a window applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowDays {
    /// The calendar's business days (its workdays, holidays excluded).
    Workdays,
    /// These weekdays (`daily` is all seven).
    Days(WeekdaySet),
}

/// A promotion window, `DAYS HH:MM-HH:MM` in the calendar's timezone.
/// `end` is exclusive; when `end <= start` the window runs past midnight into
/// the next day (the days name the day the window opens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub days: WindowDays,
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// The text as written, for messages.
    pub text: String,
}

/// One end of a blackout: a local date (whole day) or an exact instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlackoutBound {
    Date(NaiveDate),
    Instant(DateTime<Utc>),
}

/// A period when an environment cannot be entered. Dates are inclusive
/// (from 00:00 of `from` to the end of `to`, local time); an instant `to` is
/// the moment the blackout ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blackout {
    pub from: BlackoutBound,
    pub to: BlackoutBound,
    pub reason: Option<String>,
}
