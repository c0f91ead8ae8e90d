//! Who is acting: `Name <email>`, from REL_ACTOR or git's user.name/user.email.

use std::fmt;

use super::quote::quoted;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub email: String,
}

impl Actor {
    /// Parses `Name <email>`.
    pub fn parse(text: &str) -> Result<Actor, String> {
        let err = |why: &str| {
            format!(
                "invalid actor {}: {why}; expected `Name <email>`",
                quoted(text)
            )
        };
        let (name, rest) = text.split_once('<').ok_or_else(|| err("no `<`"))?;
        let email = rest
            .trim_end()
            .strip_suffix('>')
            .ok_or_else(|| err("no closing `>`"))?;
        Actor::new(name, email).map_err(|why| err(&why))
    }

    /// An actor from a name and an e-mail (git's user.name and user.email),
    /// checked: both go into commit headers, where a line break or an angle
    /// bracket would corrupt the commit.
    pub fn new(name: &str, email: &str) -> Result<Actor, String> {
        let (name, email) = (name.trim(), email.trim());
        if name.is_empty() {
            return Err("the name is empty".into());
        }
        if email.is_empty() {
            return Err("the e-mail is empty".into());
        }
        for (what, text) in [("name", name), ("e-mail", email)] {
            if text.contains(['<', '>']) {
                return Err(format!("the {what} {} holds `<` or `>`", quoted(text)));
            }
            if text.chars().any(char::is_control) {
                return Err(format!(
                    "the {what} {} holds a control character (a line break or tab)",
                    quoted(text)
                ));
            }
        }
        Ok(Actor {
            name: name.to_string(),
            email: email.to_string(),
        })
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_and_email() {
        let a = Actor::parse("  Ana Smith <ana@example.com> ").unwrap();
        assert_eq!(
            (a.name.as_str(), a.email.as_str()),
            ("Ana Smith", "ana@example.com")
        );
    }

    #[test]
    fn refuses_what_would_corrupt_a_commit_header() {
        for bad in [
            "",
            "Ana",
            "<a@b>",
            "Ana <>",
            "Ana <a@b",
            "Ana <a@b> <c@d>",
            "An>a <a@b>",
            "Ana\nEvil <a@b>",
            "Ana <a\nb@c>",
            "Ana\t <a\u{7f}@b>",
        ] {
            assert!(Actor::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Actor::new("Ana\r", "a@b").is_ok(), "trimmed");
        assert!(Actor::new("A\u{0}na", "a@b").is_err());
    }
}
