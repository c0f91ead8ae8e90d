//! The audit's judgement of one commit (contract section 9), pure: the
//! state of the parent commit as values, what the commit records (its
//! trailers, its author and date, the files it wrote), and the findings.
//! A rel action is decided again by the same rules functions the commands
//! call, and its pure effect replayed; the walk over history is the store's.

mod archive;
mod compare;
mod incident;
mod invariants;
mod paths;
mod policy;
mod replay;
mod schedule;
mod stays;
mod time;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::model::action::{Action, Trailers};
use crate::model::incident::Incident;
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;

pub use archive::index_findings;
pub use invariants::inconsistencies;
pub use policy::{judge_policy, judge_policy_by, policy_changes, ALLOWED_SIGNERS};
pub use time::Clock;

/// What the repository holds at one commit, as values: the pipeline (or
/// why it does not parse), the releases and incidents by file id.
/// Releases and incidents are filed through `set_release`/`set_incident`,
/// which keep the index of ids in another case, so a lookup ignoring case
/// costs one or two map lookups, never a scan (an import commit asks about
/// a million ids).
#[derive(Debug, Clone, Default)]
pub struct World {
    pub pipeline: Option<Result<Pipeline, String>>,
    pub releases: BTreeMap<String, Release>,
    pub incidents: BTreeMap<String, Incident>,
    /// By name in lower case, as the pipeline holds them.
    pub installations: BTreeMap<String, crate::model::installation::InstallationRules>,
    /// The releases filed in the archive, by id in lower case.
    pub archived: std::collections::BTreeSet<String>,
    /// Ids filed in another case than upper case: by their upper case.
    /// Ids are upper case as rel writes them, so these stay few.
    odd_releases: BTreeMap<String, String>,
    odd_incidents: BTreeMap<String, String>,
}

/// `key` of `map` equal to `id` ignoring ASCII case: the exact key, its
/// upper case, or one of the odd keys filed under its upper case.
fn find_ci<'a, T>(
    map: &'a BTreeMap<String, T>,
    odd: &BTreeMap<String, String>,
    id: &str,
) -> Option<&'a T> {
    if let Some(v) = map.get(id) {
        return Some(v);
    }
    let upper = id.to_ascii_uppercase();
    map.get(&upper)
        .or_else(|| odd.get(&upper).and_then(|k| map.get(k)))
}

/// Files `value` as `id` in `map` (`None`: removes it), keeping `odd`.
fn set_ci<T>(
    map: &mut BTreeMap<String, T>,
    odd: &mut BTreeMap<String, String>,
    id: String,
    value: Option<T>,
) {
    let upper = id.to_ascii_uppercase();
    match value {
        Some(v) => {
            if upper != id {
                odd.insert(upper, id.clone());
            }
            map.insert(id, v);
        }
        None => {
            if odd.get(&upper) == Some(&id) {
                odd.remove(&upper);
            }
            map.remove(&id);
        }
    }
}

impl World {
    /// The release filed as `id`, ignoring case as rel's ids do.
    pub fn release(&self, id: &str) -> Option<&Release> {
        find_ci(&self.releases, &self.odd_releases, id)
    }

    pub fn incident(&self, id: &str) -> Option<&Incident> {
        find_ci(&self.incidents, &self.odd_incidents, id)
    }

    /// Files release `id` (`None`: its file is gone).
    pub fn set_release(&mut self, id: String, r: Option<Release>) {
        set_ci(&mut self.releases, &mut self.odd_releases, id, r);
    }

    /// Files incident `id` (`None`: its file is gone).
    pub fn set_incident(&mut self, id: String, i: Option<Incident>) {
        set_ci(&mut self.incidents, &mut self.odd_incidents, id, i);
    }
}

/// Something a commit filed in the archive (contract 11.1): a release, an
/// incident, or a health report of a release (`id`: the release's), under
/// `year`; `removed`: its archived file deleted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Placed {
    pub what: &'static str,
    pub id: String,
    pub year: i32,
    pub removed: bool,
}

impl Placed {
    pub fn release(id: &str, year: i32, removed: bool) -> Placed {
        Placed {
            what: "release",
            id: id.to_string(),
            year,
            removed,
        }
    }

    pub fn incident(id: &str, year: i32, removed: bool) -> Placed {
        Placed {
            what: "incident",
            id: id.to_string(),
            year,
            removed,
        }
    }

    pub fn report(release: &str, year: i32) -> Placed {
        Placed {
            what: "report",
            id: release.to_string(),
            year,
            removed: false,
        }
    }
}

/// A file the commit wrote: its value after the commit (`None`: deleted),
/// or why it does not parse.
pub type Written<T> = Option<Result<T, String>>;

impl crate::rules::occupancy::Occupancy for World {
    fn occupants(&self, env: &str, asker: crate::rules::occupancy::Asker) -> Vec<String> {
        crate::rules::occupancy::occupants_among(self.releases.values(), env, asker)
    }

    fn standing(&self, id: &str) -> Option<crate::model::release::ReleaseHead> {
        self.release(id)
            .map(crate::model::release::ReleaseHead::from)
    }
}

/// What one commit records, besides the parent's state.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `None`: no `Rel-Action` (the change did not go through rel);
    /// `Some(Err)`: `Rel-*` trailers rel never writes.
    pub trailers: Option<Result<Trailers, String>>,
    /// The author date: the time the rules are asked at.
    pub at: DateTime<Utc>,
    /// The committer date: when the commit was made, which a forged
    /// author date does not move.
    pub committed_at: DateTime<Utc>,
    /// `Name <email>` of the author, and the e-mail alone.
    pub by: String,
    pub email: String,
    pub merge: bool,
    pub releases: Vec<(String, Written<Release>)>,
    pub incidents: Vec<(String, Written<Incident>)>,
    pub pipeline_changed: bool,
    /// Health report files (`releases/reports/...`) the commit changed.
    pub reports: Vec<String>,
    /// Installation files (`releases/installations/...`) the commit changed.
    pub installations: Vec<String>,
    /// What the commit filed in the archive.
    pub archived: Vec<Placed>,
    /// The commit's signature as git judged it; None when the parent's
    /// policy does not ask for signed commits (`[audit] require_signed`).
    pub signature: Option<Signed>,
}

/// A commit's signature, as `git verify-commit` judged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signed {
    /// No signature at all.
    None,
    /// Accepted; `signer` is who the key belongs to (the allowed signers'
    /// principal for ssh, the key's e-mail for gpg) when git said.
    Good { signer: Option<String> },
    /// Present but not accepted, with what git said.
    Bad(String),
}

/// The kinds of finding (contract section 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingKind {
    Refused,
    Altered,
    HandEdit,
    Time,
    Unsigned,
    Inconsistent,
    /// A change of policy by someone who does not own it (contract 11.5).
    Policy,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Refused => "refused",
            FindingKind::Altered => "altered",
            FindingKind::HandEdit => "hand-edit",
            FindingKind::Time => "time",
            FindingKind::Unsigned => "unsigned",
            FindingKind::Inconsistent => "inconsistent",
            FindingKind::Policy => "policy",
        }
    }
}

/// One thing the rules would not have allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: FindingKind,
    /// The release it is about, when one is.
    pub release: Option<String>,
    pub message: String,
}

impl Found {
    fn new(kind: FindingKind, release: Option<&str>, message: impl Into<String>) -> Found {
        Found {
            kind,
            release: release.map(str::to_string),
            message: message.into(),
        }
    }
}

/// A recorded time more than this far from the commit's own date is a
/// `time` finding.
pub const TIME_SLACK_SECONDS: i64 = 3600;

/// Judges one commit against its parent's state `before`.
pub fn judge(before: &World, rec: &Recorded) -> Vec<Found> {
    let mut found = judge_change(before, rec);
    found.extend(unsigned(rec));
    found
}

/// `unsigned`: under `[audit] require_signed`, a commit without a signature
/// git accepts, or signed with a key that is not its author's.
fn unsigned(rec: &Recorded) -> Option<Found> {
    let release = match &rec.trailers {
        Some(Ok(t)) => t.release.as_deref(),
        _ => None,
    };
    let message = match rec.signature.as_ref()? {
        Signed::None => {
            "the commit is not signed; [audit] require_signed asks for signed commits".to_string()
        }
        Signed::Bad(why) => format!("the commit's signature is not accepted by git: {why}"),
        Signed::Good { signer: Some(s) } if !s.eq_ignore_ascii_case(&rec.email) => format!(
            "signed with the key of {s}, but the commit's author is {}",
            rec.by
        ),
        Signed::Good { .. } => return None,
    };
    Some(Found::new(FindingKind::Unsigned, release, message))
}

fn judge_change(before: &World, rec: &Recorded) -> Vec<Found> {
    let touches_state = !rec.releases.is_empty()
        || !rec.incidents.is_empty()
        || !rec.reports.is_empty()
        || !rec.installations.is_empty();
    match &rec.trailers {
        None if touches_state => compare::hand_edits(before, rec, None),
        None => Vec::new(), // a policy change alone: listed, not a finding
        Some(Err(bad)) => compare::hand_edits(before, rec, Some(bad)),
        Some(Ok(t)) if t.action == Action::Init => Vec::new(),
        Some(Ok(t)) => replay::judge_action(before, rec, t),
    }
}
