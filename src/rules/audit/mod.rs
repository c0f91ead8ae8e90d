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
mod register;
mod replay;
mod schedule;
mod stays;
mod time;

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::model::action::{Action, Trailers};
use crate::model::incident::{Flags, Incident, IncidentStatus};
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;

pub use archive::{index_findings, IndexFile};
pub use compare::{hand_edit_incident, hand_edited_other_files, hand_edited_releases, how_changed};
pub use invariants::inconsistencies;
pub use policy::{judge_policy, judge_policy_by, policy_changes, ALLOWED_SIGNERS};
pub use register::Id;
pub use time::Clock;

/// What the repository holds at one commit, as values: the pipeline (or
/// why it does not parse), the releases by file id, and the incidents by
/// file id as the audit keeps them (`Held`: a million incidents are kept as
/// their blobs and the few facts every commit asks about; `incident` reads
/// a whole value back through the world's `Reader` when a rule asks).
/// Releases and incidents are filed through `set_release`/`set_incident`,
/// which keep the index of ids in another case, so a lookup ignoring case
/// costs one or two map lookups, never a scan (an import commit asks about
/// a million ids).
#[derive(Debug, Clone, Default)]
pub struct World {
    pub pipeline: Option<Result<Pipeline, String>>,
    pub releases: BTreeMap<String, Release>,
    incidents: register::Register<Held>,
    /// By name in lower case, as the pipeline holds them.
    pub installations: BTreeMap<String, crate::model::installation::InstallationRules>,
    /// The releases filed in the archive, by id in lower case.
    pub archived: std::collections::BTreeSet<String>,
    /// Ids filed in another case than upper case: by their upper case.
    /// Ids are upper case as rel writes them, so these stay few.
    odd_releases: BTreeMap<String, String>,
    odd_incidents: BTreeMap<String, String>,
    reader: Reader,
    /// The releases incidents name, each kept once (a release holds
    /// thousands).
    holders: std::collections::HashSet<std::sync::Arc<str>>,
}

/// The blob (git object id) an incident's file was read from.
pub type Blob = [u8; 20];

/// Reads an incident's value back from the blob it was read from once
/// already (the audit's store gives it; `None`: it cannot be read now).
/// The rules stay free of I/O: what they read is a value they were given.
#[derive(Clone, Default)]
pub struct Reader(Option<std::rc::Rc<ReadBack>>);

type ReadBack = dyn Fn(&Blob) -> Option<Incident>;

impl Reader {
    pub fn new(read: impl Fn(&Blob) -> Option<Incident> + 'static) -> Reader {
        Reader(Some(std::rc::Rc::new(read)))
    }

    fn read(&self, blob: &Blob) -> Option<Incident> {
        self.0.as_ref().and_then(|r| r(blob))
    }
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reader")
    }
}

/// The facts of an incident every commit's rules may read of it: its
/// holder, its status, its flags. The rest is read back on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub release: Option<std::sync::Arc<str>>,
    pub status: IncidentStatus,
    pub flags: Flags,
}

/// An incident as the audit holds it: its whole value, or the blob of its
/// file (whose value parsed) with its facts.
#[derive(Debug, Clone)]
pub enum Held {
    Value(Box<Incident>),
    Stored { blob: Blob, facts: Facts },
}

impl Held {
    /// `incident`, read from `blob` (`None`: not from a blob), kept as
    /// little as it can be.
    pub fn of(incident: Incident, blob: Option<Blob>) -> Held {
        match blob {
            Some(blob) => Held::Stored {
                blob,
                facts: Facts {
                    flags: incident.flags(),
                    status: incident.status,
                    release: incident.release.map(std::sync::Arc::from),
                },
            },
            None => Held::Value(Box::new(incident)),
        }
    }

    /// The release it names, shared with the other incidents of `names`
    /// that name it (one string per release, not per incident).
    pub fn share_release(&mut self, names: &mut std::collections::HashSet<std::sync::Arc<str>>) {
        if let Held::Stored {
            facts: Facts {
                release: Some(r), ..
            },
            ..
        } = self
        {
            match names.get(r) {
                Some(shared) => *r = shared.clone(),
                None => {
                    names.insert(r.clone());
                }
            }
        }
    }

    /// The release holding it, as its file names it.
    pub fn release(&self) -> Option<&str> {
        match self {
            Held::Value(i) => i.release.as_deref(),
            Held::Stored { facts, .. } => facts.release.as_deref(),
        }
    }

    pub fn status(&self) -> IncidentStatus {
        match self {
            Held::Value(i) => i.status,
            Held::Stored { facts, .. } => facts.status,
        }
    }

    pub fn flags(&self) -> Flags {
        match self {
            Held::Value(i) => i.flags(),
            Held::Stored { facts, .. } => facts.flags,
        }
    }
}

/// `key` of `map` equal to `id` ignoring ASCII case: the exact key, its
/// upper case, or one of the odd keys filed under its upper case.
fn find_ci<'a, T>(
    map: &'a BTreeMap<String, T>,
    odd: &BTreeMap<String, String>,
    id: &str,
) -> Option<(&'a String, &'a T)> {
    if let Some(found) = map.get_key_value(id) {
        return Some(found);
    }
    let upper = id.to_ascii_uppercase();
    map.get_key_value(&upper)
        .or_else(|| odd.get(&upper).and_then(|k| map.get_key_value(k)))
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
    /// The empty state, whose kept incidents `reader` reads back.
    pub fn reading(reader: Reader) -> World {
        World {
            reader,
            ..World::default()
        }
    }

    /// The release filed as `id`, ignoring case as rel's ids do.
    pub fn release(&self, id: &str) -> Option<&Release> {
        find_ci(&self.releases, &self.odd_releases, id).map(|(_, r)| r)
    }

    /// The incident filed as `id` (ignoring case), its whole value: read
    /// back from its blob when it is kept as one.
    pub fn incident(&self, id: &str) -> Option<Cow<'_, Incident>> {
        self.held(id).and_then(|h| self.value(h))
    }

    /// The incident filed as `id` (ignoring case), as it is kept.
    pub fn held(&self, id: &str) -> Option<&Held> {
        self.held_as(id).map(|(_, h)| h)
    }

    /// `held`, with the id it is filed under (its file's).
    pub fn held_as(&self, id: &str) -> Option<(&str, &Held)> {
        if let Some(found) = self.incidents.get_key_value(id) {
            return Some(found);
        }
        let upper = id.to_ascii_uppercase();
        self.incidents.get_key_value(&upper).or_else(|| {
            self.odd_incidents
                .get(&upper)
                .and_then(|k| self.incidents.get_key_value(k))
        })
    }

    /// The whole value of `held` (`None`: its blob cannot be read back).
    pub fn value<'a>(&self, held: &'a Held) -> Option<Cow<'a, Incident>> {
        match held {
            Held::Value(i) => Some(Cow::Borrowed(&**i)),
            Held::Stored { blob, .. } => self.reader.read(blob).map(Cow::Owned),
        }
    }

    /// Whether two kept incidents hold equal values: the same blob holds
    /// the same value, else both are read back and compared.
    pub fn same_incident(&self, a: &Held, b: &Held) -> bool {
        if let (Held::Stored { blob: x, .. }, Held::Stored { blob: y, .. }) = (a, b) {
            if x == y {
                return true;
            }
        }
        match (self.value(a), self.value(b)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }

    /// Files release `id` (`None`: its file is gone).
    pub fn set_release(&mut self, id: String, r: Option<Release>) {
        set_ci(&mut self.releases, &mut self.odd_releases, id, r);
    }

    /// Files incident `id` as `set_incident` does, but not found until
    /// `publish_incidents` (the state before a commit stays what its files
    /// are judged against); when that would cost more than the entry,
    /// returns the value to file after `publish_incidents`.
    pub fn stage_incident(&mut self, id: &str, i: Option<Held>) -> Option<Option<Held>> {
        let Some(mut held) = i else {
            return Some(None);
        };
        if id.bytes().any(|b| b.is_ascii_lowercase()) {
            return Some(Some(held));
        }
        held.share_release(&mut self.holders);
        self.incidents.stage(id, held).err().map(Some)
    }

    /// Where the next incident staged goes, for `incidents_from`.
    pub fn incident_mark(&self) -> usize {
        self.incidents.mark()
    }

    /// The incidents staged from `mark` on, in order: valid after
    /// `publish_incidents` until an incident is filed by `set_incident`.
    pub fn incidents_from(&self, mark: usize) -> impl Iterator<Item = &str> {
        self.incidents.entries_from(mark)
    }

    /// Makes the incidents staged found.
    pub fn publish_incidents(&mut self) {
        self.incidents.publish();
    }

    /// Files incident `id` (`None`: its file is gone).
    pub fn set_incident(&mut self, id: &str, i: Option<Held>) {
        // `set_ci`, for the register.
        let upper = id.to_ascii_uppercase();
        match i {
            Some(mut held) => {
                held.share_release(&mut self.holders);
                if upper != id {
                    self.odd_incidents.insert(upper, id.to_string());
                }
                self.incidents.insert(id, held);
            }
            None => {
                if self.odd_incidents.get(&upper).is_some_and(|k| k == id) {
                    self.odd_incidents.remove(&upper);
                }
                self.incidents.remove(id);
            }
        }
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
    pub incidents: Vec<(String, Written<Held>)>,
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

/// Judges one commit against its parent's state `before`, handing each
/// finding to `out` as it is made (a commit of a million files by hand has
/// a million findings, never held at once).
pub fn judge(before: &World, rec: &Recorded, out: &mut dyn FnMut(Found)) {
    judge_change(before, rec, out);
    if let Some(f) = unsigned(rec) {
        out(f);
    }
}

/// `unsigned`: under `[audit] require_signed`, a commit without a signature
/// git accepts, or signed with a key that is not its author's.
pub fn unsigned(rec: &Recorded) -> Option<Found> {
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

/// `Some` when the commit did not go through rel (no `Rel-Action`, or
/// trailers rel never writes: those, to name them): each file it changed
/// is a `hand-edit`.
pub fn hand_edited(rec: &Recorded) -> Option<Option<&String>> {
    match &rec.trailers {
        None => Some(None),
        Some(Err(bad)) => Some(Some(bad)),
        Some(Ok(_)) => None,
    }
}

fn judge_change(before: &World, rec: &Recorded, out: &mut dyn FnMut(Found)) {
    let touches_state = !rec.releases.is_empty()
        || !rec.incidents.is_empty()
        || !rec.reports.is_empty()
        || !rec.installations.is_empty();
    let found = match &rec.trailers {
        None if touches_state => return compare::hand_edits(before, rec, None, out),
        None => Vec::new(), // a policy change alone: listed, not a finding
        Some(Err(bad)) => return compare::hand_edits(before, rec, Some(bad), out),
        Some(Ok(t)) if t.action == Action::Init => Vec::new(),
        Some(Ok(t)) => replay::judge_action(before, rec, t),
    };
    found.into_iter().for_each(out);
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use super::*;
    use crate::rules::register::effects::{new_incident, Stamp};

    fn incident(id: &str, title: &str) -> Incident {
        let stamp = Stamp {
            at: DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
            by: "Ann <ann@example.com>",
        };
        new_incident(id, title, Flags::default(), None, &[], stamp)
    }

    #[test]
    fn an_incident_kept_as_its_blob_is_read_back_when_a_rule_asks_for_it() {
        let reads = Rc::new(Cell::new(0));
        let counted = reads.clone();
        let mut world = World::reading(Reader::new(move |blob| {
            counted.set(counted.get() + 1);
            Some(incident("INC-1", &format!("title {}", blob[0])))
        }));
        let mut held = incident("INC-1", "title 7");
        held.release = Some("R-1".to_string());
        world.set_incident("INC-1", Some(Held::of(held, Some([7; 20]))));
        // The facts are kept: nothing is read for them.
        let kept = world.held("inc-1").expect("found ignoring case");
        assert_eq!(kept.release(), Some("R-1"));
        assert_eq!(kept.status(), IncidentStatus::Open);
        assert_eq!(reads.get(), 0);
        // The whole value is read back from its blob.
        let value = world.incident("INC-1").expect("read back");
        assert_eq!(value.title, "title 7");
        assert_eq!(reads.get(), 1);
        // The same blob is the same value, without reading it.
        let twin = Held::of(incident("INC-1", "title 7"), Some([7; 20]));
        assert!(world.same_incident(kept, &twin));
        assert_eq!(reads.get(), 1);
        // Another blob is read and compared.
        let other = Held::of(incident("INC-1", "title 8"), Some([8; 20]));
        assert!(!world.same_incident(kept, &other));
        assert_eq!(reads.get(), 3);
    }
}
