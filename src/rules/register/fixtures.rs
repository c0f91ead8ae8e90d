//! Values for the register's tests: releases and incidents built in memory.

use chrono::{DateTime, TimeZone, Utc};

use crate::model::incident::{Authorisation, Evidence, Incident, IncidentStatus};
use crate::model::release::{Kind, Release, State};

use super::effects::Stamp;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0)
        .single()
        .expect("a valid instant")
}

pub fn stamp() -> Stamp<'static> {
    Stamp {
        at: t0(),
        by: "Ana Smith <ana@example.com>",
    }
}

pub fn release(id: &str, state: State, incidents: &[&str]) -> Release {
    Release {
        pipeline: None,
        id: id.to_string(),
        title: format!("release {id}"),
        version: "1.0.0".into(),
        kind: Kind::Major,
        state,
        environment: "development".into(),
        entered_at: t0(),
        revision: 1,
        target: None,
        installation: None,
        from_version: None,
        created_at: t0(),
        created_by: "Ana".into(),
        incidents: incidents.iter().map(|&s| s.into()).collect(),
        approvals: Vec::new(),
        ticks: Vec::new(),
        health: Vec::new(),
        schedules: Vec::new(),
        held: None,
        path: None,
        history: Vec::new(),
        checklist: Vec::new(),
        depends: Vec::new(),
    }
}

/// An incident with the given status, authorisation and test evidence.
pub fn incident(id: &str, status: IncidentStatus, authorised: bool, tested: bool) -> Incident {
    Incident {
        id: id.to_string(),
        title: format!("incident {id}"),
        status,
        breaking: false,
        compat_work: false,
        client_work: false,
        impact: None,
        release: None,
        created_at: t0(),
        created_by: "Ana".into(),
        authorisation: authorised.then(|| Authorisation {
            by: "Client".into(),
            at: t0(),
            recorded_by: "Ana".into(),
        }),
        evidence: if tested {
            vec![Evidence {
                reference: "tests.pdf".into(),
                by: "Ana".into(),
                at: t0(),
            }]
        } else {
            Vec::new()
        },
        components: Vec::new(),
        history: Vec::new(),
    }
}

/// Resolved, authorised and tested: fit for any release.
pub fn ready(id: &str) -> Incident {
    incident(id, IncidentStatus::Resolved, true, true)
}
