//! A big release manifest read in memory proportional to its size.
//!
//! The toml crate reads a document into a table of spanned values before
//! the typed value is made from it: about 20 times the file's size (a
//! 28 MB manifest, a checklist of 100,000 items ticked, took 626 MB). A
//! manifest grows in its arrays of tables (`[[history]]`, `[[ticks]]`,
//! `[[checklist]]`, ...), so those are read a batch of elements at a time,
//! each batch its own small document, and the rest of the file (the
//! "skeleton") as one. Any doubt (a header this reader does not know, a
//! batch or skeleton that does not parse, an array written both ways)
//! returns `None`, and the caller reads the whole document as before: the
//! same value, or the same error with its line and column.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use crate::model::release::Release;

/// Below this size a manifest is read whole: the chunked reader is for the
/// files whose parse would be big.
pub const CHUNKED_FROM: usize = 256 * 1024;

/// Elements per batch: big enough that each parse's own cost is small,
/// small enough that the batch's table is.
const BATCH: usize = 2_000;

/// The arrays of tables of a release read in batches, in field order.
const ARRAYS: [&str; 6] = [
    "approvals",
    "ticks",
    "health",
    "schedules",
    "history",
    "checklist",
];

/// `text` as a release, read in batches; `None`: read it whole instead.
pub fn release(text: &str) -> Option<Release> {
    let split = split(text)?;
    let mut release: Release = toml::from_str(&split.skeleton).ok()?;
    for (k, batches) in split.batches.iter().enumerate() {
        if batches.is_empty() {
            continue;
        }
        let name = ARRAYS[k];
        match name {
            "approvals" => extend(&mut release.approvals, name, batches)?,
            "ticks" => extend(&mut release.ticks, name, batches)?,
            "health" => extend(&mut release.health, name, batches)?,
            "schedules" => extend(&mut release.schedules, name, batches)?,
            "history" => extend(&mut release.history, name, batches)?,
            "checklist" => extend(&mut release.checklist, name, batches)?,
            _ => return None,
        }
    }
    Some(release)
}

/// Appends the elements of `batches` (each `[[name]]` tables only) to
/// `field`, which the skeleton must have left empty (an array written
/// both inline and as tables is for the whole parse to refuse).
fn extend<T: DeserializeOwned>(field: &mut Vec<T>, name: &str, batches: &[String]) -> Option<()> {
    if !field.is_empty() {
        return None;
    }
    for batch in batches {
        let mut doc: BTreeMap<String, Vec<T>> = toml::from_str(batch).ok()?;
        let items = doc.remove(name)?;
        if !doc.is_empty() {
            return None;
        }
        field.extend(items);
    }
    Some(())
}

/// A manifest cut at its top-level headers.
struct Split {
    /// Everything but the elements of `ARRAYS`, in the file's order.
    skeleton: String,
    /// For each of `ARRAYS`, its elements' text in batches of `BATCH`.
    batches: Vec<Vec<String>>,
}

/// Which part a line goes to.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    Skeleton,
    Array(usize),
}

fn split(text: &str) -> Option<Split> {
    let mut split = Split {
        skeleton: String::new(),
        batches: vec![Vec::new(); ARRAYS.len()],
    };
    let mut counts = vec![0usize; ARRAYS.len()];
    let mut target = Target::Skeleton;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare.starts_with('[') {
            target = match element_header(bare) {
                Some(k) => {
                    if counts[k].is_multiple_of(BATCH) {
                        split.batches[k].push(String::new());
                    }
                    counts[k] += 1;
                    Target::Array(k)
                }
                // A table under an element (`[history.x]`) is the
                // element's: the batch's parse judges it.
                None if matches!(target, Target::Array(k) if under(bare, ARRAYS[k])) => target,
                None => Target::Skeleton,
            };
        }
        match target {
            Target::Skeleton => split.skeleton.push_str(line),
            Target::Array(k) => split.batches[k].last_mut()?.push_str(line),
        }
    }
    Some(split)
}

/// `[[name]]` exactly, for a name of `ARRAYS`: its index.
fn element_header(line: &str) -> Option<usize> {
    let name = line.strip_prefix("[[")?.strip_suffix("]]")?;
    ARRAYS.iter().position(|a| *a == name)
}

/// A header of a table inside an element of `name`: `[name.…]` or
/// `[[name.…]]`.
fn under(line: &str, name: &str) -> bool {
    let inner = line.trim_start_matches('[');
    inner
        .strip_prefix(name)
        .is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(items: usize) -> String {
        let mut text = String::from(
            "id = \"R-1\"\ntitle = \"T\"\nversion = \"1.0.0\"\nkind = \"minor\"\n\
             state = \"open\"\nenvironment = \"uat\"\nentered_at = \"2026-11-25T12:00:00Z\"\n\
             revision = 1\ncreated_at = \"2026-11-25T12:00:00Z\"\ncreated_by = \"Ana <a@x>\"\n\
             incidents = []\n\n",
        );
        for n in 0..items {
            text.push_str(&format!(
                "[[ticks]]\nenv = \"uat\"\nchecklist = \"entry\"\nitem = \"Item {n}\"\n\
                 by = \"Ana <a@x>\"\nat = \"2026-11-25T12:00:00Z\"\nrevision = 1\n\n"
            ));
        }
        text.push_str(
            "[[history]]\nat = \"2026-11-25T12:00:00Z\"\nby = \"Ana <a@x>\"\naction = \"new\"\n\
             detail = \"\"\"\n[[ticks]]\nnot a header\"\"\"\n\n",
        );
        for n in 0..items {
            text.push_str(&format!(
                "[[checklist]]\nenv = \"uat\"\nlist = \"entry\"\nitem = \"Item {n}\"\n\
                 by = \"Ana <a@x>\"\nat = \"2026-11-25T12:00:00Z\"\n\n"
            ));
        }
        text
    }

    #[test]
    fn batches_give_the_value_of_the_whole_parse() {
        let text = manifest(2 * BATCH + 7);
        let whole: Release = toml::from_str(&text).expect("whole");
        // The `[[ticks]]` line inside the multi-line string breaks a
        // batch: the chunked reader gives up rather than misread.
        assert!(release(&text).is_none());
        let clean = text.replace(
            "detail = \"\"\"\n[[ticks]]\nnot a header\"\"\"",
            "detail = \"x\"",
        );
        let whole_clean: Release = toml::from_str(&clean).expect("whole");
        let chunked = release(&clean).expect("chunked");
        assert_eq!(chunked, whole_clean);
        assert_eq!(chunked.ticks.len(), 2 * BATCH + 7);
        assert_eq!(chunked.checklist.len(), 2 * BATCH + 7);
        assert_eq!(whole.ticks.len(), 2 * BATCH + 7);
    }

    #[test]
    fn an_array_written_both_ways_is_left_to_the_whole_parse() {
        let text = manifest(3).replace("incidents = []\n", "incidents = []\nticks = []\n");
        assert!(toml::from_str::<Release>(&text).is_err());
        assert!(release(&text).is_none());
    }

    #[test]
    fn an_unknown_key_in_an_element_is_left_to_the_whole_parse() {
        let text = manifest(3).replacen(
            "revision = 1\n\n[[ticks]]",
            "revision = 1\nbogus = 2\n\n[[ticks]]",
            1,
        );
        assert!(toml::from_str::<Release>(&text).is_err());
        assert!(release(&text).is_none());
    }
}
