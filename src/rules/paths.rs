//! Which update path a release takes (contract section 8), pure: the
//! simple path when every condition holds, else the standard path, with
//! each condition's outcome as a sentence.

use chrono::{DateTime, Utc};

use crate::model::action::Action;
use crate::model::incident::Flags;
use crate::model::path::{Hop, MaxHop, PathRecord, SetBy, UpdatePath};
use crate::model::pipeline::Pipeline;
use crate::model::release::{Event, Release};
use crate::model::rule::RuleCode;
use crate::rules::carries::CarriedIncident;
use crate::rules::promotion::finished;
use crate::rules::register::effects::Stamp;
use crate::rules::verdict::{Verdict, Violation};

/// One of the four conditions, as decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// `hop`, `breaking`, `compat-work` or `client-work`.
    pub condition: &'static str,
    pub holds: bool,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathDecision {
    pub path: UpdatePath,
    pub hop: Hop,
    pub conditions: Vec<Condition>,
}

impl PathDecision {
    /// The conditions that fail, as the reasons for the standard path.
    pub fn reasons(&self) -> Vec<String> {
        self.conditions
            .iter()
            .filter(|c| !c.holds)
            .map(|c| c.message.clone())
            .collect()
    }

    /// The record of this decision, made by the rules.
    pub fn record(&self, at: DateTime<Utc>, by: &str) -> PathRecord {
        PathRecord {
            name: self.path,
            set_by: SetBy::Rules,
            at,
            by: by.to_string(),
            reason: None,
            reasons: self.reasons(),
        }
    }
}

/// What the decision reads.
pub struct PathFacts<'a> {
    pub max: &'a MaxHop,
    pub version: &'a semver::Version,
    /// Where the hop starts: the installation's version, or the last
    /// released version; None: nothing before (counted from 0.0.0).
    pub from: Option<&'a semver::Version>,
    /// The flags of the release's incidents, by incident id.
    pub incidents: &'a [(String, Flags)],
    /// Released releases whose version lies in the hop and that hold a
    /// breaking incident: (release id, version).
    pub breaking_released: &'a [(String, semver::Version)],
    /// The flagged incidents of the product releases an update carries
    /// (contract 11.3): they count as its own.
    pub carried: &'a [CarriedIncident],
}

/// `R: INC-1, INC-2; R2: INC-3`: the carried incidents `pick` selects, by release.
fn carried_named(carried: &[CarriedIncident], pick: fn(&Flags) -> bool) -> Option<String> {
    let mut by_release: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in carried.iter().filter(|c| pick(&c.flags)) {
        match by_release.iter_mut().find(|(r, _)| *r == c.release) {
            Some((_, ids)) => ids.push(&c.incident),
            None => by_release.push((&c.release, vec![&c.incident])),
        }
    }
    (!by_release.is_empty()).then(|| {
        by_release
            .iter()
            .map(|(r, ids)| format!("{r} ({})", ids.join(", ")))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

pub fn decide(f: &PathFacts) -> PathDecision {
    let zero = semver::Version::new(0, 0, 0);
    let from = f.from.unwrap_or(&zero);
    let hop = Hop::between(from, f.version);
    let within = hop.within(f.max);
    let start = match f.from {
        Some(v) => v.to_string(),
        None => "nothing released (0.0.0)".to_string(),
    };
    let mut conditions = vec![Condition {
        condition: "hop",
        holds: within,
        message: format!(
            "the hop from {start} to {} is {}; the simple path takes at most {}",
            f.version,
            hop.size(),
            f.max
        ),
    }];

    let flagged = |pick: fn(&Flags) -> bool| -> Vec<&str> {
        f.incidents
            .iter()
            .filter(|(_, flags)| pick(flags))
            .map(|(id, _)| id.as_str())
            .collect()
    };
    let breaking = flagged(|x| x.breaking);
    let carried_breaking = carried_named(f.carried, |x| x.breaking);
    // A carried release is named once, with its incidents.
    let released: Vec<String> = f
        .breaking_released
        .iter()
        .filter(|(id, _)| {
            !f.carried
                .iter()
                .any(|c| c.flags.breaking && c.release.eq_ignore_ascii_case(id))
        })
        .map(|(id, v)| format!("{id} ({v})"))
        .collect();
    let mut message = match (breaking.is_empty(), released.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!("breaking change: {}", breaking.join(", ")),
        (true, false) => format!(
            "breaking change released within the hop: {}",
            released.join(", ")
        ),
        (false, false) => format!(
            "breaking change: {}; and released within the hop: {}",
            breaking.join(", "),
            released.join(", ")
        ),
    };
    if let Some(named) = &carried_breaking {
        if !message.is_empty() {
            message.push_str("; ");
        }
        message.push_str(&format!("breaking change in a carried release: {named}"));
    }
    conditions.push(Condition {
        condition: "breaking",
        holds: message.is_empty(),
        message: if message.is_empty() {
            "no breaking change in the release or in the hop".to_string()
        } else {
            message
        },
    });
    for (condition, pick, what) in [
        (
            "compat-work",
            (|x: &Flags| x.compat_work) as fn(&Flags) -> bool,
            "compatibility work",
        ),
        ("client-work", |x: &Flags| x.client_work, "client work"),
    ] {
        let ids = flagged(pick);
        let mut parts = Vec::new();
        if !ids.is_empty() {
            parts.push(format!("needs {what}: {}", ids.join(", ")));
        }
        if let Some(named) = carried_named(f.carried, pick) {
            parts.push(format!("a carried release needs {what}: {named}"));
        }
        conditions.push(Condition {
            condition,
            holds: parts.is_empty(),
            message: if parts.is_empty() {
                format!("no incident needs {what}")
            } else {
                parts.join("; ")
            },
        });
    }
    let path = if conditions.iter().all(|c| c.holds) {
        UpdatePath::Simple
    } else {
        UpdatePath::Standard
    };
    PathDecision {
        path,
        hop,
        conditions,
    }
}

/// Records decision `d` on `r` unless a person set its path, when it
/// differs from the one recorded. True when it changed.
pub fn record_if_changed(r: &mut Release, d: &PathDecision, at: DateTime<Utc>, by: &str) -> bool {
    if r.path.as_ref().is_some_and(|p| p.set_by == SetBy::Person) {
        return false;
    }
    let same = r
        .path
        .as_ref()
        .is_some_and(|p| p.name == d.path && p.reasons == d.reasons());
    if same {
        return false;
    }
    r.path = Some(d.record(at, by));
    true
}

/// The first environment before the release's current one that only the
/// standard path goes through and that it has not been through: where
/// reclassifying it to standard sends it back.
pub fn first_unvisited(p: &Pipeline, r: &Release) -> Option<usize> {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let current = p.position(&r.environment)?;
    (0..current).find(|&i| {
        let e = &p.environments[i];
        e.on_path(UpdatePath::Standard)
            && !e.on_path(UpdatePath::Simple)
            && !r.history.iter().any(|h| {
                h.env
                    .as_deref()
                    .is_some_and(|env| env.eq_ignore_ascii_case(&e.name))
            })
    })
}

/// May a person set `r`'s path to `wanted`? `state` when it is over;
/// `path` for the simple path while a condition fails; `exclusive` when
/// the environment it would go back to (`back`) holds another release
/// (`occupants`).
pub fn may_set_path(
    p: &Pipeline,
    r: &Release,
    wanted: UpdatePath,
    d: &PathDecision,
    back: Option<usize>,
    occupants: &[String],
) -> Verdict {
    // The environments of its own pipeline (contract 11.2).
    let p = &*p.lane_of(r);
    let mut v = Verdict::default();
    if let Some(state) = finished(r) {
        v.push(state);
        return v;
    }
    if wanted == UpdatePath::Simple {
        for c in d.conditions.iter().filter(|c| !c.holds) {
            v.push(Violation::new(RuleCode::Path, c.message.clone()));
        }
    }
    if let Some(i) = back.filter(|_| !occupants.is_empty()) {
        v.push(Violation::new(
            RuleCode::Exclusive,
            format!(
                "{} holds one release at a time and {} is there",
                p.environments[i].name,
                occupants.join(", ")
            ),
        ));
    }
    v
}

/// Sets the path by hand: recorded with the reason, and back to `back`
/// (an index) when given, as a new stay there.
pub fn set_path(
    p: &Pipeline,
    r: &mut Release,
    wanted: UpdatePath,
    d: &PathDecision,
    back: Option<usize>,
    reason: &str,
    stamp: Stamp,
) {
    let (at, by) = (stamp.at, stamp.by);
    r.path = Some(PathRecord {
        name: wanted,
        set_by: SetBy::Person,
        at,
        by: by.to_string(),
        reason: Some(reason.to_string()),
        reasons: d.reasons(),
    });
    let mut event = Event::new(at, by, Action::Path);
    event.reason = Some(reason.to_string());
    event.detail = Some(format!("{wanted} path"));
    if let Some(i) = back {
        let target = p.environments[i].name.clone();
        event.from = Some(r.environment.clone());
        event.env = Some(target.clone());
        r.environment = target;
        r.entered_at = at;
    }
    r.history.push(event);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> semver::Version {
        semver::Version::parse(s).expect("test version")
    }

    fn decide_with(from: &str, to: &str, incidents: &[(String, Flags)]) -> PathDecision {
        let (from, to) = (v(from), v(to));
        decide(&PathFacts {
            max: &MaxHop::default(),
            version: &to,
            from: Some(&from),
            incidents,
            breaking_released: &[],
            carried: &[],
        })
    }

    #[test]
    fn every_condition_turns_the_path_standard() {
        assert_eq!(decide_with("5.2.1", "5.3.0", &[]).path, UpdatePath::Simple);
        let big = decide_with("5.2.1", "5.4.0", &[]);
        assert_eq!(big.path, UpdatePath::Standard);
        assert!(big.reasons()[0].contains("2 minor"), "{:?}", big.reasons());
        for flags in [
            Flags {
                breaking: true,
                ..Flags::default()
            },
            Flags {
                compat_work: true,
                ..Flags::default()
            },
            Flags {
                client_work: true,
                ..Flags::default()
            },
        ] {
            let d = decide_with("5.2.1", "5.2.2", &[("INC-1".into(), flags)]);
            assert_eq!(d.path, UpdatePath::Standard);
            assert_eq!(d.reasons().len(), 1);
            assert!(d.reasons()[0].contains("INC-1"));
        }
    }

    #[test]
    fn a_breaking_release_within_the_hop_counts() {
        let (from, to) = (v("5.2.1"), v("5.3.0"));
        let d = decide(&PathFacts {
            max: &MaxHop::default(),
            version: &to,
            from: Some(&from),
            incidents: &[],
            breaking_released: &[("R-7".into(), v("5.2.5"))],
            carried: &[],
        });
        assert_eq!(d.path, UpdatePath::Standard);
        assert!(d.reasons()[0].contains("R-7 (5.2.5)"));
    }

    #[test]
    fn a_carried_release_counts_and_is_named_with_its_incident() {
        let (from, to) = (v("6.1.0"), v("6.2.0"));
        let carried = |flags| CarriedIncident {
            release: "P-6.2.0".into(),
            incident: "INC-9".into(),
            flags,
        };
        for (flags, condition) in [
            (
                Flags {
                    breaking: true,
                    ..Flags::default()
                },
                "breaking",
            ),
            (
                Flags {
                    compat_work: true,
                    ..Flags::default()
                },
                "compat-work",
            ),
            (
                Flags {
                    client_work: true,
                    ..Flags::default()
                },
                "client-work",
            ),
        ] {
            let d = decide(&PathFacts {
                max: &MaxHop::default(),
                version: &to,
                from: Some(&from),
                incidents: &[],
                // Released and carried: named once, with its incident.
                breaking_released: &[("P-6.2.0".into(), v("6.2.0"))],
                carried: &[carried(flags)],
            });
            assert_eq!(d.path, UpdatePath::Standard);
            let failing: Vec<&Condition> = d.conditions.iter().filter(|c| !c.holds).collect();
            let wanted = if condition == "breaking" { 1 } else { 2 };
            assert_eq!(failing.len(), wanted, "{failing:?}");
            let c = failing
                .iter()
                .find(|c| c.condition == condition)
                .expect("the carried flag fails its condition");
            assert!(c.message.contains("P-6.2.0 (INC-9)"), "{}", c.message);
        }
    }
}
