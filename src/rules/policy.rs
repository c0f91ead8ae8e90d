//! Policy and its owners (contract 11.5): what counts as policy, and who
//! may change it. Policy is `environments.toml`, every installation's
//! roles, windows, timezone and admins, and the allowed-signers file named
//! by `[audit] allowed_signers`. With `[audit] policy_owners`, only listed
//! members of those roles may change it, as the policy of the commit the
//! change builds on says; the command refuses anyone else (`role`) and the
//! audit reports a change made by anyone else (`policy`).

use crate::model::installation::InstallationRules;
use crate::model::pipeline::Pipeline;
use crate::model::rule::RuleCode;

use super::verdict::{Verdict, Violation};

/// Whether an installation's policy changes between `before` and `after`
/// (None: no such installation). A new or removed installation changes
/// policy; a new version alone (what `rel close` records) does not.
pub fn installation_policy_changed(
    before: Option<&InstallationRules>,
    after: Option<&InstallationRules>,
) -> bool {
    match (before, after) {
        (None, None) => false,
        (Some(a), Some(b)) => {
            a.admins != b.admins
                || a.roles != b.roles
                || a.windows != b.windows
                || a.timezone != b.timezone
        }
        _ => true,
    }
}

/// Whether `who` (an e-mail, or a signer's principal) owns the policy of
/// `p`: any one may when `policy_owners` is empty.
pub fn owns_policy(p: &Pipeline, who: &str) -> bool {
    let owners = &p.audit.policy_owners;
    owners.is_empty() || owners.iter().any(|r| p.is_listed_member(r, who))
}

/// May `email` make the policy change described by `what`, under the
/// policy `p` of the commit it builds on?
pub fn may_change_policy(p: &Pipeline, email: &str, what: &str) -> Verdict {
    let mut v = Verdict::default();
    if !owns_policy(p, email) {
        v.push(Violation::new(
            RuleCode::Role,
            format!(
                "{email} may not change policy ({what}): only members of {} may \
                 ([audit] policy_owners; members are listed under [roles])",
                owner_list(p)
            ),
        ));
    }
    v
}

/// The owner roles, for messages: "`release-manager`, `security`".
pub fn owner_list(p: &Pipeline) -> String {
    p.audit
        .policy_owners
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
