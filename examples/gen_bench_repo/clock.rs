//! Time as Unix seconds: the conversions and office hours.

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc, Weekday};

pub const HOUR: i64 = 3600;
pub const DAY: i64 = 24 * HOUR;

pub fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).expect("timestamp in range")
}

pub fn instant(y: i32, m: u32, d: u32, h: u32) -> i64 {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("valid date")
        .timestamp()
}

/// Moves `t` forward into office hours (08:00-18:00 UTC, Monday to Friday).
pub fn work_time(t: i64) -> i64 {
    let mut t = t;
    let hour = i64::from(at(t).hour());
    if hour < 8 {
        t += (8 - hour) * HOUR;
    } else if hour >= 18 {
        t += (24 - hour + 9) * HOUR;
    }
    match at(t).weekday() {
        Weekday::Sat => t + 2 * DAY,
        Weekday::Sun => t + DAY,
        _ => t,
    }
}
