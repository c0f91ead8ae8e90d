//! Builds an incident: free, or grouped into the release that holds it
//! (and closed when that release was released).

use crate::clock::{at, DAY, HOUR};
use crate::manifest::{Authorisation, Component, Evidence, Incident, IncidentEvent};
use crate::plan::{Ctx, Spec};
use crate::rng::{Rng, STREAM_INCIDENT};
use crate::words::{ACTORS, AREAS, CLIENT_CONTACTS, IMPACTS, OBJECTS, VERBS};

/// Who holds an incident at the end, and when and by whom it was grouped
/// and shipped.
#[derive(Clone, Copy)]
pub struct Holding {
    pub spec: usize,
    pub grouped_at: i64,
    pub grouped_by: &'static str,
    /// The index of the `group` step in its release's life.
    pub group_step: usize,
    pub closed: Option<(i64, &'static str)>,
}

/// How far a held incident's life has gone: the import commit and the log
/// commits write it before it is grouped, grouped, and closed.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Not grouped yet: free, resolved.
    Free,
    Grouped,
    /// Closed if its release was released; grouped otherwise.
    Final,
}

fn component(rng: &mut Rng) -> (&'static str, String) {
    let kind = rng.pick(&[
        "dll",
        "parameter",
        "permission",
        "table",
        "service",
        "report",
    ]);
    let name = match kind {
        "dll" => format!(
            "Acme.{}.dll",
            rng.pick(&["Billing", "Payments", "Portal", "Reports", "Core", "Auth"])
        ),
        "parameter" => rng
            .pick(&[
                "MAX_RETRIES",
                "INVOICE_PREFIX",
                "SESSION_TIMEOUT",
                "EXPORT_BATCH_SIZE",
            ])
            .to_string(),
        "permission" => format!(
            "role:{}",
            rng.pick(&["finance-approver", "support-agent", "auditor", "admin"])
        ),
        "table" => rng
            .pick(&["dbo.Invoice", "dbo.Customer", "dbo.Payment", "dbo.AuditLog"])
            .to_string(),
        "service" => rng
            .pick(&["BillingService", "NotificationService", "SearchIndexer"])
            .to_string(),
        _ => rng
            .pick(&["Monthly revenue", "Overdue invoices", "User activity"])
            .to_string(),
    };
    (kind, name)
}

/// Incident `n` at the end of its life.
pub fn build_incident(n: usize, holding: Option<(Holding, &Spec)>, ctx: &Ctx) -> Incident {
    build_incident_at(n, holding, Phase::Final, ctx)
}

/// Incident `n` as it is at `phase` (same content otherwise: the randomness
/// is drawn the same way whatever the phase).
pub fn build_incident_at(
    n: usize,
    holding: Option<(Holding, &Spec)>,
    phase: Phase,
    ctx: &Ctx,
) -> Incident {
    let mut rng = Rng::for_item(STREAM_INCIDENT, n);
    let id = ctx.incident_id(n);
    let by = rng.pick(&ACTORS);
    let area = rng.pick(&AREAS);
    let title = format!("{} {} in {area}", rng.pick(&VERBS), rng.pick(&OBJECTS));
    // `until`: when it was grouped, or now for a free incident.
    let (created, until) = match holding {
        Some((h, _)) => (h.grouped_at - rng.range(2 * DAY, 40 * DAY), h.grouped_at),
        None => {
            let created = ctx.now - rng.range(DAY, 120 * DAY);
            (created, ctx.now - HOUR)
        }
    };
    let when = |tenths: i64| created + (until - created) * tenths / 10;
    let (resolved, authorised, tested) = match holding {
        Some(_) => (true, true, true),
        None => {
            let resolved = rng.chance(60);
            let authorised = resolved && rng.chance(70);
            (resolved, authorised, authorised && rng.chance(70))
        }
    };
    let closed = match holding {
        Some((h, _)) if phase == Phase::Final => h.closed,
        _ => None,
    };
    let status = match holding {
        _ if closed.is_some() => "closed",
        _ if resolved => "resolved",
        _ => "open",
    };
    let mut history = vec![IncidentEvent {
        at: at(created),
        by,
        action: "new",
        detail: None,
    }];
    let mut components: Vec<Component> = Vec::new();
    if rng.chance(60) {
        for _ in 0..rng.range(1, 3) {
            let (kind, name) = component(&mut rng);
            if components.iter().any(|c| c.kind == kind && c.name == name) {
                continue;
            }
            history.push(IncidentEvent {
                at: at(when(3)),
                by,
                action: "component",
                detail: Some(format!("{kind}:{name}")),
            });
            components.push(Component {
                kind,
                name,
                by,
                at: at(when(3)),
            });
        }
    }
    if resolved {
        history.push(IncidentEvent {
            at: at(when(4)),
            by,
            action: "resolve",
            detail: None,
        });
    }
    let authorisation = authorised.then(|| {
        let contact = rng.pick(&CLIENT_CONTACTS);
        history.push(IncidentEvent {
            at: at(when(6)),
            by,
            action: "authorise",
            detail: Some(format!("by {contact}")),
        });
        Authorisation {
            by: contact,
            at: at(when(6)),
            recorded_by: by,
        }
    });
    let mut evidence = Vec::new();
    if tested {
        for k in 1..=rng.range(1, 2) {
            let reference = if rng.chance(50) {
                format!("https://tests.vendor.example/{id}/run-{k}.pdf")
            } else {
                format!("docs/tests/{id}-{k}.docx")
            };
            history.push(IncidentEvent {
                at: at(when(8)),
                by,
                action: "test",
                detail: Some(reference.clone()),
            });
            evidence.push(Evidence {
                reference,
                by,
                at: at(when(8)),
            });
        }
    }
    let grouped = holding.filter(|_| phase >= Phase::Grouped);
    if let Some((h, release)) = grouped {
        // Written by `rel group` and `rel close`: their actor and time.
        history.push(IncidentEvent {
            at: at(h.grouped_at),
            by: h.grouped_by,
            action: "group",
            detail: Some(format!("into {}", release.id)),
        });
        if let Some((closed_at, closed_by)) = closed {
            history.push(IncidentEvent {
                at: at(closed_at),
                by: closed_by,
                action: "close",
                detail: Some(format!("released in {} {}", release.id, release.version)),
            });
        }
    }
    let breaking = rng.chance(4);
    let impact =
        (breaking || rng.chance(35)).then(|| format!("{area} users {}", rng.pick(&IMPACTS)));
    Incident {
        id,
        title,
        status,
        breaking,
        impact,
        release: grouped.map(|(_, r)| r.id.clone()),
        created_at: at(created),
        created_by: by,
        authorisation,
        evidence,
        components,
        history,
    }
}
