//! `rel installation new/set/list/show` (contract section 8): the client
//! installations a vendor updates, one file each under
//! `releases/installations/`.

use serde_json::{json, Value};

use crate::cli_updates::{InstallationCommand, InstallationFlags};
use crate::context::Context;
use crate::error::invalid;
use crate::model::action::Action;
use crate::model::ids::id_key;
use crate::model::installation::{same_installation, Installation};
use crate::model::release::{parse_version, Release};
use crate::outcome::Outcome;
use crate::render::output::{json as print_json, outln};
use crate::render::table::{new_table, render};
use crate::store::{change_for, CommitMessage, Workspace};

use super::shared::args::Id;
use super::shared::{open_reading, refuse, write, Decision};
use crate::rules::policy::{installation_policy_changed, may_change_policy};

pub fn run(ctx: &Context, command: InstallationCommand) -> anyhow::Result<Outcome> {
    match command {
        InstallationCommand::New {
            name,
            version,
            flags,
        } => create(ctx, &name, &version, &flags),
        InstallationCommand::Set {
            name,
            version,
            flags,
        } => set(ctx, &name, version.as_deref(), &flags),
        InstallationCommand::List => list(ctx),
        InstallationCommand::Show { name } => show(ctx, &name),
    }
}

fn create(
    ctx: &Context,
    name: &str,
    version: &str,
    flags: &InstallationFlags,
) -> anyhow::Result<Outcome> {
    let name = Id::installation(name)?;
    let mut installation = Installation {
        name: name.to_string(),
        version: parse_version(version).map_err(invalid)?.to_string(),
        ..Installation::default()
    };
    apply_flags(&mut installation, flags)?;
    let made = write(ctx, |ws, actor| {
        policy_owned(ws, None, &installation, &actor.email)?;
        if let Some(other) = ws
            .ids::<Installation>()?
            .into_iter()
            .find(|e| id_key(e) == id_key(&installation.name))
        {
            return Err(invalid(format!(
                "installation `{other}` already exists; `rel installation set {other}` changes it"
            )));
        }
        let mut message = CommitMessage::new(Action::InstallationNew, &installation.name);
        message.body.push(format!(
            "{} runs {}",
            installation.name, installation.version
        ));
        Ok(Decision::commit(
            vec![change_for(&installation)?],
            message,
            installation.clone(),
        ))
    })?;
    print_one(ctx, &made, &[])
}

fn set(
    ctx: &Context,
    name: &str,
    version: Option<&str>,
    flags: &InstallationFlags,
) -> anyhow::Result<Outcome> {
    let name = Id::installation(name)?;
    let version = version
        .map(|v| parse_version(v).map_err(invalid))
        .transpose()?;
    let changed = write(ctx, |ws, actor| {
        let mut installation = super::shared::suggest::load::<Installation>(ws, name.as_str())?;
        let before = installation.clone();
        if let Some(v) = &version {
            installation.version = v.to_string();
        }
        apply_flags(&mut installation, flags)?;
        if installation == before {
            return Ok(Decision::nothing(
                format!("{} is already so; nothing to record", installation.name),
                installation,
            ));
        }
        policy_owned(ws, Some(&before), &installation, &actor.email)?;
        let mut message = CommitMessage::new(Action::InstallationSet, &installation.name);
        message.body.push(format!(
            "{} runs {}",
            installation.name, installation.version
        ));
        Ok(Decision::commit(
            vec![change_for(&installation)?],
            message,
            installation,
        ))
    })?;
    print_one(ctx, &changed, &[])
}

/// An installation's roles, windows, timezone and admins are policy: with
/// `[audit] policy_owners`, only an owner changes them (`role`, exit 1).
fn policy_owned(
    ws: &Workspace,
    before: Option<&Installation>,
    after: &Installation,
    email: &str,
) -> anyhow::Result<()> {
    let rules = |i: &Installation| i.rules().map_err(invalid);
    let before = before.map(rules).transpose()?;
    let after = rules(after)?;
    if !installation_policy_changed(before.as_ref(), Some(&after)) {
        return Ok(());
    }
    let what = format!(
        "the roles, windows, timezone or admins of installation {}",
        after.name
    );
    let verdict = may_change_policy(&ws.pipeline()?, email, &what);
    if verdict.allowed() {
        return Ok(());
    }
    let action = if before.is_some() {
        Action::InstallationSet
    } else {
        Action::InstallationNew
    };
    Err(refuse(
        action,
        None,
        &format!("cannot change installation {}", after.name),
        &verdict,
    ))
}

/// Each flag given replaces its list; every value is checked before
/// anything is written (exit 2 naming the bad value).
fn apply_flags(i: &mut Installation, flags: &InstallationFlags) -> anyhow::Result<()> {
    if !flags.admins.is_empty() {
        i.admins = flags.admins.iter().map(|a| a.trim().to_string()).collect();
    }
    if !flags.roles.is_empty() {
        i.roles.clear();
        for spec in &flags.roles {
            let (role, email) = spec.split_once('=').ok_or_else(|| {
                invalid(format!(
                    "--role {}: expected ROLE=EMAIL such as client=ana@acme.example",
                    crate::model::quote::quoted(spec)
                ))
            })?;
            i.roles
                .entry(role.trim().to_string())
                .or_default()
                .push(email.trim().to_string());
        }
    }
    if !flags.windows.is_empty() {
        i.windows = flags.windows.iter().map(|w| w.trim().to_string()).collect();
    }
    if let Some(tz) = &flags.timezone {
        i.timezone = Some(tz.trim().to_string());
    }
    i.rules().map_err(invalid)?;
    Ok(())
}

fn list(ctx: &Context) -> anyhow::Result<Outcome> {
    let ws = open_reading(ctx)?;
    let all = ws.installations()?;
    if ctx.json {
        let heads = with_released(&ws, ws.release_heads_with_installation()?)?;
        let items: Vec<Value> = all
            .iter()
            .map(|i| installation_json(i, &updates_of(&heads, &i.name)))
            .collect();
        print_json(&Value::Array(items))?;
        return Ok(Outcome::Done);
    }
    if all.is_empty() {
        crate::render::output::errln("no installations");
        return Ok(Outcome::Done);
    }
    let mut table = new_table(ctx, &["name", "version", "admins", "windows", "timezone"]);
    for i in &all {
        table.add_row(vec![
            i.name.clone(),
            i.version.clone(),
            i.admins.join(", "),
            i.windows.join(", "),
            i.timezone.clone().unwrap_or_default(),
        ]);
    }
    outln(&render(&table))?;
    Ok(Outcome::Done)
}

fn show(ctx: &Context, name: &str) -> anyhow::Result<Outcome> {
    let ws = open_reading(ctx)?;
    let installation = super::shared::suggest::load::<Installation>(&ws, name)?;
    let heads = with_released(&ws, ws.release_heads_with_installation()?)?;
    let updates = updates_of(&heads, &installation.name);
    print_one(ctx, &installation, &updates)
}

/// The releases in `releases/` plus the released ones of the archive's
/// index (the archive itself is not read), in id order.
fn with_released(
    ws: &crate::store::Workspace,
    mut heads: Vec<(String, Option<String>)>,
) -> anyhow::Result<Vec<(String, Option<String>)>> {
    for e in &ws.archive_index()?.released {
        if e.installation.is_some() && !heads.iter().any(|(id, _)| *id == e.id) {
            heads.push((e.id.clone(), e.installation.clone()));
        }
    }
    heads.sort();
    Ok(heads)
}

/// Ids of the releases that are updates of `name`, in id order.
fn updates_of(heads: &[(String, Option<String>)], name: &str) -> Vec<String> {
    heads
        .iter()
        .filter(|(_, i)| same_installation(i.as_deref(), Some(name)))
        .map(|(id, _)| id.clone())
        .collect()
}

fn print_one(ctx: &Context, i: &Installation, updates: &[String]) -> anyhow::Result<Outcome> {
    if ctx.json {
        print_json(&installation_json(i, updates))?;
        return Ok(Outcome::Done);
    }
    if ctx.dry_run {
        return Ok(Outcome::Done);
    }
    outln(&format!("{} runs {}", i.name, i.version))?;
    if !i.admins.is_empty() {
        outln(&format!("admins: {}", i.admins.join(", ")))?;
    }
    for (role, members) in &i.roles {
        outln(&format!("role {role}: {}", members.join(", ")))?;
    }
    if !i.windows.is_empty() {
        outln(&format!(
            "windows: {} ({})",
            i.windows.join(", "),
            i.timezone.as_deref().unwrap_or("the calendar's timezone")
        ))?;
    }
    if !updates.is_empty() {
        outln(&format!("updates: {}", updates.join(", ")))?;
    }
    Ok(Outcome::Done)
}

/// `{"name", "version", "admins", "roles", "windows", "timezone", "updates"}`.
pub fn installation_json(i: &Installation, updates: &[String]) -> Value {
    json!({
        "name": i.name,
        "version": i.version,
        "admins": i.admins,
        "roles": i.roles,
        "windows": i.windows,
        "timezone": i.timezone,
        "updates": updates,
    })
}

impl Workspace {
    /// (id, installation) of every release in `releases/`.
    pub fn release_heads_with_installation(&self) -> anyhow::Result<Vec<(String, Option<String>)>> {
        Ok(self
            .facts::<Release>()?
            .into_iter()
            .map(|l| (l.facts.id, l.facts.installation))
            .collect())
    }
}
