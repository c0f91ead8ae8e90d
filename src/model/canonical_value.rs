//! The values of rel's own TOML layout, for the quick readers of files
//! rel writes itself (`archive_index`, `incident_canonical`): anything
//! that is not exactly what rel writes is `None`, and the file goes to the
//! TOML parser instead, so answers and errors never depend on the reader.

/// A value as rel writes one: a boolean, or a basic string without
/// escapes or control characters.
pub enum Value<'a> {
    Bool(bool),
    Text(&'a str),
}

impl<'a> Value<'a> {
    pub fn of(raw: &'a str) -> Option<Value<'a>> {
        match raw {
            "true" => return Some(Value::Bool(true)),
            "false" => return Some(Value::Bool(false)),
            _ => {}
        }
        let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
        let plain = !inner
            .chars()
            .any(|c| c == '"' || c == '\\' || c.is_control());
        plain.then_some(Value::Text(inner))
    }

    pub fn text(self) -> Option<String> {
        match self {
            Value::Text(t) => Some(t.to_string()),
            Value::Bool(_) => None,
        }
    }

    pub fn bool(self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(b),
            Value::Text(_) => None,
        }
    }
}

/// Sets `slot` once; a key given twice is for the TOML parser to refuse.
pub fn once<T>(slot: &mut Option<T>, value: Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value?);
    Some(())
}
