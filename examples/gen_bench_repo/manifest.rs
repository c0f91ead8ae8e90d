//! The files on disk: mirrors of the structs in src/model/release.rs and
//! src/model/incident.rs, with the same field names, order and skip rules,
//! so `toml::to_string` writes byte for byte what `rel` itself writes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Serialize, Clone)]
pub struct Release {
    pub id: String,
    pub title: String,
    pub version: String,
    pub kind: &'static str,
    pub state: &'static str,
    pub environment: &'static str,
    pub entered_at: DateTime<Utc>,
    pub revision: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub created_by: &'static str,
    pub incidents: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<Approval>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ticks: Vec<Tick>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub health: Vec<Health>,
    pub history: Vec<Event>,
}

#[derive(Serialize, Clone)]
pub struct Approval {
    pub env: &'static str,
    pub role: &'static str,
    pub by: &'static str,
    pub email: &'static str,
    pub at: DateTime<Utc>,
    pub revision: u32,
}

#[derive(Serialize, Clone)]
pub struct Tick {
    pub env: &'static str,
    pub checklist: &'static str,
    pub item: &'static str,
    pub by: &'static str,
    pub at: DateTime<Utc>,
    pub revision: u32,
}

#[derive(Serialize, Clone)]
pub struct Health {
    pub env: &'static str,
    pub passed: bool,
    pub by: &'static str,
    pub at: DateTime<Utc>,
    pub revision: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tests_passed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tests_failed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
}

#[derive(Serialize, Clone)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub by: &'static str,
    pub action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Serialize)]
pub struct Incident {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub breaking: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorisation: Option<Authorisation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    pub history: Vec<IncidentEvent>,
}

#[derive(Serialize)]
pub struct Authorisation {
    pub by: &'static str,
    pub at: DateTime<Utc>,
    pub recorded_by: &'static str,
}

#[derive(Serialize)]
pub struct Evidence {
    pub reference: String,
    pub by: &'static str,
    pub at: DateTime<Utc>,
}

#[derive(Serialize)]
pub struct Component {
    pub kind: &'static str,
    pub name: String,
    pub by: &'static str,
    pub at: DateTime<Utc>,
}

#[derive(Serialize)]
pub struct IncidentEvent {
    pub at: DateTime<Utc>,
    pub by: &'static str,
    pub action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}
