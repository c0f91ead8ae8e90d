//! Changes of policy in the audit (contract 11.5): every change is listed
//! with who made it; with `[audit] policy_owners` in the parent's policy,
//! one made by anyone else is a `policy` finding. Under `require_signed`,
//! "who" is the signer the parent's allowed signers vouch for.

use crate::model::installation::Installation;
use crate::rules::policy::{installation_policy_changed, owner_list, owns_policy};

use super::{FindingKind, Found, Recorded, Signed, World, Written};

/// What policy the commit changes, in words: empty when none.
pub fn policy_changes(
    before: &World,
    rec: &Recorded,
    installations_after: &[(String, Written<Installation>)],
    signers_changed: bool,
) -> Vec<String> {
    let mut what = Vec::new();
    if rec.pipeline_changed {
        what.push("environments.toml".to_string());
    }
    for (id, after) in installations_after {
        let old = before.installations.get(&id.to_ascii_lowercase());
        let new = match after {
            Some(Ok(i)) => i.rules().ok(),
            _ => None,
        };
        // A file that does not parse any more is a change of policy too.
        let unparsable = matches!(after, Some(Err(_)));
        if unparsable || installation_policy_changed(old, new.as_ref()) {
            what.push(format!("installation {id}"));
        }
    }
    if signers_changed {
        what.push("the allowed signers".to_string());
    }
    what
}

/// The `policy` finding on a change of policy by someone who does not own
/// it under the parent's policy; None when allowed or when nothing changed.
pub fn judge_policy(before: &World, rec: &Recorded, changes: &[String]) -> Option<Found> {
    if changes.is_empty() {
        return None;
    }
    let p = match &before.pipeline {
        Some(Ok(p)) if !p.audit.policy_owners.is_empty() => p,
        _ => return None, // no owners named: anyone may; listed only
    };
    let release = match &rec.trailers {
        Some(Ok(t)) => t.release.as_deref(),
        _ => None,
    };
    let who = if p.audit.require_signed {
        match &rec.signature {
            Some(Signed::Good { signer: Some(s) }) => s.clone(),
            _ => {
                return Some(Found::new(
                    FindingKind::Policy,
                    release,
                    format!(
                        "{} changed by a commit no allowed key signed; only members of {} may \
                         change policy",
                        changes.join(", "),
                        owner_list(p)
                    ),
                ))
            }
        }
    } else {
        rec.email.clone()
    };
    if owns_policy(p, &who) {
        return None;
    }
    Some(Found::new(
        FindingKind::Policy,
        release,
        format!(
            "{} changed by {who}, who is not a member of {} ([audit] policy_owners)",
            changes.join(", "),
            owner_list(p)
        ),
    ))
}
