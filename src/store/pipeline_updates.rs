//! `[installations]` of environments.toml (contract 11.3): how updates of
//! installations relate to the product releases they carry.

use serde::Deserialize;
use toml::Spanned;

use crate::model::pipeline::{Environment, UpdateSettings};

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an [installations] table with requires"
)]
pub(super) struct RawInstallations {
    requires: Option<Spanned<String>>,
}

/// `[installations]`, checked: `requires` names an environment of the
/// pipeline (as written there).
pub(super) fn settings(
    raw: Option<RawInstallations>,
    environments: &[Environment],
    at: &dyn Fn(std::ops::Range<usize>, &str) -> anyhow::Error,
) -> anyhow::Result<UpdateSettings> {
    let Some(raw) = raw else {
        return Ok(UpdateSettings::default());
    };
    let requires = match raw.requires {
        None => None,
        Some(env) => {
            let found = environments
                .iter()
                .find(|e| e.name.eq_ignore_ascii_case(env.get_ref()))
                .ok_or_else(|| {
                    let names: Vec<&str> = environments.iter().map(|e| e.name.as_str()).collect();
                    at(
                        env.span(),
                        &format!(
                            "requires names no environment: `{}`; the pipeline has {}",
                            crate::model::quote::cut(env.get_ref()),
                            names.join(", ")
                        ),
                    )
                })?;
            Some(found.name.clone())
        }
    };
    Ok(UpdateSettings { requires })
}
