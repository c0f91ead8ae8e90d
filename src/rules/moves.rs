//! What an allowed move does to a release: promotion and rollback, as pure
//! effects on the value (the register's side is `register::effects`). The
//! caller passes who and when, and writes the result.

use crate::model::action::Action;
use crate::model::release::Release;
use crate::model::rule::RuleCode;

use super::register::effects::Stamp;

/// Moves the release into `target` from where it is, recording the
/// overrides used and the reason. The soak there counts from now.
pub fn promote(
    release: &mut Release,
    target: &str,
    overrides: &[RuleCode],
    reason: Option<&str>,
    stamp: Stamp,
) {
    let mut event = stamp.event(Action::Promote);
    event.env = Some(target.to_string());
    event.from = Some(release.environment.clone());
    event.overrides = overrides.to_vec();
    event.reason = reason.map(str::to_string);
    release.environment = target.to_string();
    release.entered_at = stamp.at;
    release.history.push(event);
}

/// Moves the release back into `target` as a new stay: the soak there
/// starts again, and a new revision makes every approval, tick and health
/// report recorded before the rollback stale, so whatever leaving it again
/// needs (entry items and approvals ahead, exit items and the health report
/// here) is asked for again.
pub fn rollback(release: &mut Release, target: &str, reason: &str, stamp: Stamp) {
    let mut event = stamp.event(Action::Rollback);
    event.env = Some(target.to_string());
    event.from = Some(release.environment.clone());
    event.reason = Some(reason.to_string());
    release.revision += 1;
    event.detail = Some(format!("revision {}", release.revision));
    release.environment = target.to_string();
    release.entered_at = stamp.at;
    release.history.push(event);
}
