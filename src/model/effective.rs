//! The pipeline as it applies to one release: the environments of its own
//! pipeline (contract 11.2); an update of an installation
//! takes the installation's role members and windows, and a release on a
//! path passes over the environments not on it (contract section 8). Every
//! rule that looks at one release asks through here, so `check`, `promote`,
//! `plan`, schedules and the audit see the same pipeline.

use std::borrow::Cow;

use super::installation::InstallationRules;
use super::pipeline::Pipeline;
use super::release::Release;

impl Pipeline {
    /// The pipeline for `r`: borrowed unchanged when nothing differs.
    pub fn for_release(&self, r: &Release) -> Cow<'_, Pipeline> {
        // Its own pipeline's environments first (contract 11.2).
        let lane = self.lane_of(r);
        let installation = r
            .installation
            .as_deref()
            .and_then(|name| self.installation(name));
        let path = r.path.as_ref().map(|p| p.name);
        let passes_over = path.is_some_and(|p| lane.environments.iter().any(|e| !e.on_path(p)));
        if installation.is_none() && !passes_over {
            return lane;
        }
        let mut p = lane.into_owned();
        if let Some(installation) = installation {
            take_installation(&mut p, installation);
        }
        mark_path(&mut p, path);
        Cow::Owned(p)
    }
}

/// The installation's role members and windows in place of the pipeline's.
fn take_installation(p: &mut Pipeline, installation: &InstallationRules) {
    for (role, members) in &installation.roles {
        // Role names are one name whatever their case.
        let key = p
            .roles
            .keys()
            .find(|k| k.eq_ignore_ascii_case(role))
            .cloned()
            .unwrap_or_else(|| role.clone());
        p.roles.insert(key, members.clone());
    }
    if !installation.windows.is_empty() {
        for e in p.environments.iter_mut().filter(|e| !e.windows.is_empty()) {
            e.windows = installation.windows.clone();
            e.windows_timezone = installation.timezone;
        }
    }
}

fn mark_path(p: &mut Pipeline, path: Option<super::path::UpdatePath>) {
    if let Some(path) = path {
        for e in &mut p.environments {
            e.off_path = !e.on_path(path);
        }
    }
}
