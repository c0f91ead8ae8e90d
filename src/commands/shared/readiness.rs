//! One release's readiness, as `rel status` and `rel board` show it: the
//! verdict for its next environment, and what it waits for in words.

use crate::context::Context;
use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::render::table::Tone;
use crate::rules::actions::may_close;
use crate::rules::decide::promote::verdict_into;
use crate::rules::promotion::resolve_target;
use crate::rules::promotion::PromotionVerdict;
use crate::rules::verdict::when;
use crate::store::ReleaseHead;

/// One release's readiness, as `rel status` and `rel board` show it.
pub struct Row<'a> {
    pub release: &'a Release,
    pub days: u32,
    /// The verdict for the next environment; None in the last one.
    pub next: Option<PromotionVerdict>,
}

pub fn next_verdict(
    p: &Pipeline,
    all: &[ReleaseHead],
    r: &Release,
    ctx: &Context,
) -> Option<PromotionVerdict> {
    // Only a release in progress with an environment ahead has a verdict.
    let target = resolve_target(p, r, None).ok()?;
    Some(verdict_into(p, all, r, target, ctx.now))
}

pub fn readiness(p: &Pipeline, row: &Row) -> (String, Tone) {
    let p = &*p.lane_of(row.release);
    let Some(v) = &row.next else {
        return if p.position(&row.release.environment).is_some() {
            // In the last environment the next move is `rel close`.
            let close = may_close(p, row.release);
            if close.allowed() {
                ("last environment: ready to close".into(), Tone::Good)
            } else {
                let codes: Vec<&str> = close.codes().iter().map(|c| c.as_str()).collect();
                (
                    format!("last environment: close blocked: {}", codes.join(", ")),
                    Tone::Bad,
                )
            }
        } else if p.defines_lane() {
            ("not in the pipeline: roll it back".into(), Tone::Bad)
        } else {
            (
                format!("pipeline `{}` not defined", p.pipeline_name()),
                Tone::Bad,
            )
        };
    };
    let (text, tone) = verdict_readiness(p, v, row.release);
    // What is planned, and what waits for a person (section 7).
    let mut text = text;
    if let Some(s) = crate::rules::schedule::in_pipeline_order(p, row.release).first() {
        text.push_str(&format!(
            "; scheduled into {} at {}",
            s.env,
            when(&p.calendar, s.at)
        ));
    }
    // A schedule a person cancelled stays so (contract 11.6).
    if let Some(target) = &v.to {
        if crate::rules::auto_schedule::cancelled_by_person(row.release, target).is_some() {
            text.push_str(&format!(
                "; not scheduled into {target}: cancelled by a person, zero-touch leaves it so"
            ));
        }
    }
    (text, tone)
}

fn verdict_readiness(p: &Pipeline, v: &PromotionVerdict, r: &Release) -> (String, Tone) {
    let failed = r
        .latest_health(&r.environment)
        .filter(|h| h.at >= r.entered_at)
        .is_some_and(|h| !h.passed);
    if failed
        && v.to
            .as_deref()
            .and_then(|t| p.env(t))
            .is_some_and(|e| e.auto_schedule)
    {
        return (
            "waits for a person: the latest health report failed (nothing scheduled)".into(),
            Tone::Bad,
        );
    }
    if v.ready() {
        return ("ready".into(), Tone::Good);
    }
    // "ready at" only when time alone clears it; else what must be done,
    // and the earliest the time rules allow.
    if v.blocking_codes().is_empty() {
        return match v.ready_at() {
            Some(t) => (format!("ready at {}", when(&p.calendar, t)), Tone::Waiting),
            None => ("never (time rules)".into(), Tone::Bad),
        };
    }
    let codes: Vec<&str> = v.verdict.codes().iter().map(|c| c.as_str()).collect();
    let earliest = match v.earliest() {
        Some(t) if t > v.at => format!("; earliest {}", when(&p.calendar, t)),
        _ => String::new(),
    };
    (
        format!("blocked: {}{earliest}", codes.join(", ")),
        Tone::Bad,
    )
}
