//! `--installation NAME` of `rel status` and `rel list`: which releases
//! it lets through.

use crate::model::installation::{same_installation, Installation};
use crate::store::Workspace;

/// Which releases a `--installation` filter lets through.
pub struct Only(Option<String>);

impl Only {
    pub fn admits(&self, installation: Option<&str>) -> bool {
        match &self.0 {
            None => true,
            Some(name) => same_installation(Some(name), installation),
        }
    }
}

/// The filter of `status` and `list`; an unknown installation is exit 2.
pub fn filter(ws: &Workspace, name: Option<&str>) -> anyhow::Result<Only> {
    match name {
        None => Ok(Only(None)),
        Some(name) => Ok(Only(Some(super::suggest::resolve::<Installation>(
            ws, name,
        )?))),
    }
}
