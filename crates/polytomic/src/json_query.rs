//! `JsonQuery`: a query parameter the API takes as JSON text.

use std::fmt;
use std::str::FromStr;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A query parameter whose value is an object, sent as its JSON text (`params={"key":["value"]}`), the way
/// Polytomic's official SDKs send it. Build one from the value: `JsonQuery::from(map)`, or pass the map to
/// the builder method directly.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonQuery<T>(pub T);

impl<T> From<T> for JsonQuery<T> {
    fn from(value: T) -> Self {
        JsonQuery(value)
    }
}

impl<T: Serialize> Serialize for JsonQuery<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(&self.0).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for JsonQuery<T> {
    /// Accepts the JSON text or the value itself.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(text) => text.parse().map_err(serde::de::Error::custom),
            value => serde_json::from_value(value)
                .map(JsonQuery)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// The JSON text, as it goes on the wire (before URL encoding).
impl<T: Serialize> fmt::Display for JsonQuery<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(&self.0).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

/// Parses JSON text, as the CLI takes it (`--params '{"key":["value"]}'`).
impl<T: DeserializeOwned> FromStr for JsonQuery<T> {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        serde_json::from_str(text)
            .map(JsonQuery)
            .map_err(|e| format!("expected JSON of the parameter's shape: {e}"))
    }
}

#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for JsonQuery<T> {
    fn schema_name() -> String {
        format!("JsonQuery_{}", T::schema_name())
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        T::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn travels_as_json_text_and_reads_back() {
        let map = BTreeMap::from([(
            "region".to_string(),
            vec!["us".to_string(), "eu".to_string()],
        )]);
        let query = JsonQuery::from(map.clone());
        assert_eq!(query.to_string(), r#"{"region":["us","eu"]}"#);
        assert_eq!(
            serde_json::to_value(&query).unwrap(),
            serde_json::json!(r#"{"region":["us","eu"]}"#)
        );
        let parsed: JsonQuery<BTreeMap<String, Vec<String>>> = query.to_string().parse().unwrap();
        assert_eq!(parsed.0, map);
        assert!(
            "{not json"
                .parse::<JsonQuery<BTreeMap<String, String>>>()
                .is_err()
        );
    }
}
