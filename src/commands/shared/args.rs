//! Arguments checked once, before the repository is touched, into values
//! that say they were checked (ripgrep's `HiArgs` from `LowArgs`): ids,
//! reasons, texts that must not be blank, environments of the pipeline.
//! Each message is written here, once, for every command that takes one.

use crate::error::{invalid, usage};
use crate::model::ids::validate_id;
use crate::model::pipeline::Pipeline;

/// A well-formed id of a release, incident or role (exit 2 otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id(String);

impl Id {
    pub fn release(text: &str) -> anyhow::Result<Id> {
        Id::of("release", text)
    }

    pub fn incident(text: &str) -> anyhow::Result<Id> {
        Id::of("incident", text)
    }

    pub fn installation(text: &str) -> anyhow::Result<Id> {
        Id::of("installation", text)
    }

    pub fn role(text: &str) -> anyhow::Result<Id> {
        Id::of("role", text)
    }

    fn of(what: &str, text: &str) -> anyhow::Result<Id> {
        validate_id(what, text).map_err(invalid)?;
        Ok(Id(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Incident ids, each checked; exit 2 naming every bad one at once.
pub fn incident_ids(texts: &[String]) -> anyhow::Result<Vec<String>> {
    let bad: Vec<String> = texts
        .iter()
        .filter_map(|id| validate_id("incident", id).err())
        .collect();
    if bad.is_empty() {
        Ok(texts.to_vec())
    } else {
        Err(invalid(bad.join("\n")))
    }
}

/// The text of `--reason`, never blank, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    /// A reason the command cannot go without; `why` completes "say why
    /// ...": "the release goes back". Blank is exit 2.
    pub fn required(text: &str, why: &str) -> anyhow::Result<Reason> {
        Reason::optional(Some(text))
            .ok_or_else(|| invalid(format!("--reason needs text: say why {why}")))
    }

    /// A reason that may be left out; blank counts as left out.
    pub fn optional(text: Option<&str>) -> Option<Reason> {
        text.map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| Reason(t.to_string()))
    }

    /// The reason `--override` needs (a usage error without one: the flags
    /// do not go together).
    pub fn for_overrides(text: Option<&str>, overriding: bool) -> anyhow::Result<Option<Reason>> {
        let reason = Reason::optional(text);
        if overriding && reason.is_none() {
            return Err(usage(
                "--override needs --reason: say why the rules are set aside",
            ));
        }
        Ok(reason)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `text` trimmed, never blank: `flag` needs `what` (exit 2).
pub fn required_text(flag: &str, text: &str, what: &str) -> anyhow::Result<String> {
    let t = text.trim();
    if t.is_empty() {
        Err(invalid(format!("{flag} needs {what}")))
    } else {
        Ok(t.to_string())
    }
}

/// An environment of `pipeline` named by a flag, as its position; exit 2
/// naming the environments there are, and the closest, when it has none of
/// that name.
pub fn environment(pipeline: &Pipeline, name: &str) -> anyhow::Result<usize> {
    pipeline.find(name).map_err(|m| {
        let names = pipeline.environments.iter().map(|e| e.name.as_str());
        super::suggest::with_suggestions(invalid(m), name, names)
    })
}
