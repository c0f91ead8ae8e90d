//! A length of time as people write it in `environments.toml`: `"90s"`,
//! `"30m"`, `"2h"`, `"1d"`, or parts together, largest first (`"1h30m"`).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    seconds: u64,
}

const EXPECTED: &str = "expected a duration such as \"90s\", \"30m\", \"2h\" or \"1h30m\"";

const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

impl Span {
    pub const fn from_secs(seconds: u64) -> Span {
        Span { seconds }
    }

    pub fn as_std(self) -> std::time::Duration {
        std::time::Duration::from_secs(self.seconds)
    }

    /// Parses `text`; the error says what was expected. Zero is refused: a
    /// limit of nothing is a mistake, not a wish.
    pub fn parse(text: &str) -> Result<Span, String> {
        let bad = || format!("{text:?}: {EXPECTED}");
        let mut rest = text;
        let mut seconds: u64 = 0;
        // Each unit at most once, largest first: "30m2h" is more likely a
        // typo than a wish.
        let mut next_unit = 0;
        if rest.is_empty() {
            return Err(bad());
        }
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad());
            }
            let number: u64 = rest[..digits].parse().map_err(|_| bad())?;
            let unit = rest[digits..].chars().next().ok_or_else(bad)?;
            let at = UNITS[next_unit..]
                .iter()
                .position(|(u, _)| *u == unit)
                .ok_or_else(bad)?;
            let factor = UNITS[next_unit + at].1;
            next_unit += at + 1;
            seconds = number
                .checked_mul(factor)
                .and_then(|s| s.checked_add(seconds))
                .ok_or_else(bad)?;
            rest = &rest[digits + unit.len_utf8()..];
        }
        if seconds == 0 {
            return Err(format!("{text:?}: a duration must be longer than 0"));
        }
        Ok(Span { seconds })
    }
}

/// The canonical form: largest units first, zero parts left out (`90s` is
/// shown `1m30s`), so output does not depend on how it was typed.
impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.seconds == 0 {
            return f.write_str("0s");
        }
        let mut left = self.seconds;
        for (unit, factor) in UNITS {
            if left >= factor {
                write!(f, "{}{unit}", left / factor)?;
                left %= factor;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Span;

    #[test]
    fn durations_parse_and_show_canonically() {
        for (text, secs, shown) in [
            ("30m", 1800, "30m"),
            ("90s", 90, "1m30s"),
            ("2h", 7200, "2h"),
            ("1d", 86_400, "1d"),
            ("1h30m", 5400, "1h30m"),
            ("1d2h3m4s", 93_784, "1d2h3m4s"),
        ] {
            let span = Span::parse(text).expect(text);
            assert_eq!(span, Span::from_secs(secs), "{text}");
            assert_eq!(span.to_string(), shown);
        }
    }

    #[test]
    fn malformed_durations_are_refused() {
        for text in [
            "",
            "30",
            "m",
            "30 m",
            " 30m",
            "30M",
            "1.5h",
            "-5m",
            "0s",
            "0h0m",
            "30m2h",
            "5m5m",
            "1w",
            "99999999999999999999s",
            "18446744073709551615d",
            "5m ",
            "5mé",
        ] {
            assert!(Span::parse(text).is_err(), "{text:?} should be refused");
        }
    }
}
