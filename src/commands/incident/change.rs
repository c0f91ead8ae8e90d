//! `rel incident resolve|reopen|authorise|test|component`: one change to one
//! incident, decided by the register's rules, committed with its history.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::ids::validate_id;
use crate::model::incident::{parse_component_spec, Incident};
use crate::model::release::Release;
use crate::render::incident::incident_json;
use crate::render::output::{errln, json, outln};
use crate::rules::register::effects::{self, Stamp};
use crate::rules::register::{changes_holder, lists, may_change_incident};
use crate::store::{change_for, CommitMessage, Workspace};

use super::super::register::holder_of;

pub enum Edit {
    Resolve,
    Reopen,
    /// Who authorised on the client's side; default the actor's name.
    Authorise(Option<String>),
    /// A path or URL of a test document.
    Test(String),
    /// `KIND:NAME` specs.
    Component(Vec<String>),
}

/// The arguments, checked once before the repository is touched.
enum Checked {
    Resolve,
    Reopen,
    Authorise(Option<String>),
    Test(String),
    Component(Vec<(String, String)>),
}

impl Checked {
    /// The action as its commit's `Rel-Action` names it.
    fn action(&self) -> Action {
        match self {
            Checked::Resolve => Action::IncidentResolve,
            Checked::Reopen => Action::IncidentReopen,
            Checked::Authorise(_) => Action::IncidentAuthorise,
            Checked::Test(_) => Action::IncidentTest,
            Checked::Component(_) => Action::IncidentComponent,
        }
    }
}

fn check(edit: &Edit) -> anyhow::Result<Checked> {
    Ok(match edit {
        Edit::Resolve => Checked::Resolve,
        Edit::Reopen => Checked::Reopen,
        Edit::Authorise(by) => {
            let by = by.as_deref().map(str::trim);
            if by == Some("") {
                return Err(invalid("--by needs the name of who authorised"));
            }
            Checked::Authorise(by.map(str::to_string))
        }
        Edit::Test(evidence) => {
            let e = evidence.trim();
            if e.is_empty() {
                return Err(invalid(
                    "--evidence needs the path or URL of a test document",
                ));
            }
            Checked::Test(e.to_string())
        }
        Edit::Component(specs) => Checked::Component(
            specs
                .iter()
                .map(|c| parse_component_spec(c))
                .collect::<Result<Vec<_>, _>>()
                .map_err(invalid)?,
        ),
    })
}

pub fn run(ctx: &Context, id: &str, edit: Edit) -> anyhow::Result<i32> {
    validate_id("incident", id).map_err(invalid)?;
    let checked = check(&edit)?;
    let change = edit.change();

    let ws = Workspace::open_for_write(&ctx.start_dir)?;
    let mut incident: Incident = ws.load(id)?;
    let holder = holder_of(&ws, &incident)?;
    let verdict = may_change_incident(&incident, change, holder.as_ref());
    if !verdict.allowed() {
        return Err(super::super::refuse(
            checked.action(),
            incident.release.as_deref(),
            &format!("incident {} cannot be changed", incident.id),
            &verdict,
        ));
    }
    // The open release holding it changes with it (a new revision), so
    // it is loaded to be changed now: time moves forward for it too.
    // (Only when the release does list it: a hand edit may have left the
    // incident naming a release that does not hold it.)
    let mut release = match holder.as_ref().filter(|_| changes_holder(holder.as_ref())) {
        Some(h) if lists(&ws.load::<Release>(&h.id)?, &incident.id) => {
            Some(super::super::release_to_change(ctx, &ws, &h.id)?)
        }
        _ => None,
    };
    let actor = super::super::actor(ctx, &ws)?;
    let by = actor.to_string();
    let stamp = Stamp {
        at: ctx.now,
        by: &by,
    };

    let done = match &checked {
        Checked::Resolve => {
            effects::resolve(&mut incident, stamp);
            "resolved".to_string()
        }
        Checked::Reopen => {
            effects::reopen(&mut incident, stamp);
            "reopened".to_string()
        }
        Checked::Authorise(who) => {
            let who = who.clone().unwrap_or_else(|| actor.name.clone());
            effects::authorise(&mut incident, &who, stamp);
            format!("authorised by {who}")
        }
        Checked::Test(evidence) => {
            effects::add_evidence(&mut incident, evidence, stamp);
            format!("test evidence {evidence}")
        }
        Checked::Component(specs) => {
            let added = effects::add_components(&mut incident, specs, stamp);
            if added.is_empty() {
                // Nothing new: no commit, and that is not a failure.
                errln(&format!(
                    "nothing to change: {} already records these components",
                    incident.id
                ));
                return print(ctx, &incident, None);
            }
            format!("components {}", added.join(", "))
        }
    };

    let mut message = CommitMessage::new(checked.action(), &incident.id);
    message.body.push(format!("{} {done}", incident.id));
    message.release = incident.release.clone();
    let mut changes = vec![change_for(&incident)?];
    if let Some(r) = release.as_mut() {
        effects::incident_changed(r, &incident.id, checked.action(), stamp);
        message.body.push(format!(
            "{} is now at revision {}: approvals, ticks and health reports of its earlier content no longer count",
            r.id, r.revision
        ));
        message.release = Some(r.id.clone());
        changes.push(change_for(&*r)?);
    }
    super::super::apply(ctx, &ws, &actor, &changes, &message)?;
    print(ctx, &incident, Some(&done))
}

fn print(ctx: &Context, incident: &Incident, done: Option<&str>) -> anyhow::Result<i32> {
    if ctx.json {
        json(&incident_json(incident))?;
    } else if let Some(done) = done.filter(|_| !ctx.dry_run) {
        outln(&format!("{} {done}", incident.id))?;
    }
    Ok(0)
}
