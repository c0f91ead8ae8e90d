//! Business-day, window and blackout arithmetic: when may a release leave an
//! environment, and when may it enter the next one?
//!
//! Pure: every instant is a `DateTime<Utc>` passed in, and every rule is
//! evaluated in the calendar's timezone, because "three business days" and
//! "09:00-17:00" mean local wall-clock time to the people who wrote them.
//! Nothing here panics or loops without a bound: a calendar without business
//! days, or windows that never open, yield `None` ("never", as far as we look).

use std::ops::Bound::{Excluded, Included};

use chrono::{
    DateTime, Datelike, Days, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike, Utc,
};

use crate::model::calendar::{Blackout, BlackoutBound, Calendar, Window, WindowDays};

/// How long a run of non-business days may be before we call it "never":
/// about ten years, far beyond any real holiday list.
const MAX_GAP_DAYS: u32 = 3660;
/// How far ahead to look for a window opening.
const WINDOW_HORIZON_DAYS: u32 = 400;
/// How far to step through a DST gap; the widest on record (Samoa skipping
/// 2011-12-30) is a whole day.
const GAP_SEARCH_MINUTES: i64 = 48 * 60;

/// A workday that is not a holiday.
pub fn is_business_day(cal: &Calendar, date: NaiveDate) -> bool {
    cal.workdays.contains(date.weekday()) && !cal.holidays.contains(&date)
}

/// When a release that entered at `entered` has soaked `days` business days:
/// the same local wall-clock time `days` business days later. An entry on a
/// non-business day counts from 00:00 of the next business day (a release
/// promoted on Saturday has not soaked on Sunday). A wall-clock time that
/// does not exist that day (DST gap) gives the first instant after the gap;
/// one that happens twice gives the earlier. `None`: no such business day
/// within reach (no workdays, or a decade of holidays).
pub fn soak_end(cal: &Calendar, entered: DateTime<Utc>, days: u32) -> Option<DateTime<Utc>> {
    if days == 0 {
        return Some(entered);
    }
    let (start, time) = soak_start(cal, entered)?;
    let date = nth_business_day_after(cal, start, days)?;
    to_utc(cal, date.and_time(time))
}

/// How many business days a release that entered at `entered` has soaked by
/// `now`: the largest `n` with `soak_end(entered, n) <= now`. Counts by
/// arithmetic over weeks and the holiday list, so it costs the same for a
/// day or a decade.
pub fn business_days_elapsed(cal: &Calendar, entered: DateTime<Utc>, now: DateTime<Utc>) -> u32 {
    if now < entered {
        return 0;
    }
    let (Some((start, time)), Some(now_local)) = (soak_start(cal, entered), local(cal, now)) else {
        return 0;
    };
    let today = now_local.date();
    let mut n = count_business_days(cal, start, today);
    let Some(mut date) = last_business_day_through(cal, today) else {
        return 0;
    };
    let ended = |d: NaiveDate| to_utc(cal, d.and_time(time)).is_some_and(|end| end <= now);
    // The n-th business day is today or before; on that very day the soak may
    // still have hours to go. A DST gap can shift an end by a day, so allow a
    // couple of steps either way instead of assuming exactly one.
    for _ in 0..3 {
        if n == 0 || ended(date) {
            break;
        }
        n -= 1;
        match prev_business_day(cal, date) {
            Some(prev) if n > 0 => date = prev,
            _ => return u32::try_from(n).unwrap_or(u32::MAX),
        }
    }
    if n == 0 {
        return 0;
    }
    for _ in 0..3 {
        match next_business_day(cal, date) {
            Some(next) if ended(next) => {
                n += 1;
                date = next;
            }
            _ => break,
        }
    }
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Whether some window is open at `at`. No windows means no restriction.
pub fn window_open(cal: &Calendar, windows: &[Window], at: DateTime<Utc>) -> bool {
    windows.is_empty() || current_opening_end(cal, windows, at).is_some()
}

/// The earliest instant at or after `at` when a window is open: `at` itself
/// when one is open now. `None` when none opens within about 400 days.
pub fn next_window_open(
    cal: &Calendar,
    windows: &[Window],
    at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if window_open(cal, windows, at) {
        return Some(at);
    }
    let mut day = local(cal, at)?.date().pred_opt()?;
    let mut best: Option<DateTime<Utc>> = None;
    let mut days_since_found = 0;
    for _ in 0..WINDOW_HORIZON_DAYS {
        for w in windows {
            if let Some((start, _)) = opening(cal, w, day) {
                if start > at && best.is_none_or(|b| start < b) {
                    best = Some(start);
                }
            }
        }
        // Openings on later days start later; one more day covers the odd
        // DST resolution that pushes a start past midnight.
        if best.is_some() {
            days_since_found += 1;
            if days_since_found > 1 {
                break;
            }
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    best
}

/// When the window open at `at` closes, following windows that overlap or
/// touch it, for messages such as "the window closes at 17:00". `None` when
/// no window is open at `at`, or when it stays open beyond the horizon
/// (`daily 00:00-24:00`, or no windows at all).
pub fn window_close(
    cal: &Calendar,
    windows: &[Window],
    at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut t = at;
    for _ in 0..2 * WINDOW_HORIZON_DAYS {
        t = current_opening_end(cal, windows, t)?;
        if !window_open(cal, windows, t) {
            return Some(t);
        }
    }
    None
}

/// The blackout as a half-open UTC interval `[start, end)`: dates are whole
/// local days, both inclusive; instants are taken as they are.
pub fn blackout_interval(cal: &Calendar, b: &Blackout) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = match b.from {
        BlackoutBound::Instant(t) => t,
        BlackoutBound::Date(d) => {
            to_utc(cal, d.and_time(NaiveTime::MIN)).unwrap_or(DateTime::<Utc>::MIN_UTC)
        }
    };
    let end = match b.to {
        BlackoutBound::Instant(t) => t,
        BlackoutBound::Date(d) => d
            .succ_opt()
            .and_then(|next| to_utc(cal, next.and_time(NaiveTime::MIN)))
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
    };
    (start, end)
}

/// The first blackout in force at `at`, to name it in a violation.
pub fn active_blackout<'a>(
    cal: &Calendar,
    blackouts: &'a [Blackout],
    at: DateTime<Utc>,
) -> Option<&'a Blackout> {
    blackouts.iter().find(|b| {
        let (start, end) = blackout_interval(cal, b);
        start <= at && at < end
    })
}

/// The earliest instant at or after `not_before` outside every blackout and
/// inside a window: when the time rules let a release enter. The caller
/// passes `max(now, soak end)`. `None` when there is none within about ten
/// years (windows that never open, a blackout with no end in sight).
pub fn earliest_time_ok(
    cal: &Calendar,
    window_cal: &Calendar,
    not_before: DateTime<Utc>,
    windows: &[Window],
    blackouts: &[Blackout],
) -> Option<DateTime<Utc>> {
    let horizon = not_before.checked_add_signed(Duration::days(i64::from(MAX_GAP_DAYS)))?;
    let mut t = not_before;
    // Each blackout is jumped over at most once (t only grows), and between
    // two such jumps there is at most one jump to a window opening.
    for _ in 0..2 * blackouts.len() + 3 {
        let blackout_end = blackouts
            .iter()
            .map(|b| blackout_interval(cal, b))
            .filter(|(start, end)| *start <= t && t < *end)
            .map(|(_, end)| end)
            .max();
        if let Some(end) = blackout_end {
            if end > horizon {
                return None;
            }
            t = end;
            continue;
        }
        let open = next_window_open(window_cal, windows, t).filter(|open| *open <= horizon)?;
        if open == t {
            return Some(t);
        }
        t = open;
    }
    None
}

/// The local wall-clock time of an instant; `None` only at the very ends of
/// chrono's range, where `with_timezone().naive_local()` would panic.
fn local(cal: &Calendar, at: DateTime<Utc>) -> Option<NaiveDateTime> {
    let utc = at.naive_utc();
    let offset = cal.timezone.offset_from_utc_datetime(&utc).fix();
    utc.checked_add_signed(Duration::seconds(i64::from(offset.local_minus_utc())))
}

/// A local wall-clock time as an instant: the earlier of two when the clocks
/// go back, the first whole minute after the gap when they go forward (DST
/// transitions fall on whole minutes, so that is the end of the gap).
fn to_utc(cal: &Calendar, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
    let tz = &cal.timezone;
    match tz.from_local_datetime(&wall) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
        LocalResult::None => {
            let minute = wall.with_second(0)?.with_nanosecond(0)?;
            (1..=GAP_SEARCH_MINUTES).find_map(|k| {
                let later = minute.checked_add_signed(Duration::minutes(k))?;
                tz.from_local_datetime(&later)
                    .earliest()
                    .map(|t| t.with_timezone(&Utc))
            })
        }
    }
}

/// Where the soak clock starts: the local date and wall-clock time of entry,
/// or 00:00 of the next business day when entered on a non-business day.
fn soak_start(cal: &Calendar, entered: DateTime<Utc>) -> Option<(NaiveDate, NaiveTime)> {
    let wall = local(cal, entered)?;
    if is_business_day(cal, wall.date()) {
        Some((wall.date(), wall.time()))
    } else {
        Some((next_business_day(cal, wall.date())?, NaiveTime::MIN))
    }
}

/// Business days `d` with `after < d <= through`, by whole weeks plus the
/// remainder, minus the holidays that fall on workdays.
fn count_business_days(cal: &Calendar, after: NaiveDate, through: NaiveDate) -> u64 {
    let Ok(span) = u64::try_from(through.signed_duration_since(after).num_days()) else {
        return 0;
    };
    if span == 0 {
        return 0;
    }
    let per_week = cal.workdays.days().count() as u64;
    let mut count = span / 7 * per_week;
    let mut weekday = after.weekday();
    for _ in 0..span % 7 {
        weekday = weekday.succ();
        count += u64::from(cal.workdays.contains(weekday));
    }
    let holidays = cal
        .holidays
        .range((Excluded(after), Included(through)))
        .filter(|d| cal.workdays.contains(d.weekday()))
        .count() as u64;
    count.saturating_sub(holidays)
}

/// The `n`-th business day after `from` (not counting `from`). Long counts
/// jump whole weeks and correct for holidays; the last stretch steps a day
/// at a time. `None` past chrono's range or after a decade with none.
fn nth_business_day_after(cal: &Calendar, from: NaiveDate, n: u32) -> Option<NaiveDate> {
    let per_week = cal.workdays.days().count() as u64;
    if per_week == 0 {
        return None;
    }
    let mut remaining = u64::from(n);
    let mut day = from;
    let mut dry_days = 0u64;
    while remaining > 2 * per_week {
        // One week short of the estimate, so the jump never overshoots.
        let weeks = remaining / per_week - 1;
        let next = day.checked_add_days(Days::new(weeks * 7))?;
        let found = count_business_days(cal, day, next);
        dry_days = if found == 0 { dry_days + weeks * 7 } else { 0 };
        if dry_days > u64::from(MAX_GAP_DAYS) {
            return None;
        }
        remaining -= found;
        day = next;
    }
    while remaining > 0 {
        day = next_business_day(cal, day)?;
        remaining -= 1;
    }
    Some(day)
}

/// The first business day after `date`.
fn next_business_day(cal: &Calendar, date: NaiveDate) -> Option<NaiveDate> {
    let mut day = date;
    for _ in 0..MAX_GAP_DAYS {
        day = day.succ_opt()?;
        if is_business_day(cal, day) {
            return Some(day);
        }
    }
    None
}

/// The last business day before `date`.
fn prev_business_day(cal: &Calendar, date: NaiveDate) -> Option<NaiveDate> {
    let mut day = date;
    for _ in 0..MAX_GAP_DAYS {
        day = day.pred_opt()?;
        if is_business_day(cal, day) {
            return Some(day);
        }
    }
    None
}

fn last_business_day_through(cal: &Calendar, date: NaiveDate) -> Option<NaiveDate> {
    if is_business_day(cal, date) {
        Some(date)
    } else {
        prev_business_day(cal, date)
    }
}

/// The instants `[start, end)` of `window` opening on local day `day`, if it
/// opens that day. Empty intervals (a window inside a DST gap) are `None`.
fn opening(cal: &Calendar, w: &Window, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let applies = match w.days {
        WindowDays::Workdays => is_business_day(cal, day),
        WindowDays::Days(set) => set.contains(day.weekday()),
    };
    if !applies {
        return None;
    }
    let end_day = if w.end <= w.start {
        day.succ_opt()?
    } else {
        day
    };
    let start = to_utc(cal, day.and_time(w.start))?;
    let end = to_utc(cal, end_day.and_time(w.end))?;
    (start < end).then_some((start, end))
}

/// The latest end among the window openings that contain `at`, or `None`
/// when no window is open. A window containing `at` opened on the local day
/// of `at` or one of the two before it (the extra day absorbs DST shifts).
fn current_opening_end(
    cal: &Calendar,
    windows: &[Window],
    at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let today = local(cal, at)?.date();
    let days = [
        today.checked_sub_days(Days::new(2)),
        today.pred_opt(),
        Some(today),
    ];
    windows
        .iter()
        .flat_map(|w| {
            days.iter()
                .flatten()
                .filter_map(move |d| opening(cal, w, *d))
        })
        .filter(|(start, end)| *start <= at && at < *end)
        .map(|(_, end)| end)
        .max()
}

#[cfg(test)]
#[path = "tests/time_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "tests/time_props.rs"]
mod props;
