//! The fleet (contract 11.9): every installation with its version and its
//! update in progress as the rules see it now, and a summary. PURE: the
//! one computation `rel fleet` (text and JSON) and the board's fleet page
//! render, so they can never disagree.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::model::installation::{same_installation, Installation};
use crate::model::pipeline::Pipeline;
use crate::model::release::{parse_version, Release, ReleaseHead};

use super::decide::promote::verdict_into;
use super::promotion::resolve_target;

/// The fleet as of `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fleet {
    pub at: DateTime<Utc>,
    /// The campaign's version (`--version`), if any.
    pub campaign: Option<semver::Version>,
    /// In the order the installations were given (by name).
    pub installations: Vec<FleetLine>,
    pub summary: Summary,
}

/// One installation.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetLine {
    pub name: String,
    pub version: String,
    pub update: Option<Update>,
}

/// An installation's next update in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub release: String,
    pub version: String,
    pub environment: String,
    pub state: String,
    /// Every schedule, as written: (environment, instant).
    pub schedules: Vec<(String, DateTime<Utc>)>,
    /// Its latest health report in its environment: passed or failed.
    pub health: Option<bool>,
    /// The hold's reason, when it is on hold.
    pub held: Option<String>,
    /// The rules that keep it from its next environment now, as `rel
    /// status` asks them; empty: ready.
    pub blocked_by: Vec<String>,
}

impl Update {
    /// The earliest schedule: (environment, instant).
    pub fn next_schedule(&self) -> Option<&(String, DateTime<Utc>)> {
        self.schedules.iter().min_by_key(|(_, at)| *at)
    }
}

/// Counts over the fleet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Installations per version they run.
    pub versions: BTreeMap<String, usize>,
    /// Updates in progress per environment they are in.
    pub environments: BTreeMap<String, usize>,
    /// Updates blocked, per rule.
    pub blocked: BTreeMap<String, usize>,
    /// Updates whose latest health report failed: a person must decide.
    pub failed_health: usize,
    pub campaign: Option<Campaign>,
}

/// The campaign towards a version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Campaign {
    /// Already at or above the version.
    pub done: usize,
    /// Below it, with an update in progress to it or above.
    pub in_progress: usize,
    pub not_started: usize,
}

/// The fleet: `in_progress` are the releases in progress; `heads` every
/// release the verdicts may ask about (those in progress and the finished
/// ones they depend on).
pub fn fleet(
    p: &Pipeline,
    installations: &[Installation],
    in_progress: &[Release],
    heads: &[ReleaseHead],
    now: DateTime<Utc>,
    campaign: Option<semver::Version>,
) -> Fleet {
    let lines: Vec<FleetLine> = installations
        .iter()
        .map(|i| FleetLine {
            name: i.name.clone(),
            version: i.version.clone(),
            // The next update of the installation: its lowest version.
            update: in_progress
                .iter()
                .filter(|r| same_installation(r.installation.as_deref(), Some(&i.name)))
                .min_by_key(|r| parse_version(&r.version).ok())
                .map(|r| update(p, heads, r, now)),
        })
        .collect();
    let summary = summary(&lines, campaign.as_ref());
    Fleet {
        at: now,
        campaign,
        installations: lines,
        summary,
    }
}

fn update(p: &Pipeline, heads: &[ReleaseHead], r: &Release, now: DateTime<Utc>) -> Update {
    // The verdict `rel status` shows: into the next environment.
    let verdict = resolve_target(p, r, None)
        .ok()
        .map(|to| verdict_into(p, heads, r, to, now));
    Update {
        release: r.id.clone(),
        version: r.version.clone(),
        environment: r.environment.clone(),
        state: r.state.as_str().to_string(),
        schedules: r.schedules.iter().map(|s| (s.env.clone(), s.at)).collect(),
        health: r.latest_health(&r.environment).map(|h| h.passed),
        held: r.held.as_ref().map(|h| h.reason.clone()),
        blocked_by: verdict
            .map(|v| v.verdict.codes().iter().map(|c| c.to_string()).collect())
            .unwrap_or_default(),
    }
}

fn summary(lines: &[FleetLine], campaign: Option<&semver::Version>) -> Summary {
    let mut s = Summary {
        campaign: campaign.map(|_| Campaign::default()),
        ..Summary::default()
    };
    for l in lines {
        *s.versions.entry(l.version.clone()).or_default() += 1;
        if let Some(u) = &l.update {
            *s.environments.entry(u.environment.clone()).or_default() += 1;
            for code in &u.blocked_by {
                *s.blocked.entry(code.clone()).or_default() += 1;
            }
            if u.health == Some(false) {
                s.failed_health += 1;
            }
        }
        if let (Some(v), Some(c)) = (campaign, s.campaign.as_mut()) {
            let at = parse_version(&l.version).ok();
            let going = l
                .update
                .as_ref()
                .and_then(|u| parse_version(&u.version).ok())
                .is_some_and(|uv| uv >= *v);
            if at.is_some_and(|a| a >= *v) {
                c.done += 1;
            } else if going {
                c.in_progress += 1;
            } else {
                c.not_started += 1;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, version: &str, update: Option<(&str, &str, bool, &[&str])>) -> FleetLine {
        FleetLine {
            name: name.into(),
            version: version.into(),
            update: update.map(|(version, env, failed, blocked)| Update {
                release: format!("{name}-{version}"),
                version: version.into(),
                environment: env.into(),
                state: "open".into(),
                schedules: Vec::new(),
                health: failed.then_some(false),
                held: None,
                blocked_by: blocked.iter().map(|b| b.to_string()).collect(),
            }),
        }
    }

    #[test]
    fn the_summary_counts_versions_environments_rules_health_and_the_campaign() {
        let lines = [
            line("a", "5.2.1", Some(("5.4.0", "preview", false, &["held"]))),
            line("b", "5.3.0", Some(("5.4.0", "staging", true, &["health"]))),
            line("c", "5.4.0", None),
            line(
                "d",
                "5.1.0",
                Some(("5.3.0", "preview", false, &["held", "soak"])),
            ),
            line("e", "5.1.0", None),
        ];
        let v = parse_version("5.4.0").expect("version");
        let s = summary(&lines, Some(&v));
        assert_eq!(s.versions.get("5.1.0"), Some(&2));
        assert_eq!(s.environments.get("preview"), Some(&2));
        assert_eq!(s.environments.get("staging"), Some(&1));
        assert_eq!(s.blocked.get("held"), Some(&2));
        assert_eq!(s.blocked.get("soak"), Some(&1));
        assert_eq!(s.failed_health, 1);
        assert_eq!(
            s.campaign,
            Some(Campaign {
                done: 1,
                in_progress: 2,
                not_started: 2
            })
        );
        assert_eq!(summary(&lines, None).campaign, None);
    }

    #[test]
    fn the_next_schedule_is_the_earliest() {
        let t = |h: u32| {
            chrono::DateTime::parse_from_rfc3339(&format!("2026-12-01T{h:02}:00:00Z"))
                .expect("time")
                .with_timezone(&Utc)
        };
        let mut l = line("a", "1.0.0", Some(("1.1.0", "preview", false, &[])));
        let u = l.update.as_mut().expect("update");
        u.schedules = vec![("live".into(), t(9)), ("staging".into(), t(7))];
        assert_eq!(u.next_schedule(), Some(&("staging".to_string(), t(7))));
    }
}
