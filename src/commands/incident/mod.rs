//! `rel incident ...`: the work register, one file per incident under
//! `releases/incidents/`.

mod change;
mod new;
mod view;

use crate::cli::IncidentCommand;
use crate::context::Context;
use crate::model::incident::Flags;
use crate::outcome::Outcome;
use crate::rules::register::IncidentChange;

use change::Edit;

pub fn run(ctx: &Context, command: IncidentCommand) -> anyhow::Result<Outcome> {
    match command {
        IncidentCommand::New {
            id,
            title,
            components,
            breaking,
            compat_work,
            client_work,
            impact,
        } => new::run(
            ctx,
            &new::NewIncident {
                id: &id,
                title: &title,
                components: &components,
                flags: Flags {
                    breaking,
                    compat_work,
                    client_work,
                },
                impact: impact.as_deref(),
            },
        ),
        IncidentCommand::Flag { id, flags, off } => change::run(ctx, &id, Edit::Flag(flags, off)),
        IncidentCommand::Resolve { id } => change::run(ctx, &id, Edit::Resolve),
        IncidentCommand::Reopen { id } => change::run(ctx, &id, Edit::Reopen),
        IncidentCommand::Authorise { id, by } => change::run(ctx, &id, Edit::Authorise(by)),
        IncidentCommand::Test { id, evidence } => change::run(ctx, &id, Edit::Test(evidence)),
        IncidentCommand::Component { id, components } => {
            change::run(ctx, &id, Edit::Component(components))
        }
        IncidentCommand::List {
            all,
            unassigned,
            status,
        } => view::list(ctx, all, unassigned, status.as_deref()),
        IncidentCommand::Show { id } => view::show(ctx, &id),
    }
}

impl Edit {
    pub fn change(&self) -> IncidentChange {
        match self {
            Edit::Resolve => IncidentChange::Resolve,
            Edit::Reopen => IncidentChange::Reopen,
            Edit::Authorise(_) => IncidentChange::Authorise,
            Edit::Test(_) => IncidentChange::Test,
            Edit::Component(_) => IncidentChange::Component,
            Edit::Flag(..) => IncidentChange::Flag,
        }
    }
}
