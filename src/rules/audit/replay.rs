//! A rel action decided again on its parent's state, at its commit's date,
//! by the rules functions the commands call, and its effect replayed with
//! the stamp (who, when) and arguments the committed files record.

use chrono::{DateTime, Utc};

use crate::model::action::{Action, Trailers};
use crate::model::incident::Incident;
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::rules::actions::{
    checklist_for, may_approve, may_close, may_create, may_rollback, may_verify,
};
use crate::rules::checklists;
use crate::rules::decide::promote::{promote, Ask};
use crate::rules::history::time_moves_forward;
use crate::rules::moves::{self, CheckResult, NewRelease};
use crate::rules::occupancy::Asker;
use crate::rules::occupancy::Occupancy;
use crate::rules::register::effects::{self, Stamp};
use crate::rules::register::{
    is_live, lists, may_cancel, may_freeze, may_group, may_unfreeze, may_ungroup, Candidate, Holder,
};
use crate::rules::Verdict;

use super::compare::{altered, archive_placements, Expected};
use super::incident::replay_incident;
use super::{FindingKind, Found, Recorded, World, TIME_SLACK_SECONDS};

/// Why a replay stops.
pub(super) enum Stop {
    /// The rules in force then refuse (or the command would not take the
    /// arguments the commit records).
    Refused(String),
    /// The commit's files do not hold what the action records.
    Altered(String),
}
pub(super) use Stop::{Altered, Refused};

pub(super) fn refused(v: &Verdict) -> Stop {
    let parts: Vec<String> = v
        .violations
        .iter()
        .map(|x| format!("{}: {}", x.rule, x.message))
        .collect();
    Refused(parts.join("; "))
}

pub(super) fn check(v: Verdict) -> Result<(), Stop> {
    if v.allowed() {
        Ok(())
    } else {
        Err(refused(&v))
    }
}

/// The replayed action: what it writes, with who and when it records and
/// the release whose time must move forward.
pub(super) struct Replayed {
    pub expected: Expected,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
    pub moved_from: Option<Release>,
}

pub fn judge_action(before: &World, rec: &Recorded, t: &Trailers) -> Vec<Found> {
    let release = t.release.as_deref();
    // Installations are facts the rules read, not decisions: their
    // commits are judged by the time and invariant checks, and by what
    // they write: their installation's file, nothing else of rel's.
    if matches!(t.action, Action::InstallationNew | Action::InstallationSet) {
        return installation_writes(before, rec, t);
    }
    if t.action == Action::Archive {
        return super::archive::judge(before, rec);
    }
    let with_installations;
    let pipeline = match &before.pipeline {
        Some(Ok(p)) => {
            with_installations = Pipeline {
                installations: std::sync::Arc::new(before.installations.clone()),
                ..p.clone()
            };
            &with_installations
        }
        Some(Err(e)) => {
            return vec![Found::new(
                FindingKind::Refused,
                release,
                format!("environments.toml of the parent commit does not parse: {e}"),
            )]
        }
        None => {
            return vec![Found::new(
                FindingKind::Refused,
                release,
                "the parent commit has no environments.toml".to_string(),
            )]
        }
    };
    let replayed = match replay(pipeline, before, rec, t) {
        Ok(mut r) => {
            // The zero-touch schedules a change adds are not replayed yet
            // either: taken as written.
            for e in &mut r.expected.releases {
                if let Some((_, Some(Ok(w)))) = rec
                    .releases
                    .iter()
                    .find(|(id, _)| id.eq_ignore_ascii_case(&e.id))
                {
                    e.schedules = w.schedules.clone();
                }
            }
            r
        }
        Err(Refused(m)) => {
            return vec![Found::new(
                FindingKind::Refused,
                release,
                format!("{} would have been refused: {m}", t.action),
            )]
        }
        Err(Altered(m)) => return vec![Found::new(FindingKind::Altered, release, m)],
    };
    let mut found: Vec<Found> = altered(before, rec, &replayed.expected, t.action.name())
        .into_iter()
        .chain(archive_placements(&replayed.expected, rec, t.action.name()))
        .map(|m| Found::new(FindingKind::Altered, release, m))
        .collect();
    if replayed.recorded_by != rec.by {
        found.push(Found::new(
            FindingKind::Altered,
            release,
            format!(
                "recorded as done by {}, but the commit's author is {}",
                replayed.recorded_by, rec.by
            ),
        ));
    }
    let apart = (replayed.recorded_at - rec.at).num_seconds().abs();
    if apart > TIME_SLACK_SECONDS {
        found.push(Found::new(
            FindingKind::Time,
            release,
            format!(
                "recorded at {}, {} minutes from the commit's date {}",
                instant(replayed.recorded_at),
                apart / 60,
                instant(rec.at)
            ),
        ));
    }
    if let Some(r) = &replayed.moved_from {
        if let Err(m) = time_moves_forward(r, replayed.recorded_at) {
            found.push(Found::new(FindingKind::Time, release, m));
        }
    }
    found
}

/// `altered` findings for an installation command's commit that changed
/// a release, an incident or a health report, or not exactly one
/// installation's file (no trailer names which).
fn installation_writes(before: &World, rec: &Recorded, t: &Trailers) -> Vec<Found> {
    let action = t.action.name();
    let mut problems = altered(before, rec, &Expected::default(), action);
    if rec.installations.len() != 1 {
        problems.push(format!(
            "{action} writes one installation's file; the commit changed {}",
            rec.installations.len()
        ));
    }
    problems
        .into_iter()
        .map(|m| Found::new(FindingKind::Altered, t.release.as_deref(), m))
        .collect()
}

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The committed value of release `id`.
fn written_release<'a>(rec: &'a Recorded, id: &str) -> Result<&'a Release, Stop> {
    match rec
        .releases
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(id))
    {
        Some((_, Some(Ok(r)))) => Ok(r),
        Some((_, Some(Err(e)))) => Err(Altered(format!("releases/{id}.toml does not parse: {e}"))),
        Some((_, None)) => Err(Altered(format!("releases/{id}.toml was deleted"))),
        None => Err(Altered(format!(
            "the commit does not change releases/{id}.toml, which its action writes"
        ))),
    }
}

/// Who and when, from the newest history event of a committed release.
fn release_stamp(after: &Release, action: Action) -> Result<(DateTime<Utc>, String), Stop> {
    match after.history.last() {
        Some(e) if e.action == action.name() => Ok((e.at, e.by.clone())),
        Some(e) => Err(Altered(format!(
            "{}'s newest history event is `{}`, not the commit's `{action}`",
            after.id, e.action
        ))),
        None => Err(Altered(format!("{} records no history", after.id))),
    }
}

pub(super) fn holder(world: &World, i: &Incident) -> Option<Holder> {
    i.release.as_ref().map(|h| Holder {
        id: h.clone(),
        state: world.release(h).map(|r| r.state),
    })
}

/// Releases in progress in environment `env` other than `except`, when it
/// is exclusive (as the commands read them).
fn occupants(p: &Pipeline, world: &World, env: usize, except: &Release) -> Vec<String> {
    let e = &p.environments[env];
    if !e.exclusive {
        return Vec::new();
    }
    world.occupants(&e.name, Asker::from(except))
}

pub(super) fn env_index(p: &Pipeline, t: &Trailers) -> Result<usize, Stop> {
    let name = t
        .env
        .as_deref()
        .ok_or_else(|| Altered(format!("{} without Rel-Env", t.action)))?;
    p.find(name).map_err(Refused)
}

/// A new release (`new`, or one update of `rollout`) made again from what
/// the commit wrote: the rules for entering the first environment, the
/// version the hop starts from, and the path.
fn replay_new(p: &Pipeline, world: &World, id: &str, after: &Release) -> Result<Release, Stop> {
    let (at, by) = release_stamp(after, Action::New)?;
    // The pipeline it goes through: an update's is the pipeline of
    // updates, a product release's the one it names (contract 11.2).
    let lane = if after.installation.is_some() {
        p.lane_of_updates()
    } else {
        p.find_lane(after.pipeline_name()).map_err(Refused)?
    };
    let p = &*lane;
    let stamp = Stamp { at, by: &by };
    if let Some(existing) = world.release(id) {
        return Err(Refused(format!("release `{}` already exists", existing.id)));
    }
    check(may_create(p, id, &occupants(p, world, 0, after)))?;
    let version = semver::Version::parse(&after.version)
        .map_err(|e| Altered(format!("{id}: version {}: {e}", after.version)))?;
    let from = match &after.installation {
        Some(name) => {
            let i = world
                .installations
                .get(&name.to_ascii_lowercase())
                .ok_or_else(|| Refused(format!("unknown installation `{name}`")))?;
            if version <= i.version {
                return Err(Refused(format!(
                    "{version} is not above {name}'s version {}",
                    i.version
                )));
            }
            super::paths::may_update(p, world, &version)?;
            Some(i.version.clone())
        }
        // Manifests written before rel recorded where a release's hop
        // starts have none: taken as written.
        None if after.from_version.is_none() => None,
        None => super::paths::last_released_below(world, &version),
    };
    if after.from_version != from.as_ref().map(|v| v.to_string()) {
        return Err(Altered(format!(
            "{id} records from_version {:?}; the repository said {:?}",
            after.from_version,
            from.map(|v| v.to_string())
        )));
    }
    let new = NewRelease {
        id,
        title: &after.title,
        version: &version,
        kind: after.kind,
        target: after.target,
        first: &p.first().name,
        installation: after.installation.as_deref(),
        pipeline: p.recorded_name(),
        from_version: from.as_ref(),
        path: None,
    };
    let mut r = moves::create(&new, stamp);
    super::paths::redecide(p, world, &mut r, &[], stamp)?;
    Ok(r)
}

/// `rollout`: every release it wrote is a new update, made again.
fn replay_rollout(p: &Pipeline, world: &World, rec: &Recorded) -> Result<Replayed, Stop> {
    let mut expected = Expected::default();
    let mut stamp = None;
    for (id, _) in &rec.releases {
        let after = written_release(rec, id)?;
        expected.releases.push(replay_new(p, world, id, after)?);
        stamp.get_or_insert(release_stamp(after, Action::New)?);
    }
    let (at, by) = stamp.ok_or_else(|| Altered("rollout writes no release".to_string()))?;
    Ok(Replayed {
        expected,
        recorded_at: at,
        recorded_by: by,
        moved_from: None,
    })
}

fn replay(p: &Pipeline, world: &World, rec: &Recorded, t: &Trailers) -> Result<Replayed, Stop> {
    if t.action.name().starts_with("incident-") {
        return replay_incident(p, world, rec, t);
    }
    if t.action == Action::Rollout {
        return replay_rollout(p, world, rec);
    }
    let id = t
        .release
        .as_deref()
        .ok_or_else(|| Altered(format!("{} without Rel-Release", t.action)))?;
    let after = written_release(rec, id)?;
    let (at, by) = release_stamp(after, t.action)?;
    let stamp = Stamp { at, by: &by };
    let mut expected = Expected::default();
    if t.action == Action::New {
        expected.releases.push(replay_new(p, world, id, after)?);
        return Ok(Replayed {
            expected,
            recorded_at: at,
            recorded_by: by.clone(),
            moved_from: None,
        });
    }
    let before = world
        .release(id)
        .ok_or_else(|| Refused(format!("unknown release `{id}` in the parent commit")))?;
    let mut r = before.clone();
    expected.incidents = apply(p, world, rec, t, after, &mut r, stamp)?;
    if matches!(t.action, Action::Group | Action::Ungroup | Action::Unfreeze) {
        super::paths::redecide(p, world, &mut r, &expected.incidents, stamp)?;
    }
    // A health report recorded with its output kept: the file comes with it.
    expected.reports = r.health[before.health.len().min(r.health.len())..]
        .iter()
        .filter_map(|h| h.log.clone())
        .collect();
    expected.releases.push(r);
    Ok(Replayed {
        expected,
        recorded_at: at,
        recorded_by: by.clone(),
        moved_from: Some(before.clone()),
    })
}

/// Decides action `t` on release `r` (the parent's) and applies its effect;
/// returns the incidents the effect writes too.
fn apply(
    p: &Pipeline,
    world: &World,
    rec: &Recorded,
    t: &Trailers,
    after: &Release,
    r: &mut Release,
    stamp: Stamp,
) -> Result<Vec<Incident>, Stop> {
    let now = rec.at;
    let id = r.id.clone();
    // Environments named by the commit are those of the release's own
    // pipeline (contract 11.2).
    let lane = p.lane_of(r);
    let p = &*lane;
    match t.action {
        Action::Promote => {
            // The decision `rel promote` and `rel due --apply` made.
            let to = env_index(p, t)?;
            let ask = match &t.schedule {
                Some(at) => Ask::Schedule {
                    to,
                    at: chrono::DateTime::parse_from_rfc3339(at)
                        .map_err(|e| Altered(format!("Rel-Schedule {at}: {e}")))?
                        .with_timezone(&Utc),
                },
                None => Ask::Person {
                    to: Some(to),
                    overrides: &t.overrides,
                    reason: t.reason.as_deref(),
                },
            };
            let done =
                promote(p, world, r, ask, &rec.email, stamp).map_err(|e| Refused(e.reasons()))?;
            let sorted = |v: &[crate::model::rule::RuleCode]| {
                let mut v = v.to_vec();
                v.sort();
                v
            };
            if t.schedule.is_none() && sorted(&done.used) != sorted(&t.overrides) {
                return Err(Altered(format!(
                    "Rel-Override says {:?}; the rules set aside {:?}",
                    t.overrides, done.used
                )));
            }
            *r = done.release;
        }
        Action::Approve => {
            let index = env_index(p, t)?;
            let target = &p.environments[index];
            let approval = after
                .approvals
                .last()
                .filter(|_| after.approvals.len() > r.approvals.len())
                .ok_or_else(|| Altered(format!("approve records no new approval in {id}")))?;
            let role = target
                .approvals
                .iter()
                .find(|x| x.eq_ignore_ascii_case(&approval.role))
                .ok_or_else(|| {
                    Refused(format!(
                        "{} does not ask for approval as `{}`",
                        target.name, approval.role
                    ))
                })?;
            check(may_approve(p, r, index, role, &rec.email))?;
            moves::approve(r, &target.name, role, &rec.email, stamp);
        }
        Action::Tick => {
            let index = env_index(p, t)?;
            let target = &p.environments[index];
            let list = checklist_for(p, r, index).map_err(|v| refused(&v))?;
            let tick = after
                .ticks
                .last()
                .filter(|_| after.ticks.len() > r.ticks.len())
                .ok_or_else(|| Altered(format!("tick records no new tick in {id}")))?;
            let known = checklists::items(target, r, list)
                .iter()
                .any(|i| i.text == tick.item);
            if !known {
                return Err(Refused(format!(
                    "{} has no {} item {:?}",
                    target.name,
                    moves::list_name(list),
                    tick.item
                )));
            }
            moves::tick(r, &target.name, list, &tick.item, stamp);
        }
        Action::Verify => {
            check(may_verify(p, r))?;
            let h = after
                .health
                .last()
                .filter(|_| after.health.len() > r.health.len())
                .ok_or_else(|| Altered(format!("verify records no new health report in {id}")))?;
            if !h.env.eq_ignore_ascii_case(&r.environment) {
                return Err(Altered(format!(
                    "a health report for {} while {id} is in {}",
                    h.env, r.environment
                )));
            }
            // The content checked may be older than the release's (it
            // changed while the check ran), never newer.
            if h.revision > r.revision {
                return Err(Altered(format!(
                    "a health report for revision {} while {id} is at revision {}",
                    h.revision, r.revision
                )));
            }
            // A result recorded from elsewhere (--passed/--failed) passes
            // exactly when nothing failed, as `rel verify` decides it.
            let external = h.tests_passed.is_some() || h.tests_failed.is_some();
            if external && h.passed != (h.tests_failed.unwrap_or(0) == 0) {
                return Err(Altered(format!(
                    "a health report with {} failed tests recorded as {}",
                    h.tests_failed.unwrap_or(0),
                    if h.passed { "passed" } else { "failed" }
                )));
            }
            let result = CheckResult {
                env: h.env.clone(),
                revision: h.revision,
                passed: h.passed,
                duration_ms: h.duration_ms,
                tests_passed: h.tests_passed,
                tests_failed: h.tests_failed,
                report: h.report.clone(),
                command: h.command.clone(),
                detail: h.detail.clone(),
                log: h.log.clone(),
            };
            if let Some(log) = &h.log {
                let next = moves::next_report_log(r, &h.env);
                if *log != next {
                    return Err(Altered(format!(
                        "the health report names its output {log}; rel keeps it in {next}"
                    )));
                }
            }
            moves::record_health(r, &result, stamp);
        }
        Action::Rollback => {
            let index = env_index(p, t)?;
            check(may_rollback(p, r, index, &occupants(p, world, index, r)))?;
            let name = p.environments[index].name.clone();
            moves::rollback(r, &name, t.reason.as_deref().unwrap_or(""), stamp);
        }
        Action::Close => {
            check(may_close(p, r))?;
            let mut incidents = content(world, r)?;
            moves::close(r, &mut incidents, stamp);
            return Ok(incidents);
        }
        Action::Freeze => {
            let incidents = content(world, r)?;
            let refs: Vec<&Incident> = incidents.iter().collect();
            check(may_freeze(r, &refs, p.require_incidents))?;
            effects::freeze(r, stamp);
        }
        Action::Path => {
            let wanted = after
                .path
                .as_ref()
                .filter(|p| p.set_by == crate::model::path::SetBy::Person)
                .map(|p| p.name)
                .ok_or_else(|| Altered(format!("path records no path set by a person in {id}")))?;
            let d = super::paths::decision(p, world, r, &[])?;
            let back =
                if wanted == crate::model::path::UpdatePath::Standard && r.state.in_progress() {
                    crate::rules::paths::first_unvisited(p, r)
                } else {
                    None
                };
            let occupants = back.map_or_else(Vec::new, |i| occupants(p, world, i, r));
            check(crate::rules::paths::may_set_path(
                p, r, wanted, &d, back, &occupants,
            ))?;
            let reason = t.reason.clone().unwrap_or_default();
            crate::rules::paths::set_path(p, r, wanted, &d, back, &reason, stamp);
        }
        Action::Unfreeze => {
            check(may_unfreeze(r, is_live(p, r)))?;
            effects::unfreeze(r, t.reason.as_deref().unwrap_or(""), stamp);
        }
        Action::Cancel => {
            check(may_cancel(r))?;
            let mut held: Vec<Incident> = r
                .incidents
                .iter()
                .filter_map(|i| world.incident(i))
                .filter(|i| i.is_held_by(&id))
                .map(std::borrow::Cow::into_owned)
                .collect();
            effects::cancel(r, &mut held, t.reason.as_deref().unwrap_or(""), stamp);
            return Ok(held);
        }
        Action::Group => {
            let ids = grouped_ids(after)?;
            let mut incidents = Vec::new();
            for i in &ids {
                let found = world
                    .incident(i)
                    .ok_or_else(|| Refused(format!("unknown incident `{i}`")))?;
                incidents.push(found.into_owned());
            }
            let candidates: Vec<Candidate> = incidents
                .iter()
                .map(|incident| Candidate {
                    incident,
                    holder: holder(world, incident),
                })
                .collect();
            check(may_group(r, is_live(p, r), &candidates))?;
            let mut new: Vec<Incident> = incidents
                .iter()
                .filter(|i| !lists(r, &i.id))
                .cloned()
                .collect();
            effects::group(r, &mut new, stamp);
            return Ok(new);
        }
        Action::Ungroup => {
            let ids = grouped_ids(after)?;
            if let Some(stranger) = ids.iter().find(|i| !lists(r, i)) {
                return Err(Refused(format!("not in release {id}: {stranger}")));
            }
            check(may_ungroup(r, is_live(p, r)))?;
            let mut incidents: Vec<Incident> = ids
                .iter()
                .filter_map(|i| world.incident(i))
                .map(std::borrow::Cow::into_owned)
                .collect();
            effects::ungroup(r, &ids, &mut incidents, stamp);
            return Ok(incidents);
        }
        Action::Repeat | Action::ChecklistAdd | Action::ChecklistRemove | Action::Untick => {
            super::stays::replay_stay(p, t, after, r, stamp)?;
        }
        Action::Hold | Action::Resume => super::schedule::replay_hold(r, t, stamp)?,
        Action::Depend => {
            // What was asked, read from the change the commit made: one
            // dependency added (or replaced), or one dropped.
            let added = after.depends.iter().find(|d| !r.depends.contains(d));
            let dropped = r.depends.iter().find(|d| {
                !after
                    .depends
                    .iter()
                    .any(|a| a.release.eq_ignore_ascii_case(&d.release))
            });
            let ask = match (added, dropped) {
                (Some(d), _) => crate::rules::decide::depend::Ask {
                    on: &d.release,
                    reached: d.reached.as_deref(),
                    before: d.before.as_deref(),
                    off: false,
                    reason: None,
                },
                (None, Some(d)) => crate::rules::decide::depend::Ask {
                    on: &d.release,
                    reached: None,
                    before: None,
                    off: true,
                    reason: t.reason.as_deref(),
                },
                (None, None) => {
                    return Err(Altered(format!("depend changes no dependency of {id}")))
                }
            };
            let others: Vec<Release> = world.releases.values().cloned().collect();
            match crate::rules::decide::depend::depend(p, r, ask, &others, stamp) {
                Ok(Some(done)) => *r = done,
                Ok(None) => return Err(Altered(format!("depend changes nothing in {id}"))),
                Err(e) => return Err(Refused(e.reasons())),
            }
        }
        Action::Schedule | Action::Reschedule | Action::Unschedule => {
            super::schedule::replay_schedule(p, world, t, after, r, now, &rec.email)?
        }
        other => return Err(Altered(format!("`{other}` is not an action on a release"))),
    }
    Ok(Vec::new())
}

/// The incidents a release lists, as they are filed.
fn content(world: &World, r: &Release) -> Result<Vec<Incident>, Stop> {
    r.incidents
        .iter()
        .map(|i| {
            world
                .incident(i)
                .map(std::borrow::Cow::into_owned)
                .ok_or_else(|| Refused(format!("{} lists `{i}`, which has no file", r.id)))
        })
        .collect()
}

/// The incidents a group or ungroup event names.
fn grouped_ids(after: &Release) -> Result<Vec<String>, Stop> {
    match after.history.last() {
        Some(e) if !e.incidents.is_empty() => {
            Ok(e.incidents.iter().map(|i| i.to_string()).collect())
        }
        _ => Err(Altered(format!(
            "{}'s newest history event names no incidents",
            after.id
        ))),
    }
}
