//! The actor: REL_ACTOR, else git's user.name and user.email.

use crate::error::invalid;
use crate::model::actor::Actor;

use crate::store::repo::workspace::Workspace;

pub fn actor(rel_actor: Option<&str>, ws: &Workspace) -> anyhow::Result<Actor> {
    actor_from(rel_actor, ws.git_config())
}

/// The actor from REL_ACTOR, else from this git configuration. `rel init`
/// asks before any repository exists, with git's global configuration.
pub fn actor_from(rel_actor: Option<&str>, config: Option<git2::Config>) -> anyhow::Result<Actor> {
    if let Some(text) = rel_actor.filter(|s| !s.trim().is_empty()) {
        return Actor::parse(text).map_err(|m| invalid(format!("REL_ACTOR: {m}")));
    }
    let get = |key: &str| {
        config
            .as_ref()
            .and_then(|c| c.get_string(key).ok())
            .filter(|s| !s.trim().is_empty())
    };
    match (get("user.name"), get("user.email")) {
        (Some(name), Some(email)) => Actor::new(&name, &email).map_err(|m| {
            invalid(format!(
                "git config user.name/user.email: {m}; fix them or set REL_ACTOR=\"Name <email>\""
            ))
        }),
        _ => Err(invalid(
            "who is acting? set REL_ACTOR=\"Name <email>\", or git config user.name and user.email",
        )),
    }
}
