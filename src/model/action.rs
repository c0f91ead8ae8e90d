//! What a rel commit did, as one typed value: the action's name (in the
//! manifest's history and in `Rel-Action`), and the `Rel-*` trailers that
//! `rel log` and the audit read back. Rendering and parsing stand side by
//! side so they cannot drift apart.

use std::fmt;
use std::str::FromStr;

use super::rule::RuleCode;

/// Every action rel commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Init,
    New,
    IncidentNew,
    IncidentResolve,
    IncidentReopen,
    IncidentAuthorise,
    IncidentTest,
    IncidentComponent,
    Group,
    Ungroup,
    Freeze,
    Unfreeze,
    Cancel,
    Promote,
    Approve,
    Tick,
    Verify,
    Rollback,
    Close,
    Schedule,
    Reschedule,
    Unschedule,
    Hold,
    Resume,
    // Installations and update paths (section 8).
    InstallationNew,
    InstallationSet,
    Rollout,
    Path,
    IncidentFlag,
    // Stays and a release's own checklist (section 8).
    Repeat,
    ChecklistAdd,
    ChecklistRemove,
    Untick,
    // Dependencies between releases (contract 11.4).
    Depend,
    // Finished releases moved into the archive (contract 11.1).
    Archive,
}

impl Action {
    pub const ALL: [Action; 35] = [
        Action::Init,
        Action::New,
        Action::IncidentNew,
        Action::IncidentResolve,
        Action::IncidentReopen,
        Action::IncidentAuthorise,
        Action::IncidentTest,
        Action::IncidentComponent,
        Action::Group,
        Action::Ungroup,
        Action::Freeze,
        Action::Unfreeze,
        Action::Cancel,
        Action::Promote,
        Action::Approve,
        Action::Tick,
        Action::Verify,
        Action::Rollback,
        Action::Close,
        Action::Schedule,
        Action::Reschedule,
        Action::Unschedule,
        Action::Hold,
        Action::Resume,
        Action::InstallationNew,
        Action::InstallationSet,
        Action::Rollout,
        Action::Path,
        Action::IncidentFlag,
        Action::Repeat,
        Action::ChecklistAdd,
        Action::ChecklistRemove,
        Action::Untick,
        Action::Depend,
        Action::Archive,
    ];

    /// The name written in history events and in `Rel-Action`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Init => "init",
            Action::New => "new",
            Action::IncidentNew => "incident-new",
            Action::IncidentResolve => "incident-resolve",
            Action::IncidentReopen => "incident-reopen",
            Action::IncidentAuthorise => "incident-authorise",
            Action::IncidentTest => "incident-test",
            Action::IncidentComponent => "incident-component",
            Action::Group => "group",
            Action::Ungroup => "ungroup",
            Action::Freeze => "freeze",
            Action::Unfreeze => "unfreeze",
            Action::Cancel => "cancel",
            Action::Promote => "promote",
            Action::Approve => "approve",
            Action::Tick => "tick",
            Action::Verify => "verify",
            Action::Rollback => "rollback",
            Action::Close => "close",
            Action::Schedule => "schedule",
            Action::Reschedule => "reschedule",
            Action::Unschedule => "unschedule",
            Action::Hold => "hold",
            Action::Resume => "resume",
            Action::InstallationNew => "installation-new",
            Action::InstallationSet => "installation-set",
            Action::Rollout => "rollout",
            Action::Path => "path",
            Action::IncidentFlag => "incident-flag",
            Action::Repeat => "repeat",
            Action::ChecklistAdd => "checklist-add",
            Action::ChecklistRemove => "checklist-remove",
            Action::Untick => "untick",
            Action::Depend => "depend",
            Action::Archive => "archive",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Action, String> {
        Action::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| format!("unknown rel action `{s}`"))
    }
}

/// The `Rel-*` trailers of a commit rel made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailers {
    pub action: Action,
    pub release: Option<String>,
    pub env: Option<String>,
    pub overrides: Vec<RuleCode>,
    pub reason: Option<String>,
    /// `Rel-Schedule`: the scheduled instant a promotion by `rel due
    /// --apply` carried out (RFC 3339, as written).
    pub schedule: Option<String>,
}

/// Text on one line: trailers end at a line break.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A line of a commit message (its subject, a line of its body) holding
/// text a person typed: every control character written as Rust writes it
/// (`\n`, `\u{1b}`), so a title cannot add a line to the message (a `---`
/// line would end the part git reads trailers from), nor reach a terminal
/// raw through `git log`.
pub fn message_line(s: &str) -> std::borrow::Cow<'_, str> {
    super::quote::controls_escaped(s)
}

/// `Rel-Reason` holds a reason exactly as typed when git keeps it so: on
/// one line, no control character, nothing git trims at either end.
const REASON: &str = "Rel-Reason";
/// Any other reason (new lines, tabs, control characters, spaces at the
/// ends) is written quoted under its own key, which no older rel wrote, so
/// the plain key of old commits keeps reading as it always did.
const REASON_QUOTED: &str = "Rel-Reason-Quoted";

/// Whether git gives `value` back as written in a trailer.
fn is_plain(value: &str) -> bool {
    !value.is_empty() && value.trim() == value && !value.chars().any(|c| c.is_control())
}

/// `value` in double quotes, `\` and `"` escaped, every control character
/// as Rust writes it (`\n`, `\t`, `\r`, `\u{1b}`): one line whatever it
/// holds, undone exactly by `unquote`.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The text `quote` wrote; `Err` for anything it never writes.
fn unquote(quoted: &str) -> Result<String, String> {
    let bad = || format!("{REASON_QUOTED} {quoted:?} is not a quoted text rel writes");
    let inner = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .ok_or_else(bad)?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Err(bad()),
            '\\' => match chars.next() {
                Some('\\') => out.push('\\'),
                Some('"') => out.push('"'),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('u') => {
                    let rest = chars.as_str().strip_prefix('{').ok_or_else(bad)?;
                    let (hex, after) = rest.split_once('}').ok_or_else(bad)?;
                    let code = Some(hex)
                        .filter(|h| (1..=6).contains(&h.len()))
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32)
                        // `quote` writes this form for control characters only.
                        .filter(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
                        .ok_or_else(bad)?;
                    out.push(code);
                    chars = after.chars();
                }
                _ => return Err(bad()),
            },
            c => out.push(c),
        }
    }
    Ok(out)
}

impl Trailers {
    pub fn new(action: Action) -> Trailers {
        Trailers {
            action,
            release: None,
            env: None,
            overrides: Vec::new(),
            reason: None,
            schedule: None,
        }
    }

    /// The trailer block, one `Key: value` per line.
    pub fn render(&self) -> String {
        let mut text = format!("Rel-Action: {}\n", self.action);
        if let Some(r) = &self.release {
            text.push_str(&format!("Rel-Release: {}\n", one_line(r)));
        }
        if let Some(e) = &self.env {
            text.push_str(&format!("Rel-Env: {}\n", one_line(e)));
        }
        for o in &self.overrides {
            text.push_str(&format!("Rel-Override: {o}\n"));
        }
        if let Some(r) = &self.reason {
            if is_plain(r) {
                text.push_str(&format!("{REASON}: {r}\n"));
            } else {
                text.push_str(&format!("{REASON_QUOTED}: {}\n", quote(r)));
            }
        }
        if let Some(s) = &self.schedule {
            text.push_str(&format!("Rel-Schedule: {}\n", one_line(s)));
        }
        text
    }

    /// The trailers of a commit message, from `(key, value)` pairs as git
    /// finds them in its last paragraph. `None` without `Rel-Action` (the
    /// change did not go through rel); `Err` when a `Rel-*` value is not one
    /// rel writes (a hand-made or altered trailer).
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Option<Result<Trailers, String>> {
        let mut action = None;
        let mut t = Trailers::new(Action::Init);
        let mut problems = Vec::new();
        for (key, value) in pairs {
            let value = value.trim();
            match key {
                "Rel-Action" => match value.parse::<Action>() {
                    Ok(a) => action = Some(Ok(a)),
                    Err(e) => action = Some(Err(e)),
                },
                "Rel-Release" => t.release = Some(value.to_string()),
                "Rel-Env" => t.env = Some(value.to_string()),
                "Rel-Override" => match value.parse::<RuleCode>() {
                    Ok(code) => t.overrides.push(code),
                    Err(e) => problems.push(e.to_string()),
                },
                REASON => t.reason = Some(value.to_string()),
                REASON_QUOTED => match unquote(value) {
                    Ok(reason) => t.reason = Some(reason),
                    Err(e) => problems.push(e),
                },
                "Rel-Schedule" => match chrono::DateTime::parse_from_rfc3339(value) {
                    Ok(_) => t.schedule = Some(value.to_string()),
                    Err(e) => problems.push(format!("Rel-Schedule {value:?}: {e}")),
                },
                _ => {}
            }
        }
        let action = match action? {
            Ok(a) => a,
            Err(e) => return Some(Err(e)),
        };
        t.action = action;
        if problems.is_empty() {
            Some(Ok(t))
        } else {
            Some(Err(problems.join("; ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_name_parses_back() {
        for a in Action::ALL {
            assert_eq!(a.name().parse::<Action>(), Ok(a));
        }
        assert!("promote-all".parse::<Action>().is_err());
    }

    #[test]
    fn trailers_parse_back_what_render_writes() {
        let mut t = Trailers::new(Action::Promote);
        t.release = Some("R-1".into());
        t.env = Some("live".into());
        t.overrides = vec![RuleCode::Soak, RuleCode::Window];
        t.reason = Some("urgent\nfix".into());
        t.schedule = Some("2026-12-05T02:00:00Z".into());
        let text = t.render();
        let pairs: Vec<(&str, &str)> = text.lines().filter_map(|l| l.split_once(": ")).collect();
        let back = Trailers::parse(pairs).expect("rel's").expect("valid");
        assert_eq!(back.reason.as_deref(), Some("urgent\nfix"));
        assert_eq!(t, back);
        assert!(Trailers::parse([("Signed-off-by", "x")]).is_none());
        assert!(Trailers::parse([("Rel-Action", "teleport")])
            .expect("rel's")
            .is_err());
        assert!(
            Trailers::parse([("Rel-Action", "promote"), ("Rel-Schedule", "soon")])
                .expect("rel's")
                .is_err()
        );
    }

    /// What git reads back as the trailers of a message rel renders.
    fn through_git(t: &Trailers) -> Trailers {
        let message = format!("rel: hold R-1\n\nsome body\n\n{}", t.render());
        let pairs = git2::message_trailers_strs(&message).expect("trailers");
        let pairs: Vec<(&str, &str)> = pairs.iter().collect();
        Trailers::parse(pairs)
            .expect("rel's")
            .unwrap_or_else(|e| panic!("{e}: {message:?}"))
    }

    #[test]
    fn any_reason_comes_back_from_git_exactly() {
        let reasons = [
            "urgent fix",
            "  spaces at the ends  ",
            "two  spaces\tand a tab",
            "line one\nline two\r\nthree\rfour",
            "\u{1b}]0;title\u{7}\u{1b}[2J\u{7f}\u{9b}\u{85}",
            "\n\nRel-Action: close\nRel-Release: R-9",
            "\n---\nnot a patch",
            "\"quoted\" \\ back\\slash \\u{1b} \\n",
            "\"",
            "\\",
            "é 漢字 😀 \u{a0}nbsp\u{a0} \u{2028}",
            ": colon",
            "Rel-Action: close",
            "a\u{a0}b\u{3000}c\u{2028}d 漢字",
            "\u{3000}ideographic space",
            "",
        ];
        for reason in reasons {
            let mut t = Trailers::new(Action::Hold);
            t.release = Some("R-1".into());
            t.reason = Some(reason.to_string());
            assert_eq!(
                through_git(&t).reason.as_deref(),
                Some(reason),
                "{reason:?}"
            );
            assert_eq!(t.render().lines().count(), 3, "{reason:?}");
        }
    }

    #[test]
    fn plain_reasons_are_written_as_before() {
        let mut t = Trailers::new(Action::Hold);
        t.reason = Some("wait for the \"vendor\" C:\\new".into());
        assert_eq!(
            t.render(),
            "Rel-Action: hold\nRel-Reason: wait for the \"vendor\" C:\\new\n"
        );
        // An old commit's plain reason reads as written, escapes and all.
        let old = Trailers::parse([("Rel-Action", "hold"), ("Rel-Reason", "\"a\\nb\"")])
            .expect("rel's")
            .expect("valid");
        assert_eq!(old.reason.as_deref(), Some("\"a\\nb\""));
    }

    #[test]
    fn quoted_reasons_rel_never_writes_are_refused() {
        for bad in [
            "no quotes",
            "\"unterminated",
            "\"inner \" quote\"",
            "\"bad \\q escape\"",
            "\"\\u{41} is not a control\"",
            "\"\\u{a} is written \\\\n\"",
            "\"\\u{110000}\"",
            "\"\\u{1b\"",
            "\"trailing \\\"",
        ] {
            let parsed = Trailers::parse([("Rel-Action", "hold"), ("Rel-Reason-Quoted", bad)])
                .expect("rel's");
            assert!(parsed.is_err(), "{bad:?} -> {parsed:?}");
        }
    }
}
