//! "Did you mean": an unknown release, incident, installation or
//! environment named by a user gets the closest names that exist in the
//! error's hint (contract section 5: errors carry a `hint`). One helper for
//! every kind of name, so they all answer a typo the same way.

use crate::error::RelError;
use crate::store::repo::manifests::Stored;
use crate::store::Workspace;

/// At most this many names are suggested.
const MAX: usize = 3;

/// The names of `candidates` closest to `wanted` (case-insensitive edit
/// distance), best first, at most three; only names close enough to be a
/// typo of it (a third of its length, at least one edit, at most three).
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 3).clamp(1, 3);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (distance(&wanted, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(MAX).map(|(_, c)| c).collect()
}

/// The hint naming `names`; None when there are none.
pub fn did_you_mean(names: &[&str]) -> Option<String> {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean {one}?")),
        many => Some(format!("did you mean one of {}?", many.join(", "))),
    }
}

/// Gives an invalid-input error that has no hint yet the names closest to
/// `wanted` among `candidates`. Any other error is returned as it was.
pub fn with_suggestions<'a>(
    mut err: anyhow::Error,
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> anyhow::Error {
    if let Some(RelError::Invalid(failure)) = err.downcast_mut::<RelError>() {
        if failure.hint.is_none() {
            failure.hint = did_you_mean(&closest(wanted, candidates));
        }
    }
    err
}

/// The stored id of the release, incident or installation `wanted` names
/// (any case); when there is none, exit 2 with the closest ids as a hint.
pub fn resolve<T: Stored>(ws: &Workspace, wanted: &str) -> anyhow::Result<String> {
    ws.resolve::<T>(wanted).map_err(|err| {
        // Listing again only on the way out of a failure: the ids are read
        // once more, but only when the user named something unknown.
        match ws.ids::<T>() {
            Ok(ids) => with_suggestions(err, wanted, ids.iter().map(String::as_str)),
            Err(_) => err,
        }
    })
}

/// `resolve`, then the item loaded.
pub fn load<T: Stored>(ws: &Workspace, wanted: &str) -> anyhow::Result<T> {
    let id = resolve::<T>(ws, wanted)?;
    ws.load(&id)
}

/// The release or incident `wanted` names, in progress or in the archive
/// (commands about the past); when there is none, exit 2 with the closest
/// ids in progress as a hint.
pub fn load_past<T: crate::store::repo::archive::Archivable>(
    ws: &Workspace,
    wanted: &str,
) -> anyhow::Result<T> {
    ws.load_past::<T>(wanted)
        .map_err(|err| match ws.ids::<T>() {
            Ok(ids) => with_suggestions(err, wanted, ids.iter().map(String::as_str)),
            Err(_) => err,
        })
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_the_closest_names_first_ignoring_case() {
        let ids = ["R-2026-001", "R-2026-010", "R-2026-100", "R-2025-001", "X"];
        assert_eq!(
            closest("r-2026-01", ids),
            vec!["R-2026-001", "R-2026-010", "R-2025-001"]
        );
        assert_eq!(closest("R-2026-001", ids)[0], "R-2026-001");
        assert!(closest("something-else", ids).is_empty());
        assert_eq!(closest("stagin", ["development", "staging"]), ["staging"]);
    }

    #[test]
    fn the_hint_names_one_or_several() {
        assert_eq!(did_you_mean(&[]), None);
        assert_eq!(did_you_mean(&["a"]).as_deref(), Some("did you mean `a`?"));
        assert_eq!(
            did_you_mean(&["a", "b"]).as_deref(),
            Some("did you mean one of `a`, `b`?")
        );
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", "abc"), 0);
        assert_eq!(distance("r-2026-01", "r-2026-001"), 1);
    }
}
