//! `[installations]` of environments.toml (contracts 11.2 and 11.3): the
//! pipeline updates of installations go through, and how they relate to
//! the product releases they carry.

use serde::Deserialize;
use toml::Spanned;

use crate::model::named_pipelines::Pipelines;
use crate::model::pipeline::UpdateSettings;

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an [installations] table with pipeline and requires"
)]
pub(super) struct RawInstallations {
    #[serde(default)]
    pub(super) pipeline: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) requires: Option<Spanned<String>>,
}

/// `requires`, checked: it names an environment of a pipeline product
/// releases go through (any pipeline but that of updates, unless that is
/// the only one), as written there.
pub(super) fn settings(
    requires: Option<Spanned<String>>,
    pipelines: &Pipelines,
    at: &dyn Fn(std::ops::Range<usize>, &str) -> anyhow::Error,
) -> anyhow::Result<UpdateSettings> {
    let Some(env) = requires else {
        return Ok(UpdateSettings::default());
    };
    let only_one = pipelines.all.len() <= 1;
    let products = pipelines
        .all
        .iter()
        .filter(|p| only_one || !p.name.eq_ignore_ascii_case(&pipelines.updates));
    let mut names = Vec::new();
    for p in products {
        if let Some(e) = p
            .environments
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(env.get_ref()))
        {
            return Ok(UpdateSettings {
                requires: Some(e.name.clone()),
            });
        }
        names.extend(p.environments.iter().map(|e| e.name.as_str()));
    }
    Err(at(
        env.span(),
        &format!(
            "requires names no environment: `{}`; product releases go through {}",
            crate::model::quote::cut(env.get_ref()),
            names.join(", ")
        ),
    ))
}
