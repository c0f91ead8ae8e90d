//! `rel incident new ID --title T [--component KIND:NAME]... [--breaking]
//! [--impact TEXT]`: register an incident, status open.

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::ids::id_key;
use crate::model::incident::{parse_component_spec, Flags, Incident};
use crate::outcome::Outcome;
use crate::render::incident::incident_json;
use crate::render::output::{json, outln};
use crate::rules::register::effects::{self, Stamp};
use crate::store::{change_for, CommitMessage};

use crate::commands::shared::args::{required_text, Id};
use crate::commands::shared::{write, Decision};

pub struct NewIncident<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub components: &'a [String],
    pub flags: Flags,
    pub impact: Option<&'a str>,
}

pub fn run(ctx: &Context, args: &NewIncident) -> anyhow::Result<Outcome> {
    // Every argument is checked before the repository is touched.
    let id = Id::incident(args.id)?;
    let title = required_text("--title", args.title, "the incident's title")?;
    let components = args
        .components
        .iter()
        .map(|c| parse_component_spec(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    let impact = args.impact.map(str::trim).filter(|s| !s.is_empty());

    let incident = write(ctx, |ws, actor| {
        if let Some(other) = ws
            .ids::<Incident>()?
            .into_iter()
            .find(|e| id_key(e) == id_key(id.as_str()))
        {
            return Err(invalid(format!(
                "incident `{other}` already exists (ids are unique ignoring case); \
                 `rel incident show {other}` shows it"
            )));
        }
        let by = actor.to_string();
        let stamp = Stamp {
            at: ctx.now,
            by: &by,
        };
        let incident =
            effects::new_incident(id.as_str(), &title, args.flags, impact, &components, stamp);
        let mut message = CommitMessage::new(Action::IncidentNew, &incident.id);
        message.body.push(format!("{}: {title}", incident.id));
        Ok(Decision::commit(
            vec![change_for(&incident)?],
            message,
            incident,
        ))
    })?;
    if ctx.json {
        json(&incident_json(&incident))?;
    } else if !ctx.dry_run {
        outln(&incident.id)?;
    }
    Ok(Outcome::Done)
}
