//! Gathering the facts the promotion rules need from the repository, so
//! check, promote, plan and status ask the rules the same way.

use chrono::{DateTime, Utc};

use crate::error::invalid;
use crate::model::installation::same_installation;
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::rules::promotion::{
    check_promotion, finished_verdict, resolve_target, PromotionInput, PromotionVerdict,
};
use crate::store::{ReleaseHead, Workspace};

/// Ids of releases in progress in environment `env`, other than `except`,
/// of the same installation as it (`installation`; None: releases of the
/// pipeline's own environments): an installation's staging is its own.
/// Reads every manifest, so callers ask only when the target is exclusive.
pub fn occupants_of(
    releases: &[ReleaseHead],
    env: &str,
    except: &str,
    installation: Option<&str>,
) -> Vec<String> {
    releases
        .iter()
        .filter(|o| {
            o.state.in_progress()
                && o.environment.eq_ignore_ascii_case(env)
                && o.id != except
                && same_installation(o.installation.as_deref(), installation)
        })
        .map(|o| o.id.clone())
        .collect()
}

/// The other releases in progress in environment `env` (an index) when it
/// is exclusive (the only time the rules ask); reads every manifest then.
pub fn occupants(
    ws: &Workspace,
    pipeline: &Pipeline,
    env: usize,
    except: &str,
    installation: Option<&str>,
) -> anyhow::Result<Vec<String>> {
    let target = &pipeline.environments[env];
    if !target.exclusive {
        return Ok(Vec::new());
    }
    Ok(occupants_of(
        &ws.release_heads()?,
        &target.name,
        except,
        installation,
    ))
}

/// The verdict for promoting `release` to `to` (default: next) at `now`.
pub fn evaluate(
    ws: &Workspace,
    pipeline: &Pipeline,
    release: &Release,
    to: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<PromotionVerdict> {
    // A release that is over answers `state` whatever it is asked, even
    // with nothing ahead of it; a target it names must still exist.
    let named = to
        .map(|name| super::args::environment(pipeline, name).map(|i| &pipeline.environments[i]))
        .transpose()?;
    if let Some(over) = finished_verdict(release, named, now) {
        return Ok(over);
    }
    let target = resolve_target(pipeline, release, to).map_err(invalid)?;
    let occupants = occupants(
        ws,
        pipeline,
        target,
        &release.id,
        release.installation.as_deref(),
    )?;
    Ok(check_promotion(&PromotionInput {
        pipeline,
        release,
        target,
        occupants: &occupants,
        now,
    }))
}
