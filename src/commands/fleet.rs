//! `rel fleet [--version V | R]` (contract 11.9): every installation with
//! its version and its update in progress (where it is, its next schedule,
//! its latest health report, whether it is held, what blocks it), and a
//! summary; with `--version`, the campaign towards that version. Read only:
//! the verdicts are the ones `rel status` shows.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::context::Context;
use crate::error::invalid;
use crate::model::installation::{same_installation, Installation};
use crate::model::release::{parse_version, Release, ReleaseHead};
use crate::render::output::{json as print_json, outln};
use crate::render::table::{new_table, render};
use crate::render::time::rfc3339;

use crate::rules::decide::promote::verdict_into;

use super::shared::open_reading;
use super::shared::promotion_facts::with_dependencies;

/// One installation's line.
struct Line<'a> {
    installation: &'a Installation,
    update: Option<Update<'a>>,
}

/// Its update in progress, as the rules see it now.
struct Update<'a> {
    release: &'a Release,
    health: Option<bool>,
    blocked_by: Vec<String>,
}

pub fn run(ctx: &Context, version: Option<&str>) -> anyhow::Result<i32> {
    let ws = open_reading(ctx)?;
    let p = ws.pipeline()?;
    let installations = ws.installations()?;
    let in_progress: Vec<Release> = ws.releases_in_progress()?;
    // `--version` takes a version or a product release id (its version).
    let campaign = match version {
        None => None,
        Some(v) => Some(match parse_version(v) {
            Ok(v) => v,
            Err(_) => {
                let r = ws.load::<Release>(v).map_err(|_| {
                    invalid(format!("--version {v}: neither a version nor a release id"))
                })?;
                parse_version(&r.version).map_err(invalid)?
            }
        }),
    };
    let heads: Vec<ReleaseHead> = in_progress.iter().map(ReleaseHead::from).collect();
    let heads = with_dependencies(&ws, heads, &in_progress)?;
    let lines: Vec<Line> = installations
        .iter()
        .map(|i| {
            // The next update of the installation: its lowest version.
            let update = in_progress
                .iter()
                .filter(|r| same_installation(r.installation.as_deref(), Some(&i.name)))
                .min_by_key(|r| parse_version(&r.version).ok())
                .map(|r| {
                    // The verdict `rel status` shows: the next environment.
                    let verdict = crate::rules::promotion::resolve_target(&p, r, None)
                        .ok()
                        .map(|to| verdict_into(&p, &heads[..], r, to, ctx.now));
                    Update {
                        release: r,
                        health: r.latest_health(&r.environment).map(|h| h.passed),
                        blocked_by: verdict
                            .map(|v| v.verdict.codes().iter().map(|c| c.to_string()).collect())
                            .unwrap_or_default(),
                    }
                });
            Line {
                installation: i,
                update,
            }
        })
        .collect();
    let summary = summary(&lines, campaign.as_ref());
    if ctx.json {
        print_json(&json!({
            "at": rfc3339(ctx.now),
            "version": campaign.as_ref().map(|v| v.to_string()),
            "installations": lines.iter().map(line_json).collect::<Vec<_>>(),
            "summary": summary,
        }))?;
        return Ok(0);
    }
    let mut table = new_table(
        ctx,
        &[
            "installation",
            "version",
            "update",
            "environment",
            "next schedule",
            "health",
            "blocked by",
        ],
    );
    for l in &lines {
        let u = l.update.as_ref();
        table.add_row(vec![
            l.installation.name.clone(),
            l.installation.version.clone(),
            u.map_or("-".into(), |u| u.release.id.clone()),
            u.map_or("-".into(), |u| {
                let held = if u.release.held.is_some() {
                    " (held)"
                } else {
                    ""
                };
                format!("{}{held}", u.release.environment)
            }),
            u.and_then(|u| next_schedule(u.release))
                .map_or("-".into(), |(env, at)| format!("{env} at {}", rfc3339(at))),
            u.and_then(|u| u.health)
                .map_or("-".into(), |ok| if ok { "passed" } else { "failed" }.into()),
            u.map_or("-".into(), |u| {
                if u.blocked_by.is_empty() {
                    "ready".into()
                } else {
                    u.blocked_by.join(", ")
                }
            }),
        ]);
    }
    outln(&render(&table))?;
    outln(&summary_text(&summary))?;
    Ok(0)
}

fn next_schedule(r: &Release) -> Option<(String, chrono::DateTime<chrono::Utc>)> {
    r.schedules
        .iter()
        .min_by_key(|s| s.at)
        .map(|s| (s.env.clone(), s.at))
}

fn line_json(l: &Line) -> Value {
    json!({
        "name": l.installation.name,
        "version": l.installation.version,
        "update": l.update.as_ref().map(|u| json!({
            "release": u.release.id,
            "version": u.release.version,
            "environment": u.release.environment,
            "state": u.release.state.as_str(),
            "schedules": u.release.schedules.iter()
                .map(|s| json!({"env": s.env, "at": rfc3339(s.at)}))
                .collect::<Vec<_>>(),
            "health": u.health.map(|ok| if ok { "passed" } else { "failed" }),
            "held": u.release.held.is_some(),
            "blocked_by": u.blocked_by,
        })),
    })
}

/// Installations per version, updates per environment, blocked updates per
/// rule, failed health reports waiting for a person, and the campaign.
fn summary(lines: &[Line], campaign: Option<&semver::Version>) -> Value {
    let mut versions: BTreeMap<String, usize> = BTreeMap::new();
    let mut environments: BTreeMap<String, usize> = BTreeMap::new();
    let mut blocked: BTreeMap<String, usize> = BTreeMap::new();
    let mut failed_health = 0;
    let (mut done, mut on_the_way, mut not_started) = (0, 0, 0);
    for l in lines {
        *versions.entry(l.installation.version.clone()).or_default() += 1;
        if let Some(u) = &l.update {
            *environments
                .entry(u.release.environment.clone())
                .or_default() += 1;
            for code in &u.blocked_by {
                *blocked.entry(code.clone()).or_default() += 1;
            }
            if u.health == Some(false) {
                failed_health += 1;
            }
        }
        if let Some(v) = campaign {
            let at = parse_version(&l.installation.version).ok();
            let going = l
                .update
                .as_ref()
                .and_then(|u| parse_version(&u.release.version).ok())
                .is_some_and(|uv| uv >= *v);
            if at.is_some_and(|a| a >= *v) {
                done += 1;
            } else if going {
                on_the_way += 1;
            } else {
                not_started += 1;
            }
        }
    }
    json!({
        "versions": versions,
        "environments": environments,
        "blocked": blocked,
        "failed_health": failed_health,
        "campaign": campaign.map(|_| json!({
            "done": done, "in_progress": on_the_way, "not_started": not_started,
        })),
    })
}

fn summary_text(s: &Value) -> String {
    let pairs = |v: &Value| -> String {
        v.as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, n)| format!("{k}: {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "none".into())
    };
    let mut out = vec![
        format!("versions: {}", pairs(&s["versions"])),
        format!("updates per environment: {}", pairs(&s["environments"])),
        format!("blocked updates per rule: {}", pairs(&s["blocked"])),
        format!(
            "failed health reports waiting for a person: {}",
            s["failed_health"]
        ),
    ];
    if let Some(c) = s["campaign"].as_object() {
        out.push(format!(
            "campaign: {} done, {} on the way, {} not started",
            c["done"], c["in_progress"], c["not_started"]
        ));
    }
    out.join("\n")
}
