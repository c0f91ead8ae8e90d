//! `rel forecast [--until TIME] [--release R]… [--strict]` (contract
//! 11.8): gathers the releases in progress (and the finished releases some
//! depend on), asks the pure simulation (`rules::forecast`), prints.

use chrono::Duration;

use crate::context::{parse_instant, Context};
use crate::error::invalid;
use crate::model::release::Release;
use crate::outcome::Outcome;
use crate::render::forecast::{forecast_json, forecast_lines};
use crate::render::output::{json, outln};
use crate::rules::forecast::{forecast, ReleaseForecast, Request, HORIZON_DAYS};

use super::shared::schedule_facts::in_progress_and_dependencies;

pub fn run(
    ctx: &Context,
    until: Option<&str>,
    only: &[String],
    strict: bool,
) -> anyhow::Result<Outcome> {
    let given = match until {
        Some(text) => {
            let t = parse_instant(text).map_err(|m| invalid(format!("--until: {m}")))?;
            if t < ctx.now {
                return Err(invalid(format!(
                    "--until {text} lies before now ({}); the forecast runs forward from now",
                    crate::render::time::rfc3339(ctx.now)
                )));
            }
            Some(t)
        }
        None => None,
    };
    let ws = super::shared::open_reading(ctx)?;
    let pipeline = ws.pipeline()?;
    // Every release named must exist (exit 2 with a did-you-mean).
    let mut wanted = Vec::new();
    for id in only {
        let r: Release = super::shared::suggest::load_past(&ws, id)?;
        if !r.state.in_progress() {
            return Err(invalid(format!(
                "{} is {}; the forecast covers releases in progress",
                r.id, r.state
            )));
        }
        wanted.push(r.id);
    }
    let releases = in_progress_and_dependencies(&ws)?;
    let mut f = forecast(
        &pipeline,
        &releases,
        Request {
            now: ctx.now,
            until: given.unwrap_or(ctx.now + Duration::days(HORIZON_DAYS)),
            strict,
        },
    );
    if let Some(t) = given {
        f.until = t;
    }
    let shown: Vec<&ReleaseForecast> = f
        .releases
        .iter()
        .filter(|r| wanted.is_empty() || wanted.iter().any(|w| w.eq_ignore_ascii_case(&r.release)))
        .collect();
    if ctx.json {
        json(&forecast_json(&f, &shown))?;
    } else if shown.is_empty() {
        outln("no release in progress")?;
    } else {
        for line in forecast_lines(&pipeline.calendar, &f, &shown) {
            outln(&line)?;
        }
    }
    Ok(Outcome::Done)
}
