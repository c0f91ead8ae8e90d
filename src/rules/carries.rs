//! Product releases and the updates that carry them (contract 11.3), pure.
//!
//! A product release is a release with no installation. An update from
//! version F to V carries every product release whose version lies in
//! (F, V] and which is released or has reached `[installations] requires`
//! (without `requires`: every such product release there is, cancelled
//! ones aside). With `requires`, an update to V exists only once a product
//! release of version V has reached it (rule `depends`).

use std::borrow::Borrow;

use crate::model::archive::Index;
use crate::model::incident::Flags;
use crate::model::pipeline::Pipeline;
use crate::model::release::{parse_version, Release, ReleaseHead, State};
use crate::model::rule::RuleCode;

use super::depends::has_reached;
use super::verdict::Violation;

/// Whether product release `r` has reached environment `env` of its
/// pipeline `p`; a released release has reached every environment. The
/// one place that says it, so that a release's own pipeline (named
/// pipelines) is a change of the argument only.
pub fn reached(p: &Pipeline, r: &Release, env: &str) -> bool {
    has_reached(p, &ReleaseHead::from(r), Some(env))
}

/// A product release as carrying sees it.
struct Product<'a> {
    id: &'a str,
    version: semver::Version,
    /// Released or, with `requires`, has reached it (without: any state
    /// but cancelled).
    counts: bool,
}

/// Every product release there is: those read from `releases/` (in
/// progress, or finished ones a repository made before the archive still
/// keeps there) and the released ones of the archive's index.
fn products<'a, R: Borrow<Release>>(
    p: &'a Pipeline,
    releases: &'a [R],
    index: &'a Index,
) -> impl Iterator<Item = Product<'a>> + 'a {
    let requires = p.updates.requires.as_deref();
    let live = releases
        .iter()
        .map(Borrow::borrow)
        .filter(|r: &&Release| r.installation.is_none())
        .filter_map(move |r| {
            let counts = match (r.state, requires) {
                (State::Released, _) => true,
                (State::Cancelled, _) => false,
                (_, Some(env)) => reached(p, r, env),
                (_, None) => true,
            };
            Some(Product {
                id: &r.id,
                version: parse_version(&r.version).ok()?,
                counts,
            })
        });
    let archived = index
        .released
        .iter()
        .filter(|e| e.installation.is_none())
        .filter_map(|e| {
            Some(Product {
                id: &e.id,
                version: parse_version(&e.version).ok()?,
                counts: true,
            })
        });
    live.chain(archived)
}

/// The ids of the product releases an update from `from` to `to` carries,
/// oldest (lowest version) first. `releases`: the product releases read
/// from `releases/` (updates among them are passed over); `index`: the
/// archive's.
pub fn carries<R: Borrow<Release>>(
    p: &Pipeline,
    from: &semver::Version,
    to: &semver::Version,
    releases: &[R],
    index: &Index,
) -> Vec<String> {
    let mut found: Vec<(semver::Version, String)> = products(p, releases, index)
        .filter(|x| x.counts && &x.version > from && &x.version <= to)
        .map(|x| (x.version, x.id.to_string()))
        .collect();
    found.sort();
    found.dedup_by(|a, b| a.1.eq_ignore_ascii_case(&b.1));
    found.into_iter().map(|(_, id)| id).collect()
}

/// With `requires`, may an update to `version` exist? A `depends`
/// violation naming the product releases of that version and where they
/// are, or saying there is none.
pub fn may_update<R: Borrow<Release>>(
    p: &Pipeline,
    version: &semver::Version,
    releases: &[R],
    index: &Index,
) -> Option<Violation> {
    let requires = p.updates.requires.as_deref()?;
    if products(p, releases, index).any(|x| x.counts && &x.version == version) {
        return None;
    }
    let waiting: Vec<String> = releases
        .iter()
        .map(Borrow::borrow)
        .filter(|r: &&Release| r.installation.is_none())
        .filter(|r| parse_version(&r.version).is_ok_and(|v| &v == version))
        .map(|r| match r.state {
            State::Cancelled => format!("{} is cancelled", r.id),
            state => format!("{} is in {} ({state})", r.id, r.environment),
        })
        .collect();
    let message = if waiting.is_empty() {
        format!(
            "no product release has version {version}; updates to it wait for one \
             to reach {requires} ([installations] requires)"
        )
    } else {
        format!(
            "an update to {version} waits for a product release of {version} to reach \
             {requires} ([installations] requires); {}",
            waiting.join("; ")
        )
    };
    Some(Violation::new(RuleCode::Depends, message))
}

/// An incident of a carried release with a flag that decides the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedIncident {
    pub release: String,
    pub incident: String,
    pub flags: Flags,
}

/// The flagged incidents of the carried releases `carried`: from the
/// index for archived ones, else from the release's incidents through
/// `flags_of` (None: no such incident, counted as unflagged).
pub fn carried_incidents<R: Borrow<Release>>(
    carried: &[String],
    releases: &[R],
    index: &Index,
    flags_of: impl Fn(&str) -> Option<Flags>,
) -> Vec<CarriedIncident> {
    let mut out = Vec::new();
    for id in carried {
        let live = releases
            .iter()
            .map(Borrow::borrow)
            .find(|r: &&Release| r.id.eq_ignore_ascii_case(id));
        if let Some(r) = live {
            for i in &r.incidents {
                let flags = flags_of(i).unwrap_or_default();
                if flags != Flags::default() {
                    out.push(CarriedIncident {
                        release: r.id.clone(),
                        incident: i.to_string(),
                        flags,
                    });
                }
            }
        } else if let Some(e) = index
            .released
            .iter()
            .find(|e| e.id.eq_ignore_ascii_case(id))
        {
            out.extend(e.flagged.iter().map(|f| CarriedIncident {
                release: e.id.clone(),
                incident: f.id.clone(),
                flags: f.flags(),
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::archive::{FlaggedIncident, Shipped};
    use crate::model::pipeline::UpdateSettings;

    fn v(s: &str) -> semver::Version {
        semver::Version::parse(s).expect("test version")
    }

    fn pipeline(requires: Option<&str>) -> Pipeline {
        use crate::model::pipeline::Environment;
        Pipeline {
            pipelines: Default::default(),
            calendar: Default::default(),
            roles: Default::default(),
            environments: ["dev", "staging", "production"]
                .into_iter()
                .map(Environment::named)
                .collect(),
            require_incidents: true,
            sync: None,
            notify: Vec::new(),
            simple_max_hop: Default::default(),
            paths_table: false,
            installations: Default::default(),
            updates: UpdateSettings {
                requires: requires.map(str::to_string),
            },
            audit: Default::default(),
            override_by: None,
            notify_on: None,
        }
    }

    fn release(id: &str, version: &str, env: &str, state: State) -> Release {
        let mut r = crate::rules::register::fixtures::release(id, state, &[]);
        r.version = version.into();
        r.environment = env.into();
        r
    }

    fn index() -> Index {
        Index::default().with(Shipped {
            id: "P-6.1.0".into(),
            version: "6.1.0".into(),
            installation: None,
            breaking: true,
            flagged: vec![FlaggedIncident {
                id: "INC-1".into(),
                breaking: true,
                compat_work: false,
                client_work: false,
            }],
        })
    }

    #[test]
    fn carries_what_lies_in_the_hop_and_has_gone_far_enough() {
        let releases = vec![
            release("P-6.2.0", "6.2.0", "production", State::Open),
            release("P-6.3.0", "6.3.0", "staging", State::Frozen),
            release("P-6.1.5", "6.1.5", "dev", State::Cancelled),
        ];
        let all = carries(
            &pipeline(None),
            &v("6.0.0"),
            &v("6.3.0"),
            &releases,
            &index(),
        );
        assert_eq!(all, ["P-6.1.0", "P-6.2.0", "P-6.3.0"]);
        let far = pipeline(Some("production"));
        let some = carries(&far, &v("6.0.0"), &v("6.3.0"), &releases, &index());
        assert_eq!(some, ["P-6.1.0", "P-6.2.0"]);
        // The lower end is excluded: the installation runs it already.
        let above = carries(&far, &v("6.1.0"), &v("6.2.0"), &releases, &index());
        assert_eq!(above, ["P-6.2.0"]);
    }

    #[test]
    fn an_update_waits_for_its_version_to_reach_requires() {
        let releases = vec![release("P-6.3.0", "6.3.0", "staging", State::Frozen)];
        let far = pipeline(Some("production"));
        assert!(may_update(&far, &v("6.1.0"), &releases, &index()).is_none());
        let waits = may_update(&far, &v("6.3.0"), &releases, &index()).expect("refused");
        assert_eq!(waits.rule, RuleCode::Depends);
        assert!(waits.message.contains("P-6.3.0 is in staging (frozen)"));
        let none = may_update(&far, &v("7.0.0"), &releases, &index()).expect("refused");
        assert!(none
            .message
            .contains("no product release has version 7.0.0"));
        assert!(may_update(&pipeline(None), &v("7.0.0"), &releases, &index()).is_none());
    }

    #[test]
    fn carried_incidents_come_from_the_index_or_the_register() {
        let mut live = release("P-6.2.0", "6.2.0", "production", State::Open);
        live.incidents = vec!["INC-2".into(), "INC-3".into()];
        let flags = |id: &str| {
            (id == "INC-3").then_some(Flags {
                client_work: true,
                ..Flags::default()
            })
        };
        let found = carried_incidents(
            &["P-6.1.0".into(), "P-6.2.0".into()],
            &[live],
            &index(),
            flags,
        );
        let named: Vec<(&str, &str)> = found
            .iter()
            .map(|c| (c.release.as_str(), c.incident.as_str()))
            .collect();
        assert_eq!(named, [("P-6.1.0", "INC-1"), ("P-6.2.0", "INC-3")]);
    }
}
