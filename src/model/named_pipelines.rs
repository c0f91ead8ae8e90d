//! Named pipelines (contract 11.2): `[[environments]]` is the pipeline named
//! `default`; `[pipelines.NAME]` adds others, each with its own ordered
//! environments. Everything else of `environments.toml` (calendar, roles,
//! paths, `override_by`, `notify`) applies to every pipeline, so a
//! `Pipeline` value stands for one of them at a time: `environments` are
//! those of the pipeline named `pipelines.current`, and `lane` switches.

use std::borrow::Cow;
use std::sync::Arc;

use super::pipeline::{Environment, Pipeline};
use super::release::Release;

/// The name of the pipeline of `[[environments]]`.
pub const DEFAULT_PIPELINE: &str = "default";

/// One pipeline of environments.toml.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedPipeline {
    pub name: String,
    pub description: Option<String>,
    /// In promotion order; never empty.
    pub environments: Vec<Environment>,
}

/// The pipelines a `Pipeline` value may switch between.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipelines {
    /// The pipeline whose environments the `Pipeline` holds.
    pub current: String,
    /// Every pipeline, the default first, then in file order. Empty for a
    /// pipeline made in code (tests): the default alone.
    pub all: Arc<Vec<NamedPipeline>>,
    /// `[installations] pipeline`: the pipeline of installation updates.
    pub updates: String,
}

impl Default for Pipelines {
    fn default() -> Pipelines {
        Pipelines {
            current: DEFAULT_PIPELINE.to_string(),
            all: Arc::new(Vec::new()),
            updates: DEFAULT_PIPELINE.to_string(),
        }
    }
}

impl Pipeline {
    /// The name of the pipeline whose environments this holds.
    pub fn pipeline_name(&self) -> &str {
        &self.pipelines.current
    }

    /// The names of every pipeline, the default first.
    pub fn pipeline_names(&self) -> Vec<&str> {
        if self.pipelines.all.is_empty() {
            return vec![self.pipeline_name()];
        }
        self.pipelines.all.iter().map(|p| p.name.as_str()).collect()
    }

    /// Whether the file defines more than the default pipeline: only then
    /// does output name a release's pipeline beside its environment.
    pub fn has_named_pipelines(&self) -> bool {
        self.pipelines.all.len() > 1
    }

    /// The same configuration for pipeline `name` (any case), or None when
    /// there is no such pipeline.
    pub fn lane(&self, name: &str) -> Option<Cow<'_, Pipeline>> {
        if name.eq_ignore_ascii_case(&self.pipelines.current) {
            return Some(Cow::Borrowed(self));
        }
        let named = self
            .pipelines
            .all
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))?;
        let mut p = self.clone();
        p.environments = named.environments.clone();
        p.pipelines.current = named.name.clone();
        Some(Cow::Owned(p))
    }

    /// Pipeline `name` named by a user; Err is the one message for an
    /// unknown pipeline (exit 2 where a flag names it).
    pub fn find_lane(&self, name: &str) -> Result<Cow<'_, Pipeline>, String> {
        self.lane(name).ok_or_else(|| {
            format!(
                "unknown pipeline `{}`; environments.toml has {}",
                super::quote::cut(name),
                self.pipeline_names().join(", ")
            )
        })
    }

    /// The pipeline release `r` belongs to. A release of a pipeline that
    /// environments.toml no longer defines keeps its name and gets no
    /// environment of its own: every rule then finds its environment
    /// unknown, as for a release whose environment was removed.
    pub fn lane_of(&self, r: &Release) -> Cow<'_, Pipeline> {
        let name = r.pipeline_name();
        self.lane(name).unwrap_or_else(|| {
            let mut p = self.clone();
            p.pipelines.current = name.to_string();
            p.environments = self
                .environments
                .iter()
                .map(|e| {
                    // Never matches a release's environment: ids hold no `/`.
                    Environment::named(&format!("{name}/{}", e.name))
                })
                .collect();
            Cow::Owned(p)
        })
    }

    /// Whether environments.toml defines the pipeline this holds (a lane
    /// `lane_of` made for a manifest naming another has no environment).
    pub fn defines_lane(&self) -> bool {
        let name = self.pipeline_name();
        if self.pipelines.all.is_empty() {
            return name == DEFAULT_PIPELINE;
        }
        self.pipelines
            .all
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Why release `r`'s environment is not in this lane, for a refusal:
    /// the environment gone from its pipeline (`advice` follows: what to
    /// do then), or the pipeline its manifest names not defined by
    /// environments.toml (then renamed or removed: every environment of
    /// the release is unknown, and the remedy is the file, not a rollback).
    pub fn not_in_lane(&self, r: &Release, advice: &str) -> String {
        if self.defines_lane() {
            return format!(
                "{} is in `{}`, which is not in the pipeline{advice}",
                r.id, r.environment
            );
        }
        format!(
            "{} belongs to pipeline `{}`, which environments.toml does not define (it has {}); define it again, or cancel {}",
            r.id,
            self.pipeline_name(),
            self.pipeline_names_defined().join(", "),
            r.id
        )
    }

    /// The names of the pipelines environments.toml defines.
    fn pipeline_names_defined(&self) -> Vec<&str> {
        if self.pipelines.all.is_empty() {
            return vec![DEFAULT_PIPELINE];
        }
        self.pipelines.all.iter().map(|p| p.name.as_str()).collect()
    }

    /// The pipeline of installation updates (`[installations] pipeline`,
    /// which the file's reader checked exists).
    pub fn lane_of_updates(&self) -> Cow<'_, Pipeline> {
        self.lane(&self.pipelines.updates)
            .unwrap_or(Cow::Borrowed(self))
    }

    /// What a manifest records of the pipeline this holds: nothing for the
    /// default, so a repository with one pipeline reads as it always did.
    pub fn recorded_name(&self) -> Option<&str> {
        Some(self.pipeline_name()).filter(|n| *n != DEFAULT_PIPELINE)
    }

    /// Whether some environment of some pipeline has `auto_schedule`.
    pub fn any_auto_schedule(&self) -> bool {
        self.environments.iter().any(|e| e.auto_schedule)
            || self
                .pipelines
                .all
                .iter()
                .any(|p| p.environments.iter().any(|e| e.auto_schedule))
    }

    /// The names of the environments of every pipeline, each once.
    pub fn all_environment_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.environments.iter().map(|e| e.name.as_str()).collect();
        for p in self.pipelines.all.iter() {
            for e in &p.environments {
                if !names.iter().any(|n| n.eq_ignore_ascii_case(&e.name)) {
                    names.push(&e.name);
                }
            }
        }
        names
    }

    /// The description of the pipeline this holds.
    pub fn pipeline_description(&self) -> Option<&str> {
        self.pipelines
            .all
            .iter()
            .find(|p| p.name == self.pipelines.current)
            .and_then(|p| p.description.as_deref())
    }
}
