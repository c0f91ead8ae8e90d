//! Builds an incident: free, or grouped into the release that holds it
//! (and closed when that release was released).

use crate::clock::{at, DAY, HOUR};
use crate::manifest::{Authorisation, Component, Evidence, Incident, IncidentEvent};
use crate::plan::{Ctx, Spec};
use crate::rng::{Rng, STREAM_INCIDENT};
use crate::words::{ACTORS, AREAS, CLIENT_CONTACTS, IMPACTS, OBJECTS, VERBS};

/// Who holds an incident at the end, and when it was grouped and shipped.
#[derive(Clone, Copy)]
pub struct Holding {
    pub spec: usize,
    pub grouped_at: i64,
    pub closed_at: Option<i64>,
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

pub fn build_incident(n: usize, holding: Option<(Holding, &Spec)>, ctx: &Ctx) -> Incident {
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
    let status = match holding {
        Some((h, _)) if h.closed_at.is_some() => "closed",
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
    if let Some((h, release)) = holding {
        history.push(IncidentEvent {
            at: at(h.grouped_at),
            by,
            action: "group",
            detail: Some(format!("into {}", release.id)),
        });
        if let Some(closed) = h.closed_at {
            history.push(IncidentEvent {
                at: at(closed),
                by,
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
        release: holding.map(|(_, r)| r.id.clone()),
        created_at: at(created),
        created_by: by,
        authorisation,
        evidence,
        components,
        history,
    }
}
