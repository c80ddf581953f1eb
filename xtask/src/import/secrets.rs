//! The import's rule for secrets: a string property that holds one is `format: password`, which the
//! generator types `polytomic::Secret` (its `Debug` and errors do not show it). A property holds a secret
//! when its name says so (`secret`, `*_secret`, `password`, `*_password`) or its description calls it a
//! secret. Upstream marks none; the overlay may mark more (the API key the API issues).

use serde_json::{Map, Value};

/// Whether the string property `name` (described by `description`) holds a secret.
fn holds_a_secret(name: &str, description: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let named = ["secret", "password"]
        .iter()
        .any(|word| name == *word || name.ends_with(&format!("_{word}")));
    let described = description
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| word == "secret");
    named || described
}

/// Marks every secret-holding string property of `doc` (in any schema) `format: password`. Returns the
/// properties marked, as `<schema path>.<property>`.
pub fn mark(doc: &mut Value) -> Vec<String> {
    let mut marked = Vec::new();
    walk(doc, &mut String::new(), &mut marked, false);
    marked
}

/// `names_properties`: `node` is a `properties` map, whose keys are property names (a property may be
/// called `value` or `default`), not keywords.
fn walk(node: &mut Value, path: &mut String, marked: &mut Vec<String>, names_properties: bool) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get_mut("properties")
                && !names_properties
            {
                mark_properties(properties, path, marked);
            }
            for (key, value) in map.iter_mut() {
                // Examples, defaults and extensions are data, not schemas.
                if !names_properties && super::is_opaque(key) {
                    continue;
                }
                let length = path.len();
                path.push('.');
                path.push_str(key);
                let properties = !names_properties && key == "properties";
                walk(value, path, marked, properties);
                path.truncate(length);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| walk(item, path, marked, false)),
        _ => {}
    }
}

fn mark_properties(properties: &mut Map<String, Value>, path: &str, marked: &mut Vec<String>) {
    for (name, property) in properties.iter_mut() {
        let Value::Object(property) = property else {
            continue;
        };
        let is_string = property.get("type").and_then(Value::as_str) == Some("string");
        let description = property
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if is_string && !property.contains_key("format") && holds_a_secret(name, description) {
            property.insert("format".into(), Value::from("password"));
            marked.push(format!(
                "{}.properties.{name}",
                path.trim_start_matches('.')
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn string_properties_named_or_described_as_secrets_become_passwords() {
        let mut doc = json!({"components": {"schemas": {
            "Webhook": {"type": "object", "properties": {
                "secret": {"type": "string"},
                "client_secret": {"type": "string", "format": "byte"},
                "admin_password": {"type": "string"},
                "signing": {"type": "string", "description": "The Secret that signs deliveries."},
                "secretive": {"type": "string"},
                "has_secret": {"type": "boolean", "description": "Whether a secret is set"},
                "nested": {"type": "object", "properties": {"secret": {"type": "string"}}},
                "value": {"type": "object", "properties": {"password": {"type": "string"}}},
            }, "example": {"properties": {"secret": {"type": "string"}}}},
        }}});
        let marked = super::mark(&mut doc);
        assert_eq!(
            marked,
            [
                "components.schemas.Webhook.properties.secret",
                "components.schemas.Webhook.properties.admin_password",
                "components.schemas.Webhook.properties.signing",
                "components.schemas.Webhook.properties.nested.properties.secret",
                "components.schemas.Webhook.properties.value.properties.password",
            ]
        );
        let webhook = &doc["components"]["schemas"]["Webhook"];
        assert_eq!(webhook["properties"]["secret"]["format"], "password");
        // A format upstream gave is kept; a name that only starts like one, and non-strings, are not secrets.
        assert_eq!(webhook["properties"]["client_secret"]["format"], "byte");
        assert!(webhook["properties"]["secretive"].get("format").is_none());
        assert!(webhook["properties"]["has_secret"].get("format").is_none());
        // Examples are data.
        assert!(
            webhook["example"]["properties"]["secret"]
                .get("format")
                .is_none()
        );
    }
}
