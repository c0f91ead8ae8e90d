//! Reading `releases/archive/index.toml` as rel writes it, line by line.
//! The index grows with the archive (650 KB at 10,000 releases, 6.5 MB at
//! 100,000) and `rel new` reads it: the general TOML parser took most of
//! the command's own time on it and built a tree of every value first.
//! Only the exact layout rel's serializer writes is read here; anything
//! else (a comment, other spacing, an escape, an unknown or repeated key,
//! a missing one) gives None and the caller parses the file as TOML, so
//! the answer and every error stay the TOML parser's.

use super::archive::{FlaggedIncident, Index, Shipped};
use super::canonical_value::{once, Value};

/// Where the lines read so far put keys.
enum At {
    Top,
    Released,
    Flagged,
}

/// The index in `text` when it is in rel's own layout; None otherwise.
pub fn read_canonical(text: &str) -> Option<Index> {
    if text.contains('\r') {
        return None;
    }
    let mut released: Vec<Draft> = Vec::new();
    let mut at = At::Top;
    for line in text.split('\n') {
        match line {
            "" => continue,
            "[[released]]" => {
                released.push(Draft::default());
                at = At::Released;
                continue;
            }
            "[[released.flagged]]" => {
                released.last_mut()?.flagged.push(FlagDraft::default());
                at = At::Flagged;
                continue;
            }
            _ => {}
        }
        let (key, value) = line.split_once(" = ")?;
        let value = Value::of(value)?;
        match at {
            At::Top => return None,
            At::Released => released.last_mut()?.set(key, value)?,
            At::Flagged => released.last_mut()?.flagged.last_mut()?.set(key, value)?,
        }
    }
    let released = released
        .into_iter()
        .map(Draft::done)
        .collect::<Option<Vec<Shipped>>>()?;
    Some(Index { released })
}

#[derive(Default)]
struct Draft {
    id: Option<String>,
    version: Option<String>,
    installation: Option<String>,
    breaking: Option<bool>,
    flagged: Vec<FlagDraft>,
}

impl Draft {
    fn set(&mut self, key: &str, value: Value) -> Option<()> {
        match key {
            "id" => once(&mut self.id, value.text()),
            "version" => once(&mut self.version, value.text()),
            "installation" => once(&mut self.installation, value.text()),
            "breaking" => once(&mut self.breaking, value.bool()),
            _ => None,
        }
    }

    fn done(self) -> Option<Shipped> {
        Some(Shipped {
            id: self.id?,
            version: self.version?,
            installation: self.installation,
            breaking: self.breaking.unwrap_or(false),
            flagged: self
                .flagged
                .into_iter()
                .map(FlagDraft::done)
                .collect::<Option<Vec<_>>>()?,
        })
    }
}

#[derive(Default)]
struct FlagDraft {
    id: Option<String>,
    breaking: Option<bool>,
    compat_work: Option<bool>,
    client_work: Option<bool>,
}

impl FlagDraft {
    fn set(&mut self, key: &str, value: Value) -> Option<()> {
        match key {
            "id" => once(&mut self.id, value.text()),
            "breaking" => once(&mut self.breaking, value.bool()),
            "compat_work" => once(&mut self.compat_work, value.bool()),
            "client_work" => once(&mut self.client_work, value.bool()),
            _ => None,
        }
    }

    fn done(self) -> Option<FlaggedIncident> {
        Some(FlaggedIncident {
            id: self.id?,
            breaking: self.breaking.unwrap_or(false),
            compat_work: self.compat_work.unwrap_or(false),
            client_work: self.client_work.unwrap_or(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(n: usize) -> Shipped {
        let flagged = (0..n % 3)
            .map(|k| FlaggedIncident {
                id: format!("INC-{n}-{k}"),
                breaking: k == 0,
                compat_work: n.is_multiple_of(2),
                client_work: k == 1,
            })
            .collect();
        Shipped {
            id: format!("R-2026-{n:04}"),
            version: format!("1.{n}.0"),
            installation: n.is_multiple_of(4).then(|| format!("client-é-{n}")),
            breaking: n.is_multiple_of(5),
            flagged,
        }
    }

    fn toml_reads(text: &str) -> Option<Index> {
        toml::from_str(text).ok()
    }

    #[test]
    fn what_rel_writes_reads_back_as_the_toml_parser_reads_it() {
        for size in [1, 2, 7, 40] {
            let index = Index {
                released: (0..size).map(shipped).collect(),
            };
            let text = toml::to_string(&index).expect("serializes");
            assert_eq!(read_canonical(&text).as_ref(), Some(&index), "{text}");
            assert_eq!(toml_reads(&text).as_ref(), Some(&index));
        }
        // An empty index is written `released = []`: the TOML parser's.
        let empty = toml::to_string(&Index::default()).expect("serializes");
        assert_eq!(read_canonical(&empty), None, "{empty}");
        assert_eq!(read_canonical(""), Some(Index::default()));
    }

    #[test]
    fn any_other_layout_is_left_to_the_toml_parser() {
        let index = Index {
            released: (0..6).map(shipped).collect(),
        };
        let text = toml::to_string(&index).expect("serializes");
        let variants = [
            text.replace("id = ", "id=").to_string(),
            text.replace('\n', "\r\n"),
            format!("# a comment\n{text}"),
            text.replacen("version = \"1.1.0\"", "version = \"1.\\u0031.0\"", 1),
            text.replacen("breaking = false", "breaking = \"false\"", 1),
            text.replacen(
                "version = \"1.1.0\"",
                "version = \"1.1.0\"\nversion = \"2\"",
                1,
            ),
            text.replacen("version = \"1.1.0\"\n", "", 1),
            text.replacen("[[released]]\n", "[[released]]\nextra = true\n", 1),
            format!("id = \"x\"\n{text}"),
            format!("[[released.flagged]]\nid = \"x\"\n{text}"),
            text.replacen("id = \"R-2026-0001\"", "id = \"R-2026-0001\" # note", 1),
            text.replacen("id = \"R-2026-0001\"", "id = \"R\t1\"", 1),
        ];
        for variant in variants {
            assert_ne!(variant, text);
            // Either left to the parser, or read exactly as it reads it.
            if let Some(read) = read_canonical(&variant) {
                assert_eq!(Some(read), toml_reads(&variant), "{variant}");
            }
        }
        // These, at least, are not for the line reader.
        assert!(read_canonical(&text.replace("id = ", "id=")).is_none());
        assert!(read_canonical(&text.replace('\n', "\r\n")).is_none());
        assert!(read_canonical(&format!("# c\n{text}")).is_none());
    }
}
