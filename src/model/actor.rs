//! Who is acting: `Name <email>`, from REL_ACTOR or git's user.name/user.email.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub email: String,
}

impl Actor {
    /// Parses `Name <email>`.
    pub fn parse(text: &str) -> Result<Actor, String> {
        let err = || format!("invalid actor {text:?}: expected `Name <email>`");
        let (name, rest) = text.split_once('<').ok_or_else(err)?;
        let email = rest.strip_suffix('>').ok_or_else(err)?.trim();
        let name = name.trim();
        if name.is_empty() || email.is_empty() || email.contains(['<', '>']) {
            return Err(err());
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
