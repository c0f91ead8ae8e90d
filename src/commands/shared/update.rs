//! An update of an installation, made and checked: what `rel new
//! --installation` and each update of `rel rollout` create.

use chrono::NaiveDate;

use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::actor::Actor;
use crate::model::ids::id_key;
use crate::model::installation::Installation;
use crate::model::path::Hop;
use crate::model::pipeline::Pipeline;
use crate::model::release::{parse_version, Kind, Release};
use crate::rules::actions::may_create;
use crate::rules::moves::{self, NewRelease};
use crate::rules::occupancy::Asker;
use crate::rules::paths::record_if_changed;
use crate::rules::register::effects::Stamp;
use crate::store::{file_of, Workspace};

use super::carries::{require_product, Products};
use super::paths::{breaking_released, carried_of, decision_with};
use super::promotion_facts::occupants;
use super::refuse;

/// What an update of an installation is made of (`rel new --installation`
/// and each update of `rel rollout`).
pub struct Update<'a> {
    pub installation: Installation,
    pub version: &'a semver::Version,
    /// Given with --kind; default: the hop's (major, minor or patch).
    pub kind: Option<Kind>,
    pub title: &'a str,
    /// Default `NAME-VERSION`.
    pub id: Option<String>,
    pub target: Option<NaiveDate>,
}

/// An update of `spec.installation`, checked (exit 2: its version not
/// above the installation's, an id taken; exit 1: the rules refuse it in
/// the first environment, or no product release of its version has
/// reached `[installations] requires`) and with its path decided.
/// `taken`: release ids that exist, including those made in the same
/// commit; `products`: the product releases it may carry.
pub fn make_update(
    ctx: &Context,
    ws: &Workspace,
    pipeline: &Pipeline,
    spec: &Update,
    taken: &[String],
    actor: &Actor,
    products: &Products,
) -> anyhow::Result<Release> {
    let release = make_update_with(ctx, ws, pipeline, spec, taken, actor, None, products)?;
    // After the checks of the input (exit 2), as `rel rollout` does.
    require_product(
        pipeline,
        spec.version,
        products,
        Action::New,
        Some(&release.id),
    )?;
    Ok(release)
}

/// `make_update` with the breaking releases already gathered and the
/// requirement checked (a rollout does both once for every installation).
#[allow(clippy::too_many_arguments)]
pub fn make_update_with(
    ctx: &Context,
    ws: &Workspace,
    pipeline: &Pipeline,
    spec: &Update,
    taken: &[String],
    actor: &Actor,
    breaking: Option<&[(String, semver::Version)]>,
    products: &Products,
) -> anyhow::Result<Release> {
    let inst = &spec.installation;
    let from = parse_version(&inst.version)
        .map_err(|m| invalid(format!("{}: {m}", file_of::<Installation>(&inst.name))))?;
    if spec.version <= &from {
        return Err(invalid(format!(
            "{} is not above {}'s version {}; an update goes up",
            spec.version, inst.name, inst.version
        )));
    }
    let id = match &spec.id {
        Some(id) => id.clone(),
        None => format!("{}-{}", inst.name, spec.version),
    };
    crate::model::ids::validate_id("release", &id).map_err(invalid)?;
    if let Some(other) = taken.iter().find(|e| id_key(e) == id_key(&id)) {
        return Err(invalid(format!("release `{other}` already exists")));
    }
    // An update goes through the pipeline of updates, whoever asks.
    let pipeline = &*pipeline.lane_of_updates();
    let asker = Asker {
        id: &id,
        installation: Some(&inst.name),
        pipeline: pipeline.pipeline_name(),
    };
    let occupants = occupants(ws, pipeline, 0, asker)?;
    let verdict = may_create(pipeline, &id, &occupants);
    if !verdict.allowed() {
        return Err(refuse(
            Action::New,
            Some(&id),
            &format!("cannot create {id} in {}", pipeline.first().name),
            &verdict,
        ));
    }
    let hop = Hop::between(&from, spec.version);
    let kind = spec.kind.unwrap_or(hop.kind());
    let by = actor.to_string();
    let mut release = moves::create(
        &NewRelease {
            id: &id,
            title: spec.title,
            version: spec.version,
            kind,
            target: spec.target,
            first: &pipeline.first().name,
            installation: Some(&inst.name),
            pipeline: pipeline.recorded_name(),
            from_version: Some(&from),
            path: None,
        },
        Stamp {
            at: ctx.now,
            by: &by,
        },
    );
    if !pipeline.uses_paths() {
        return Ok(release);
    }
    let gathered;
    let breaking = match breaking {
        Some(b) => b,
        None => {
            gathered = breaking_released(ws, &hop)?;
            &gathered
        }
    };
    let carried = carried_of(ws, pipeline, &release, products);
    let d = decision_with(pipeline, &release, &[], breaking, &carried)?;
    record_if_changed(&mut release, &d, ctx.now, &by);
    Ok(release)
}
