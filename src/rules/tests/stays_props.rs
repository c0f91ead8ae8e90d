//! Properties of a new round (`rel repeat`) and of a release's own items,
//! asked of the very verdict `check` and `promote` give.

use chrono::Duration;
use proptest::prelude::*;

use crate::model::calendar::Calendar;
use crate::model::pipeline::{ChecklistItem, Environment, Pipeline, Soak};
use crate::model::release::{ChecklistKind, Release, State};
use crate::model::rule::RuleCode;

use crate::rules::checklists::{items, not_ticked};
use crate::rules::history::soak_from;
use crate::rules::moves::{self, CheckResult};
use crate::rules::promotion::{check_promotion, PromotionInput};
use crate::rules::register::effects::Stamp;
use crate::rules::register::fixtures::{release, t0};
use crate::rules::stays;

const BY: &str = "Ana Smith <ana@example.com>";

/// dev -> dryrun (repeatable, soak, exit items) -> live (health, entry items).
fn pipeline(exit_items: usize, soak: u32) -> Pipeline {
    let item = |n: usize, what: &str| ChecklistItem {
        item: format!("{what} {n}"),
        kinds: Vec::new(),
    };
    let mut dry = Environment::named("dryrun");
    dry.repeatable = true;
    dry.soak = Soak {
        major: soak,
        minor: soak,
        patch: soak,
    };
    dry.exit_checklist = (0..exit_items).map(|n| item(n, "exit")).collect();
    let mut live = Environment::named("live");
    live.requires_health = true;
    live.entry_checklist = vec![item(0, "entry")];
    Pipeline {
        pipelines: Default::default(),
        override_by: None,
        notify_on: None,
        calendar: Calendar::default(),
        roles: Default::default(),
        environments: vec![Environment::named("dev"), dry, live],
        require_incidents: true,
        sync: None,
        notify: Vec::new(),
        simple_max_hop: Default::default(),
        paths_table: false,
        installations: Default::default(),
        updates: Default::default(),
        audit: Default::default(),
    }
}

/// A release in the dry run since t0, with every item ticked and a passing
/// report, each at `minutes` after t0 (all before the repeat).
fn round(p: &Pipeline, minutes: &[i64]) -> Release {
    let mut r = release("R-1", State::Frozen, &[]);
    r.environment = "dryrun".into();
    let at = |n: usize| t0() + Duration::minutes(minutes[n % minutes.len()]);
    let texts: Vec<String> = items(&p.environments[1], &r, ChecklistKind::Exit)
        .iter()
        .map(|i| i.text.to_string())
        .collect();
    for (n, text) in texts.iter().enumerate() {
        let s = Stamp { at: at(n), by: BY };
        moves::tick(&mut r, "dryrun", ChecklistKind::Exit, text, s);
    }
    let s = Stamp { at: at(7), by: BY };
    moves::tick(&mut r, "live", ChecklistKind::Entry, "entry 0", s);
    let check = CheckResult {
        env: "dryrun".into(),
        revision: r.revision,
        passed: true,
        duration_ms: None,
        tests_passed: None,
        tests_failed: None,
        report: None,
        command: None,
        detail: None,
        log: None,
    };
    moves::record_health(&mut r, &check, Stamp { at: at(3), by: BY });
    r.history.sort_by_key(|e| e.at);
    r
}

fn codes(p: &Pipeline, r: &Release, now: chrono::DateTime<chrono::Utc>) -> Vec<RuleCode> {
    check_promotion(&PromotionInput {
        pipeline: p,
        dependencies: &[],
        release: r,
        target: 2,
        occupants: &[],
        now,
    })
    .verdict
    .codes()
}

proptest! {
    /// After a repeat, every exit item of the round is asked for again, the
    /// health report is asked for again, the soak counts from the repeat;
    /// what belongs to the environment ahead (its entry ticks) still counts.
    #[test]
    fn a_repeat_asks_again_for_exit_items_health_and_soak(
        exit_items in 0usize..4,
        soak in 0u32..3,
        minutes in prop::collection::vec(0i64..5_000, 1..5),
        later in 1i64..10_000,
    ) {
        let p = pipeline(exit_items, soak);
        let mut r = round(&p, &minutes);
        let now = t0() + Duration::minutes(5_000 + later);
        stays::round_starts_after(&r, now).map_err(TestCaseError::fail)?;
        prop_assert!(!codes(&p, &r, now).contains(&RuleCode::Checklist));
        stays::repeat(&mut r, "again", Stamp { at: now, by: BY });

        prop_assert_eq!(not_ticked(&p.environments[1], &r, ChecklistKind::Exit).len(), exit_items);
        prop_assert!(not_ticked(&p.environments[2], &r, ChecklistKind::Entry).is_empty());
        prop_assert_eq!(soak_from(&r), now);
        let after = codes(&p, &r, now);
        prop_assert!(after.contains(&RuleCode::Health));
        prop_assert_eq!(after.contains(&RuleCode::Checklist), exit_items > 0);
        prop_assert_eq!(after.contains(&RuleCode::Soak), soak > 0);
        // Nothing is deleted: the earlier round stays on record.
        prop_assert_eq!(r.ticks.len(), exit_items + 1);
        prop_assert_eq!(r.health.len(), 1);
    }

    /// An own item is asked for until ticked, and only a tick made since it
    /// was added counts (one removed and added again needs a new tick).
    #[test]
    fn an_own_item_needs_a_tick_made_since_it_was_added(gap in 0i64..1_000) {
        let p = pipeline(0, 0);
        let mut r = round(&p, &[0]);
        let added = t0() + Duration::minutes(10 + gap);
        let texts = vec!["Backup".to_string()];
        stays::add_items(&mut r, "live", ChecklistKind::Entry, &texts, Stamp { at: added, by: BY });
        let live = &p.environments[2];
        prop_assert_eq!(not_ticked(live, &r, ChecklistKind::Entry).len(), 1);
        moves::tick(&mut r, "live", ChecklistKind::Entry, "Backup", Stamp { at: added, by: BY });
        prop_assert!(not_ticked(live, &r, ChecklistKind::Entry).is_empty());
        let again = added + Duration::minutes(1);
        stays::remove_item(&mut r, "live", ChecklistKind::Entry, "Backup", "x", Stamp { at: again, by: BY });
        prop_assert!(not_ticked(live, &r, ChecklistKind::Entry).is_empty());
        stays::add_items(&mut r, "live", ChecklistKind::Entry, &texts, Stamp { at: again, by: BY });
        prop_assert_eq!(not_ticked(live, &r, ChecklistKind::Entry).len(), 1);
    }
}
