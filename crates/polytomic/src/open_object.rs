//! What the generated `Deserialize` of every open object (a struct whose `extra` map keeps the properties
//! the document does not name) calls. serde's derive reads such a struct through `#[serde(flatten)]`, which
//! buffers every unknown property and writes a dozen more visitor methods for each of the 222 structs: a
//! fifth of the client's build (BENCHMARKS.md). `xtask/src/generate/open_objects.rs` writes instead one
//! `visit_map` per struct that reads each property straight into its field or into `extra`, with serde's
//! own errors for a missing, duplicate or ill-typed field.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, Unexpected, Visitor};

/// A property name, read against the fields a struct names.
pub enum Key {
    /// A property the struct has a field for (its JSON name).
    Field(&'static str),
    /// A property the document does not name: it goes to `extra`.
    Other(String),
}

impl Key {
    /// The property's name, as `extra` keeps it.
    pub fn into_name(self) -> String {
        match self {
            Key::Field(name) => name.to_owned(),
            Key::Other(name) => name,
        }
    }
}

/// Reads a [`Key`] against a struct's JSON property names, allocating only for a property it does not name.
pub struct Keys(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Keys {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Keys {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // serde's own words for a name that is not a string (the derive fails when it builds `extra`).
        f.write_str("a string")
    }

    fn visit_str<E: Error>(self, name: &str) -> Result<Key, E> {
        Ok(match self.0.iter().find(|field| **field == name) {
            Some(field) => Key::Field(field),
            None => Key::Other(name.to_owned()),
        })
    }

    /// A name as bytes (binary formats; JSON's are strings): read as UTF-8, as serde's `String` reads it.
    fn visit_bytes<E: Error>(self, name: &[u8]) -> Result<Key, E> {
        match std::str::from_utf8(name) {
            Ok(name) => self.visit_str(name),
            Err(_) => Err(E::invalid_value(Unexpected::Bytes(name), &self)),
        }
    }
}

/// Reads the value of the field `name` into its slot: a second value for it is an error, as in serde's
/// derive.
// Always inlined: an incremental build puts each copy beside its caller (the type's visitor), not the
// copies for every type in one unit that a field added anywhere compiles again (BENCHMARKS.md,
// "Commands and builders by resource").
#[inline(always)]
pub fn fill<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(A::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Key, Keys};
    use serde::de::DeserializeSeed;
    use serde::de::value::{BytesDeserializer, Error, StrDeserializer};

    fn read(name: &[u8]) -> Result<String, Error> {
        let key = match std::str::from_utf8(name) {
            Ok(name) => Keys(&["id", "type"]).deserialize(StrDeserializer::<Error>::new(name))?,
            Err(_) => Keys(&["id", "type"]).deserialize(BytesDeserializer::<Error>::new(name))?,
        };
        // And the same name as bytes, as a binary format gives it.
        let again = Keys(&["id", "type"]).deserialize(BytesDeserializer::<Error>::new(name))?;
        Ok(match (key, again) {
            (Key::Field(a), Key::Field(b)) if a == b => format!("field {a}"),
            (Key::Other(a), Key::Other(b)) if a == b => format!("other {a}"),
            _ => "the two readings differ".into(),
        })
    }

    #[test]
    fn a_name_is_a_field_or_kept_as_it_came() {
        assert_eq!(read(b"type").unwrap(), "field type");
        assert_eq!(read(b"Type").unwrap(), "other Type");
        assert_eq!(read(b"").unwrap(), "other ");
        assert_eq!(
            read(b"\xff").unwrap_err().to_string(),
            "invalid value: byte array, expected a string"
        );
    }
}
