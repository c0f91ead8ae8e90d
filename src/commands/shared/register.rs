//! What the register's commands share: finding incidents by id in bulk, the
//! release holding an incident, and commit subjects that stay one line.

use std::collections::HashMap;

use crate::error::invalid;
use crate::model::ids::id_key;
use crate::model::incident::Incident;
use crate::model::release::Release;
use crate::rules::register::Holder;
use crate::store::{file_of, Workspace};

/// The stored ids of `wanted` incidents (matched ignoring case), without
/// repeats, in the order asked. Lists the register folder at most once, and
/// only when no file is named as typed (or in upper or lower case), so it
/// stays fast with 100,000 incidents. Exit 2 naming every unknown id.
pub fn resolve_incidents(ws: &Workspace, wanted: &[String]) -> anyhow::Result<Vec<String>> {
    let mut listing: Option<HashMap<String, String>> = None;
    let mut found: Vec<String> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for id in wanted {
        // The id as typed, then all upper or lower case (how ids are
        // usually written), before listing the whole folder.
        let mut exact = None;
        for c in [id.clone(), id.to_ascii_uppercase(), id.to_ascii_lowercase()] {
            if ws.has_rel_file(&file_of::<Incident>(&c))? {
                exact = Some(c);
                break;
            }
        }
        let stored = if exact.is_some() {
            exact
        } else {
            if listing.is_none() {
                let ids = ws.ids::<Incident>()?;
                listing = Some(ids.into_iter().map(|i| (id_key(&i), i)).collect());
            }
            listing.as_ref().and_then(|l| l.get(&id_key(id))).cloned()
        };
        match stored {
            Some(s) if !found.iter().any(|f| f.eq_ignore_ascii_case(&s)) => found.push(s),
            Some(_) => {}
            None => unknown.push(id.clone()),
        }
    }
    if unknown.is_empty() {
        return Ok(found);
    }
    let err = invalid(format!(
        "unknown incident{} {}; `rel incident list` shows the register",
        if unknown.len() == 1 { "" } else { "s" },
        unknown.join(", ")
    ));
    // "Did you mean" for the first unknown id (the listing is there: an id
    // not found as typed made it).
    Err(match (&listing, unknown.first()) {
        (Some(l), Some(first)) => {
            super::suggest::with_suggestions(err, first, l.values().map(String::as_str))
        }
        _ => err,
    })
}

/// The release `incident` names as its holder and that release's state;
/// `state: None` when no such release exists (a dangling reference holds
/// nothing). A holder manifest that does not parse is an error (exit 2).
pub fn holder_of(ws: &Workspace, incident: &Incident) -> anyhow::Result<Option<Holder>> {
    let Some(id) = &incident.release else {
        return Ok(None);
    };
    match ws.resolve::<Release>(id) {
        Ok(stored) => {
            let r: Release = ws.load(&stored)?;
            Ok(Some(Holder {
                id: r.id,
                state: Some(r.state),
            }))
        }
        Err(_) => Ok(Some(Holder {
            id: id.clone(),
            state: None,
        })),
    }
}

/// A commit subject naming a release and a few incidents: `R-1 A, B and 3 more`.
pub fn subject(release: &str, ids: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut s = format!(
        "{release} {}",
        ids.iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    if ids.len() > SHOWN {
        s.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    s
}

/// "1 incident", "3 incidents".
pub fn count(n: usize) -> String {
    format!("{n} incident{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_stay_short() {
        let ids: Vec<String> = ["A", "B", "C", "D", "E"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(subject("R", &ids[..2]), "R A, B");
        assert_eq!(subject("R", &ids), "R A, B, C and 2 more");
        assert_eq!(count(1), "1 incident");
    }
}
