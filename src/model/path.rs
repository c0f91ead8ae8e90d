//! Update paths (contract section 8): the simple or the standard path a
//! release takes, the hop it makes, and the record of who chose the path
//! and why.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::quote::cut;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UpdatePath {
    Simple,
    Standard,
}

impl UpdatePath {
    pub fn as_str(self) -> &'static str {
        match self {
            UpdatePath::Simple => "simple",
            UpdatePath::Standard => "standard",
        }
    }
}

impl fmt::Display for UpdatePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UpdatePath {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "simple" => Ok(UpdatePath::Simple),
            "standard" => Ok(UpdatePath::Standard),
            _ => Err(format!(
                "unknown path `{}`; expected simple or standard",
                cut(s)
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SetBy {
    /// Decided from the hop and the incidents' flags; decided again at each
    /// content change.
    Rules,
    /// Set with `rel path --set`; stays until set again.
    Person,
}

impl SetBy {
    pub fn as_str(self) -> &'static str {
        match self {
            SetBy::Rules => "rules",
            SetBy::Person => "person",
        }
    }
}

/// The path of a release as its manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathRecord {
    pub name: UpdatePath,
    pub set_by: SetBy,
    pub at: DateTime<Utc>,
    pub by: String,
    /// The person's reason (`--reason`), when set by a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Why the rules chose the standard path: the conditions that failed
    /// when it was decided (empty on the simple path).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

/// `[paths] simple_max_hop`: the largest hop the simple path takes,
/// compared major first, then minor, then patch (no limit on patches
/// unless `patch` is given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxHop {
    pub major: u64,
    pub minor: u64,
    pub patch: Option<u64>,
}

impl Default for MaxHop {
    /// One minor version, any number of patches: the contract's example.
    fn default() -> Self {
        MaxHop {
            major: 0,
            minor: 1,
            patch: None,
        }
    }
}

impl fmt::Display for MaxHop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} major, {} minor", self.major, self.minor)?;
        match self.patch {
            Some(p) => write!(f, ", {p} patch"),
            None => Ok(()),
        }
    }
}

/// The distance between two versions: the major versions jumped, or else
/// the minor versions, or else the patches (one of the three is non-zero
/// unless the versions are the same or go down).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub from: semver::Version,
    pub to: semver::Version,
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Hop {
    pub fn between(from: &semver::Version, to: &semver::Version) -> Hop {
        let (mut major, mut minor, mut patch) = (0, 0, 0);
        if to.major > from.major {
            major = to.major - from.major;
        } else if to.major == from.major {
            if to.minor > from.minor {
                minor = to.minor - from.minor;
            } else if to.minor == from.minor && to.patch > from.patch {
                patch = to.patch - from.patch;
            }
        }
        Hop {
            from: from.clone(),
            to: to.clone(),
            major,
            minor,
            patch,
        }
    }

    /// Whether the hop is no larger than `max` (lexicographically).
    pub fn within(&self, max: &MaxHop) -> bool {
        use std::cmp::Ordering::*;
        match self.major.cmp(&max.major) {
            Less => true,
            Greater => false,
            Equal => match self.minor.cmp(&max.minor) {
                Less => true,
                Greater => false,
                Equal => max.patch.is_none_or(|p| self.patch <= p),
            },
        }
    }

    /// The kind of release the hop makes: an update's kind (7.4.3 -> 7.6.1
    /// is minor, not the patch its version alone would say).
    pub fn kind(&self) -> super::release::Kind {
        use super::release::Kind;
        if self.major > 0 {
            Kind::Major
        } else if self.minor > 0 {
            Kind::Minor
        } else {
            Kind::Patch
        }
    }

    /// "2 minor", "1 major", "3 patch", "none".
    pub fn size(&self) -> String {
        if self.major > 0 {
            format!("{} major", self.major)
        } else if self.minor > 0 {
            format!("{} minor", self.minor)
        } else if self.patch > 0 {
            format!("{} patch", self.patch)
        } else {
            "none".to_string()
        }
    }

    /// Whether `v` lies in the hop: above where it starts, up to where it ends.
    pub fn contains(&self, v: &semver::Version) -> bool {
        cmp_numbers(v, &self.from).is_gt() && cmp_numbers(v, &self.to).is_le()
    }
}

/// Versions compared by their numbers alone (pre-release tags aside).
fn cmp_numbers(a: &semver::Version, b: &semver::Version) -> std::cmp::Ordering {
    (a.major, a.minor, a.patch).cmp(&(b.major, b.minor, b.patch))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(s: &str) -> semver::Version {
        semver::Version::parse(s).expect("test version")
    }

    #[test]
    fn the_contracts_examples() {
        let h = Hop::between(&v("5.2.1"), &v("5.4.0"));
        assert_eq!((h.major, h.minor, h.patch), (0, 2, 0));
        let h = Hop::between(&v("4.9.0"), &v("5.1.2"));
        assert_eq!((h.major, h.minor, h.patch), (1, 0, 0));
        let h = Hop::between(&v("7.4.3"), &v("7.6.1"));
        assert_eq!(h.size(), "2 minor");
    }

    #[test]
    fn within_compares_major_then_minor_then_patch() {
        let max = MaxHop::default();
        assert!(Hop::between(&v("1.0.0"), &v("1.1.0")).within(&max));
        assert!(Hop::between(&v("1.0.0"), &v("1.0.9")).within(&max));
        assert!(!Hop::between(&v("1.0.0"), &v("1.2.0")).within(&max));
        assert!(!Hop::between(&v("1.9.0"), &v("2.0.0")).within(&max));
        let one_major = MaxHop {
            major: 1,
            minor: 0,
            patch: None,
        };
        assert!(Hop::between(&v("1.0.0"), &v("1.7.0")).within(&one_major));
        assert!(Hop::between(&v("1.0.0"), &v("2.7.0")).within(&one_major));
        assert!(!Hop::between(&v("1.0.0"), &v("3.0.0")).within(&one_major));
    }

    proptest! {
        /// The hop agrees with semver's ordering: exactly one part is
        /// non-zero when the version goes up, the biggest part that
        /// changed, and it is the difference of that part.
        #[test]
        fn hops_follow_semver(a in (0u64..50, 0u64..50, 0u64..50), b in (0u64..50, 0u64..50, 0u64..50)) {
            let from = semver::Version::new(a.0, a.1, a.2);
            let to = semver::Version::new(b.0, b.1, b.2);
            let h = Hop::between(&from, &to);
            let parts = [h.major, h.minor, h.patch];
            let nonzero = parts.iter().filter(|p| **p > 0).count();
            if to > from {
                prop_assert_eq!(nonzero, 1);
                if to.major != from.major {
                    prop_assert_eq!(h.major, to.major - from.major);
                } else if to.minor != from.minor {
                    prop_assert_eq!(h.minor, to.minor - from.minor);
                } else {
                    prop_assert_eq!(h.patch, to.patch - from.patch);
                }
                prop_assert!(h.contains(&to));
                prop_assert!(!h.contains(&from));
            } else {
                prop_assert_eq!(nonzero, 0);
            }
        }
    }
}
