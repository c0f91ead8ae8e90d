//! The pipeline of `environments.toml`, validated: calendar, roles and the
//! ordered environments with their rules.

use std::collections::BTreeMap;

use chrono_tz::Tz;

use super::calendar::{Blackout, Calendar, Window};
use super::installation::InstallationRules;
use super::path::{MaxHop, UpdatePath};
use super::release::Kind;
use super::rule::RuleCode;
use super::span::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub calendar: Calendar,
    /// Role name -> e-mails of its members. A role absent here is open to anyone.
    pub roles: BTreeMap<String, Vec<String>>,
    /// In promotion order; never empty.
    pub environments: Vec<Environment>,
    /// Whether a release needs incidents to be frozen (`empty`); false for
    /// products not tracked as incidents. Default true.
    pub require_incidents: bool,
    /// `[sync]`: the shared branch every write goes through (contract
    /// section 6); None works in the local repository alone.
    pub sync: Option<SyncSettings>,
    /// Roles whose members are told about schedules and holds (section 7).
    pub notify: Vec<String>,
    /// `[paths] simple_max_hop` (section 8).
    pub simple_max_hop: MaxHop,
    /// Whether environments.toml has a `[paths]` table.
    pub paths_table: bool,
    /// The installations of `releases/installations/`, by name in lower
    /// case: what replaces the pipeline's members and windows for their
    /// updates (see `effective`). Empty when read from environments.toml
    /// alone.
    pub installations: std::sync::Arc<BTreeMap<String, InstallationRules>>,
    /// `[audit]`: what `rel audit` asks of history beyond the rules.
    pub audit: AuditSettings,
    /// `override_by`: roles whose members may use `--override` (contract
    /// 11.5); an environment's own list replaces it. None: anyone may
    /// override what `overridable` allows, but nobody `approval`.
    pub override_by: Option<Vec<String>>,
    /// `notify_on`: the events told (contract 11.6); None: all of them. An
    /// environment's own list replaces it for events about it.
    pub notify_on: Option<Vec<String>>,
    /// The named pipelines (contract 11.2) and which one `environments`
    /// belongs to.
    pub pipelines: super::named_pipelines::Pipelines,
    /// `[installations]`: how updates of installations relate to the
    /// product releases they carry (contract 11.3).
    pub updates: UpdateSettings,
}

/// `[installations]` of environments.toml.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateSettings {
    /// `requires`: the environment a product release must have reached
    /// before updates to its version exist; None: no such requirement.
    pub requires: Option<String>,
}

/// Every event the notifier may be told (contract sections 7 and 11.6).
pub const NOTIFY_EVENTS: [&str; 16] = [
    "scheduled",
    "rescheduled",
    "unscheduled",
    "promoted",
    "blocked",
    "held",
    "resumed",
    "created",
    "frozen",
    "unfrozen",
    "approved",
    "verified",
    "closed",
    "cancelled",
    "rolled-back",
    "policy",
];

/// `[audit]` of environments.toml.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditSettings {
    /// Every commit touching rel's files must carry a signature git
    /// accepts, by a key of its author (`unsigned` findings).
    pub require_signed: bool,
    /// `policy_owners`: roles whose members alone may change policy
    /// (contract 11.5); empty: anyone may, and the audit lists who did.
    pub policy_owners: Vec<String>,
    /// `allowed_signers`: the repository path of the ssh allowed-signers
    /// file that signatures are verified with (policy, like the pipeline).
    pub allowed_signers: Option<String>,
}

/// `[sync]` of environments.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSettings {
    /// A remote name of this clone, e.g. `origin`.
    pub remote: String,
    /// The remote's branch; None: the branch checked out.
    pub branch: Option<String>,
    /// Attempts when the remote moved meanwhile (at least 1).
    pub retries: u32,
    /// `fetch_on_read`: reading commands fetch and fast-forward first, as
    /// `rel sync` does (`--no-fetch` reads offline).
    pub fetch_on_read: bool,
}

/// Business days to stay in an environment, by release kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Soak {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Soak {
    pub fn days(&self, kind: Kind) -> u32 {
        match kind {
            Kind::Major => self.major,
            Kind::Minor => self.minor,
            Kind::Patch => self.patch,
        }
    }
}

/// A checklist item; `kinds` empty means every kind of release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    pub item: String,
    pub kinds: Vec<Kind>,
}

impl ChecklistItem {
    pub fn applies_to(&self, kind: Kind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }
}

/// Long enough for any real health check; short enough that a hung one
/// does not hold a CI job for hours.
pub const DEFAULT_HEALTH_TIMEOUT: Span = Span::from_secs(30 * 60);

#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    pub name: String,
    pub soak: Soak,
    pub requires_frozen: bool,
    pub exclusive: bool,
    pub health_check: Option<String>,
    /// How long `health_check` may run before its processes are killed and
    /// the report is recorded as failed.
    pub health_timeout: Span,
    pub requires_health: bool,
    pub approvals: Vec<String>,
    /// Business days an approval counts for; None: while the content stays.
    pub approvals_valid_for: Option<u32>,
    pub distinct_approvers: bool,
    pub entry_checklist: Vec<ChecklistItem>,
    pub exit_checklist: Vec<ChecklistItem>,
    pub windows: Vec<Window>,
    pub blackouts: Vec<Blackout>,
    pub confirm: bool,
    /// Rules `--override` may set aside when entering this environment.
    pub overridable: Vec<RuleCode>,
    pub optional: bool,
    /// Zero-touch: schedule entry at `earliest` as soon as every other rule
    /// for entering passes.
    pub auto_schedule: bool,
    /// Schedules into here cannot be moved or cancelled later than this
    /// before their time (rule `notice`).
    pub schedule_notice: Option<Span>,
    /// Roles told about schedules into here, besides the pipeline's.
    pub notify: Vec<String>,
    /// `paths`: the update paths this environment is on; empty: every path.
    pub paths: Vec<UpdatePath>,
    /// The timezone `windows` are read in when not the calendar's: an
    /// installation's (set only in a release's effective pipeline).
    pub windows_timezone: Option<Tz>,
    /// Not on the release's path (set only in a release's effective
    /// pipeline): passed over like an optional environment.
    pub off_path: bool,
    /// A release here may go another round (`rel repeat`: a dry run again).
    pub repeatable: bool,
    /// `override_by` of this environment: replaces the pipeline's.
    pub override_by: Option<Vec<String>>,
    /// `notify_on` of this environment: replaces the pipeline's.
    pub notify_on: Option<Vec<String>>,
}

impl Environment {
    pub fn named(name: &str) -> Environment {
        Environment {
            name: name.to_string(),
            soak: Soak::default(),
            requires_frozen: false,
            exclusive: false,
            health_check: None,
            health_timeout: DEFAULT_HEALTH_TIMEOUT,
            requires_health: false,
            approvals: Vec::new(),
            approvals_valid_for: None,
            distinct_approvers: false,
            entry_checklist: Vec::new(),
            exit_checklist: Vec::new(),
            windows: Vec::new(),
            blackouts: Vec::new(),
            confirm: false,
            overridable: RuleCode::OVERRIDABLE.to_vec(),
            optional: false,
            auto_schedule: false,
            schedule_notice: None,
            notify: Vec::new(),
            paths: Vec::new(),
            windows_timezone: None,
            off_path: false,
            repeatable: false,
            override_by: None,
            notify_on: None,
        }
    }

    /// Whether a release on `path` goes through here.
    pub fn on_path(&self, path: UpdatePath) -> bool {
        self.paths.is_empty() || self.paths.contains(&path)
    }

    /// Passed over by the order rule: optional, or not on the release's path.
    pub fn may_be_passed_over(&self) -> bool {
        self.optional || self.off_path
    }

    /// Entry items that apply to a release of this kind.
    pub fn entry_items(&self, kind: Kind) -> impl Iterator<Item = &ChecklistItem> {
        self.entry_checklist
            .iter()
            .filter(move |i| i.applies_to(kind))
    }

    pub fn exit_items(&self, kind: Kind) -> impl Iterator<Item = &ChecklistItem> {
        self.exit_checklist
            .iter()
            .filter(move |i| i.applies_to(kind))
    }
}

impl Pipeline {
    /// Position of an environment by name (names are unique case-insensitively;
    /// lookups accept any case).
    pub fn position(&self, name: &str) -> Option<usize> {
        self.environments
            .iter()
            .position(|e| e.name.eq_ignore_ascii_case(name))
    }

    /// Position of an environment named by a user; Err is the one message
    /// for an unknown environment, whoever asks (a flag, a rule).
    pub fn find(&self, name: &str) -> Result<usize, String> {
        self.position(name).ok_or_else(|| {
            format!(
                "unknown environment `{}`; the pipeline has {}",
                super::quote::cut(name),
                self.environments
                    .iter()
                    .map(|e| e.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }

    pub fn env(&self, name: &str) -> Option<&Environment> {
        self.position(name).map(|i| &self.environments[i])
    }

    // `environments` is never empty: `parse_pipeline`, the only way a
    // Pipeline is made from input, refuses a file without one.
    pub fn first(&self) -> &Environment {
        &self.environments[0]
    }

    pub fn last(&self) -> &Environment {
        &self.environments[self.environments.len() - 1]
    }

    /// Whether releases take update paths here: a `[paths]` table, or an
    /// environment on some paths only. Otherwise no path is decided or
    /// shown (every release goes through every environment anyway).
    pub fn uses_paths(&self) -> bool {
        self.paths_table || self.environments.iter().any(|e| !e.paths.is_empty())
    }

    /// The installation named `name` (any case).
    pub fn installation(&self, name: &str) -> Option<&InstallationRules> {
        self.installations.get(&name.to_ascii_lowercase())
    }

    /// The roles whose members may use `--override` to enter `target`: its
    /// own `override_by`, else the pipeline's; None when neither says.
    pub fn override_roles<'a>(&'a self, target: &'a Environment) -> Option<&'a [String]> {
        target
            .override_by
            .as_deref()
            .or(self.override_by.as_deref())
    }

    /// Whether event `event` about environment `env` is told: the
    /// environment's `notify_on`, else the pipeline's, else every event.
    pub fn tells(&self, event: &str, env: Option<&str>) -> bool {
        let list = env
            .and_then(|e| self.env(e))
            .and_then(|e| e.notify_on.as_ref())
            .or(self.notify_on.as_ref());
        list.is_none_or(|l| l.iter().any(|x| x == event))
    }

    /// Whether `email` is listed as a member of `role` (any case): the
    /// strict reading, for what a role alone may do (override, own the
    /// policy): a role nobody is listed in has no members.
    pub fn is_listed_member(&self, role: &str, email: &str) -> bool {
        self.roles
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case(role))
            .any(|(_, members)| members.iter().any(|m| m.eq_ignore_ascii_case(email)))
    }

    /// Members of a role, when the role is restricted.
    pub fn role_members(&self, role: &str) -> Option<&[String]> {
        self.roles.get(role).map(|v| v.as_slice())
    }
}
