//! Which approvals an environment still lacks for a release's current content.

use chrono::{DateTime, Utc};

use super::time::soak_end;
use crate::model::pipeline::{Environment, Pipeline};
use crate::model::release::{Approval, Release};

/// May `email` approve as `role`? A role listed under [roles] only by its
/// members; a role with no entry by anyone. Role names are ids, one name
/// whatever its case: `Client = [...]` restricts the `client` of `approvals`.
pub fn may_approve_as(p: &Pipeline, role: &str, email: &str) -> bool {
    let members = p.role_members(role).or_else(|| {
        p.roles
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(role))
            .map(|(_, members)| members.as_slice())
    });
    match members {
        Some(members) => members.iter().any(|m| m.eq_ignore_ascii_case(email)),
        None => true,
    }
}

/// One message per unmet approval requirement of entering `target`.
/// With `approvals_valid_for`, an approval counts for that many business
/// days after it was given, as a soak of that length would; without it, as
/// long as the content it approved.
pub fn still_valid(p: &Pipeline, target: &Environment, a: &Approval, now: DateTime<Utc>) -> bool {
    match target.approvals_valid_for {
        None => true,
        Some(days) => soak_end(&p.calendar, a.at, days).is_none_or(|end| now < end),
    }
}

pub fn missing_approvals(
    p: &Pipeline,
    target: &Environment,
    r: &Release,
    now: DateTime<Utc>,
) -> Vec<String> {
    let fresh = |a: &Approval| still_valid(p, target, a, now);
    let current: Vec<&Approval> = r
        .current_approvals(&target.name)
        .filter(|a| fresh(a))
        .collect();
    let expired = r.current_approvals(&target.name).any(|a| !fresh(a));
    // For each required role, the people (e-mails) whose approval counts.
    let mut candidates: Vec<(&str, Vec<String>)> = Vec::new();
    let mut missing = Vec::new();
    for role in &target.approvals {
        let mut people: Vec<String> = current
            .iter()
            .filter(|a| a.role.eq_ignore_ascii_case(role) && may_approve_as(p, role, &a.email))
            .map(|a| a.email.to_ascii_lowercase())
            .collect();
        people.dedup();
        if people.is_empty() {
            let valid = match target.approvals_valid_for {
                Some(days) if expired => format!(
                    "; earlier ones expired: they count for {days} business day{}",
                    if days == 1 { "" } else { "s" }
                ),
                _ => String::new(),
            };
            missing.push(format!(
                "entry to {} needs an approval as `{role}` (rel approve {} --env {} --role {role}){valid}",
                target.name, r.id, target.name
            ));
        }
        candidates.push((role.as_str(), people));
    }
    if missing.is_empty() && target.distinct_approvers && !distinct_assignment(&candidates) {
        let roles: Vec<&str> = candidates.iter().map(|(r, _)| *r).collect();
        missing.push(format!(
            "entry to {} needs a different person for each of {}; one person cannot fill two roles",
            target.name,
            roles.join(", ")
        ));
    }
    missing
}

/// Can every role be given a different person from its candidates?
/// (A tiny bipartite matching by backtracking: pipelines name a few roles.)
fn distinct_assignment(candidates: &[(&str, Vec<String>)]) -> bool {
    fn assign<'a>(rest: &'a [(&str, Vec<String>)], used: &mut Vec<&'a str>) -> bool {
        let Some(((_, people), tail)) = rest.split_first() else {
            return true;
        };
        for person in people {
            if !used.contains(&person.as_str()) {
                used.push(person);
                if assign(tail, used) {
                    return true;
                }
                used.pop();
            }
        }
        false
    }
    assign(candidates, &mut Vec::new())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{distinct_assignment, may_approve_as};
    use crate::model::calendar::Calendar;
    use crate::model::pipeline::{Environment, Pipeline};

    #[test]
    fn a_restricted_role_is_restricted_whatever_the_case_of_its_name() {
        let p = Pipeline {
            pipelines: Default::default(),
            override_by: None,
            notify_on: None,
            calendar: Calendar::default(),
            roles: BTreeMap::from([("Client".to_string(), vec!["C@x.example".to_string()])]),
            environments: vec![Environment::named("live")],
            require_incidents: true,
            sync: None,
            notify: Vec::new(),
            simple_max_hop: Default::default(),
            paths_table: false,
            installations: Default::default(),
            updates: Default::default(),
            audit: Default::default(),
        };
        assert!(!may_approve_as(&p, "client", "a@x.example"));
        assert!(may_approve_as(&p, "CLIENT", "c@X.example"));
        assert!(may_approve_as(&p, "auditor", "a@x.example"));
    }

    #[test]
    fn distinct_people_for_each_role() {
        let c = |v: &[(&'static str, &[&str])]| -> Vec<(&'static str, Vec<String>)> {
            v.iter()
                .map(|(r, p)| (*r, p.iter().map(|s| s.to_string()).collect()))
                .collect()
        };
        assert!(distinct_assignment(&c(&[("a", &["x"]), ("b", &["y"])])));
        assert!(!distinct_assignment(&c(&[("a", &["x"]), ("b", &["x"])])));
        // x must take b so that a can have... a has only x: fails; a: x,y ; b: x → a=y,b=x
        assert!(distinct_assignment(&c(&[
            ("a", &["x", "y"]),
            ("b", &["x"])
        ])));
    }
}
