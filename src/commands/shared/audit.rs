//! The audit of a branch (contract section 9): its first-parent history
//! replayed against the rules of each commit's day, as `rel audit`, `rel
//! audit --hook` and `rel evidence` run it. Reads commits only, so it
//! works in a bare repository too; in a shallow clone it judges only the
//! commits whose parent is there and lists the others (contract 11.5).

use chrono::{DateTime, Utc};
use git2::Oid;

use crate::model::action::Trailers;
use crate::model::archive::{self, Archived};
use crate::model::installation::Installation;
use crate::render::progress::Progress;
use crate::render::time::rfc3339;
use crate::rules::audit::{
    hand_edit_incident, hand_edited, hand_edited_other_files, hand_edited_releases, how_changed,
    inconsistencies, judge, judge_policy, judge_policy_by, policy_changes, unsigned, Clock, Found,
    Held, Id, Placed, Recorded, Signed, World,
};
use crate::store::git::audit_walk::{FileState, Walk, WalkedCommit};
use crate::store::git::signatures;
use crate::store::{file_of, Workspace};

use super::audit_findings::Findings;
use super::audit_index::IndexCheck;
use super::audit_state::{
    fold, incident_file, incident_held, parse, reader, share, Parsed, Parser,
};
use super::in_order::map_in_order;

/// One finding, with the commit it is about.
pub struct Finding {
    pub commit: String,
    pub at: DateTime<Utc>,
    pub by: String,
    pub action: String,
    pub found: Found,
}

/// A change of environments.toml: who made it, when.
pub struct PolicyChange {
    pub commit: String,
    pub at: DateTime<Utc>,
    pub by: String,
}

/// What the audit of a history found.
pub struct Report {
    pub commits: usize,
    pub findings: Findings,
    pub policy: Vec<PolicyChange>,
    /// Commits not judged: a shallow clone lacks their parent.
    pub unjudged: Vec<String>,
}

/// Looks over the audit's shoulder (`rel evidence`): sees each commit with
/// the state before it, then the findings on it.
pub trait Observer {
    /// rel's files where the walk starts.
    fn start(&mut self, _files: &[FileState]) {}
    /// A commit about to be judged, and the state of its parent.
    fn before(&mut self, _world: &World, _commit: &WalkedCommit) {}
    /// The commit judged: the findings on it.
    fn after(&mut self, _commit: &WalkedCommit, _findings: &[Finding]) {}
    /// Whether `before` and `after` read the files' texts: without, each
    /// file is parsed as it is read and its text dropped.
    fn texts(&self) -> bool {
        true
    }
}

/// No one looks over the audit's shoulder.
pub struct Nobody;
impl Observer for Nobody {
    fn texts(&self) -> bool {
        false
    }
}

/// Audits the first-parent history from `since` (default: the beginning);
/// `progress`: a bar over the commits may be drawn on the terminal; `now`:
/// the audit's now, for times recorded in the future (None: not judged).
pub fn audit(
    ws: &Workspace,
    since: Option<&str>,
    progress: bool,
    now: Option<DateTime<Utc>>,
) -> anyhow::Result<Report> {
    audit_observed(ws, since, progress, now, &mut Nobody)
}

/// `audit`, with `observer` shown every commit.
pub fn audit_observed(
    ws: &Workspace,
    since: Option<&str>,
    progress: bool,
    now: Option<DateTime<Utc>>,
    observer: &mut dyn Observer,
) -> anyhow::Result<Report> {
    let reading = Progress::spinner(progress, "audit: reading the history");
    let walk = ws.audit_walk(since)?;
    reading.finish();
    audit_walked(ws, &walk, progress, now, observer)
}

/// Judges the commits of `walk`, each against its parent's state.
pub fn audit_walked(
    ws: &Workspace,
    walk: &Walk,
    progress: bool,
    now: Option<DateTime<Utc>>,
    observer: &mut dyn Observer,
) -> anyhow::Result<Report> {
    let mut world = World::reading(reader(walk)?);
    let start = walk.start()?;
    observer.start(&start);
    fold(&mut world, &mut parse(&start));
    let mut report = Report {
        commits: 0,
        // Kept for an observer that reads them, else written as made.
        findings: Findings::new(observer.texts()),
        policy: Vec::new(),
        unjudged: walk.grafted.iter().map(Oid::to_string).collect(),
    };
    let mut signed_ahead = signatures::Ahead::default();
    // The branch's time before the first commit judged (an audit --since,
    // a pushed range): a commit may not run back behind it either.
    let before = match walk.base() {
        Some(base) => ws.latest_recorded_at(base)?.map(|l| l.at),
        None => None,
    };
    let mut clock = Clock::starting(before);
    let mut signers = signatures::SignersFiles::default();
    let bar = Progress::bar(progress, walk.commits.len() as u64, "audit: commits");
    for (n, id) in walk.commits.iter().enumerate() {
        bar.inc(1);
        let read = if observer.texts() {
            walk.commit(*id)?
        } else {
            walk.header(*id)?
        };
        let Some(c) = read else {
            // Not a change of rel's files, but maybe of the allowed
            // signers the policy names: listed, and judged by its owners.
            let policy = parent_policy(ws, &world, *id, &mut signers)?;
            if policy.signers_changed {
                signers_alone(ws, &world, *id, policy.signers_file.as_deref(), &mut report)?;
            }
            continue;
        };
        report.commits += 1;
        observer.before(&world, &c);
        let first = report.findings.len();
        // Signatures are checked (one git verify-commit each) only where
        // the policy of the parent commit asks for them.
        let required = matches!(&world.pipeline, Some(Ok(p)) if p.audit.require_signed);
        // The parent's policy names the allowed signers (a path in the
        // repository): a key the commit itself adds does not vouch for it.
        let policy = parent_policy(ws, &world, c.id, &mut signers)?;
        let signature = required.then(|| {
            signed_ahead.check(
                ws,
                &walk.commits,
                n,
                |id| walk.touches(id),
                policy.signers_file.as_deref(),
            )
        });
        // Parsed from the texts kept, or as they are read. A commit by
        // hand has its incidents' files judged one at a time as they are
        // read (`Streamed`: an import of a million incidents), unless it
        // deletes one (a move into the archive is one change of two files).
        let mut streamed = None;
        let parsed = if observer.texts() {
            parse(&c.files)
        } else {
            let mut parser = Parser::default();
            let by_hand = matches!(c.trailers, None | Some(Err(_)));
            let deletes = std::cell::Cell::new(false);
            let first_pass = |p: &str, deleted: bool| {
                if by_hand && incident_file(p).is_some() {
                    deletes.set(deletes.get() || deleted);
                    return false;
                }
                true
            };
            walk.files(*id, &first_pass, &mut |f| parser.file(&f))?;
            if by_hand {
                if deletes.get() {
                    let rest = |p: &str, _| incident_file(p).is_some();
                    walk.files(*id, &rest, &mut |f| parser.file(&f))?;
                } else {
                    streamed = Some(Streamed { walk, id: *id });
                }
            }
            parser.finish()
        };
        if streamed.is_some() {
            give_back_free_memory();
        }
        let c = judge_commit(
            (walk, &mut world),
            c,
            (parsed, streamed),
            signature,
            (&mut clock, now),
            policy.signers_changed,
            &mut report,
        )?;
        observer.after(&c, report.findings.kept_since(first));
    }
    bar.finish();
    Ok(report)
}

/// What the parent's policy says of the allowed signers: the file to
/// verify signatures with, and whether the commit changes it.
struct ParentPolicy {
    signers_file: Option<std::path::PathBuf>,
    signers_changed: bool,
}

fn parent_policy(
    ws: &Workspace,
    world: &World,
    commit: git2::Oid,
    files: &mut signatures::SignersFiles,
) -> anyhow::Result<ParentPolicy> {
    let path = match &world.pipeline {
        Some(Ok(p)) => p.audit.allowed_signers.clone(),
        _ => None,
    };
    let Some(path) = path else {
        return Ok(ParentPolicy {
            signers_file: None,
            signers_changed: false,
        });
    };
    let parent = ws.first_parent(commit);
    let before = match parent {
        Some(p) => ws.blob_in_commit(p, &path)?,
        None => None,
    };
    let after = ws.blob_in_commit(commit, &path)?;
    let signers_file = match parent {
        Some(p) => Some(files.at(ws, p, &path)?),
        None => None,
    };
    Ok(ParentPolicy {
        signers_file,
        signers_changed: before != after,
    })
}

/// A commit that changes the allowed signers and none of rel's files.
fn signers_alone(
    ws: &Workspace,
    world: &World,
    id: git2::Oid,
    signers_file: Option<&std::path::Path>,
    report: &mut Report,
) -> anyhow::Result<()> {
    let commit = ws.git_repo().find_commit(id)?;
    let author = commit.author();
    let email = author.email().unwrap_or("?").to_string();
    let by = format!("{} <{email}>", author.name().unwrap_or("?"));
    let at = chrono::TimeZone::timestamp_opt(&Utc, author.when().seconds(), 0)
        .single()
        .unwrap_or_default();
    report.policy.push(PolicyChange {
        commit: id.to_string(),
        at,
        by: by.clone(),
    });
    // Under require_signed, who changed it is who signed it, as the
    // parent's allowed signers say: the signature is asked for then only.
    let signature = match &world.pipeline {
        Some(Ok(p)) if p.audit.require_signed => Some(signatures::check_with(ws, id, signers_file)),
        _ => None,
    };
    let changes = [crate::rules::audit::ALLOWED_SIGNERS.to_string()];
    if let Some(found) = judge_policy_by(world, &email, signature.as_ref(), None, &changes) {
        report.findings.push(Finding {
            commit: id.to_string(),
            at,
            by,
            action: "edit".to_string(),
            found,
        })?;
    }
    Ok(())
}

/// A commit by hand whose incident files in progress are still to be
/// read: each is judged as it is read.
struct Streamed<'w, 'a> {
    walk: &'w Walk<'a>,
    id: Oid,
}

fn judge_commit(
    // The history read (for files the commit did not change) and the
    // state it is folded into.
    (walk, world): (&Walk, &mut World),
    c: WalkedCommit,
    (mut parsed, streamed): (Parsed, Option<Streamed>),
    signature: Option<Signed>,
    (clock, now): (&mut Clock, Option<DateTime<Utc>>),
    signers_changed: bool,
    report: &mut Report,
) -> anyhow::Result<WalkedCommit> {
    let by = format!("{} <{}>", c.name, c.email);
    // The values move into the record and back for the fold: a commit of a
    // million files is not held twice.
    let mut rec = Recorded {
        trailers: c.trailers.clone(),
        at: c.at,
        committed_at: c.committed_at,
        by: by.clone(),
        email: c.email.clone(),
        merge: c.merge,
        releases: std::mem::take(&mut parsed.releases),
        incidents: std::mem::take(&mut parsed.incidents),
        pipeline_changed: parsed.pipeline.is_some(),
        reports: std::mem::take(&mut parsed.reports),
        archived: std::mem::take(&mut parsed.archived),
        installations: parsed
            .installations
            .iter()
            .map(|(id, _)| file_of::<Installation>(id))
            .collect(),
        signature,
    };
    let commit = c.id.to_string();
    let action = match &c.trailers {
        Some(Ok(Trailers { action, .. })) => action.name().to_string(),
        _ if c.merge => "merge".to_string(),
        _ => "edit".to_string(),
    };
    let release_named = match &c.trailers {
        Some(Ok(t)) => t.release.clone(),
        _ => None,
    };
    let emit = |report: &mut Report, mut f: Found| {
        if f.release.is_none() {
            f.release = release_named.clone();
        }
        report.findings.push(Finding {
            commit: commit.clone(),
            at: c.at,
            by: by.clone(),
            action: action.clone(),
            found: f,
        })
    };
    // One `time` finding per commit, naming every way its time is wrong:
    // the clock's are told in the first `time` finding the rules make (the
    // clock reads the record only, so it is asked first), else in one of
    // their own after the rules' findings.
    let mut times = clock.judge(&rec, now).into_iter();
    let mut first_time = times.next();
    // The findings are written as they are made; the first failure to
    // write is kept and returned.
    let mut written = Ok(());
    // The incidents judged as they were read are staged in the state (not
    // found until the commit is judged); those that cannot be are kept to
    // fold, with the number staged before each (their order is the
    // commit's, which the invariants' findings follow).
    let mark = world.incident_mark();
    let mut staged = 0;
    let mut incidents: Vec<(usize, Id, Option<Held>)> = Vec::new();
    // The archived incidents a streamed commit changed that were there
    // before (their releases' index files are checked); an import's new
    // ones are not kept: a million of them would be a million entries.
    let mut placed: Vec<Placed> = Vec::new();
    match &streamed {
        None => judge(world, &rec, &mut |mut f| {
            if f.kind == crate::rules::audit::FindingKind::Time {
                if let Some(t) = first_time.take() {
                    tell(&mut f, std::iter::once(t).chain(times.by_ref()));
                }
            }
            if written.is_ok() {
                written = emit(report, f);
            }
        }),
        Some(s) => {
            // `judge` of a commit by hand (`hand_edits`, then `unsigned`),
            // its incidents read here; none of these is a `time` finding.
            let mut out = |f: Found| {
                if written.is_ok() {
                    written = emit(report, f);
                }
            };
            let how = how_changed(hand_edited(&rec).flatten(), rec.merge);
            hand_edited_releases(world, &rec, &how, &mut out);
            let mut names = Default::default();
            // Read here (the repository handle is this thread's), parsed
            // on every core, judged here in the commit's order.
            let parse = |f: FileState| {
                let held = incident_file(&f.path).map(|id| incident_held(&f, id));
                (f.path, held)
            };
            let mut judge_read = |(path, held): (String, Option<_>)| {
                let (Some(id), Some(held)) = (incident_file(&path), held) else {
                    return;
                };
                let held = share(held, &mut names);
                if let Some(Archived::Incident { year, .. }) = archive::parse(&path) {
                    if world.held(id).is_some() {
                        placed.push(Placed::incident(id, year, held.is_none()));
                    }
                }
                out(hand_edit_incident(world, &how, id, &path, &held));
                match world.stage_incident(id, held.and_then(Result::ok)) {
                    None => staged += 1,
                    Some(held) => incidents.push((staged, Id::new(id), held)),
                }
            };
            let rest = |p: &str, _| incident_file(p).is_some();
            map_in_order(
                parse,
                |each| s.walk.files(s.id, &rest, each),
                &mut judge_read,
            )?;
            hand_edited_other_files(&rec, &how, &mut out);
            if let Some(f) = unsigned(&rec) {
                out(f);
            }
        }
    }
    written?;
    let mut found = Vec::new();
    if let Some(mut t) = first_time {
        tell(&mut t, times);
        found.push(t);
    }
    let changes = policy_changes(world, &rec, &parsed.installations, signers_changed);
    found.extend(judge_policy(world, &rec, &changes));
    if !changes.is_empty() {
        report.policy.push(PolicyChange {
            commit: commit.clone(),
            at: c.at,
            by: by.clone(),
        });
    }
    parsed.releases = std::mem::take(&mut rec.releases);
    parsed.incidents = std::mem::take(&mut rec.incidents);
    parsed.reports = std::mem::take(&mut rec.reports);
    parsed.archived = std::mem::take(&mut rec.archived);
    parsed.archived.append(&mut placed);
    let index = IndexCheck::before(
        world,
        parsed.index.take(),
        std::mem::take(&mut parsed.shards),
        &parsed.archived,
    );
    fold(world, &mut parsed);
    world.publish_incidents();
    // The ids staged, in order, copied only when an incident filed next
    // could reorder the state's entries.
    let copied: Vec<Id> = match incidents.is_empty() {
        true => Vec::new(),
        false => world.incidents_from(mark).map(Id::new).collect(),
    };
    for (_, id, held) in &mut incidents {
        world.set_incident(id.as_str(), held.take());
    }
    let staged_ids: Box<dyn Iterator<Item = &str>> = match incidents.is_empty() {
        true => Box::new(world.incidents_from(mark).take(staged)),
        false => Box::new(copied.iter().map(Id::as_str)),
    };
    let mut staged_ids = staged_ids.enumerate().peekable();
    let mut later = incidents.iter().peekable();
    // Both lists merged back into the commit's order.
    let streamed_ids = std::iter::from_fn(|| {
        let next_later = later.peek().map(|(before, _, _)| *before);
        match (staged_ids.peek(), next_later) {
            (Some((n, _)), Some(before)) if *n < before => staged_ids.next().map(|(_, id)| id),
            (_, Some(_)) => later.next().map(|(_, id, _)| id.as_str()),
            (Some(_), None) => staged_ids.next().map(|(_, id)| id),
            (None, None) => None,
        }
    });
    found.extend(index.findings(world, &|path| walk.file_at(c.id, path))?);
    let pipeline = world.pipeline.as_ref().and_then(|p| p.as_ref().ok());
    let touched_releases: Vec<&str> = parsed.releases.iter().map(|(id, _)| id.as_str()).collect();
    found.extend(inconsistencies(
        world,
        pipeline,
        &touched_releases,
        parsed
            .incidents
            .iter()
            .map(|(id, _)| id.as_str())
            .chain(streamed_ids),
    ));
    for f in found {
        emit(report, f)?;
    }
    Ok(c)
}

/// `times`' messages told in `f`'s, after it.
fn tell(f: &mut Found, times: impl Iterator<Item = Found>) {
    for t in times {
        f.message = format!("{}; {}", f.message, t.message);
    }
}

/// A finding as `rel audit --json` and the evidence show it.
pub fn finding_json(f: &Finding) -> serde_json::Value {
    serde_json::json!({
        "commit": f.commit,
        "at": rfc3339(f.at),
        "by": f.by,
        "action": f.action,
        "release": f.found.release,
        "finding": f.found.kind.as_str(),
        "message": f.found.message,
    })
}

/// A finding on one line: kind, commit, time, who, action, release, why.
pub fn finding_line(f: &Finding) -> String {
    format!(
        "{:<12} {} {} {} {}{}: {}",
        f.found.kind.as_str(),
        &f.commit[..10.min(f.commit.len())],
        rfc3339(f.at),
        f.by,
        f.action,
        f.found
            .release
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default(),
        f.found.message
    )
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Hands the memory the allocator keeps free back to the system: parsing
/// a commit's big files (release manifests of thousands of incidents, the
/// archive's index) leaves megabytes free in the heap that the incidents
/// read next would not all reuse, and the resident peak is what counts.
fn give_back_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: glibc's malloc_trim only releases free memory.
    unsafe {
        libc::malloc_trim(0);
    }
}
