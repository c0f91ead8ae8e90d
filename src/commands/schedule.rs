//! `rel schedule`, `rel reschedule`, `rel unschedule` (contract section 7):
//! decided by `rules::schedule`, which asks the promotion rules at the
//! scheduled instant.

use crate::cli::ScheduleArgs;
use crate::context::Context;
use crate::error::{invalid, usage};
use crate::model::action::Action;
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::model::rule::RuleCode;
use crate::model::schedule::Schedule;
use crate::model::span::Span;
use crate::outcome::Outcome;
use crate::render::time::rfc3339;
use crate::rules::promotion::resolve_target;
use crate::rules::schedule::{
    decide_all, earliest, is_stale, notice, refusals, sort_in_pipeline_order, Decided, Unscheduled,
};
use crate::rules::verdict::{when, Verdict};
use crate::store::{change_for, CommitMessage};

use super::shared::{refuse, release_to_change, write, Decision, ReleaseOutcome};

use super::shared::notify::Event;
use super::shared::schedule_facts::{parse_when, Facts, When};

pub fn schedule(ctx: &Context, args: &ScheduleArgs) -> anyhow::Result<Outcome> {
    let slot = args
        .slot
        .as_deref()
        .map(|s| Span::parse(s.trim()).map_err(|m| invalid(format!("--slot {m}"))))
        .transpose()?;
    let note = args
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let outcome = write(ctx, |ws, actor| {
        let p = ws.pipeline()?;
        let release = release_to_change(ctx, ws, &args.release)?;
        // Its environments are those of its own pipeline.
        let p = p.lane_of(&release);
        let when_asked = parse_when(&p.calendar, &args.at)?;
        let target = target_of(&p, &release, args.to.as_deref())?;
        let env = p.environments[target].name.clone();
        if let Some(s) = release.schedule_for(&env) {
            return Err(invalid(format!(
                "{} is already scheduled into {env} at {}; use `rel reschedule` to move it",
                release.id,
                when(&p.calendar, s.at)
            )));
        }
        let facts = Facts::load(ws, &p, &release.id)?;
        let by = actor.to_string();
        let mut proposed = release.clone();
        proposed.schedules.retain(|s| !is_stale(&p, &release, s));
        let mut made = Schedule {
            env: env.clone(),
            at: ctx.now,
            slot,
            by: by.clone(),
            made_at: ctx.now,
            auto: false,
            note: note.map(str::to_string),
        };
        made.at = resolve_at(ctx, &p, &proposed, target, &made, &facts, when_asked)?;
        proposed.schedules.push(made.clone());
        sort_in_pipeline_order(&p, &mut proposed);
        let decided = decide(&p, &proposed, &facts, Action::Schedule, &[])?;

        let mut event = crate::model::release::Event::new(ctx.now, &by, Action::Schedule);
        event.env = Some(env.clone());
        event.detail = Some(describe(&made));
        proposed.history.push(event);
        let mut message = CommitMessage::new(
            Action::Schedule,
            &format!("{} into {env} at {}", proposed.id, rfc3339(made.at)),
        );
        message.release = Some(proposed.id.clone());
        message.env = Some(env.clone());
        let changes = vec![change_for(&proposed)?];
        let notes = to_do(&p, &decided, &env);
        let events = vec![Event::new(
            &p,
            "scheduled",
            &proposed,
            Some(&env),
            made.at,
            &by,
        )];
        let line = format!(
            "{} scheduled into {env} at {}",
            proposed.id,
            when(&p.calendar, made.at)
        );
        Ok(committed(changes, message, proposed, line, events, notes))
    })?;
    super::shared::zero_touch::finish_told(ctx, outcome)
}

pub fn reschedule(
    ctx: &Context,
    release_id: &str,
    at: &str,
    to: Option<&str>,
    reason: &str,
    overrides: &[RuleCode],
) -> anyhow::Result<Outcome> {
    let reason = needs_reason(reason)?;
    let overrides = notice_only(overrides)?;
    let outcome = write(ctx, |ws, actor| {
        let p = ws.pipeline()?;
        let release = release_to_change(ctx, ws, release_id)?;
        // Its environments are those of its own pipeline.
        let p = p.lane_of(&release);
        let when_asked = parse_when(&p.calendar, at)?;
        let target = target_of(&p, &release, to)?;
        let env = p.environments[target].name.clone();
        let old = existing(&p, &release, &env)?;
        let facts = Facts::load(ws, &p, &release.id)?;
        let by = actor.to_string();
        let mut proposed = release.clone();
        proposed
            .schedules
            .retain(|s| !is_stale(&p, &release, s) && !s.env.eq_ignore_ascii_case(&env));
        let mut moved = old.clone();
        moved.by = by.clone();
        moved.made_at = ctx.now;
        moved.auto = false;
        moved.at = resolve_at(ctx, &p, &proposed, target, &moved, &facts, when_asked)?;
        proposed.schedules.push(moved.clone());
        sort_in_pipeline_order(&p, &mut proposed);
        let late: Vec<_> = notice(&p, &old, ctx.now, "moved").into_iter().collect();
        let used = notice_used(&late, &overrides);
        unused_override(&overrides, &used);
        let decided = decide(
            &p,
            &proposed,
            &facts,
            Action::Reschedule,
            &late_unless(
                late,
                &used,
                who_may(&p, &release, target, &used, &actor.email),
            ),
        )?;

        let mut event = crate::model::release::Event::new(ctx.now, &by, Action::Reschedule);
        event.env = Some(env.clone());
        event.detail = Some(format!("from {} to {}", rfc3339(old.at), describe(&moved)));
        event.reason = Some(reason.to_string());
        event.overrides = used.clone();
        proposed.history.push(event);
        let mut message = CommitMessage::new(
            Action::Reschedule,
            &format!("{} into {env} at {}", proposed.id, rfc3339(moved.at)),
        );
        message.release = Some(proposed.id.clone());
        message.env = Some(env.clone());
        message.overrides = used;
        message.reason = Some(reason.to_string());
        let changes = vec![change_for(&proposed)?];
        let notes = to_do(&p, &decided, &env);
        let events = vec![
            Event::new(&p, "rescheduled", &proposed, Some(&env), moved.at, &by)
                .because(Some(reason)),
        ];
        let line = format!(
            "{} rescheduled into {env}: {} -> {}",
            proposed.id,
            when(&p.calendar, old.at),
            when(&p.calendar, moved.at)
        );
        Ok(committed(changes, message, proposed, line, events, notes))
    })?;
    super::shared::zero_touch::finish_told(ctx, outcome)
}

pub fn unschedule(
    ctx: &Context,
    release_id: &str,
    to: Option<&str>,
    reason: &str,
    overrides: &[RuleCode],
) -> anyhow::Result<Outcome> {
    let reason = needs_reason(reason)?;
    let overrides = notice_only(overrides)?;
    let outcome = write(ctx, |ws, actor| {
        let p = ws.pipeline()?;
        let mut release = release_to_change(ctx, ws, release_id)?;
        // Its environments are those of its own pipeline.
        let p = p.lane_of(&release);
        let target = target_of(&p, &release, to)?;
        let env = p.environments[target].name.clone();
        existing(&p, &release, &env)?;
        // The schedules after this one suppose it happens: they go with it.
        let Unscheduled {
            cancelled,
            kept,
            late,
        } = crate::rules::schedule::unschedule(&p, &release, target, ctx.now);
        let used = notice_used(&late, &overrides);
        let remaining = Verdict {
            violations: late_unless(
                late,
                &used,
                who_may(&p, &release, target, &used, &actor.email),
            ),
        };
        if !remaining.allowed() {
            return Err(refuse(
                Action::Unschedule,
                Some(&release.id),
                &format!("cannot cancel the schedule of {} into {env}", release.id),
                &remaining,
            ));
        }
        unused_override(&overrides, &used);
        let by = actor.to_string();
        release.schedules = kept;
        let names: Vec<String> = cancelled
            .iter()
            .map(|s| format!("{} at {}", s.env, rfc3339(s.at)))
            .collect();
        let mut event = crate::model::release::Event::new(ctx.now, &by, Action::Unschedule);
        event.env = Some(env.clone());
        event.detail = Some(names.join(", "));
        event.reason = Some(reason.to_string());
        event.overrides = used.clone();
        release.history.push(event);
        let mut message =
            CommitMessage::new(Action::Unschedule, &format!("{} from {env}", release.id));
        message
            .body
            .push(format!("cancelled: {}", names.join(", ")));
        message.release = Some(release.id.clone());
        message.env = Some(env.clone());
        message.overrides = used;
        message.reason = Some(reason.to_string());
        let changes = vec![change_for(&release)?];
        let events = cancelled
            .iter()
            .map(|s| {
                Event::new(&p, "unscheduled", &release, Some(&s.env), s.at, &by)
                    .because(Some(reason))
            })
            .collect();
        let line = format!("{} unscheduled: {}", release.id, names.join(", "));
        Ok(committed(
            changes,
            message,
            release,
            line,
            events,
            Vec::new(),
        ))
    })?;
    super::shared::zero_touch::finish_told(ctx, outcome)
}

/// The target environment (default: the next one) of a schedule command.
fn target_of(p: &Pipeline, r: &Release, to: Option<&str>) -> anyhow::Result<usize> {
    resolve_target(p, r, to).map_err(invalid)
}

fn existing(p: &Pipeline, r: &Release, env: &str) -> anyhow::Result<Schedule> {
    r.schedule_for(env)
        .filter(|s| !is_stale(p, r, s))
        .cloned()
        .ok_or_else(|| invalid(format!("{} has no schedule into {env}", r.id)))
}

/// The instant asked for: one not in the past, or the earliest the time
/// rules allow (from now, and after the schedule before it).
fn resolve_at(
    ctx: &Context,
    p: &Pipeline,
    proposed: &Release,
    target: usize,
    template: &Schedule,
    facts: &Facts,
    asked: When,
) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    match asked {
        When::At(t) if t < ctx.now => Err(invalid(format!(
            "--at {} is in the past (now is {}); a schedule is for later",
            rfc3339(t),
            rfc3339(ctx.now)
        ))),
        When::At(t) => Ok(t),
        // When time never lets it in (or the move is impossible), decide
        // at now: the refusal then says why.
        When::Earliest => Ok(
            earliest(p, proposed, target, template, &facts.others(), ctx.now).unwrap_or(ctx.now),
        ),
    }
}

/// Decides every schedule of `proposed`; `extra`: violations of the change
/// itself (`notice`). Refuses (exit 1) with them all.
fn decide(
    p: &Pipeline,
    proposed: &Release,
    facts: &Facts,
    action: Action,
    extra: &[crate::rules::Violation],
) -> anyhow::Result<Vec<Decided>> {
    let decided = decide_all(p, proposed, &facts.others());
    let mut refused = refusals(&decided);
    refused.violations.extend(extra.iter().cloned());
    if !refused.allowed() {
        return Err(refuse(
            action,
            Some(&proposed.id),
            &format!("cannot {action} {}", proposed.id),
            &refused,
        ));
    }
    Ok(decided)
}

/// What must still be done before the schedule into `env` can happen.
/// The lines saying what must be done by the scheduled time.
fn to_do(p: &Pipeline, decided: &[Decided], env: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for d in decided.iter().filter(|d| d.env == env) {
        if d.to_do.is_empty() {
            continue;
        }
        lines.push(format!(
            "to be done before {} (the rules that do not pass yet):",
            when(&p.calendar, d.at)
        ));
        for v in &d.to_do {
            lines.push(format!("  [{}] {}", v.rule, v.message));
        }
    }
    lines
}

/// The runner's decision for a schedule change: one commit, what to print,
/// whom to tell, and notes said once it is made.
fn committed(
    changes: Vec<crate::store::Change>,
    message: CommitMessage,
    release: Release,
    line: String,
    events: Vec<Event>,
    notes: Vec<String>,
) -> Decision<super::shared::zero_touch::ToldOutcome> {
    let mut decision = Decision::commit(
        changes,
        message,
        (ReleaseOutcome::done(release, line), events),
    );
    for n in notes {
        decision = decision.note(n);
    }
    decision
}

fn describe(s: &Schedule) -> String {
    let mut text = rfc3339(s.at);
    if let Some(slot) = s.slot {
        text.push_str(&format!(", slot {slot}"));
    }
    if let Some(note) = &s.note {
        text.push_str(&format!(", note: {note}"));
    }
    text
}

fn needs_reason(reason: &str) -> anyhow::Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(usage("--reason needs text: say why"));
    }
    Ok(reason)
}

/// Only `notice` can be set aside when moving or cancelling a schedule.
fn notice_only(overrides: &[RuleCode]) -> anyhow::Result<Vec<RuleCode>> {
    if let Some(other) = overrides.iter().find(|o| **o != RuleCode::Notice) {
        return Err(invalid(format!(
            "--override {other}: only `notice` can be overridden when moving or cancelling a schedule"
        )));
    }
    Ok(if overrides.is_empty() {
        Vec::new()
    } else {
        vec![RuleCode::Notice]
    })
}

fn notice_used(late: &[crate::rules::Violation], overrides: &[RuleCode]) -> Vec<RuleCode> {
    if !late.is_empty() && overrides.contains(&RuleCode::Notice) {
        vec![RuleCode::Notice]
    } else {
        Vec::new()
    }
}

/// The `notice` violations unless set aside, and whether the actor may set
/// them aside (`who`).
fn late_unless(
    late: Vec<crate::rules::Violation>,
    used: &[RuleCode],
    who: Verdict,
) -> Vec<crate::rules::Violation> {
    let mut v = if used.contains(&RuleCode::Notice) {
        Vec::new()
    } else {
        late
    };
    v.extend(who.violations);
    v
}

/// May `email` set `used` aside for `release` into environment `target`
/// (`override_by`, contract 11.5)?
fn who_may(
    p: &crate::model::pipeline::Pipeline,
    release: &crate::model::release::Release,
    target: usize,
    used: &[RuleCode],
    email: &str,
) -> Verdict {
    crate::rules::overrides::may_override(
        &p.for_release(release),
        &p.environments[target],
        used,
        email,
    )
}

fn unused_override(asked: &[RuleCode], used: &[RuleCode]) {
    if asked.contains(&RuleCode::Notice) && !used.contains(&RuleCode::Notice) {
        crate::errln!("note: --override notice: that rule passes; nothing to set aside");
    }
}
