//! What `rel evidence R` learns from the audit's walk over history: each
//! commit of R with the verdict decided again (the audit's findings on it),
//! the rules of each environment R entered as they were in force then, and
//! the role membership each approval was judged by.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::audit::{Finding, Observer};
use crate::model::action::Trailers;
use crate::render::pipeline::environment_json;
use crate::render::time::rfc3339;
use crate::rules::audit::World;
use crate::store::git::audit_walk::{FileState, WalkedCommit};
use crate::store::repo::workspace::PIPELINE_FILE;

use super::audit_state::parse;

/// Collects R's part of the walk.
pub struct EvidenceWalk {
    release: String,
    /// environments.toml as in force (the text of the newest commit seen).
    pipeline_text: Option<String>,
    /// The commit being judged: what was known before it.
    pending: Option<Pending>,
    pub transitions: Vec<Value>,
    /// Environments R entered, with their rules then.
    pub entered: Vec<Value>,
    /// (env, role, approver e-mail, at) -> the role's members then (None:
    /// the role had no [roles] entry, so anyone could approve).
    pub members: BTreeMap<(String, String, String, String), Option<Vec<String>>>,
    /// The findings on R's commits, and those naming R.
    pub findings: Vec<Value>,
}

struct Pending {
    env_before: Option<String>,
    pipeline: Option<crate::model::pipeline::Pipeline>,
    pipeline_digest: Option<String>,
}

impl EvidenceWalk {
    pub fn new(release: &str) -> EvidenceWalk {
        EvidenceWalk {
            release: release.to_string(),
            pipeline_text: None,
            pending: None,
            transitions: Vec::new(),
            entered: Vec::new(),
            members: BTreeMap::new(),
            findings: Vec::new(),
        }
    }

    fn names_r(&self, id: &str) -> bool {
        id.eq_ignore_ascii_case(&self.release)
    }

    /// Whether `c` is a commit of R: its trailers name R, or it changes
    /// R's manifest or a report file of R.
    fn is_of_r(&self, c: &WalkedCommit) -> bool {
        if let Some(Ok(t)) = &c.trailers {
            if t.release.as_deref().is_some_and(|r| self.names_r(r)) {
                return true;
            }
        }
        let manifest = format!("releases/{}.toml", self.release);
        let reports = format!("releases/reports/{}/", self.release);
        c.files.iter().any(|f| {
            f.path.eq_ignore_ascii_case(&manifest)
                || f.path.to_lowercase().starts_with(&reports.to_lowercase())
        })
    }

    fn track_pipeline(&mut self, files: &[FileState]) {
        if let Some(f) = files.iter().find(|f| f.path == PIPELINE_FILE) {
            self.pipeline_text = match &f.text {
                Some(Ok(t)) => Some(t.clone()),
                _ => None,
            };
        }
    }
}

/// The sha256 of `bytes`, in hex.
pub fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Observer for EvidenceWalk {
    fn start(&mut self, files: &[FileState]) {
        self.track_pipeline(files);
    }

    fn before(&mut self, world: &World, c: &WalkedCommit) {
        self.pending = None;
        if self.is_of_r(c) {
            self.pending = Some(Pending {
                env_before: world.release(&self.release).map(|r| r.environment.clone()),
                pipeline: world
                    .pipeline
                    .as_ref()
                    .and_then(|p| p.as_ref().ok())
                    .cloned(),
                pipeline_digest: self.pipeline_text.as_deref().map(|t| sha256(t.as_bytes())),
            });
        }
        self.track_pipeline(&c.files);
    }

    fn after(&mut self, c: &WalkedCommit, findings: &[Finding]) {
        let commit = c.id.to_string();
        let pending = self.pending.take();
        for f in findings {
            let about_r =
                pending.is_some() || f.found.release.as_deref().is_some_and(|r| self.names_r(r));
            if about_r {
                self.findings.push(super::audit::finding_json(f));
            }
        }
        let Some(pending) = pending else { return };
        let parsed = parse(&c.files);
        let after = parsed
            .releases
            .iter()
            .find(|(id, _)| self.names_r(id))
            .and_then(|(_, w)| w.as_ref().and_then(|r| r.as_ref().ok()));
        let env_after = after.map(|r| r.environment.clone());
        let trailers = match &c.trailers {
            Some(Ok(t)) => Some(t),
            _ => None,
        };
        let action = match (trailers, c.merge) {
            (Some(t), _) => t.action.name().to_string(),
            (None, true) => "merge".to_string(),
            (None, false) => "edit".to_string(),
        };
        let mine: Vec<Value> = findings
            .iter()
            .map(|f| json!({"finding": f.found.kind.as_str(), "message": f.found.message}))
            .collect();
        self.transitions.push(json!({
            "commit": commit,
            "at": rfc3339(c.at),
            "by": format!("{} <{}>", c.name, c.email),
            "action": action,
            "environments": {"before": pending.env_before, "after": env_after, "named": trailers.and_then(|t| t.env.clone())},
            "overrides": trailers.map(|t| t.overrides.iter().map(|o| o.as_str()).collect::<Vec<_>>()).unwrap_or_default(),
            "reason": trailers.and_then(reason),
            "verdict": {"allowed": mine.is_empty(), "findings": mine},
            "signature": Value::Null,
        }));
        // An environment entered: its rules as in force then (the parent's).
        if let (Some(env), Some(p)) = (&env_after, &pending.pipeline) {
            if pending.env_before.as_deref() != Some(env.as_str()) {
                self.entered.push(json!({
                    "env": env,
                    "commit": commit,
                    "at": rfc3339(c.at),
                    "pipeline_sha256": pending.pipeline_digest,
                    "rules": p.env(env).map(environment_json),
                }));
            }
        }
        // The members each new approval was judged against.
        if let (Some(r), Some(p)) = (after, &pending.pipeline) {
            for a in &r.approvals {
                let key = (
                    a.env.clone(),
                    a.role.clone(),
                    a.email.clone(),
                    rfc3339(a.at),
                );
                self.members
                    .entry(key)
                    .or_insert_with(|| p.roles.get(&a.role).cloned());
            }
        }
    }
}

fn reason(t: &Trailers) -> Option<String> {
    t.reason.clone()
}
