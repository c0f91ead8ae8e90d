//! Who else is in an environment: the one rule for `exclusive` occupancy,
//! asked through one trait by every holder of releases (the commands'
//! heads, `rel due`'s releases in progress, the audit's world, the
//! property tests' world), so they cannot count differently.

use crate::model::installation::same_installation;
use crate::model::release::{Release, ReleaseHead, State};

/// The release asking who else is in an environment: `exclusive` counts
/// the releases of its pipeline, and of an update, those of its
/// installation (an installation's environments are its own).
#[derive(Debug, Clone, Copy)]
pub struct Asker<'a> {
    pub id: &'a str,
    pub installation: Option<&'a str>,
    pub pipeline: &'a str,
}

impl<'a> From<&'a Release> for Asker<'a> {
    fn from(r: &'a Release) -> Asker<'a> {
        Asker {
            id: &r.id,
            installation: r.installation.as_deref(),
            pipeline: r.pipeline_name(),
        }
    }
}

impl<'a> From<&'a ReleaseHead> for Asker<'a> {
    fn from(r: &'a ReleaseHead) -> Asker<'a> {
        Asker {
            id: &r.id,
            installation: r.installation.as_deref(),
            pipeline: r.pipeline_name(),
        }
    }
}

/// Whether `other` is in `env` as another occupant than `asker` sees it:
/// in progress, there, not itself, of the same pipeline and installation.
pub fn occupies(other: Asker, state: State, environment: &str, env: &str, asker: Asker) -> bool {
    state.in_progress()
        && environment.eq_ignore_ascii_case(env)
        && !other.id.eq_ignore_ascii_case(asker.id)
        && other.pipeline.eq_ignore_ascii_case(asker.pipeline)
        && same_installation(other.installation, asker.installation)
}

/// The releases in progress a decision can see.
pub trait Occupancy {
    /// Ids of the releases in `env` other than `asker`, as `occupies`
    /// counts them.
    fn occupants(&self, env: &str, asker: Asker) -> Vec<String>;

    /// Where release `id` stands (any state), when the caller has it: a
    /// release another depends on (contract 11.4).
    fn standing(&self, id: &str) -> Option<ReleaseHead>;
}

impl Occupancy for [ReleaseHead] {
    fn occupants(&self, env: &str, asker: Asker) -> Vec<String> {
        self.iter()
            .filter(|h| occupies(Asker::from(*h), h.state, &h.environment, env, asker))
            .map(|h| h.id.clone())
            .collect()
    }

    fn standing(&self, id: &str) -> Option<ReleaseHead> {
        self.iter().find(|h| h.id.eq_ignore_ascii_case(id)).cloned()
    }
}

impl Occupancy for [Release] {
    fn occupants(&self, env: &str, asker: Asker) -> Vec<String> {
        occupants_among(self.iter(), env, asker)
    }

    fn standing(&self, id: &str) -> Option<ReleaseHead> {
        self.iter()
            .find(|r| r.id.eq_ignore_ascii_case(id))
            .map(ReleaseHead::from)
    }
}

/// `Occupancy` over any releases held as values.
pub fn occupants_among<'a>(
    releases: impl Iterator<Item = &'a Release>,
    env: &str,
    asker: Asker,
) -> Vec<String> {
    releases
        .filter(|r| occupies(Asker::from(*r), r.state, &r.environment, env, asker))
        .map(|r| r.id.clone())
        .collect()
}
