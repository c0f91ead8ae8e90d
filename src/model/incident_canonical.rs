//! Reading an incident file as rel writes it, line by line. A cold
//! `rel incident list --all` parses every archived incident (1,000,000 at
//! the benchmark's largest size) and the general TOML parser was the
//! biggest part of its time (a token list and a tree of every value per
//! file, then serde over it). Only the exact layout rel's serializer
//! writes is read here; anything else (a comment, other spacing, an
//! escape, CRLF, an unknown, repeated or missing key, a value of another
//! type) gives None and the caller parses the file as TOML, so the answer
//! and every error stay the TOML parser's.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::canonical_value::{once, Value};
use super::incident::{
    Authorisation, Component, Evidence, Incident, IncidentEvent, IncidentStatus,
};

/// The table the lines read so far put keys in.
enum At {
    Top,
    Authorisation,
    Evidence,
    Component,
    History,
}

/// The incident in `text` when it is in rel's own layout; None otherwise.
pub fn read_canonical(text: &str) -> Option<Incident> {
    if text.contains('\r') {
        return None;
    }
    let mut top = Draft::default();
    let mut authorisation: Option<AuthDraft> = None;
    let mut evidence: Vec<EvidenceDraft> = Vec::new();
    let mut components: Vec<ComponentDraft> = Vec::new();
    let mut history: Vec<EventDraft> = Vec::new();
    let mut at = At::Top;
    for line in text.split('\n') {
        match line {
            "" => continue,
            "[authorisation]" => {
                // A table defined twice is for the TOML parser to refuse.
                if authorisation.is_some() {
                    return None;
                }
                authorisation = Some(AuthDraft::default());
                at = At::Authorisation;
                continue;
            }
            "[[evidence]]" => {
                evidence.push(EvidenceDraft::default());
                at = At::Evidence;
                continue;
            }
            "[[components]]" => {
                components.push(ComponentDraft::default());
                at = At::Component;
                continue;
            }
            "[[history]]" => {
                history.push(EventDraft::default());
                at = At::History;
                continue;
            }
            _ => {}
        }
        let (key, value) = key_value(line)?;
        let value = Value::of(value)?;
        match at {
            At::Top => top.set(key, value)?,
            At::Authorisation => authorisation.as_mut()?.set(key, value)?,
            At::Evidence => evidence.last_mut()?.set(key, value)?,
            At::Component => components.last_mut()?.set(key, value)?,
            At::History => history.last_mut()?.set(key, value)?,
        }
    }
    Some(Incident {
        id: top.id?,
        title: top.title?,
        status: top.status?,
        breaking: top.breaking.unwrap_or(false),
        compat_work: top.compat_work.unwrap_or(false),
        client_work: top.client_work.unwrap_or(false),
        impact: top.impact,
        release: top.release,
        created_at: top.created_at?,
        created_by: top.created_by?,
        authorisation: match authorisation {
            Some(a) => Some(a.done()?),
            None => None,
        },
        evidence: evidence
            .into_iter()
            .map(EvidenceDraft::done)
            .collect::<Option<_>>()?,
        components: components
            .into_iter()
            .map(ComponentDraft::done)
            .collect::<Option<_>>()?,
        history: history
            .into_iter()
            .map(EventDraft::done)
            .collect::<Option<_>>()?,
    })
}

/// `key = value` split at the line's first `=`, with the one space each
/// side rel writes (a bare key holds no `=`).
fn key_value(line: &str) -> Option<(&str, &str)> {
    let at = line.find('=')?;
    let key = line.get(..at)?.strip_suffix(' ')?;
    let value = line.get(at + 1..)?.strip_prefix(' ')?;
    Some((key, value))
}

/// A time as serde reads one from a string (chrono's RFC 3339 parse);
/// anything it refuses is for the TOML parser to report.
fn utc_time(t: &str) -> Option<DateTime<Utc>> {
    plain_utc(t).or_else(|| {
        t.parse::<DateTime<FixedOffset>>()
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the form rel writes, read without chrono's
/// general parser (a tenth of the reader's time); any other form, or a
/// date or time that does not exist (a leap second too), is left to it.
fn plain_utc(t: &str) -> Option<DateTime<Utc>> {
    let b = t.as_bytes();
    let shape = b.len() == 20
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.get(10) == Some(&b'T')
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':')
        && b.get(19) == Some(&b'Z');
    if !shape {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b.get(from..to)?.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(5, 7)?, num(8, 10)?)?;
    let time = date.and_hms_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?)?;
    Some(time.and_utc())
}

impl Value<'_> {
    fn time(self) -> Option<DateTime<Utc>> {
        match self {
            Value::Text(t) => utc_time(t),
            Value::Bool(_) => None,
        }
    }

    fn status(self) -> Option<IncidentStatus> {
        // serde's names, exactly (no trimming or case folding).
        match self {
            Value::Text("open") => Some(IncidentStatus::Open),
            Value::Text("resolved") => Some(IncidentStatus::Resolved),
            Value::Text("closed") => Some(IncidentStatus::Closed),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Draft {
    id: Option<String>,
    title: Option<String>,
    status: Option<IncidentStatus>,
    breaking: Option<bool>,
    compat_work: Option<bool>,
    client_work: Option<bool>,
    impact: Option<String>,
    release: Option<String>,
    created_at: Option<DateTime<Utc>>,
    created_by: Option<String>,
}

impl Draft {
    fn set(&mut self, key: &str, value: Value) -> Option<()> {
        match key {
            "id" => once(&mut self.id, value.text()),
            "title" => once(&mut self.title, value.text()),
            "status" => once(&mut self.status, value.status()),
            "breaking" => once(&mut self.breaking, value.bool()),
            "compat_work" => once(&mut self.compat_work, value.bool()),
            "client_work" => once(&mut self.client_work, value.bool()),
            "impact" => once(&mut self.impact, value.text()),
            "release" => once(&mut self.release, value.text()),
            "created_at" => once(&mut self.created_at, value.time()),
            "created_by" => once(&mut self.created_by, value.text()),
            // `history = []` and anything else: the TOML parser's.
            _ => None,
        }
    }
}

#[derive(Default)]
struct AuthDraft {
    by: Option<String>,
    at: Option<DateTime<Utc>>,
    recorded_by: Option<String>,
}

impl AuthDraft {
    fn set(&mut self, key: &str, value: Value) -> Option<()> {
        match key {
            "by" => once(&mut self.by, value.text()),
            "at" => once(&mut self.at, value.time()),
            "recorded_by" => once(&mut self.recorded_by, value.text()),
            _ => None,
        }
    }

    fn done(self) -> Option<Authorisation> {
        Some(Authorisation {
            by: self.by?,
            at: self.at?,
            recorded_by: self.recorded_by?,
        })
    }
}

#[derive(Default)]
struct EvidenceDraft {
    reference: Option<String>,
    by: Option<String>,
    at: Option<DateTime<Utc>>,
}

impl EvidenceDraft {
    fn set(&mut self, key: &str, value: Value) -> Option<()> {
        match key {
            "reference" => once(&mut self.reference, value.text()),
            "by" => once(&mut self.by, value.text()),
            "at" => once(&mut self.at, value.time()),
            _ => None,
        }
    }

    fn done(self) -> Option<Evidence> {
        Some(Evidence {
            reference: self.reference?,
            by: self.by?,
            at: self.at?,
        })
    }
}

#[derive(Default)]
struct ComponentDraft {
    kind: Option<String>,
    name: Option<String>,
    by: Option<String>,
    at: Option<DateTime<Utc>>,
}

impl ComponentDraft {
    fn set(&mut self, key: &str, value: Value) -> Option<()> {
        match key {
            "kind" => once(&mut self.kind, value.text()),
            "name" => once(&mut self.name, value.text()),
            "by" => once(&mut self.by, value.text()),
            "at" => once(&mut self.at, value.time()),
            _ => None,
        }
    }

    fn done(self) -> Option<Component> {
        Some(Component {
            kind: self.kind?,
            name: self.name?,
            by: self.by?,
            at: self.at?,
        })
    }
}

#[derive(Default)]
struct EventDraft {
    at: Option<DateTime<Utc>>,
    by: Option<String>,
    action: Option<String>,
    detail: Option<String>,
}

impl EventDraft {
    fn set(&mut self, key: &str, value: Value) -> Option<()> {
        match key {
            "at" => once(&mut self.at, value.time()),
            "by" => once(&mut self.by, value.text()),
            "action" => once(&mut self.action, value.text()),
            "detail" => once(&mut self.detail, value.text()),
            _ => None,
        }
    }

    fn done(self) -> Option<IncidentEvent> {
        Some(IncidentEvent {
            at: self.at?,
            by: self.by?,
            action: self.action?,
            detail: self.detail,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn time(n: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1 + n % 12, 1 + n % 28, n % 24, n % 60, 7)
            .single()
            .expect("a valid time")
    }

    fn incident(n: u32) -> Incident {
        let by = format!("Ana Costa-é {n} <ana@vendor.example>");
        Incident {
            id: format!("INC-{n:06}"),
            title: format!("Fix = the thing [{n}] in 'Admin' console"),
            status: match n % 3 {
                0 => IncidentStatus::Open,
                1 => IncidentStatus::Resolved,
                _ => IncidentStatus::Closed,
            },
            breaking: n.is_multiple_of(2),
            compat_work: n.is_multiple_of(3),
            client_work: n.is_multiple_of(5),
            impact: n.is_multiple_of(4).then(|| format!("impact {n}")),
            release: (n % 3 == 2).then(|| format!("R-2026-{n:04}")),
            created_at: time(n),
            created_by: by.clone(),
            authorisation: n.is_multiple_of(2).then(|| Authorisation {
                by: "Marta Reis".into(),
                at: time(n + 1),
                recorded_by: by.clone(),
            }),
            evidence: (0..n % 3)
                .map(|k| Evidence {
                    reference: format!("https://tests.example/{n}/run-{k}.pdf"),
                    by: by.clone(),
                    at: time(n + k),
                })
                .collect(),
            components: (0..n % 4)
                .map(|k| Component {
                    kind: "dll".into(),
                    name: format!("Acme.{k}.dll"),
                    by: by.clone(),
                    at: time(n + k),
                })
                .collect(),
            history: (0..1 + n % 5)
                .map(|k| IncidentEvent {
                    at: time(n + k),
                    by: by.clone(),
                    action: "test".into(),
                    detail: (k % 2 == 1).then(|| format!("detail {k}")),
                })
                .collect(),
        }
    }

    fn toml_reads(text: &str) -> Option<Incident> {
        toml::from_str(text).ok()
    }

    #[test]
    fn what_rel_writes_reads_back_as_the_toml_parser_reads_it() {
        for n in 0..60 {
            let item = incident(n);
            let text = toml::to_string(&item).expect("serializes");
            assert_eq!(read_canonical(&text).as_ref(), Some(&item), "{text}");
            assert_eq!(toml_reads(&text).as_ref(), Some(&item));
        }
    }

    #[test]
    fn the_quick_time_reader_agrees_with_chrono() {
        let times = [
            "2026-01-05T11:05:37Z",
            "2024-02-29T23:59:59Z",
            "2023-02-29T10:00:00Z",
            "2026-02-30T10:00:00Z",
            "2026-13-01T10:00:00Z",
            "2026-00-01T10:00:00Z",
            "2026-01-00T10:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T10:60:00Z",
            "2016-12-31T23:59:60Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2026-01-01t10:00:00Z",
            "2026-01-01T10:00:00z",
            "2026-01-01 10:00:00Z",
            "2026-01-01T10:00:00+02:00",
            "2026-01-01T10:00:00.5Z",
            "2026-1-01T10:00:00Z",
            "+026-01-01T10:00:00Z",
            "2026-01-01T1a:00:00Z",
            "",
        ];
        for t in times {
            let chrono = t
                .parse::<DateTime<FixedOffset>>()
                .ok()
                .map(|t| t.with_timezone(&Utc));
            assert_eq!(utc_time(t), chrono, "{t}");
            if let Some(quick) = plain_utc(t) {
                assert_eq!(Some(quick), chrono, "{t}");
            }
        }
        assert!(plain_utc("2026-01-05T11:05:37Z").is_some());
    }

    #[test]
    fn an_empty_history_is_left_to_the_toml_parser() {
        let mut item = incident(7);
        item.history.clear();
        let text = toml::to_string(&item).expect("serializes");
        assert!(text.contains("history = []"), "{text}");
        assert_eq!(read_canonical(&text), None);
        assert_eq!(toml_reads(&text), Some(item));
    }

    #[test]
    fn any_other_layout_is_left_to_the_toml_parser_or_read_as_it_reads_it() {
        let text = toml::to_string(&incident(14)).expect("serializes");
        assert!(text.contains("[authorisation]") && text.contains("[[evidence]]"));
        let variants = [
            text.replace("id = ", "id="),
            text.replace("id = ", "id =  "),
            text.replacen("title = ", "title=x = ", 1),
            text.replace('\n', "\r\n"),
            format!("# a comment\n{text}"),
            text.replacen("title = \"", "title = \"\\u0041", 1),
            text.replacen("breaking = true", "breaking = \"true\"", 1),
            text.replacen("status = \"closed\"", "status = \"Closed\"", 1),
            text.replacen("status = \"closed\"", "status = \" closed\"", 1),
            text.replacen("title = ", "title = \"x\"\ntitle = ", 1),
            text.replacen("[authorisation]\n", "[authorisation]\nextra = 1\n", 1),
            text.replacen("by = \"Marta Reis\"\n", "", 1),
            format!("{text}\n[authorisation]\nby = \"x\"\n"),
            format!("{text}\nid = \"INC-1\"\n"),
            text.replacen("id = \"INC-000014\"", "id = \"INC-000014\" # note", 1),
            text.replacen("id = \"INC-000014\"", "id = 'INC-000014'", 1),
            text.replacen("id = \"INC-000014\"", "  id = \"INC-000014\"", 1),
            text.replacen("id = \"INC-000014\"", "\"id\" = \"INC-000014\"", 1),
            text.replacen("created_at = \"", "created_at = \"x", 1),
            text.replacen("created_at = \"2026", "created_at = 2026", 1)
                .replacen("Z\"\ncreated_by", "Z\ncreated_by", 1),
            text.replacen("[[history]]", "[history]", 1),
            text.replacen("title = \"", "title = \"a\tb", 1),
            format!("\u{feff}{text}"),
            text.replacen("title = \"", "title = \"\"\"", 1),
            // The same values in other forms: read as the parser reads them.
            text.replacen("\n", "\n\n\n", 3),
            text.replacen("T", " ", 1),
            text.replacen("Z\"", "+02:00\"", 1),
        ];
        for variant in &variants {
            assert_ne!(variant, &text);
            // Either left to the parser, or read exactly as it reads it.
            if let Some(read) = read_canonical(variant) {
                assert_eq!(Some(read), toml_reads(variant), "{variant}");
            }
        }
        // These, at least, are not for the line reader.
        for left in &variants[..24] {
            assert!(read_canonical(left).is_none(), "{left}");
        }
    }
}
