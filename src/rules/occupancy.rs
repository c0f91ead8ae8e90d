//! Who else is in an environment: the one rule for `exclusive` occupancy,
//! asked through one trait by every holder of releases (the commands'
//! heads, `rel due`'s releases in progress, the audit's world, the
//! property tests' world), so they cannot count differently.

use crate::model::installation::same_installation;
use crate::model::release::{Release, ReleaseHead, State};

/// Whether a release (`id`, `state`, `environment`, `installation`) is in
/// `env` as another occupant than release `of_id` of installation
/// `of_installation` sees it: in progress, there, not itself, and of the
/// same installation (an installation's environments are its own).
pub fn occupies(
    (id, state, environment, installation): (&str, State, &str, Option<&str>),
    env: &str,
    of_id: &str,
    of_installation: Option<&str>,
) -> bool {
    state.in_progress()
        && environment.eq_ignore_ascii_case(env)
        && !id.eq_ignore_ascii_case(of_id)
        && same_installation(installation, of_installation)
}

/// The releases in progress a decision can see.
pub trait Occupancy {
    /// Ids of the releases in `env` other than release `of_id` of
    /// installation `of_installation`, as `occupies` counts them.
    fn occupants(&self, env: &str, of_id: &str, of_installation: Option<&str>) -> Vec<String>;

    /// Where release `id` stands (any state), when the caller has it: a
    /// release another depends on (contract 11.4).
    fn standing(&self, id: &str) -> Option<ReleaseHead>;
}

impl Occupancy for [ReleaseHead] {
    fn occupants(&self, env: &str, of_id: &str, of_installation: Option<&str>) -> Vec<String> {
        self.iter()
            .filter(|h| {
                occupies(
                    (&h.id, h.state, &h.environment, h.installation.as_deref()),
                    env,
                    of_id,
                    of_installation,
                )
            })
            .map(|h| h.id.clone())
            .collect()
    }

    fn standing(&self, id: &str) -> Option<ReleaseHead> {
        self.iter().find(|h| h.id.eq_ignore_ascii_case(id)).cloned()
    }
}

impl Occupancy for [Release] {
    fn occupants(&self, env: &str, of_id: &str, of_installation: Option<&str>) -> Vec<String> {
        occupants_among(self.iter(), env, of_id, of_installation)
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
    of_id: &str,
    of_installation: Option<&str>,
) -> Vec<String> {
    releases
        .filter(|r| {
            occupies(
                (&r.id, r.state, &r.environment, r.installation.as_deref()),
                env,
                of_id,
                of_installation,
            )
        })
        .map(|r| r.id.clone())
        .collect()
}
