//! An incident of the work register, `releases/incidents/<ID>.toml`.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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

impl Incident {
    pub fn is_authorised(&self) -> bool {
        self.authorisation.is_some()
    }
    pub fn is_tested(&self) -> bool {
        !self.evidence.is_empty()
    }
}
