//! The findings of an audit as they are made: kept in memory for an
//! observer that reads them (`rel evidence`), otherwise written to a
//! temporary file at once and read back, one at a time, when the report is
//! printed. The import of a million files has a million findings; held as
//! values they alone would pass the audit's memory budget.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};

use chrono::{DateTime, TimeZone, Utc};

use crate::rules::audit::{FindingKind, Found};

use super::audit::Finding;

/// The findings so far, in the order they were made.
pub struct Findings {
    kept: Vec<Finding>,
    /// `Some`: the findings are in this file, not in `kept`.
    spill: Option<BufWriter<File>>,
    count: usize,
}

impl Findings {
    /// `keep`: held in memory (an observer reads each commit's), else
    /// written to a temporary file (none made when the file cannot be:
    /// then kept too).
    pub fn new(keep: bool) -> Findings {
        let spill = if keep {
            None
        } else {
            tempfile::tempfile().ok().map(BufWriter::new)
        };
        Findings {
            kept: Vec::new(),
            spill,
            count: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn push(&mut self, f: Finding) -> anyhow::Result<()> {
        self.count += 1;
        match &mut self.spill {
            Some(out) => write_finding(out, &f)?,
            None => self.kept.push(f),
        }
        Ok(())
    }

    /// The findings kept from the `first`th on (empty when they are
    /// written to the file: no observer reads them then).
    pub fn kept_since(&self, first: usize) -> &[Finding] {
        self.kept.get(first..).unwrap_or_default()
    }

    /// Hands every finding to `each`, in order.
    pub fn each(
        &mut self,
        each: &mut dyn FnMut(&Finding) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let Some(out) = &mut self.spill else {
            return self.kept.iter().try_for_each(each);
        };
        out.flush()?;
        let file = out.get_mut();
        file.rewind()?;
        let mut input = BufReader::with_capacity(1 << 16, &*file);
        for _ in 0..self.count {
            each(&read_finding(&mut input)?)?;
        }
        // Written again after this reading: at the end.
        file.seek(std::io::SeekFrom::End(0))?;
        Ok(())
    }
}

fn write_str(out: &mut impl Write, s: &str) -> std::io::Result<()> {
    out.write_all(&(s.len() as u64).to_le_bytes())?;
    out.write_all(s.as_bytes())
}

fn write_finding(out: &mut impl Write, f: &Finding) -> std::io::Result<()> {
    write_str(out, &f.commit)?;
    out.write_all(&f.at.timestamp().to_le_bytes())?;
    out.write_all(&f.at.timestamp_subsec_nanos().to_le_bytes())?;
    write_str(out, &f.by)?;
    write_str(out, &f.action)?;
    out.write_all(&[kind_code(f.found.kind), u8::from(f.found.release.is_some())])?;
    write_str(out, f.found.release.as_deref().unwrap_or_default())?;
    write_str(out, &f.found.message)
}

fn read_bytes<const N: usize>(input: &mut impl Read) -> std::io::Result<[u8; N]> {
    let mut b = [0; N];
    input.read_exact(&mut b)?;
    Ok(b)
}

fn read_str(input: &mut impl Read) -> anyhow::Result<String> {
    let len = u64::from_le_bytes(read_bytes(input)?);
    let mut b = Vec::new();
    input.take(len).read_to_end(&mut b)?;
    Ok(String::from_utf8(b)?)
}

fn read_finding(input: &mut impl Read) -> anyhow::Result<Finding> {
    let commit = read_str(input)?;
    let secs = i64::from_le_bytes(read_bytes(input)?);
    let nanos = u32::from_le_bytes(read_bytes(input)?);
    let at: DateTime<Utc> = Utc.timestamp_opt(secs, nanos).single().unwrap_or_default();
    let by = read_str(input)?;
    let action = read_str(input)?;
    let [kind, has_release] = read_bytes(input)?;
    let release = read_str(input)?;
    let message = read_str(input)?;
    Ok(Finding {
        commit,
        at,
        by,
        action,
        found: Found {
            kind: kind_of(kind),
            release: (has_release == 1).then_some(release),
            message,
        },
    })
}

const KINDS: [FindingKind; 7] = [
    FindingKind::Refused,
    FindingKind::Altered,
    FindingKind::HandEdit,
    FindingKind::Time,
    FindingKind::Unsigned,
    FindingKind::Inconsistent,
    FindingKind::Policy,
];

fn kind_code(kind: FindingKind) -> u8 {
    KINDS.iter().position(|k| *k == kind).unwrap_or_default() as u8
}

fn kind_of(code: u8) -> FindingKind {
    KINDS
        .get(usize::from(code))
        .copied()
        .unwrap_or(FindingKind::Refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(n: usize, release: Option<&str>) -> Finding {
        Finding {
            commit: format!("{n:040}"),
            at: Utc.timestamp_opt(1_700_000_000 + n as i64, 0).unwrap(),
            by: "Ann <ann@example.com>".to_string(),
            action: "edit".to_string(),
            found: Found {
                kind: KINDS[n % KINDS.len()],
                release: release.map(str::to_string),
                message: format!("message {n}\nwith a line break"),
            },
        }
    }

    /// Each finding as one line of its fields.
    fn read_all(f: &mut Findings) -> Vec<String> {
        let mut seen = Vec::new();
        f.each(&mut |x| {
            seen.push(format!(
                "{} {} {} {} {} {:?} {:?}",
                x.commit,
                x.at.timestamp(),
                x.by,
                x.action,
                x.found.kind.as_str(),
                x.found.release,
                x.found.message
            ));
            Ok(())
        })
        .unwrap();
        seen
    }

    #[test]
    fn findings_written_to_the_file_read_back_as_they_were_kept() {
        let mut kept = Findings::new(true);
        let mut spilled = Findings::new(false);
        for n in 0..20 {
            let release = (n % 3 != 0).then_some("R-1");
            kept.push(finding(n, release)).unwrap();
            spilled.push(finding(n, release)).unwrap();
        }
        spilled.push(finding(20, Some(""))).unwrap();
        kept.push(finding(20, Some(""))).unwrap();
        assert_eq!(spilled.len(), 21);
        assert!(spilled.kept_since(0).is_empty());
        assert_eq!(kept.kept_since(19).len(), 2);
        let a = read_all(&mut kept);
        assert_eq!(read_all(&mut spilled), a);
        // Read twice, and pushed to after a reading.
        assert_eq!(read_all(&mut spilled), a);
        spilled.push(finding(21, None)).unwrap();
        let b = read_all(&mut spilled);
        assert_eq!(b.len(), 22);
        assert!(b[21].starts_with(&format!("{:040} ", 21)));
    }
}
