//! The simulation: releases moved forward in memory, one instant at a
//! time. At each instant where something may change (a soak ends, a window
//! opens, a schedule comes, another release moves), the releases concerned
//! are asked the promotion verdict; those that pass move with the
//! promotion's own effect. At one instant, moves into environments that
//! are not exclusive come first, then one queue entry at a time, each
//! followed by whatever it unblocks; a release may pass through an
//! environment in no time.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use crate::model::pipeline::Pipeline;
use crate::model::release::Release;
use crate::model::rule::RuleCode;
use crate::rules::decide::promote::verdict_into;
use crate::rules::depends;
use crate::rules::due;
use crate::rules::moves;
use crate::rules::occupancy::Asker;
use crate::rules::occupancy::Occupancy;
use crate::rules::promotion::{resolve_target, PromotionVerdict};
use crate::rules::register::effects::Stamp;
use crate::rules::verdict::when;

use super::close::{self, Close};
use super::queue::{order, Key, Place};
use super::waits::{behind, timed, Pending};
use super::{Forecast, Move, ReleaseForecast, Request, Step, Stop, Wait, WaitKind, PERSON_STEPS};

/// Who the simulated promotions are recorded as (never written anywhere).
const BY: &str = "rel forecast <forecast@rel.invalid>";

/// The forecast of every release in progress among `releases` (the others,
/// finished releases some depend on, are only looked at).
pub fn forecast(p: &Pipeline, releases: &[Release], req: Request) -> Forecast {
    let mut sim = Sim::new(p, releases, req);
    for i in 0..sim.world.len() {
        if sim.tracks[i].active {
            sim.wake_at(i, req.now);
        }
    }
    while let Some(&(t, _)) = sim.wakes.first() {
        if t > req.until {
            break;
        }
        let mut todo = BTreeSet::new();
        while let Some(&(w, i)) = sim.wakes.first() {
            if w != t {
                break;
            }
            sim.wakes.pop_first();
            sim.next_wake[i] = None;
            todo.insert(i);
        }
        sim.instant(t, todo);
    }
    sim.finish()
}

/// What becomes of one release, tracked alongside it.
#[derive(Debug, Clone, Default)]
struct Track {
    /// In progress, neither stopped nor in its last environment.
    active: bool,
    steps: Vec<Step>,
    pending: Pending,
    /// When every rule but `exclusive` first passed for its next entry.
    ready_since: Option<DateTime<Utc>>,
    done_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    stopped: Option<Stop>,
}

/// Where a release goes next.
enum Next {
    Target(usize),
    /// In the last environment of its path.
    Last,
    /// In an environment the pipeline does not have.
    Lost,
}

/// The answer for one release at one instant.
enum Outcome {
    /// Every rule passes (person steps taken as done).
    Move,
    Stop(Stop),
    Wait(Waiting),
}

struct Waiting {
    blocking: Vec<Wait>,
    /// Ask again then (a time rule or a schedule).
    wake: Option<DateTime<Utc>>,
    /// The queue it waits in.
    queue: Option<Key>,
    /// Releases in progress it waits for.
    deps: Vec<String>,
    /// Only `exclusive` blocks: its place in the queue counts from now.
    queue_ready: bool,
}

struct Sim<'a> {
    p: &'a Pipeline,
    req: Request,
    /// Every release given, in id order, moved forward as the forecast goes.
    world: Vec<Release>,
    tracks: Vec<Track>,
    wakes: BTreeSet<(DateTime<Utc>, usize)>,
    next_wake: Vec<Option<DateTime<Utc>>>,
    /// Who waits for an exclusive environment to free.
    queue_waiters: HashMap<Key, BTreeSet<usize>>,
    /// Who waits for a release (lower-case id) to move.
    dep_waiters: HashMap<String, BTreeSet<usize>>,
    moves: Vec<Move>,
}

impl<'a> Sim<'a> {
    fn new(p: &'a Pipeline, releases: &[Release], req: Request) -> Sim<'a> {
        let mut world = releases.to_vec();
        world.sort_by_key(|r| r.id.to_ascii_lowercase());
        let tracks: Vec<Track> = world
            .iter()
            .map(|r| Track {
                active: r.state.in_progress(),
                steps: vec![Step {
                    env: r.environment.clone(),
                    enter: r.entered_at,
                    leave: None,
                    waits: Vec::new(),
                }],
                ..Track::default()
            })
            .collect();
        let n = world.len();
        Sim {
            p,
            req,
            world,
            tracks,
            wakes: BTreeSet::new(),
            next_wake: vec![None; n],
            queue_waiters: HashMap::new(),
            dep_waiters: HashMap::new(),
            moves: Vec::new(),
        }
    }

    fn wake_at(&mut self, i: usize, at: DateTime<Utc>) {
        if let Some(old) = self.next_wake[i].take() {
            self.wakes.remove(&(old, i));
        }
        self.next_wake[i] = Some(at);
        self.wakes.insert((at, i));
    }

    fn unwake(&mut self, i: usize) {
        if let Some(old) = self.next_wake[i].take() {
            self.wakes.remove(&(old, i));
        }
    }

    /// Everything that happens at `t`, starting with the releases in `todo`.
    fn instant(&mut self, t: DateTime<Utc>, mut todo: BTreeSet<usize>) {
        loop {
            let mut queued: Vec<(usize, usize)> = Vec::new();
            while let Some(i) = todo.pop_first() {
                if !self.tracks[i].active {
                    continue;
                }
                let target = match self.next(i) {
                    Next::Target(target) => target,
                    Next::Last => {
                        self.done(i, t, &mut todo);
                        continue;
                    }
                    Next::Lost => {
                        let stop = self.lost(i, t);
                        self.stop(i, stop);
                        continue;
                    }
                };
                match self.classify(i, target, t) {
                    Outcome::Move
                        if !self.p.lane_of(&self.world[i]).environments[target].exclusive =>
                    {
                        self.enter(i, target, t, &mut todo);
                    }
                    Outcome::Move => {
                        self.mark_ready(i, target, t);
                        queued.push((i, target));
                    }
                    Outcome::Stop(stop) => self.stop(i, stop),
                    Outcome::Wait(w) => self.park(i, target, t, w),
                }
            }
            if queued.is_empty() {
                return;
            }
            // Each queue lets its first release in; the others are asked
            // again (they now find it taken), with whatever the entries
            // unblock. Queues do not touch one another: an entry takes
            // only its own environment (of its installation).
            queued.sort_by(|a, b| order(&self.place(a.0), &self.place(b.0)));
            let mut served: HashSet<Key> = HashSet::new();
            for (i, target) in queued {
                let r = &self.world[i];
                let key = Key::new(
                    r.pipeline_name(),
                    &self.p.lane_of(r).environments[target].name,
                    r.installation.as_deref(),
                );
                if served.insert(key) {
                    self.enter(i, target, t, &mut todo);
                } else {
                    todo.insert(i);
                }
            }
        }
    }

    fn place(&self, i: usize) -> Place<'_> {
        let r = &self.world[i];
        Place {
            ready_since: self.tracks[i].ready_since.unwrap_or(self.req.now),
            target: r.target,
            id: &r.id,
        }
    }

    /// The next environment on the release's path, as `rel promote` without
    /// `--to` finds it.
    fn next(&self, i: usize) -> Next {
        let r = &self.world[i];
        let effective = self.p.for_release(r);
        match resolve_target(self.p, r, None) {
            Ok(t) if effective.environments.get(t).is_some_and(|e| !e.off_path) => Next::Target(t),
            _ if effective.position(&r.environment).is_none() => Next::Lost,
            _ => Next::Last,
        }
    }

    fn verdict(&self, i: usize, target: usize, t: DateTime<Utc>) -> PromotionVerdict {
        verdict_into(self.p, &self.world[..], &self.world[i], target, t)
    }

    /// What the rules say about release `i` entering `target` at `t`.
    fn classify(&self, i: usize, target: usize, t: DateTime<Utc>) -> Outcome {
        let r = &self.world[i];
        let effective = self.p.for_release(r);
        let env = &effective.environments[target];
        let v = self.verdict(i, target, t);
        let stop = |rule: &str, message: String, who: Vec<String>| {
            Outcome::Stop(Stop {
                env: env.name.clone(),
                at: t,
                rule: rule.to_string(),
                message,
                who,
            })
        };
        let all = &v.verdict.violations;
        if let Some(x) = all
            .iter()
            .find(|x| matches!(x.rule, RuleCode::Held | RuleCode::State | RuleCode::Order))
        {
            return stop(x.rule.as_str(), x.message.clone(), Vec::new());
        }
        // With `--strict`, a release stops at a person step the moment
        // it would otherwise be ready (below), not while its own soak, a
        // window or the queue still holds it: that moment is when the
        // person must have acted.
        let person: Vec<_> = all
            .iter()
            .filter(|x| PERSON_STEPS.contains(&x.rule))
            .collect();
        let mut w = Waiting {
            blocking: Vec::new(),
            wake: None,
            queue: None,
            deps: Vec::new(),
            queue_ready: false,
        };
        let mut time_blocked = None;
        for x in all.iter().filter(|x| !PERSON_STEPS.contains(&x.rule)) {
            match x.rule {
                c if c.is_time_rule() => {
                    time_blocked.get_or_insert(c);
                    w.blocking
                        .push(timed(WaitKind::Rule(c), x.ready_at, &x.message));
                }
                RuleCode::Exclusive => {
                    let inst = r.installation.as_deref();
                    for o in self.world[..].occupants(&env.name, Asker::from(r)) {
                        w.blocking.push(behind(
                            WaitKind::Rule(RuleCode::Exclusive),
                            &o,
                            &x.message,
                        ));
                    }
                    w.queue = Some(Key::new(r.pipeline_name(), &env.name, inst));
                }
                _ => {}
            }
        }
        if all.iter().any(|x| x.rule == RuleCode::Depends) {
            for f in depends::facts(r, &self.world[..]) {
                let Some(x) =
                    depends::violations(&effective, r, &env.name, std::slice::from_ref(&f))
                        .into_iter()
                        .next()
                else {
                    continue;
                };
                // Only a release in progress can still get there.
                if !f.standing.as_ref().is_some_and(|s| s.state.in_progress()) {
                    return stop("depends", x.message, Vec::new());
                }
                w.blocking.push(behind(
                    WaitKind::Rule(RuleCode::Depends),
                    &f.dependency.release,
                    &x.message,
                ));
                w.deps.push(f.dependency.release.clone());
            }
        }
        if let Some(code) = time_blocked {
            match v.time_ready_at {
                // Asked again when the first time rule passes, so that what
                // blocks next (a window closed by then) is seen and named;
                // time always moves on: never at the same instant.
                Some(at) => {
                    let first = w
                        .blocking
                        .iter()
                        .filter_map(|b| b.until)
                        .filter(|u| *u > t)
                        .min()
                        .unwrap_or(at)
                        .min(at);
                    w.wake = Some(first.max(t + Duration::minutes(1)));
                }
                None => {
                    return stop(
                        code.as_str(),
                        format!(
                            "{} can never enter {}: the time rules never pass together ({})",
                            r.id,
                            env.name,
                            w.blocking
                                .iter()
                                .map(|b| b.message.as_str())
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                        Vec::new(),
                    )
                }
            }
        }
        // A scheduled promotion happens at its time, when the rules pass then.
        if let Some(s) = r.schedule_for(&env.name).filter(|s| s.at > t) {
            w.blocking.push(timed(
                WaitKind::Schedule,
                Some(s.at),
                &format!(
                    "{} is scheduled into {} at {}",
                    r.id,
                    env.name,
                    when(&self.p.calendar, s.at)
                ),
            ));
            w.wake = Some(w.wake.map_or(s.at, |x| x.max(s.at)));
        }
        if w.blocking.is_empty() {
            if let (true, Some(first)) = (self.req.strict, person.first()) {
                let message: Vec<&str> = person.iter().map(|x| x.message.as_str()).collect();
                let who = if first.rule == RuleCode::Approval {
                    approvers(&effective, env)
                } else {
                    Vec::new()
                };
                return stop(first.rule.as_str(), message.join("; "), who);
            }
            return Outcome::Move;
        }
        // The release in an exclusive environment is why this one waits
        // only once nothing else holds it (its soak, a window, a
        // dependency, a schedule): it is asked again when those pass, and
        // then names whoever is in the environment at that time.
        if time_blocked.is_some() || !w.deps.is_empty() || w.wake.is_some() {
            w.blocking
                .retain(|b| b.kind != WaitKind::Rule(RuleCode::Exclusive));
        }
        w.queue_ready = time_blocked.is_none() && w.deps.is_empty() && w.wake.is_none();
        Outcome::Wait(w)
    }

    /// Every rule but `exclusive` passes for release `i`: its place in the
    /// queue counts from the first instant that held. Asked first at now,
    /// that instant may lie before now: when the time rules (and its
    /// schedule) first passed since it entered where it is.
    fn mark_ready(&mut self, i: usize, target: usize, t: DateTime<Utc>) {
        if self.tracks[i].ready_since.is_some() {
            return;
        }
        let mut since = t;
        if t == self.req.now && self.tracks[i].steps.len() == 1 {
            let r = &self.world[i];
            let entered = r.entered_at.min(t);
            if let Some(at) = self.verdict(i, target, entered).time_ready_at {
                let scheduled = r
                    .schedule_for(&self.p.lane_of(r).environments[target].name)
                    .map(|s| s.at);
                since = at.max(scheduled.unwrap_or(at)).min(t);
            }
        }
        self.tracks[i].ready_since = Some(since);
    }

    fn park(&mut self, i: usize, target: usize, t: DateTime<Utc>, w: Waiting) {
        if w.queue_ready {
            self.mark_ready(i, target, t);
        }
        self.tracks[i].pending.observe(t, w.blocking);
        if let Some(k) = w.queue {
            self.queue_waiters.entry(k).or_default().insert(i);
        }
        for d in w.deps {
            self.dep_waiters
                .entry(d.to_ascii_lowercase())
                .or_default()
                .insert(i);
        }
        match w.wake {
            Some(at) => self.wake_at(i, at),
            None => self.unwake(i),
        }
    }

    /// Release `i` enters `target` at `t`, by the promotion's own effect.
    fn enter(&mut self, i: usize, target: usize, t: DateTime<Utc>, todo: &mut BTreeSet<usize>) {
        let name = self.p.lane_of(&self.world[i]).environments[target]
            .name
            .clone();
        let left = Key::new(
            self.world[i].pipeline_name(),
            &self.world[i].environment,
            self.world[i].installation.as_deref(),
        );
        let stamp = Stamp { at: t, by: BY };
        let r = &mut self.world[i];
        let scheduled = match r.schedule_for(&name).filter(|s| s.at <= t).cloned() {
            Some(s) => {
                due::apply(r, &s, stamp);
                true
            }
            None => {
                moves::promote(r, &name, &[], None, stamp);
                false
            }
        };
        let id = r.id.clone();
        let track = &mut self.tracks[i];
        if let Some(last) = track.steps.last_mut() {
            last.leave = Some(t);
        }
        let waits = track.pending.finish(t);
        track.steps.push(Step {
            env: name.clone(),
            enter: t,
            leave: None,
            waits,
        });
        track.ready_since = None;
        self.moves.push(Move {
            release: id.clone(),
            env: name,
            at: t,
            scheduled,
            closes: false,
        });
        // Who waited for the environment it left, or for it, may move now.
        if let Some(ws) = self.queue_waiters.remove(&left) {
            todo.extend(ws);
        }
        if let Some(ws) = self.dep_waiters.remove(&id.to_ascii_lowercase()) {
            todo.extend(ws);
        }
        self.unwake(i);
        todo.insert(i);
    }

    /// Release `i` is in its last environment at `t`; closed there when
    /// another waits for its release (see `close`).
    fn done(&mut self, i: usize, t: DateTime<Utc>, todo: &mut BTreeSet<usize>) {
        let track = &mut self.tracks[i];
        track.active = false;
        track.done_at = track.steps.last().map(|s| s.enter);
        self.unwake(i);
        match close::decide(self.p, &self.world, &self.world[i], t, self.req.strict) {
            Close::Stays => {}
            Close::Stop(stop) => self.tracks[i].stopped = Some(stop),
            Close::Closed => self.close(i, t, todo),
        }
    }

    /// Release `i` is closed at `t`, by the close's own effect (its
    /// incidents are not part of the forecast).
    fn close(&mut self, i: usize, t: DateTime<Utc>, todo: &mut BTreeSet<usize>) {
        let r = &mut self.world[i];
        let left = Key::new(r.pipeline_name(), &r.environment, r.installation.as_deref());
        moves::close(r, &mut [], Stamp { at: t, by: BY });
        let (id, env) = (r.id.clone(), r.environment.clone());
        self.tracks[i].closed_at = Some(t);
        self.moves.push(Move {
            release: id.clone(),
            env,
            at: t,
            scheduled: false,
            closes: true,
        });
        // Who waited for its release, or for the environment it held
        // (released, it holds it no more), may move now.
        if let Some(ws) = self.queue_waiters.remove(&left) {
            todo.extend(ws);
        }
        if let Some(ws) = self.dep_waiters.remove(&id.to_ascii_lowercase()) {
            todo.extend(ws);
        }
    }

    fn stop(&mut self, i: usize, stop: Stop) {
        self.tracks[i].active = false;
        self.tracks[i].stopped = Some(stop);
        self.unwake(i);
    }

    fn lost(&self, i: usize, t: DateTime<Utc>) -> Stop {
        let r = &self.world[i];
        Stop {
            env: r.environment.clone(),
            at: t,
            rule: RuleCode::Order.as_str().to_string(),
            message: self.p.lane_of(r).not_in_lane(r, " any more"),
            who: Vec::new(),
        }
    }

    fn finish(self) -> Forecast {
        let all_done = self
            .world
            .iter()
            .zip(&self.tracks)
            .filter(|(r, t)| shown(r, t))
            .all(|(_, t)| t.done_at.is_some());
        let until = if all_done {
            self.tracks
                .iter()
                .filter_map(|t| t.done_at)
                .fold(self.req.now, DateTime::max)
                .min(self.req.until)
        } else {
            self.req.until
        };
        let releases = self
            .world
            .iter()
            .zip(self.tracks)
            .filter(|(r, t)| shown(r, t))
            .map(|(r, t)| ReleaseForecast {
                release: r.id.clone(),
                pipeline: r.pipeline_name().to_string(),
                installation: r.installation.clone(),
                waiting: if t.done_at.is_none() {
                    t.pending.unfinished(until)
                } else {
                    Vec::new()
                },
                steps: t.steps,
                done_at: t.done_at,
                closed_at: t.closed_at,
                stopped: t.stopped,
            })
            .collect();
        Forecast {
            at: self.req.now,
            until,
            releases,
            moves: self.moves,
        }
    }
}

/// A release the forecast is about: in progress when it began (one it
/// closed is released by the end).
fn shown(r: &Release, t: &Track) -> bool {
    r.state.in_progress() || t.closed_at.is_some()
}

/// Who may approve entry to `env`: each role with its members, or anyone.
fn approvers(p: &Pipeline, env: &crate::model::pipeline::Environment) -> Vec<String> {
    env.approvals
        .iter()
        .map(|role| {
            let members = p
                .roles
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(role))
                .map(|(_, m)| m.join(", "));
            match members {
                Some(m) if !m.is_empty() => format!("{role}: {m}"),
                _ => format!("{role}: anyone"),
            }
        })
        .collect()
}
