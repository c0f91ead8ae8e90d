//! The facts the cache keeps per blob, and their encoding. Only what
//! listings and the `exclusive` rule need; anything else (history,
//! approvals, the JSON of a listing) is read from the blob itself.

use crate::model::incident::{Incident, IncidentStatus};
use crate::model::release::{Kind, Release, State};

/// What `rel list`, `rel status` and the `exclusive` rule read of a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseFacts {
    pub id: String,
    pub title: String,
    pub version: String,
    pub kind: Kind,
    pub state: State,
    pub environment: String,
    pub incidents: usize,
    /// The installation an update is of (section 8).
    pub installation: Option<String>,
    /// The pipeline it belongs to (contract 11.2); None: `default`.
    pub pipeline: Option<String>,
}

/// What `rel incident list` reads of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFacts {
    pub id: String,
    pub title: String,
    pub status: IncidentStatus,
    pub release: Option<String>,
    pub authorised: bool,
    pub tested: bool,
}

impl From<&Release> for ReleaseFacts {
    fn from(r: &Release) -> ReleaseFacts {
        ReleaseFacts {
            id: r.id.clone(),
            title: r.title.clone(),
            version: r.version.clone(),
            kind: r.kind,
            state: r.state,
            environment: r.environment.clone(),
            incidents: r.incidents.len(),
            installation: r.installation.clone(),
            pipeline: r.pipeline.clone(),
        }
    }
}

impl From<&Incident> for IncidentFacts {
    fn from(i: &Incident) -> IncidentFacts {
        IncidentFacts {
            id: i.id.clone(),
            title: i.title.clone(),
            status: i.status,
            release: i.release.clone(),
            authorised: i.is_authorised(),
            tested: i.is_tested(),
        }
    }
}

/// Facts that can be kept in the cache.
pub trait Facts: Sized {
    /// The id in the file, checked against the file's name on every use.
    fn id(&self) -> &str;
    fn encode(&self) -> Vec<u8>;
    /// None when the bytes are not what `encode` writes.
    fn decode(bytes: &[u8]) -> Option<Self>;
}

impl Facts for ReleaseFacts {
    fn id(&self) -> &str {
        &self.id
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.title.len());
        for text in [&self.id, &self.title, &self.version, &self.environment] {
            put_str(&mut out, text);
        }
        out.push(state_code(self.state));
        out.push(kind_code(self.kind));
        out.extend_from_slice(&(self.incidents as u64).to_le_bytes());
        for optional in [&self.installation, &self.pipeline] {
            match optional {
                Some(name) => {
                    out.push(1);
                    put_str(&mut out, name);
                }
                None => out.push(0),
            }
        }
        out
    }

    fn decode(bytes: &[u8]) -> Option<ReleaseFacts> {
        let mut r = Reader(bytes);
        let (id, title, version, environment) = (r.text()?, r.text()?, r.text()?, r.text()?);
        let state = match r.byte()? {
            0 => State::Open,
            1 => State::Frozen,
            2 => State::Released,
            3 => State::Cancelled,
            _ => return None,
        };
        let kind = match r.byte()? {
            0 => Kind::Major,
            1 => Kind::Minor,
            2 => Kind::Patch,
            _ => return None,
        };
        let incidents = usize::try_from(r.u64()?).ok()?;
        let installation = match r.byte()? {
            0 => None,
            1 => Some(r.text()?),
            _ => return None,
        };
        let pipeline = match r.byte()? {
            0 => None,
            1 => Some(r.text()?),
            _ => return None,
        };
        r.end()?;
        Some(ReleaseFacts {
            id,
            title,
            version,
            kind,
            state,
            environment,
            incidents,
            installation,
            pipeline,
        })
    }
}

impl Facts for IncidentFacts {
    fn id(&self) -> &str {
        &self.id
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(48 + self.title.len());
        put_str(&mut out, &self.id);
        put_str(&mut out, &self.title);
        out.push(match self.status {
            IncidentStatus::Open => 0,
            IncidentStatus::Resolved => 1,
            IncidentStatus::Closed => 2,
        });
        match &self.release {
            Some(r) => {
                out.push(1);
                put_str(&mut out, r);
            }
            None => out.push(0),
        }
        out.push(u8::from(self.authorised));
        out.push(u8::from(self.tested));
        out
    }

    fn decode(bytes: &[u8]) -> Option<IncidentFacts> {
        let mut r = Reader(bytes);
        let (id, title) = (r.text()?, r.text()?);
        let status = match r.byte()? {
            0 => IncidentStatus::Open,
            1 => IncidentStatus::Resolved,
            2 => IncidentStatus::Closed,
            _ => return None,
        };
        let release = match r.byte()? {
            0 => None,
            1 => Some(r.text()?),
            _ => return None,
        };
        let authorised = r.flag()?;
        let tested = r.flag()?;
        r.end()?;
        Some(IncidentFacts {
            id,
            title,
            status,
            release,
            authorised,
            tested,
        })
    }
}

fn state_code(s: State) -> u8 {
    match s {
        State::Open => 0,
        State::Frozen => 1,
        State::Released => 2,
        State::Cancelled => 3,
    }
}

fn kind_code(k: Kind) -> u8 {
    match k {
        Kind::Major => 0,
        Kind::Minor => 1,
        Kind::Patch => 2,
    }
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

/// Reads what `put_str` and friends wrote; None past the end.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn flag(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn text(&mut self) -> Option<String> {
        let len = usize::try_from(self.u64()?).ok()?;
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }

    fn end(&self) -> Option<()> {
        self.0.is_empty().then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_round_trip_and_damage_is_refused() {
        let r = ReleaseFacts {
            id: "R-1".into(),
            title: "é \"x\"\nline".into(),
            version: "1.2.3".into(),
            kind: Kind::Minor,
            state: State::Frozen,
            environment: "uat".into(),
            incidents: 3,
            installation: Some("acme".into()),
            pipeline: Some("updates".into()),
        };
        let bytes = r.encode();
        assert_eq!(ReleaseFacts::decode(&bytes), Some(r));
        assert_eq!(ReleaseFacts::decode(&bytes[..bytes.len() - 1]), None);
        let i = IncidentFacts {
            id: "INC-1".into(),
            title: String::new(),
            status: IncidentStatus::Resolved,
            release: Some("R-1".into()),
            authorised: true,
            tested: false,
        };
        let mut bytes = i.encode();
        assert_eq!(IncidentFacts::decode(&bytes), Some(i));
        bytes.push(0);
        assert_eq!(IncidentFacts::decode(&bytes), None);
    }
}
