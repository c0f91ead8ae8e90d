//! `rel incident resolve|reopen|authorise|test|component`: one change to one
//! incident, decided by the register's rules, committed with its history.

use crate::commands::shared::args::{required_text, Id};
use crate::commands::shared::paths::redecide;
use crate::commands::shared::register::holder_of;
use crate::commands::shared::{refuse, release_to_change, write, Decision};
use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::incident::{parse_component_spec, Incident};
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::render::incident::incident_json;
use crate::render::output::{json, outln};
use crate::render::text::shown;
use crate::rules::register::effects::{self, Stamp};
use crate::rules::register::{changes_holder, lists, may_change_incident};
use crate::store::{change_for, CommitMessage};

pub enum Edit {
    Resolve,
    Reopen,
    /// Who authorised on the client's side; default the actor's name.
    Authorise(Option<String>),
    /// A path or URL of a test document.
    Test(String),
    /// `KIND:NAME` specs.
    Component(Vec<String>),
    /// Flag names, and whether they are cleared (`--off`).
    Flag(Vec<String>, bool),
}

/// The arguments, checked once before the repository is touched.
enum Checked {
    Resolve,
    Reopen,
    Authorise(Option<String>),
    Test(String),
    Component(Vec<(String, String)>),
    /// The flags named, and their new value.
    Flag(Vec<&'static str>, bool),
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
            Checked::Flag(..) => Action::IncidentFlag,
        }
    }
}

fn check(edit: &Edit) -> anyhow::Result<Checked> {
    Ok(match edit {
        Edit::Resolve => Checked::Resolve,
        Edit::Reopen => Checked::Reopen,
        Edit::Authorise(by) => Checked::Authorise(
            by.as_deref()
                .map(|by| required_text("--by", by, "the name of who authorised"))
                .transpose()?,
        ),
        Edit::Test(evidence) => Checked::Test(required_text(
            "--evidence",
            evidence,
            "the path or URL of a test document",
        )?),
        Edit::Flag(names, off) => Checked::Flag(
            names
                .iter()
                .map(|n| flag_name(n))
                .collect::<anyhow::Result<Vec<_>>>()?,
            !off,
        ),
        Edit::Component(specs) => Checked::Component(
            specs
                .iter()
                .map(|c| parse_component_spec(c))
                .collect::<Result<Vec<_>, _>>()
                .map_err(invalid)?,
        ),
    })
}

/// A flag's name as `incident flag` takes it; exit 2 naming a bad one.
fn flag_name(text: &str) -> anyhow::Result<&'static str> {
    match text.trim().to_ascii_lowercase().as_str() {
        "breaking" => Ok("breaking"),
        "compat-work" | "compat_work" => Ok("compat-work"),
        "client-work" | "client_work" => Ok("client-work"),
        _ => Err(invalid(format!(
            "unknown flag {}; expected breaking, compat-work or client-work",
            crate::model::quote::quoted(text)
        ))),
    }
}

pub fn run(ctx: &Context, id: &str, edit: Edit) -> anyhow::Result<Outcome> {
    let id = Id::incident(id)?;
    let checked = check(&edit)?;
    let change = edit.change();
    let (incident, done) = write(ctx, |ws, actor| {
        let mut incident: Incident = match crate::commands::shared::suggest::load(ws, id.as_str()) {
            Ok(i) => i,
            // Shipped and archived: the record of a finished release is
            // final (contract 11.1).
            Err(e) => match ws.find_archived::<Incident>(id.as_str())? {
                Some((year, stored)) => {
                    return Err(crate::error::invalid(format!(
                        "incident `{stored}` was shipped and lies in releases/archive/{year}; \
                         the record of a finished release is not changed"
                    )))
                }
                None => return Err(e),
            },
        };
        crate::rules::history::incident_time_moves_forward(&incident, ctx.now).map_err(invalid)?;
        let holder = holder_of(ws, &incident)?;
        let verdict = may_change_incident(&incident, change, holder.as_ref());
        if !verdict.allowed() {
            return Err(refuse(
                checked.action(),
                incident.release.as_deref(),
                &format!("incident {} cannot be changed", incident.id),
                &verdict,
            ));
        }
        // The open release holding it changes with it (a new revision), so
        // it is loaded to be changed now: time moves forward for it too.
        // (Only when the release does list it: a hand edit may have left
        // the incident naming a release that does not hold it.)
        let mut release = match holder.as_ref().filter(|_| changes_holder(holder.as_ref())) {
            Some(h) if lists(&ws.load::<Release>(&h.id)?, &incident.id) => {
                Some(release_to_change(ctx, ws, &h.id)?)
            }
            _ => None,
        };
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
            Checked::Flag(names, on) => {
                let mut flags = incident.flags();
                for name in names {
                    match *name {
                        "breaking" => flags.breaking = *on,
                        "compat-work" => flags.compat_work = *on,
                        _ => flags.client_work = *on,
                    }
                }
                let changed = effects::set_flags(&mut incident, flags, stamp);
                if changed.is_empty() {
                    return Ok(Decision::nothing(
                        format!("nothing to change: {} is already so", incident.id),
                        (incident, None),
                    ));
                }
                format!("flags {}", changed.join(", "))
            }
            Checked::Component(specs) => {
                let added = effects::add_components(&mut incident, specs, stamp);
                if added.is_empty() {
                    // Nothing new: no commit, and that is not a failure.
                    return Ok(Decision::nothing(
                        format!(
                            "nothing to change: {} already records these components",
                            incident.id
                        ),
                        (incident, None),
                    ));
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
            // Its flags or content changed: the path is decided again.
            let pipeline = ws.pipeline()?;
            if redecide(
                ws,
                &pipeline,
                r,
                std::slice::from_ref(&incident),
                ctx.now,
                &by,
            )? {
                if let Some(p) = &r.path {
                    message
                        .body
                        .push(format!("{} now takes the {} path", r.id, p.name));
                }
            }
            changes.push(change_for(&*r)?);
        }
        Ok(Decision::commit(changes, message, (incident, Some(done))))
    })?;
    if ctx.json {
        json(&incident_json(&incident))?;
    } else if let Some(done) = done.filter(|_| !ctx.dry_run) {
        outln(&format!("{} {}", incident.id, shown(&done)))?;
    }
    Ok(Outcome::Done)
}
