//! Identifiers of releases, incidents, environments and roles.

use super::quote::quoted;

/// Checks an id against `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$` without `..`.
/// `what` names the kind of id for the message ("release", "incident"...).
pub fn validate_id(what: &str, id: &str) -> Result<(), String> {
    let mut chars = id.chars();
    let ok = match chars.next() {
        Some(first) => {
            first.is_ascii_alphanumeric()
                && id.len() <= 64
                && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                && !id.contains("..")
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid {what} id {}: an id starts with a letter or digit, continues with \
             letters, digits, '.', '_' or '-' (64 characters at most) and never contains \"..\"",
            quoted(id)
        ))
    }
}

/// Ids are unique case-insensitively; this is the key they are compared by.
pub fn id_key(id: &str) -> String {
    id.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects() {
        for good in ["R-2026-001", "a", "INC.1_x-y", &"a".repeat(64)] {
            assert!(validate_id("release", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "..",
            "../x",
            "a/b",
            "-a",
            ".a",
            "a..b",
            "a b",
            &"a".repeat(65),
            "é",
        ] {
            assert!(validate_id("release", bad).is_err(), "{bad}");
        }
    }
}
