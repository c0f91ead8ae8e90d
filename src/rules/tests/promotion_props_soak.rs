//! The soak counts the content that is there now (contract rev 2): the
//! promotion verdict over the random cases of `promotion_props`, with
//! content changes in the release's history.

use crate::model::action::Action;
use chrono::Duration;
use proptest::prelude::*;

use super::*;
use crate::rules::history::{soak_from, CONTENT_CHANGES};

proptest! {
    // About half the random cases are impossible moves (state, order) and
    // are skipped: allow for it.
    #![proptest_config(ProptestConfig { cases: 600, max_global_rejects: 8192, ..ProptestConfig::default() })]

    /// The soak counts the content that is there now: a release whose
    /// content changed at `c` while there soaks exactly as one that entered
    /// at `c`; and a later content change never ends the soak sooner.
    #[test]
    fn the_soak_counts_from_the_last_content_change_and_is_monotonic_in_it(
        (p, r, now, target, occ) in case(),
        later in 0i64..5_000,
    ) {
        let v = verdict_at(&p, &r, target, &occ, now);
        prop_assume!(!v.impossible());
        let soak = |v: &PromotionVerdict| v.verdict.violations.iter().find(|x| x.rule == RuleCode::Soak).map(|x| x.ready_at);
        // The same release entered at its soak start, without content events.
        let mut fresh = r.clone();
        fresh.entered_at = soak_from(&r);
        fresh.history.retain(|e| !CONTENT_CHANGES.contains(&e.action.as_str()));
        let w = verdict_at(&p, &fresh, target, &occ, now);
        prop_assert_eq!(soak(&v), soak(&w));
        prop_assert_eq!(v.time_ready_at, w.time_ready_at);
        // A content change `later` minutes after the soak start.
        let mut changed = r.clone();
        let at = soak_from(&r) + Duration::minutes(later);
        changed.history.push(Event::new(at, "a", Action::Group));
        let u = verdict_at(&p, &changed, target, &occ, now.max(at));
        let end = |v: &PromotionVerdict| match soak(v) {
            None => Some(v.at),
            Some(end) => end,
        };
        match (end(&v), end(&u)) {
            (Some(a), Some(b)) => prop_assert!(b >= a, "soak ended at {} before the change, {} after", a, b),
            (None, Some(b)) => prop_assert!(false, "soak never ends, yet ends at {} after a later change", b),
            _ => {}
        }
        prop_assert!(u.time_ready_at.is_none_or(|t| t >= at));
    }
}
