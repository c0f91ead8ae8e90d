//! `--pipeline NAME` of the reading commands (`status`, `list`, `calendar`,
//! `board`): the pipeline checked against environments.toml (exit 2 for an
//! unknown name, before anything is printed) and the releases it admits.

use crate::error::invalid;
use crate::model::pipeline::Pipeline;

/// Which releases a listing shows: all, or those of one pipeline.
pub struct PipelineFilter(Option<String>);

impl PipelineFilter {
    pub fn new(pipeline: &Pipeline, asked: Option<&str>) -> anyhow::Result<PipelineFilter> {
        let name = asked
            .map(|n| pipeline.find_lane(n).map(|l| l.pipeline_name().to_string()))
            .transpose()
            .map_err(invalid)?;
        Ok(PipelineFilter(name))
    }

    /// Every release.
    pub fn new_all() -> PipelineFilter {
        PipelineFilter(None)
    }

    /// Whether a release of pipeline `name` is shown.
    pub fn admits(&self, name: &str) -> bool {
        self.0
            .as_deref()
            .is_none_or(|n| n.eq_ignore_ascii_case(name))
    }
}
