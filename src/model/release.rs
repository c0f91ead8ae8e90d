//! A release manifest, `releases/<ID>.toml`. Field order here is the order on
//! disk: `rel` writes manifests canonically so diffs stay small.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::action::Action;
use super::ids::{id_key, validate_id};
use super::path::PathRecord;
use super::quote::{cut, quoted};
use super::rule::RuleCode;
use super::schedule::{Hold, Schedule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Major,
    Minor,
    Patch,
}

impl Kind {
    /// `X.0.0` is major, `X.Y.0` minor, anything else patch.
    pub fn from_version(v: &semver::Version) -> Kind {
        if v.minor == 0 && v.patch == 0 {
            Kind::Major
        } else if v.patch == 0 {
            Kind::Minor
        } else {
            Kind::Patch
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Major => "major",
            Kind::Minor => "minor",
            Kind::Patch => "patch",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "major" => Ok(Kind::Major),
            "minor" => Ok(Kind::Minor),
            "patch" => Ok(Kind::Patch),
            _ => Err(format!(
                "unknown kind `{}`; expected major, minor or patch",
                cut(s)
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Open,
    Frozen,
    Released,
    Cancelled,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Frozen => "frozen",
            State::Released => "released",
            State::Cancelled => "cancelled",
        }
    }
    /// Open or frozen: the release still moves.
    pub fn in_progress(self) -> bool {
        matches!(self, State::Open | State::Frozen)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An approval of entry into `env` as `role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    pub env: String,
    pub role: String,
    /// `Name <email>` of the approver.
    pub by: String,
    pub email: String,
    pub at: DateTime<Utc>,
    /// The content revision approved; stale once the content changes.
    pub revision: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChecklistKind {
    Entry,
    Exit,
}

/// A ticked checklist item of `env`'s entry or exit list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tick {
    pub env: String,
    pub checklist: ChecklistKind,
    pub item: String,
    pub by: String,
    pub at: DateTime<Utc>,
    pub revision: u32,
}

/// The result of a health check of the release in `env`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthReport {
    pub env: String,
    pub passed: bool,
    pub by: String,
    pub at: DateTime<Utc>,
    pub revision: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests_passed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests_failed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
    /// The command that ran, or absent when the result was recorded from elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Why it failed when its exit code does not say: "timed out after 30m".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The file committed with the report holding the check's output
    /// (`releases/reports/<R>/<env>-<N>.log`); absent when the result was
    /// recorded from elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
}

/// Where the output of release `release`'s `n`th health report in `env`
/// (counting from 1) is kept.
pub fn report_log_path(release: &str, env: &str, n: usize) -> String {
    format!("releases/reports/{release}/{env}-{n}.log")
}

/// An incident's id as a release lists it (in `incidents` and in its
/// `group` and `ungroup` events): kept inline up to 24 bytes, not as a
/// string of its own. A release of a big register names thousands of
/// incidents, twice; as `String`s they were most of the audit's memory
/// at a million incidents.
pub type IncidentId = compact_str::CompactString;

/// One entry of a release's history: what happened, who did it, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub by: String,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<IncidentId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<RuleCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Event {
    pub fn new(at: DateTime<Utc>, by: &str, action: Action) -> Event {
        Event {
            at,
            by: by.to_string(),
            action: action.name().to_string(),
            env: None,
            from: None,
            incidents: Vec::new(),
            overrides: Vec::new(),
            reason: None,
            detail: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    pub id: String,
    pub title: String,
    pub version: String,
    pub kind: Kind,
    pub state: State,
    /// The environment the release is in now.
    pub environment: String,
    /// When it entered `environment`; the soak counts from here.
    pub entered_at: DateTime<Utc>,
    /// Content revision: bumped by group, ungroup and unfreeze. Approvals,
    /// ticks and health reports count only for the current revision. At
    /// most `MAX_REVISION` when read, so bumping it never overflows.
    #[serde(deserialize_with = "revision", serialize_with = "write_revision")]
    pub revision: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<NaiveDate>,
    /// The installation this release updates (section 8); None: a release
    /// of the pipeline's own environments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installation: Option<String>,
    /// The pipeline the release belongs to (contract 11.2), chosen at
    /// `rel new` and never changed; None: `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<String>,
    /// The version the hop starts from: the installation's at `rel new`,
    /// or the last version released before it. None: nothing before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_version: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    /// Valid ids, each once (ignoring case): one file is written per id.
    #[serde(default, deserialize_with = "incident_ids")]
    pub incidents: Vec<IncidentId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<Approval>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ticks: Vec<Tick>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub health: Vec<HealthReport>,
    /// Planned promotions, at most one per environment ahead (section 7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<Schedule>,
    /// Set by `rel hold`: the release may not move until `rel resume`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<Hold>,
    /// The update path (section 8); None for a release made before paths
    /// were decided: every environment is on its path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathRecord>,
    #[serde(default)]
    pub history: Vec<Event>,
    /// The release's own checklist items (`rel checklist add`): the go-live
    /// list a dry run builds, asked for like the pipeline's items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<OwnItem>,
    /// Releases this one waits for (`rel depend`, contract 11.4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends: Vec<Dependency>,
}

/// `[[depends]]`: this release may not enter `before` (None: any
/// environment) until `release` has reached `reached` in its pipeline
/// (None: until it is released).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    pub release: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reached: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

/// An item of `env`'s entry or exit checklist that only this release has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnItem {
    pub env: String,
    pub list: ChecklistKind,
    pub item: String,
    pub by: String,
    /// When it was added: only a tick made since counts for it.
    pub at: DateTime<Utc>,
}

impl Release {
    /// The name of the pipeline the release belongs to.
    pub fn pipeline_name(&self) -> &str {
        self.pipeline
            .as_deref()
            .unwrap_or(super::named_pipelines::DEFAULT_PIPELINE)
    }

    pub fn is_frozen(&self) -> bool {
        matches!(self.state, State::Frozen | State::Released)
    }

    /// Approvals that still count: for the current content.
    pub fn current_approvals<'a>(&'a self, env: &'a str) -> impl Iterator<Item = &'a Approval> {
        self.approvals
            .iter()
            .filter(move |a| a.revision == self.revision && a.env.eq_ignore_ascii_case(env))
    }

    /// The schedule into `env`, if any.
    pub fn schedule_for(&self, env: &str) -> Option<&Schedule> {
        self.schedules
            .iter()
            .find(|s| s.env.eq_ignore_ascii_case(env))
    }

    /// The latest health report in `env`, whatever its revision.
    pub fn latest_health(&self, env: &str) -> Option<&HealthReport> {
        self.health
            .iter()
            .filter(|h| h.env.eq_ignore_ascii_case(env))
            .max_by_key(|h| h.at)
    }

    /// The tick of `item` that counts now, if any: one for the current
    /// content; an exit tick only from the current stay (made since
    /// `entered_at`: `rel repeat` starts a stay again, so the old round's
    /// exit ticks stay on record but no longer count); and for an item
    /// added at `since` (a release's own), only one made since then.
    pub fn counting_tick(
        &self,
        env: &str,
        list: ChecklistKind,
        item: &str,
        since: Option<DateTime<Utc>>,
    ) -> Option<&Tick> {
        self.ticks.iter().find(|t| {
            t.revision == self.revision
                && t.checklist == list
                && t.env.eq_ignore_ascii_case(env)
                && t.item == item
                && (list == ChecklistKind::Entry || t.at >= self.entered_at)
                && since.is_none_or(|s| t.at >= s)
        })
    }
}

/// The highest content revision a manifest may hold: a billion content
/// changes is beyond any real release, and leaves `revision + 1` far from
/// overflowing `u32`.
pub const MAX_REVISION: u32 = 1_000_000_000;

fn revision<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u32::deserialize(d)?;
    if n > MAX_REVISION {
        return Err(D::Error::custom(format!(
            "revision {n} is out of range; a content revision is at most {MAX_REVISION}"
        )));
    }
    Ok(n)
}

/// The same bound when writing: rel never writes a manifest it could not
/// read back (a group at revision MAX_REVISION is exit 2, nothing written).
fn write_revision<S: Serializer>(n: &u32, s: S) -> Result<S::Ok, S::Error> {
    if *n > MAX_REVISION {
        return Err(S::Error::custom(format!(
            "the content revision would pass {MAX_REVISION}, the most a manifest may hold"
        )));
    }
    s.serialize_u32(*n)
}

fn incident_ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<IncidentId>, D::Error> {
    let ids = Vec::<IncidentId>::deserialize(d)?;
    let mut seen = std::collections::HashSet::new();
    for id in &ids {
        validate_id("incident", id).map_err(D::Error::custom)?;
        if !seen.insert(id_key(id)) {
            return Err(D::Error::custom(format!(
                "incident {id:?} is listed twice in `incidents` (ids are compared ignoring case)"
            )));
        }
    }
    Ok(ids)
}

/// Parses a version, accepting an optional leading `v`.
pub fn parse_version(text: &str) -> Result<semver::Version, String> {
    let trimmed = text.strip_prefix('v').unwrap_or(text);
    semver::Version::parse(trimmed).map_err(|e| {
        format!(
            "invalid version {}: {e}; expected semantic versioning such as 1.4.0",
            quoted(text)
        )
    })
}

/// What the rules need to know of another release in progress: where it
/// is, and whose installation it updates (`exclusive` counts only updates
/// of the same installation). Read from the top lines of a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseHead {
    pub id: String,
    pub state: State,
    pub environment: String,
    /// The installation an update is of: `exclusive` counts only updates
    /// of the same installation.
    pub installation: Option<String>,
    /// The pipeline it belongs to; None: `default`.
    pub pipeline: Option<String>,
}

impl ReleaseHead {
    /// The name of the pipeline the release belongs to.
    pub fn pipeline_name(&self) -> &str {
        self.pipeline
            .as_deref()
            .unwrap_or(super::named_pipelines::DEFAULT_PIPELINE)
    }
}

impl From<&Release> for ReleaseHead {
    fn from(r: &Release) -> ReleaseHead {
        ReleaseHead {
            id: r.id.clone(),
            state: r.state,
            environment: r.environment.clone(),
            installation: r.installation.clone(),
            pipeline: r.pipeline.clone(),
        }
    }
}
