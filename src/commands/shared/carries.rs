//! The facts of contract 11.3 read from the repository (the decisions are
//! `rules::carries`): the product releases of `releases/` and the archive's
//! index, never the archive itself.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::error::invalid;
use crate::model::archive::Index;
use crate::model::incident::{Flags, Incident};
use crate::model::pipeline::Pipeline;
use crate::model::release::{parse_version, Release};
use crate::rules::carries::{self, CarriedIncident};
use crate::store::Workspace;

/// Every product release there is, as carrying reads them.
pub struct Products {
    /// The product releases filed in `releases/` (in progress, or finished
    /// ones a repository made before the archive keeps there).
    pub releases: Vec<Release>,
    /// The product releases of the archive's index.
    pub index: std::rc::Rc<Index>,
    /// The flags of incidents read so far: a rollout asks for the same
    /// carried incidents once per installation.
    flags: RefCell<HashMap<String, Option<Flags>>>,
}

impl Products {
    pub fn read(ws: &Workspace) -> anyhow::Result<Products> {
        let mut releases = Vec::new();
        for l in ws.facts::<Release>()? {
            if l.facts.installation.is_none() {
                releases.push(ws.parse_listed::<Release>(&l.file)?);
            }
        }
        Ok(Products {
            releases,
            // What updates carry are product releases: their shards only
            // (a vendor's archived updates outnumber them).
            index: ws.archive_index_of(|s| !s.updates)?,
            flags: RefCell::default(),
        })
    }

    /// What update `r` carries (nothing for a product release, or an
    /// update that records no version it starts from).
    pub fn carries(&self, p: &Pipeline, r: &Release) -> Vec<String> {
        let (Some(from), Ok(to)) = (
            r.installation
                .as_ref()
                .and(r.from_version.as_deref())
                .and_then(|v| parse_version(v).ok()),
            parse_version(&r.version),
        ) else {
            return Vec::new();
        };
        carries::carries(p, &from, &to, &self.releases, &self.index)
    }

    /// The flagged incidents of the releases `carried`.
    pub fn incidents(&self, ws: &Workspace, carried: &[String]) -> Vec<CarriedIncident> {
        carries::carried_incidents(carried, &self.releases, &self.index, |id| {
            let mut known = self.flags.borrow_mut();
            *known
                .entry(id.to_ascii_lowercase())
                .or_insert_with(|| ws.load::<Incident>(id).ok().map(|i| i.flags()))
        })
    }

    /// The product release `wanted` (any case; not an update): what
    /// `--version` means when it is given an id. Exit 2 with the closest
    /// product release ids when there is none.
    pub fn version_of(&self, ws: &Workspace, wanted: &str) -> anyhow::Result<semver::Version> {
        let live = self
            .releases
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(wanted))
            .map(|r| (r.id.clone(), r.version.clone(), None));
        let archived = || {
            self.index
                .released
                .iter()
                .find(|e| e.id.eq_ignore_ascii_case(wanted))
                .map(|e| (e.id.clone(), e.version.clone(), e.installation.clone()))
        };
        // An update in progress (product releases are all in `releases`).
        let update = || {
            let id = ws.resolve::<Release>(wanted).ok()?;
            let r: Release = ws.load(&id).ok()?;
            Some((r.id, r.version, r.installation))
        };
        // An archived update, named only to say it is not a product release.
        let archived_update = || {
            let updates = ws.archive_index_of(|s| s.updates).ok()?;
            let e = updates
                .released
                .iter()
                .find(|e| e.id.eq_ignore_ascii_case(wanted))?;
            Some((e.id.clone(), e.version.clone(), e.installation.clone()))
        };
        let Some((id, version, installation)) = live
            .or_else(archived)
            .or_else(update)
            .or_else(archived_update)
        else {
            let ids = self.releases.iter().map(|r| r.id.as_str()).chain(
                self.index
                    .released
                    .iter()
                    .filter(|e| e.installation.is_none())
                    .map(|e| e.id.as_str()),
            );
            return Err(super::suggest::with_suggestions(
                invalid(format!(
                    "--version {}: not a version and no product release has that id; \
                     --version takes a version such as 6.2.0 or a product release's id",
                    crate::model::quote::quoted(wanted)
                )),
                wanted,
                ids,
            ));
        };
        if let Some(name) = installation {
            return Err(invalid(format!(
                "{id} is an update of {name}, not a product release; \
                 --version takes a version or a product release's id"
            )));
        }
        parse_version(&version).map_err(|m| invalid(format!("{id}: {m}")))
    }
}

/// `--version` of an update, checked before the repository is read: a
/// version, or something shaped like an id (a product release's, looked
/// up once the repository is open).
#[derive(Debug, Clone)]
pub enum GivenVersion {
    Version(semver::Version),
    Release(String),
}

impl GivenVersion {
    /// `given` as `--version` of `rel new --installation` or `rel rollout`
    /// (`ids`: whether an id is accepted there); exit 2 with the version's
    /// own complaint when it is neither.
    pub fn parse(given: &str, ids: bool) -> anyhow::Result<GivenVersion> {
        match parse_version(given) {
            Ok(v) => Ok(GivenVersion::Version(v)),
            Err(_) if ids && crate::model::ids::validate_id("release", given).is_ok() => {
                Ok(GivenVersion::Release(given.to_string()))
            }
            Err(m) => Err(invalid(m)),
        }
    }

    /// The version meant, reading the product release named.
    pub fn resolve(&self, ws: &Workspace, products: &Products) -> anyhow::Result<semver::Version> {
        match self {
            GivenVersion::Version(v) => Ok(v.clone()),
            GivenVersion::Release(id) => products.version_of(ws, id),
        }
    }
}

/// With `[installations] requires`: refused (rule `depends`, exit 1) unless
/// a product release of `version` has reached it.
pub fn require_product(
    pipeline: &Pipeline,
    version: &semver::Version,
    products: &Products,
    action: crate::model::action::Action,
    release: Option<&str>,
) -> anyhow::Result<()> {
    match carries::may_update(pipeline, version, &products.releases, &products.index) {
        None => Ok(()),
        Some(v) => Err(super::refuse(
            action,
            release,
            &format!("no update to {version} yet"),
            &crate::rules::verdict::Verdict {
                violations: vec![v],
            },
        )),
    }
}
