//! `rel depend R --on R2 [--reached ENV] [--before ENV] [--off --reason T]`
//! decided (contract 11.4): the command and the audit's replay call this.

use crate::model::action::Action;
use crate::model::pipeline::Pipeline;
use crate::model::release::{Dependency, Release};
use crate::model::rule::RuleCode;
use crate::rules::register::effects::Stamp;
use crate::rules::{Verdict, Violation};

use super::Refusal;

/// What is asked: a dependency on `on`, or with `off` its removal.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub on: &'a str,
    pub reached: Option<&'a str>,
    pub before: Option<&'a str>,
    pub off: bool,
    pub reason: Option<&'a str>,
}

/// The release after the change; None when there is nothing to change
/// (the same dependency is there already). `others`: every release the
/// caller can see, in progress or finished (R itself may be among them).
pub fn depend(
    p: &Pipeline,
    release: &Release,
    ask: Ask,
    others: &[Release],
    stamp: Stamp,
) -> Result<Option<Release>, Refusal> {
    if !release.state.in_progress() {
        return Err(Refusal::Refused {
            summary: format!("{} cannot change its dependencies", release.id),
            verdict: Verdict {
                violations: vec![Violation::new(
                    RuleCode::State,
                    format!("{} is {}: it moves no more", release.id, release.state),
                )],
            },
        });
    }
    if ask.on.eq_ignore_ascii_case(&release.id) {
        return Err(Refusal::Invalid(format!(
            "{} cannot depend on itself",
            release.id
        )));
    }
    let mut after = release.clone();
    let mut event = stamp.event(Action::Depend);
    if ask.off {
        let before = after.depends.len();
        after
            .depends
            .retain(|d| !d.release.eq_ignore_ascii_case(ask.on));
        if after.depends.len() == before {
            return Err(Refusal::Invalid(format!(
                "{} does not depend on {}",
                release.id, ask.on
            )));
        }
        event.detail = Some(format!("no longer waits for {}", ask.on));
        event.reason = ask.reason.map(str::to_string);
        after.history.push(event);
        return Ok(Some(after));
    }
    let on = others
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(ask.on))
        .ok_or_else(|| Refusal::Invalid(format!("unknown release `{}`", ask.on)))?;
    // `--reached` names an environment of R2's pipeline, `--before` one of
    // R's (contract 11.4).
    let env = |p: &Pipeline, name: Option<&str>| -> Result<Option<String>, Refusal> {
        name.map(|n| {
            p.find(n)
                .map(|i| p.environments[i].name.clone())
                .map_err(Refusal::Invalid)
        })
        .transpose()
    };
    let dependency = Dependency {
        release: on.id.clone(),
        reached: env(&p.lane_of(on), ask.reached)?,
        before: env(&p.lane_of(release), ask.before)?,
    };
    if after.depends.contains(&dependency) {
        return Ok(None);
    }
    if let Some(path) = cycle(&release.id, &on.id, others) {
        return Err(Refusal::Invalid(format!(
            "{} cannot depend on {}: {} already waits for {} ({})",
            release.id,
            on.id,
            on.id,
            release.id,
            path.join(" -> ")
        )));
    }
    // One dependency per release waited for: a new one replaces the old.
    after
        .depends
        .retain(|d| !d.release.eq_ignore_ascii_case(&on.id));
    let mut detail = format!("waits for {}", on.id);
    if let Some(r) = &dependency.reached {
        detail.push_str(&format!(" to reach {r}"));
    } else {
        detail.push_str(" to be released");
    }
    if let Some(b) = &dependency.before {
        detail.push_str(&format!(" before entering {b}"));
    }
    after.depends.push(dependency);
    event.detail = Some(detail);
    after.history.push(event);
    Ok(Some(after))
}

/// The chain of dependencies from `on` back to `id`, if any: `on` (or a
/// release it waits for, transitively) already waits for `id`. Only the
/// dependencies of releases in progress count: a finished release waits
/// for nothing any more, and the command (which reads the releases in
/// progress) and the audit (which holds every release) must agree.
fn cycle(id: &str, on: &str, others: &[Release]) -> Option<Vec<String>> {
    let mut stack = vec![vec![on.to_string()]];
    let mut seen: Vec<String> = Vec::new();
    while let Some(path) = stack.pop() {
        let last = path.last()?.clone();
        if last.eq_ignore_ascii_case(id) {
            return Some(path);
        }
        if seen.iter().any(|s| s.eq_ignore_ascii_case(&last)) {
            continue;
        }
        seen.push(last.clone());
        let waiting = others
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(&last))
            .filter(|r| r.state.in_progress());
        if let Some(r) = waiting {
            for d in &r.depends {
                let mut next = path.clone();
                next.push(d.release.clone());
                stack.push(next);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::release::State;
    use crate::rules::register::fixtures::{release, stamp};

    fn waiting(id: &str, state: State, on: &str) -> Release {
        let mut r = release(id, state, &[]);
        r.depends.push(Dependency {
            release: on.into(),
            reached: None,
            before: None,
        });
        r
    }

    #[test]
    fn a_cycle_runs_only_through_releases_in_progress() {
        use crate::model::pipeline::Environment;
        let p = Pipeline {
            pipelines: Default::default(),
            calendar: Default::default(),
            roles: Default::default(),
            environments: vec![Environment::named("dev"), Environment::named("live")],
            require_incidents: true,
            sync: None,
            notify: Vec::new(),
            simple_max_hop: Default::default(),
            paths_table: false,
            installations: Default::default(),
            updates: Default::default(),
            audit: Default::default(),
            override_by: None,
            notify_on: None,
        };
        let r = release("R", State::Open, &[]);
        let ask = Ask {
            on: "X",
            reached: None,
            before: None,
            off: false,
            reason: None,
        };
        // X waits for F, which waited for R before it was released: no cycle.
        let finished = vec![
            r.clone(),
            waiting("X", State::Open, "F"),
            waiting("F", State::Released, "R"),
        ];
        assert!(depend(&p, &r, ask, &finished, stamp()).is_ok());
        // F still in progress: R -> X -> F -> R is a cycle, exit 2.
        let open = vec![
            r.clone(),
            waiting("X", State::Open, "F"),
            waiting("F", State::Open, "R"),
        ];
        assert!(matches!(
            depend(&p, &r, ask, &open, stamp()),
            Err(Refusal::Invalid(m)) if m.contains("X -> F -> R")
        ));
    }
}
