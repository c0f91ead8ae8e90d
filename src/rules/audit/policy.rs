//! Changes of policy in the audit (contract 11.5): every change is listed
//! with who made it; with `[audit] policy_owners` in the parent's policy,
//! one made by anyone else is a `policy` finding. Under `require_signed`,
//! "who" is the signer the parent's allowed signers vouch for.

use crate::model::installation::Installation;
use crate::rules::policy::{installation_policy_changed, owner_list, owns_policy};

use super::{FindingKind, Found, Recorded, Signed, World, Written};

/// The allowed-signers file (`[audit] allowed_signers`), in words.
pub const ALLOWED_SIGNERS: &str = "the allowed signers";

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
        what.push(ALLOWED_SIGNERS.to_string());
    }
    what
}

/// The `policy` finding on a change of policy by someone who does not own
/// it under the parent's policy; None when allowed or when nothing changed.
pub fn judge_policy(before: &World, rec: &Recorded, changes: &[String]) -> Option<Found> {
    let release = match &rec.trailers {
        Some(Ok(t)) => t.release.as_deref(),
        _ => None,
    };
    judge_policy_by(before, &rec.email, rec.signature.as_ref(), release, changes)
}

/// `judge_policy` from the facts alone: the author's e-mail, the commit's
/// signature (asked for only under `require_signed`, else None) and the
/// release it is about; for a commit that changes no file of rel's (only
/// the allowed signers) as for any other.
pub fn judge_policy_by(
    before: &World,
    email: &str,
    signature: Option<&Signed>,
    release: Option<&str>,
    changes: &[String],
) -> Option<Found> {
    if changes.is_empty() {
        return None;
    }
    let p = match &before.pipeline {
        Some(Ok(p)) if !p.audit.policy_owners.is_empty() => p,
        _ => return None, // no owners named: anyone may; listed only
    };
    let who = if p.audit.require_signed {
        match signature {
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
        email.to_string()
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
