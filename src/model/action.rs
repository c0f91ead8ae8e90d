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
}

impl Action {
    pub const ALL: [Action; 33] = [
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
            text.push_str(&format!("Rel-Reason: {}\n", one_line(r)));
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
                "Rel-Reason" => t.reason = Some(value.to_string()),
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
        assert_eq!(back.reason.as_deref(), Some("urgent fix"));
        assert_eq!(
            Trailers {
                reason: t.reason.clone().map(|r| one_line(&r)),
                ..t
            },
            back
        );
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
}
