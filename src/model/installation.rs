//! A client installation, `releases/installations/<NAME>.toml` (contract
//! section 8): what version it runs, who administers it, and the role
//! members and windows that replace the pipeline's for its updates.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::calendar::Window;
use super::ids::validate_id;
use super::quote::quoted;
use super::release::parse_version;
use super::window::parse_window;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Installation {
    pub name: String,
    /// What it runs; `rel close` of its update sets it.
    pub version: String,
    /// Told about its updates' schedules (section 7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub admins: Vec<String>,
    /// Role -> members; replaces the pipeline's members of that role for
    /// its updates. Roles not named here keep the pipeline's members.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, Vec<String>>,
    /// Replace the windows of every environment that has windows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<String>,
    /// For its windows; None: the calendar's timezone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// The rules-facing part of an installation, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct InstallationRules {
    pub name: String,
    pub version: semver::Version,
    pub admins: Vec<String>,
    pub roles: BTreeMap<String, Vec<String>>,
    pub windows: Vec<Window>,
    pub timezone: Option<Tz>,
}

impl Installation {
    /// Checks every field; Err is a message naming the bad value (the
    /// caller adds the file).
    pub fn rules(&self) -> Result<InstallationRules, String> {
        validate_id("installation", &self.name)?;
        let version = parse_version(&self.version)?;
        for admin in &self.admins {
            email(admin, "admins")?;
        }
        for (role, members) in &self.roles {
            validate_id("role", role)?;
            for m in members {
                email(m, &format!("roles.{role}"))?;
            }
        }
        let windows = self
            .windows
            .iter()
            .map(|w| parse_window(w))
            .collect::<Result<Vec<_>, _>>()?;
        let timezone = self.timezone.as_deref().map(timezone).transpose()?;
        Ok(InstallationRules {
            name: self.name.clone(),
            version,
            admins: self.admins.clone(),
            roles: self.roles.clone(),
            windows,
            timezone,
        })
    }
}

/// Whether two releases are of the same installation (None: releases of
/// the pipeline's own environments). Names are one name whatever their case.
pub fn same_installation(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

/// An IANA timezone name, or a message saying what was expected.
pub fn timezone(name: &str) -> Result<Tz, String> {
    Tz::from_str(name).map_err(|_| {
        format!(
            "unknown timezone {}; expected an IANA name such as \"America/New_York\" or \"UTC\"",
            quoted(name)
        )
    })
}

/// An e-mail address as role lists hold them: something with an `@`.
pub fn email(text: &str, what: &str) -> Result<(), String> {
    let t = text.trim();
    if t.is_empty() || !t.contains('@') || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{what}: {} is not an e-mail address", quoted(text)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme() -> Installation {
        Installation {
            name: "acme".into(),
            version: "5.2.1".into(),
            admins: vec!["it@acme.example".into()],
            roles: BTreeMap::from([("client".into(), vec!["ana@acme.example".into()])]),
            windows: vec!["sat 01:00-03:00".into()],
            timezone: Some("America/New_York".into()),
        }
    }

    #[test]
    fn a_valid_installation_gives_its_rules() {
        let r = acme().rules().expect("valid");
        assert_eq!(r.version, semver::Version::new(5, 2, 1));
        assert_eq!(r.windows.len(), 1);
        assert_eq!(r.timezone, Some(chrono_tz::America::New_York));
    }

    #[test]
    fn bad_values_are_named() {
        let mut i = acme();
        i.timezone = Some("Mars/Olympus".into());
        assert!(i.rules().unwrap_err().contains("Mars/Olympus"));
        let mut i = acme();
        i.admins = vec!["nobody".into()];
        assert!(i.rules().unwrap_err().contains("nobody"));
        let mut i = acme();
        i.windows = vec!["someday".into()];
        assert!(i.rules().unwrap_err().contains("someday"));
        let mut i = acme();
        i.version = "five".into();
        assert!(i.rules().unwrap_err().contains("five"));
    }
}
