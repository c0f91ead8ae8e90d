//! An incident of the work register, `releases/incidents/<ID>.toml`.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::quote::{cut, quoted};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentStatus {
    Open,
    Resolved,
    /// Shipped in a released release.
    Closed,
}

impl IncidentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Open => "open",
            IncidentStatus::Resolved => "resolved",
            IncidentStatus::Closed => "closed",
        }
    }
}

impl FromStr for IncidentStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(IncidentStatus::Open),
            "resolved" => Ok(IncidentStatus::Resolved),
            "closed" => Ok(IncidentStatus::Closed),
            _ => Err(format!(
                "unknown incident status `{}`; expected open, resolved or closed",
                cut(s)
            )),
        }
    }
}

impl fmt::Display for IncidentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The client's authorisation to take the change live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authorisation {
    /// Who authorised, on the client's side.
    pub by: String,
    pub at: DateTime<Utc>,
    /// The actor who recorded it.
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// A path or URL to the test document.
    pub reference: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A technical component the incident touches: a DLL, a parameter, a permission...
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub kind: String,
    pub name: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentEvent {
    pub at: DateTime<Utc>,
    pub by: String,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub id: String,
    pub title: String,
    pub status: IncidentStatus,
    #[serde(default)]
    pub breaking: bool,
    /// Needs compatibility work for clients' customisations (section 8).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub compat_work: bool,
    /// Needs work on the client's side (section 8).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub client_work: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// The release holding it (in progress or released); kept in step with
    /// the release's `incidents` by `rel` so that one incident can be checked
    /// without reading every release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorisation: Option<Authorisation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    #[serde(default)]
    pub history: Vec<IncidentEvent>,
}

/// The flags of an incident that decide a release's update path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    pub breaking: bool,
    pub compat_work: bool,
    pub client_work: bool,
}

impl Incident {
    pub fn flags(&self) -> Flags {
        Flags {
            breaking: self.breaking,
            compat_work: self.compat_work,
            client_work: self.client_work,
        }
    }

    /// Whether `release` is the release this incident names as its holder.
    pub fn is_held_by(&self, release: &str) -> bool {
        self.release
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case(release))
    }
    /// Whether a component of this kind and name is already recorded.
    pub fn has_component(&self, kind: &str, name: &str) -> bool {
        self.components
            .iter()
            .any(|c| c.kind == kind && c.name == name)
    }
    pub fn is_authorised(&self) -> bool {
        self.authorisation.is_some()
    }
    pub fn is_tested(&self) -> bool {
        !self.evidence.is_empty()
    }
}

/// Parses `KIND:NAME` (e.g. `dll:Billing.dll`, `permission:billing.write`).
/// The kind is a category, compared in lower case; the name is kept as
/// written (it may itself contain ':').
pub fn parse_component_spec(text: &str) -> Result<(String, String), String> {
    let err = |why: &str| {
        format!(
            "invalid component {}: {why}; expected KIND:NAME such as dll:Billing.dll \
             or parameter:INVOICE_ROUNDING",
            quoted(text)
        )
    };
    let (kind, name) = text.split_once(':').ok_or_else(|| err("no ':'"))?;
    let kind = kind.trim().to_ascii_lowercase();
    let name = name.trim();
    if kind.is_empty() {
        return Err(err("the kind is empty"));
    }
    if !kind
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(err(
            "the kind may hold only letters, digits, '.', '_' and '-'",
        ));
    }
    if name.is_empty() {
        return Err(err("the name is empty"));
    }
    if name.chars().any(char::is_control) {
        return Err(err("the name holds a control character"));
    }
    Ok((kind, name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_specs() {
        assert_eq!(
            parse_component_spec("DLL: Billing.dll"),
            Ok(("dll".into(), "Billing.dll".into()))
        );
        assert_eq!(
            parse_component_spec("url:https://x.example/a"),
            Ok(("url".into(), "https://x.example/a".into()))
        );
        for bad in ["", "dll", ":x", "dll:", "d l:x", "dll:a\nb"] {
            assert!(parse_component_spec(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn statuses_parse() {
        assert_eq!("Resolved".parse(), Ok(IncidentStatus::Resolved));
        assert!("done".parse::<IncidentStatus>().is_err());
    }
}
