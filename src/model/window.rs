//! Parsing of promotion windows (`tue-thu 09:00-17:00`) and weekday names.
//!
//! Parsing lives apart from the arithmetic (`rules::time`) so that the store
//! can reject a malformed `environments.toml` at load time, with the file,
//! line and column, before any rule runs.

use chrono::{NaiveTime, Weekday};

use crate::model::calendar::{WeekdaySet, Window, WindowDays};
use crate::model::quote::cut;

/// What a window looks like; appended to every parse error so the user sees
/// the expected shape next to what went wrong.
pub const WINDOW_SYNTAX: &str = "expected \"DAYS HH:MM-HH:MM\" such as \"tue-thu 09:00-17:00\"; \
     DAYS is a day (mon), a range (tue-thu), a list (mon,wed,fri), daily or workdays";

/// A weekday by its English name, short (`mon`) or long (`monday`), in any
/// case. Used for windows and for the calendar's `workdays`.
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let day = match s.trim().to_ascii_lowercase().as_str() {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tuesday" => Weekday::Tue,
        "wed" | "wednesday" => Weekday::Wed,
        "thu" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

/// Parses `DAYS HH:MM-HH:MM`. The end is exclusive; `24:00` is accepted as an
/// end meaning midnight, and an end at or before the start runs past midnight
/// into the next day. An empty window (start == end) is refused because it
/// can never be open, which is almost certainly a typo.
///
/// The error says what was wrong and what was expected; the caller adds where.
pub fn parse_window(text: &str) -> Result<Window, String> {
    let fail = |what: String| format!("{what}; {WINDOW_SYNTAX}");
    let trimmed = text.trim();
    // The times are the last word; everything before is DAYS, where spaces
    // after commas (`mon, wed`) are forgiven.
    let Some((days_text, times_text)) = trimmed.rsplit_once(char::is_whitespace) else {
        return Err(fail(format!(
            "window \"{}\" has no days or no times",
            cut(trimmed)
        )));
    };
    let days_text: String = days_text.chars().filter(|c| !c.is_whitespace()).collect();
    let days = parse_days(&days_text).map_err(fail)?;
    let (start, end) = parse_times(times_text).map_err(fail)?;
    Ok(Window {
        days,
        start,
        end,
        text: trimmed.to_string(),
    })
}

fn parse_days(text: &str) -> Result<WindowDays, String> {
    match text.to_ascii_lowercase().as_str() {
        "daily" => return Ok(WindowDays::Days(WeekdaySet::ALL)),
        "workdays" => return Ok(WindowDays::Workdays),
        _ => {}
    }
    let mut set = WeekdaySet::default();
    for item in text.split(',') {
        if item.is_empty() {
            return Err(format!("empty day in \"{}\"", cut(text)));
        }
        match item.split_once('-') {
            None => set.insert(day(item)?),
            Some((from, to)) => {
                // A range may wrap over the week's end: `fri-mon`.
                let (from, to) = (day(from)?, day(to)?);
                let mut d = from;
                set.insert(d);
                while d != to {
                    d = d.succ();
                    set.insert(d);
                }
            }
        }
    }
    Ok(WindowDays::Days(set))
}

fn day(name: &str) -> Result<Weekday, String> {
    parse_weekday(name).ok_or_else(|| {
        if matches!(name.to_ascii_lowercase().as_str(), "daily" | "workdays") {
            format!("\"{}\" cannot be part of a list or range", cut(name))
        } else {
            format!("unknown day \"{}\"", cut(name))
        }
    })
}

fn parse_times(text: &str) -> Result<(NaiveTime, NaiveTime), String> {
    let Some((start_text, end_text)) = text.split_once('-') else {
        return Err(format!("times \"{}\" are not HH:MM-HH:MM", cut(text)));
    };
    let start = clock(start_text, false)?;
    let end = clock(end_text, true)?;
    if start == end && end_text.trim() != "24:00" {
        return Err(format!(
            "window \"{}\" is empty (start equals end)",
            cut(text)
        ));
    }
    Ok((start, end))
}

/// `HH:MM`, 00:00 to 23:59; `24:00` too when it is an end (stored as 00:00,
/// which the window reads as midnight of the next day).
fn clock(text: &str, is_end: bool) -> Result<NaiveTime, String> {
    let bad = || {
        format!(
            "time \"{}\" is not HH:MM between 00:00 and 23:59",
            cut(text)
        )
    };
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let digits = |s: &str, max_len| {
        !s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(h, 2) || !digits(m, 2) || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h == 24 && m == 0 {
        return if is_end {
            Ok(NaiveTime::MIN)
        } else {
            Err(format!(
                "a window cannot start at \"{}\"; use 00:00",
                cut(text)
            ))
        };
    }
    NaiveTime::from_hms_opt(h, m, 0).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn days(w: &Window) -> Vec<Weekday> {
        match w.days {
            WindowDays::Days(set) => set.days().collect(),
            WindowDays::Workdays => panic!("workdays"),
        }
    }

    #[test]
    fn single_day_range_and_list() {
        use Weekday::*;
        let w = parse_window("tue-thu 09:00-17:00").unwrap();
        assert_eq!(days(&w), vec![Tue, Wed, Thu]);
        assert_eq!((w.start, w.end), (t(9, 0), t(17, 0)));
        assert_eq!(w.text, "tue-thu 09:00-17:00");
        assert_eq!(days(&parse_window("MON 9:00-10:00").unwrap()), vec![Mon]);
        let w = parse_window("mon,wed-fri 08:30-12:00").unwrap();
        assert_eq!(days(&w), vec![Mon, Wed, Thu, Fri]);
        let w = parse_window("  mon, wed ,fri   07:00-08:00 ").unwrap();
        assert_eq!(days(&w), vec![Mon, Wed, Fri]);
        assert_eq!(
            days(&parse_window("Friday-Mon 01:00-02:00").unwrap()),
            vec![Mon, Fri, Sat, Sun]
        );
    }

    #[test]
    fn daily_workdays_and_midnight() {
        let w = parse_window("daily 22:00-02:00").unwrap();
        assert_eq!(w.days, WindowDays::Days(WeekdaySet::ALL));
        assert_eq!((w.start, w.end), (t(22, 0), t(2, 0)));
        let w = parse_window("Workdays 00:00-24:00").unwrap();
        assert_eq!(w.days, WindowDays::Workdays);
        assert_eq!((w.start, w.end), (t(0, 0), t(0, 0)));
        let w = parse_window("sun 18:00-24:00").unwrap();
        assert_eq!(w.end, NaiveTime::MIN);
    }

    #[test]
    fn errors_say_what_was_expected() {
        for bad in [
            "",
            "tue-thu",
            "09:00-17:00",
            "tues 09:00-17:00",
            "mon,,tue 09:00-17:00",
            "mon-daily 09:00-17:00",
            "mon 09:00",
            "mon 9-17",
            "mon 25:00-26:00",
            "mon 09:60-10:00",
            "mon 09:00-09:00",
            "mon 00:00-00:00",
            "mon 24:00-02:00",
            "mon 24:30-02:00",
            "mon 09:0-10:00",
            "mon 009:00-10:00",
            "mon 09:00-10:00-11:00",
            "mon +9:00-10:00",
        ] {
            let err = parse_window(bad).expect_err(bad);
            assert!(err.ends_with(WINDOW_SYNTAX), "{bad}: {err}");
        }
        let err = parse_window("tues 09:00-17:00").unwrap_err();
        assert!(err.starts_with("unknown day \"tues\""), "{err}");
    }

    #[test]
    fn weekday_names() {
        assert_eq!(parse_weekday("mon"), Some(Weekday::Mon));
        assert_eq!(parse_weekday("SUNDAY"), Some(Weekday::Sun));
        assert_eq!(parse_weekday("mo"), None);
    }
}
