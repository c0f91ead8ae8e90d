//! The audit's incidents by file id, kept compactly: a million incidents
//! are a million entries. An id of up to 16 bytes (`INC-` and digits, as
//! rel names them) is kept inline in its entry, not as a string of its
//! own; the entries are a sorted list, which an import (ids in git's
//! order, ascending) grows at its end, and the few filed out of order wait
//! in a small map until they are merged in. A `BTreeMap<String, _>` cost
//! about three times as much per entry (its nodes half full after
//! ascending inserts, and the id's own allocation).

use std::collections::BTreeMap;

/// An id of up to `SHORT` bytes, padded with NULs (ids hold none: they
/// are file names).
type Short = [u8; SHORT];
const SHORT: usize = 16;

fn short(id: &str) -> Option<Short> {
    if id.len() > SHORT || id.as_bytes().contains(&0) {
        return None;
    }
    let mut key = [0; SHORT];
    key[..id.len()].copy_from_slice(id.as_bytes());
    Some(key)
}

fn text(key: &Short) -> &str {
    let len = key.iter().position(|&b| b == 0).unwrap_or(SHORT);
    // Made from a whole `&str` (see `short`).
    std::str::from_utf8(&key[..len]).unwrap_or_default()
}

/// An id held on its own, inline when it is short (a commit's list of a
/// million ids makes no million strings).
#[derive(Debug, Clone)]
pub enum Id {
    Short(Short),
    Long(Box<str>),
}

impl Id {
    pub fn new(id: &str) -> Id {
        match short(id) {
            Some(key) => Id::Short(key),
            None => Id::Long(id.into()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Id::Short(key) => text(key),
            Id::Long(id) => id,
        }
    }
}

/// Values of type `T` by id.
#[derive(Debug, Clone)]
pub struct Register<T> {
    /// Sorted by key; `None`: removed (dropped at the next merge). Those
    /// from `visible` on are staged: not found until `publish`.
    sorted: Vec<(Short, Option<T>)>,
    visible: usize,
    /// Short ids filed out of order, none of them in `sorted`.
    recent: BTreeMap<Short, T>,
    /// Ids longer than `SHORT`.
    long: BTreeMap<String, T>,
}

impl<T> Default for Register<T> {
    fn default() -> Self {
        Register {
            sorted: Vec::new(),
            visible: 0,
            recent: BTreeMap::new(),
            long: BTreeMap::new(),
        }
    }
}

impl<T> Register<T> {
    fn find(&self, key: &Short) -> Option<usize> {
        self.sorted[..self.visible]
            .binary_search_by(|(k, _)| k.cmp(key))
            .ok()
    }

    /// Files `value` as `id` once `publish` is called, and returns true,
    /// when that costs no more than the entry: a short id after every id
    /// filed or staged (an import's, in git's order). Else returns the
    /// value, to be filed by `insert` after `publish`.
    pub fn stage(&mut self, id: &str, value: T) -> Result<(), T> {
        match short(id) {
            Some(key) if self.sorted.last().is_none_or(|(last, _)| *last < key) => {
                self.sorted.push((key, Some(value)));
                Ok(())
            }
            _ => Err(value),
        }
    }

    /// Where the next entry staged goes (see `entries_from`).
    pub fn mark(&self) -> usize {
        self.sorted.len()
    }

    /// The ids of the entries from `mark` on: those staged since it, in
    /// order, until an insert out of order merges the entries again.
    pub fn entries_from(&self, mark: usize) -> impl Iterator<Item = &str> {
        self.sorted
            .get(mark..)
            .unwrap_or_default()
            .iter()
            .map(|(k, _)| text(k))
    }

    /// Makes the staged entries found.
    pub fn publish(&mut self) {
        self.visible = self.sorted.len();
    }

    /// The entry filed exactly as `id`: its id and value.
    pub fn get_key_value(&self, id: &str) -> Option<(&str, &T)> {
        let Some(key) = short(id) else {
            return self.long.get_key_value(id).map(|(k, v)| (k.as_str(), v));
        };
        if let Some((k, v)) = self.recent.get_key_value(&key) {
            return Some((text(k), v));
        }
        let (k, v) = &self.sorted[self.find(&key)?];
        v.as_ref().map(|v| (text(k), v))
    }

    /// Files `value` as `id`, replacing what was filed there.
    pub fn insert(&mut self, id: &str, value: T) {
        self.publish();
        let Some(key) = short(id) else {
            self.long.insert(id.to_string(), value);
            return;
        };
        if let Some(v) = self.recent.get_mut(&key) {
            *v = value;
        } else if let Some(at) = self.find(&key) {
            self.sorted[at].1 = Some(value);
        } else if self.sorted.last().is_none_or(|(last, _)| *last < key) {
            self.sorted.push((key, Some(value)));
            self.visible = self.sorted.len();
        } else {
            self.recent.insert(key, value);
            // Merged when it is no longer small: each entry is moved a
            // bounded number of times on average.
            if self.recent.len() > 1024 + self.sorted.len() / 8 {
                self.merge();
            }
        }
    }

    /// Removes what is filed as `id`.
    pub fn remove(&mut self, id: &str) {
        self.publish();
        let Some(key) = short(id) else {
            self.long.remove(id);
            return;
        };
        if self.recent.remove(&key).is_none() {
            if let Some(at) = self.find(&key) {
                self.sorted[at].1 = None;
            }
        }
    }

    /// `recent` merged into `sorted`, the removed entries dropped.
    fn merge(&mut self) {
        self.publish();
        let sorted = std::mem::take(&mut self.sorted);
        let recent = std::mem::take(&mut self.recent);
        let mut merged = Vec::with_capacity(sorted.len() + recent.len());
        let mut recent = recent.into_iter().peekable();
        for (key, value) in sorted {
            while let Some(r) = recent.next_if(|(k, _)| *k < key) {
                merged.push((r.0, Some(r.1)));
            }
            if value.is_some() {
                merged.push((key, value));
            }
        }
        merged.extend(recent.map(|(k, v)| (k, Some(v))));
        self.sorted = merged;
        self.visible = self.sorted.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_as_filed_in_any_order_and_length() {
        let mut r: Register<u32> = Register::default();
        let long = "INC-".to_string() + &"9".repeat(20);
        for n in (0..3000).rev().chain(3000..6000) {
            r.insert(&format!("INC-{n:06}"), n);
        }
        r.insert(&long, 1);
        r.remove("INC-000007");
        r.remove("INC-005000");
        r.insert("INC-005000", 50);
        assert_eq!(r.get_key_value("INC-000008"), Some(("INC-000008", &8)));
        assert_eq!(r.get_key_value("INC-005999"), Some(("INC-005999", &5999)));
        assert_eq!(r.get_key_value("INC-005000"), Some(("INC-005000", &50)));
        assert_eq!(r.get_key_value("INC-000007"), None);
        assert_eq!(r.get_key_value("inc-000008"), None);
        assert_eq!(r.get_key_value(&long), Some((long.as_str(), &1)));
        r.merge();
        assert_eq!(r.get_key_value("INC-000007"), None);
        assert_eq!(r.get_key_value("INC-002999"), Some(("INC-002999", &2999)));
        assert_eq!(r.sorted.len(), 5999);
        assert_eq!(Id::new("INC-000001").as_str(), "INC-000001");
        // Staged: not found until published; only after the last id.
        let mark = r.mark();
        assert_eq!(r.stage("INC-009000", 9000), Ok(()));
        assert_eq!(r.stage("INC-000001", 1), Err(1));
        assert_eq!(r.get_key_value("INC-009000"), None);
        assert_eq!(r.entries_from(mark).collect::<Vec<_>>(), ["INC-009000"]);
        r.publish();
        assert_eq!(r.get_key_value("INC-009000"), Some(("INC-009000", &9000)));
        assert_eq!(r.entries_from(mark).collect::<Vec<_>>(), ["INC-009000"]);
        assert_eq!(Id::new(&long).as_str(), long);
    }
}
