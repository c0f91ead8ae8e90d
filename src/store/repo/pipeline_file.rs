//! Reading `environments.toml` into a validated `Pipeline`, with errors that
//! name the file, line and column.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use toml::value::Datetime;
use toml::Spanned;

use crate::error::invalid;
use crate::model::calendar::{Blackout, BlackoutBound, Calendar, WeekdaySet};
use crate::model::ids::{id_key, validate_id};
use crate::model::named_pipelines::{NamedPipeline, Pipelines, DEFAULT_PIPELINE};
use crate::model::path::{MaxHop, UpdatePath};
use crate::model::pipeline::{ChecklistItem, Environment, Pipeline, Soak, SyncSettings};
use crate::model::quote::quoted;
use crate::model::release::Kind;
use crate::model::rule::RuleCode;
use crate::model::span::Span;
use crate::model::window::{parse_weekday, parse_window};

use super::toml_file::{located, parse};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPipeline {
    /// false: a release may be frozen without incidents.
    #[serde(default)]
    require_incidents: Option<bool>,
    #[serde(default)]
    calendar: Option<RawCalendar>,
    #[serde(default)]
    roles: Option<Spanned<BTreeMap<String, Vec<String>>>>,
    #[serde(default)]
    environments: Vec<RawEnvironment>,
    #[serde(default)]
    sync: Option<Spanned<RawSync>>,
    #[serde(default)]
    notify: Vec<Spanned<String>>,
    #[serde(default)]
    paths: Option<RawPaths>,
    #[serde(default)]
    audit: Option<RawAudit>,
    #[serde(default)]
    override_by: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    notify_on: Option<Vec<Spanned<String>>>,
    /// `[pipelines.NAME]`: named pipelines besides the default (11.2).
    #[serde(default)]
    pipelines: Option<Spanned<BTreeMap<String, Spanned<RawNamedPipeline>>>>,
    #[serde(default)]
    installations: Option<super::pipeline_updates::RawInstallations>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [pipelines.NAME] table with description and [[pipelines.NAME.environments]]"
)]
struct RawNamedPipeline {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    environments: Vec<RawEnvironment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [paths] table with simple_max_hop")]
struct RawPaths {
    simple_max_hop: Option<Spanned<RawMaxHop>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a hop such as { major = 0, minor = 1 }"
)]
struct RawMaxHop {
    #[serde(default)]
    major: i64,
    #[serde(default)]
    minor: i64,
    patch: Option<i64>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an [audit] table with require_signed, policy_owners, allowed_signers"
)]
struct RawAudit {
    #[serde(default)]
    require_signed: bool,
    #[serde(default)]
    policy_owners: Vec<Spanned<String>>,
    #[serde(default)]
    allowed_signers: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [sync] table with remote, branch, retries, fetch_on_read"
)]
struct RawSync {
    remote: Spanned<String>,
    branch: Option<Spanned<String>>,
    retries: Option<Spanned<i64>>,
    #[serde(default)]
    fetch_on_read: bool,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [calendar] table with timezone, workdays, holidays"
)]
struct RawCalendar {
    timezone: Option<Spanned<String>>,
    workdays: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    holidays: Vec<Spanned<Datetime>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "business days by kind, such as { major = 10, minor = 3, patch = 0 }"
)]
struct RawSoak {
    #[serde(default)]
    major: u32,
    #[serde(default)]
    minor: u32,
    #[serde(default)]
    patch: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItemTable {
    item: String,
    #[serde(default)]
    kinds: Vec<Kind>,
}

/// A checklist item: a string, or `{ item, kinds }`. Not `untagged`: its
/// error ("did not match any variant") hid an unknown key such as `kind`.
enum RawItem {
    Text(String),
    Table(RawItemTable),
}

impl<'de> Deserialize<'de> for RawItem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> serde::de::Visitor<'de> for ItemVisitor {
            type Value = RawItem;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a checklist item: a string, or { item = \"...\", kinds = [\"major\"] }",
                )
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<RawItem, E> {
                Ok(RawItem::Text(text.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawItem, A::Error> {
                RawItemTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawItem::Table)
            }
        }
        d.deserialize_any(ItemVisitor)
    }
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a blackout such as { from = 2026-12-18, to = 2027-01-04, reason = \"...\" }"
)]
struct RawBlackout {
    from: Spanned<Datetime>,
    to: Spanned<Datetime>,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an [[environments]] table with a name"
)]
struct RawEnvironment {
    name: Spanned<String>,
    #[serde(default)]
    soak: Option<RawSoak>,
    #[serde(default)]
    requires_frozen: bool,
    #[serde(default)]
    exclusive: bool,
    #[serde(default)]
    health_check: Option<String>,
    #[serde(default)]
    health_timeout: Option<Spanned<String>>,
    #[serde(default)]
    requires_health: bool,
    #[serde(default)]
    approvals: Vec<Spanned<String>>,
    #[serde(default)]
    approvals_valid_for: Option<Spanned<i64>>,
    #[serde(default)]
    distinct_approvers: bool,
    #[serde(default)]
    entry_checklist: Vec<Spanned<RawItem>>,
    #[serde(default)]
    exit_checklist: Vec<Spanned<RawItem>>,
    #[serde(default)]
    windows: Vec<Spanned<String>>,
    #[serde(default)]
    blackouts: Vec<Spanned<RawBlackout>>,
    #[serde(default)]
    confirm: bool,
    #[serde(default)]
    overridable: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    auto_schedule: bool,
    #[serde(default)]
    schedule_notice: Option<Spanned<String>>,
    #[serde(default)]
    notify: Vec<Spanned<String>>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    repeatable: bool,
    #[serde(default)]
    override_by: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    notify_on: Option<Vec<Spanned<String>>>,
}

/// Parses and validates the text of `environments.toml` read from `path`.
pub fn parse_pipeline(path: &Path, text: &str) -> anyhow::Result<Pipeline> {
    let raw: RawPipeline = parse(path, text)?;
    let at =
        |span: std::ops::Range<usize>, msg: &str| invalid(located(path, text, Some(span), msg));

    let calendar = match raw.calendar {
        None => Calendar::default(),
        Some(c) => {
            let mut cal = Calendar::default();
            if let Some(tz) = c.timezone {
                cal.timezone = Tz::from_str(tz.get_ref()).map_err(|_| {
                    at(
                        tz.span(),
                        &format!(
                            "unknown timezone {}; expected an IANA name such as \"Europe/London\" or \"UTC\"",
                            quoted(tz.get_ref())
                        ),
                    )
                })?;
            }
            if let Some(days) = c.workdays {
                let mut set = WeekdaySet::default();
                for d in days.get_ref() {
                    let day = parse_weekday(d).ok_or_else(|| {
                        at(
                            days.span(),
                            &format!(
                                "unknown workday {}; expected mon, tue, wed, thu, fri, sat or sun",
                                quoted(d)
                            ),
                        )
                    })?;
                    set.insert(day);
                }
                if set.is_empty() {
                    return Err(at(days.span(), "workdays must name at least one day"));
                }
                cal.workdays = set;
            }
            for h in c.holidays {
                let date = as_date(h.get_ref()).ok_or_else(|| {
                    at(
                        h.span(),
                        "a holiday must be a local date such as 2026-12-25",
                    )
                })?;
                cal.holidays.insert(date);
            }
            cal
        }
    };

    let roles = match raw.roles {
        None => BTreeMap::new(),
        Some(r) => {
            let span = r.span();
            let roles = r.into_inner();
            let mut seen: BTreeMap<String, &str> = BTreeMap::new();
            for (name, members) in &roles {
                validate_id("role", name).map_err(|m| at(span.clone(), &m))?;
                if let Some(other) = seen.insert(id_key(name), name) {
                    return Err(at(
                        span.clone(),
                        &format!("roles `{other}` and `{name}` differ only in case; role names are unique ignoring case"),
                    ));
                }
                if let Some(bad) = members.iter().find(|m| !m.contains('@')) {
                    return Err(at(
                        span.clone(),
                        &format!("role `{name}`: {} is not an e-mail address; roles list the git e-mails of their members", quoted(bad)),
                    ));
                }
            }
            roles
        }
    };

    if raw.environments.is_empty() {
        return Err(invalid(format!(
            "{}: no environments; expected at least one [[environments]] table with a name",
            path.display()
        )));
    }
    let environments = environments(raw.environments, &at)?;
    let (updates_pipeline, requires) = raw
        .installations
        .map_or((None, None), |i| (i.pipeline, i.requires));
    let pipelines = named_pipelines(raw.pipelines, &environments, updates_pipeline, &at)?;
    let updates = super::pipeline_updates::settings(requires, &pipelines, &at)?;

    let sync = match raw.sync {
        Some(sync) => Some(sync_settings(sync.into_inner(), &at)?),
        None => None,
    };
    let paths_table = raw.paths.is_some();
    let simple_max_hop = match raw.paths.and_then(|p| p.simple_max_hop) {
        None => MaxHop::default(),
        Some(hop) => {
            let span = hop.span();
            let hop = hop.into_inner();
            let count = |n: i64| {
                u64::try_from(n).map_err(|_| {
                    at(
                        span.clone(),
                        "simple_max_hop counts versions: major, minor and patch are 0 or more",
                    )
                })
            };
            MaxHop {
                major: count(hop.major)?,
                minor: count(hop.minor)?,
                patch: hop.patch.map(count).transpose()?,
            }
        }
    };
    Ok(Pipeline {
        simple_max_hop,
        paths_table,
        installations: Default::default(),
        calendar,
        roles,
        environments,
        require_incidents: raw.require_incidents.unwrap_or(true),
        sync,
        notify: notify_roles(raw.notify, &at)?,
        override_by: raw.override_by.map(|r| notify_roles(r, &at)).transpose()?,
        notify_on: raw.notify_on.map(|r| notify_events(r, &at)).transpose()?,
        audit: audit_settings(raw.audit, &at)?,
        pipelines,
        updates,
    })
}

/// The `[[environments]]` of one pipeline, checked: names unique within it.
fn environments(
    raw: Vec<RawEnvironment>,
    at: &dyn Fn(std::ops::Range<usize>, &str) -> anyhow::Error,
) -> anyhow::Result<Vec<Environment>> {
    let mut seen = BTreeSet::new();
    let mut environments = Vec::new();
    for e in raw {
        let name = e.name.get_ref().clone();
        validate_id("environment", &name).map_err(|m| at(e.name.span(), &m))?;
        if !seen.insert(id_key(&name)) {
            return Err(at(
                e.name.span(),
                &format!("duplicate environment name `{name}`"),
            ));
        }
        let mut env = Environment::named(&name);
        if let Some(s) = e.soak {
            env.soak = Soak {
                major: s.major,
                minor: s.minor,
                patch: s.patch,
            };
        }
        env.requires_frozen = e.requires_frozen;
        env.exclusive = e.exclusive;
        env.health_check = e.health_check;
        if let Some(days) = e.approvals_valid_for {
            env.approvals_valid_for = match u32::try_from(*days.get_ref()) {
                Ok(n @ 1..=3650) => Some(n),
                _ => {
                    return Err(at(
                        days.span(),
                        "approvals_valid_for is a number of business days from 1 to 3650",
                    ))
                }
            };
        }
        if let Some(t) = e.health_timeout {
            env.health_timeout = Span::parse(t.get_ref()).map_err(|m| at(t.span(), &m))?;
        }
        env.requires_health = e.requires_health;
        for role in e.approvals {
            validate_id("role", role.get_ref()).map_err(|m| at(role.span(), &m))?;
            env.approvals.push(role.into_inner());
        }
        env.distinct_approvers = e.distinct_approvers;
        env.entry_checklist = items(e.entry_checklist, at)?;
        env.exit_checklist = items(e.exit_checklist, at)?;
        for w in e.windows {
            env.windows
                .push(parse_window(w.get_ref()).map_err(|m| at(w.span(), &m))?);
        }
        for b in e.blackouts {
            let span = b.span();
            let raw = b.into_inner();
            let from =
                bound(raw.from.get_ref()).ok_or_else(|| at(raw.from.span(), BOUND_EXPECTED))?;
            let to = bound(raw.to.get_ref()).ok_or_else(|| at(raw.to.span(), BOUND_EXPECTED))?;
            if bound_order_key(to, true) < bound_order_key(from, false) {
                return Err(at(span, "blackout ends before it starts"));
            }
            env.blackouts.push(Blackout {
                from,
                to,
                reason: raw.reason,
            });
        }
        env.confirm = e.confirm;
        if let Some(list) = e.overridable {
            env.overridable.clear();
            for r in list {
                let code = RuleCode::from_str(r.get_ref()).map_err(|m| at(r.span(), &m))?;
                if !code.is_overridable() {
                    return Err(at(
                        r.span(),
                        &format!("rule `{code}` can never be overridden; overridable rules are soak, window, blackout, approval, checklist, health and exclusive"),
                    ));
                }
                env.overridable.push(code);
            }
        }
        env.optional = e.optional;
        env.auto_schedule = e.auto_schedule;
        if let Some(n) = e.schedule_notice {
            env.schedule_notice = Some(Span::parse(n.get_ref()).map_err(|m| at(n.span(), &m))?);
        }
        env.notify = notify_roles(e.notify, at)?;
        for path in e.paths {
            let name = UpdatePath::from_str(path.get_ref()).map_err(|m| at(path.span(), &m))?;
            if !env.paths.contains(&name) {
                env.paths.push(name);
            }
        }
        env.repeatable = e.repeatable;
        env.override_by = e.override_by.map(|r| notify_roles(r, at)).transpose()?;
        env.notify_on = e.notify_on.map(|r| notify_events(r, at)).transpose()?;
        environments.push(env);
    }

    Ok(environments)
}

/// `[pipelines.NAME]` (contract 11.2) beside the default pipeline, and
/// `[installations] pipeline`, which must name one of them.
fn named_pipelines(
    raw: Option<Spanned<BTreeMap<String, Spanned<RawNamedPipeline>>>>,
    default: &[Environment],
    updates_pipeline: Option<Spanned<String>>,
    at: &dyn Fn(std::ops::Range<usize>, &str) -> anyhow::Error,
) -> anyhow::Result<Pipelines> {
    let mut all = vec![NamedPipeline {
        name: DEFAULT_PIPELINE.to_string(),
        description: None,
        environments: default.to_vec(),
    }];
    if let Some(raw) = raw {
        let span = raw.span();
        for (name, p) in raw.into_inner() {
            validate_id("pipeline", &name).map_err(|m| at(span.clone(), &m))?;
            if all.iter().any(|o| id_key(&o.name) == id_key(&name)) {
                return Err(at(
                    span.clone(),
                    &format!(
                        "pipeline `{name}` is defined twice; [[environments]] is the pipeline `{DEFAULT_PIPELINE}`, and pipeline names are unique ignoring case"
                    ),
                ));
            }
            let p_span = p.span();
            let p = p.into_inner();
            if p.environments.is_empty() {
                return Err(at(
                    p_span,
                    &format!("pipeline `{name}` has no environments; expected at least one [[pipelines.{name}.environments]] table with a name"),
                ));
            }
            all.push(NamedPipeline {
                name,
                description: p.description,
                environments: environments(p.environments, at)?,
            });
        }
    }
    let updates =
        match updates_pipeline {
            None => DEFAULT_PIPELINE.to_string(),
            Some(name) => match all
                .iter()
                .find(|p| id_key(&p.name) == id_key(name.get_ref()))
            {
                Some(p) => p.name.clone(),
                None => {
                    return Err(at(
                        name.span(),
                        &format!(
                        "[installations] pipeline: unknown pipeline {}; environments.toml has {}",
                        quoted(name.get_ref()),
                        all.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                    ))
                }
            },
        };
    Ok(Pipelines {
        current: DEFAULT_PIPELINE.to_string(),
        all: std::sync::Arc::new(all),
        updates,
    })
}

/// `notify_on = ["scheduled", ...]`: event names rel tells.
fn notify_events(
    raw: Vec<Spanned<String>>,
    at: &dyn Fn(std::ops::Range<usize>, &str) -> anyhow::Error,
) -> anyhow::Result<Vec<String>> {
    use crate::model::pipeline::NOTIFY_EVENTS;
    raw.into_iter()
        .map(|r| {
            if NOTIFY_EVENTS.contains(&r.get_ref().as_str()) {
                Ok(r.into_inner())
            } else {
                Err(at(
                    r.span(),
                    &format!(
                        "unknown event {:?}; expected one of {}",
                        r.get_ref(),
                        NOTIFY_EVENTS.join(", ")
                    ),
                ))
            }
        })
        .collect()
}

/// `[audit]`, checked: owner roles are role names; the allowed-signers file
/// is a plain path inside the repository.
fn audit_settings(
    raw: Option<RawAudit>,
    at: &dyn Fn(std::ops::Range<usize>, &str) -> anyhow::Error,
) -> anyhow::Result<crate::model::pipeline::AuditSettings> {
    let Some(raw) = raw else {
        return Ok(Default::default());
    };
    let allowed_signers = match raw.allowed_signers {
        None => None,
        Some(path) => {
            let p = path.get_ref();
            let plain = !p.is_empty()
                && !p.starts_with('/')
                && !p.contains('\\')
                && p.split('/')
                    .all(|part| !part.is_empty() && part != "." && part != "..");
            if !plain {
                return Err(at(
                    path.span(),
                    "allowed_signers is a path inside the repository, such as \"policy/allowed_signers\"",
                ));
            }
            Some(path.into_inner())
        }
    };
    Ok(crate::model::pipeline::AuditSettings {
        require_signed: raw.require_signed,
        policy_owners: notify_roles(raw.policy_owners, at)?,
        allowed_signers,
    })
}

/// `notify = ["admins"]` (and `override_by`, `policy_owners`): role names,
/// checked like those of `approvals`.
fn notify_roles(
    raw: Vec<Spanned<String>>,
    at: &dyn Fn(std::ops::Range<usize>, &str) -> anyhow::Error,
) -> anyhow::Result<Vec<String>> {
    raw.into_iter()
        .map(|r| {
            validate_id("role", r.get_ref()).map_err(|m| at(r.span(), &m))?;
            Ok(r.into_inner())
        })
        .collect()
}

/// `[sync]`, checked: a remote and branch that git accepts as names, and a
/// sensible number of attempts.
fn sync_settings(
    raw: RawSync,
    at: &dyn Fn(std::ops::Range<usize>, &str) -> anyhow::Error,
) -> anyhow::Result<SyncSettings> {
    let plain = |s: &Spanned<String>, what: &str| -> anyhow::Result<String> {
        let v = s.get_ref();
        let ok = !v.is_empty()
            && !v.starts_with(['-', '/', '.'])
            && !v.ends_with(['/', '.'])
            && !v.contains("..")
            && !v.contains("//")
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
        if ok {
            Ok(v.clone())
        } else {
            Err(at(
                s.span(),
                &format!(
                    "{what} {} is not a name rel accepts; expected letters, digits, `.`, `_`, `-` and `/` such as \"origin\" or \"main\"",
                    quoted(v)
                ),
            ))
        }
    };
    let retries = match raw.retries {
        None => 5,
        Some(r) => match u32::try_from(*r.get_ref()) {
            Ok(n @ 1..=100) => n,
            _ => return Err(at(r.span(), "retries must be a whole number from 1 to 100")),
        },
    };
    Ok(SyncSettings {
        remote: plain(&raw.remote, "remote")?,
        branch: raw
            .branch
            .as_ref()
            .map(|b| plain(b, "branch"))
            .transpose()?,
        retries,
        fetch_on_read: raw.fetch_on_read,
    })
}

const BOUND_EXPECTED: &str =
    "expected a local date (2026-12-18) or an RFC 3339 instant with offset (2026-12-18T17:00:00Z)";

fn items(
    raw: Vec<Spanned<RawItem>>,
    at: &dyn Fn(std::ops::Range<usize>, &str) -> anyhow::Error,
) -> anyhow::Result<Vec<ChecklistItem>> {
    let mut out: Vec<ChecklistItem> = Vec::new();
    // Texts seen so far: a duplicate is found in constant time, not by a
    // scan of the items before it (100,000 items: quadratic, seconds).
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for r in raw {
        let span = r.span();
        let item = match r.into_inner() {
            RawItem::Text(item) => ChecklistItem {
                item,
                kinds: Vec::new(),
            },
            RawItem::Table(t) => ChecklistItem {
                item: t.item,
                kinds: t.kinds,
            },
        };
        if item.item.trim().is_empty() {
            return Err(at(span, "a checklist item needs text"));
        }
        if !seen.insert(item.item.clone()) {
            return Err(at(
                span,
                &format!("duplicate checklist item {}", quoted(&item.item)),
            ));
        }
        out.push(item);
    }
    Ok(out)
}

fn as_date(d: &Datetime) -> Option<NaiveDate> {
    match (d.date, d.time, d.offset) {
        (Some(date), None, None) => NaiveDate::from_ymd_opt(
            i32::from(date.year),
            u32::from(date.month),
            u32::from(date.day),
        ),
        _ => None,
    }
}

fn bound(d: &Datetime) -> Option<BlackoutBound> {
    if let Some(date) = as_date(d) {
        return Some(BlackoutBound::Date(date));
    }
    if d.date.is_some() && d.time.is_some() && d.offset.is_some() {
        return DateTime::parse_from_rfc3339(&d.to_string())
            .ok()
            .map(|t| BlackoutBound::Instant(t.with_timezone(&Utc)));
    }
    None
}

/// Rough ordering for the "ends before it starts" check: a date starts at
/// its first second and ends at its last (timezone aside, which is enough here).
fn bound_order_key(b: BlackoutBound, is_end: bool) -> DateTime<Utc> {
    match b {
        BlackoutBound::Instant(t) => t,
        BlackoutBound::Date(d) => {
            let (h, m, s) = if is_end { (23, 59, 59) } else { (0, 0, 0) };
            d.and_hms_opt(h, m, s)
                .map(|t| t.and_utc())
                .unwrap_or_default()
        }
    }
}
