//! `#[deprecated]` on the fields the spec marks `deprecated: true`: progenitor (typify) drops the keyword,
//! so a caller would never hear that a field is going away. The attribute is added to the generated type's
//! field in the client's tokens; the generated module allows `deprecated` for its own uses.

use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, Type};

/// (Rust type name, field name) of every deprecated property of a named object schema.
pub fn deprecated_fields(spec: &OpenAPI) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let Some(components) = &spec.components else {
        return fields;
    };
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
            continue;
        };
        for (property, schema) in &object.properties {
            if let ReferenceOr::Item(schema) = schema
                && schema.schema_data.deprecated
            {
                fields.push((rust_type_name(name), property.clone()));
            }
        }
    }
    fields
}

/// typify's name for a schema, in Pascal case by words: `APIKeyResponse` is `ApiKeyResponse`,
/// `schemas_Refresh_Response_202` is `SchemasRefreshResponse202`.
fn rust_type_name(schema: &str) -> String {
    let chars: Vec<char> = schema.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            words.extend((!word.is_empty()).then(|| std::mem::take(&mut word)));
            continue;
        }
        let previous = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let boundary = c.is_ascii_uppercase()
            && previous.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.push(c);
    }
    words.extend((!word.is_empty()).then_some(word));
    words
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            let first = cs
                .next()
                .map(|c| c.to_ascii_uppercase())
                .unwrap_or_default();
            format!("{first}{}", cs.as_str().to_ascii_lowercase())
        })
        .collect()
}

/// Adds `#[deprecated]` before `pub <field> :` inside `pub struct <Type> { ... }` (the first such struct:
/// the type itself, not its builder). A type or field not found is left alone.
pub fn mark(text: &str, fields: &[(String, String)]) -> String {
    let mut text = text.to_string();
    for (type_name, field) in fields {
        let head = format!("pub struct {type_name} {{");
        let Some(start) = text.find(&head) else {
            continue;
        };
        let body_start = start + head.len();
        let mut depth = 1;
        let mut end = body_start;
        for (i, c) in text[body_start..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = body_start + i;
                break;
            }
        }
        let needle = format!("pub {field} :");
        if let Some(at) = text[body_start..end].find(&needle) {
            let at = body_start + at;
            text.insert_str(
                at,
                "# [deprecated = \"deprecated in the API spec; see the field's documentation\"] ",
            );
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_field_of_the_type_not_of_its_builder() {
        let text = "pub struct User { pub id : u8 , pub role : u8 , } pub mod builder { pub struct User { role : u8 } }";
        assert_eq!(
            mark(text, &[("User".into(), "role".into())]),
            "pub struct User { pub id : u8 , # [deprecated = \"deprecated in the API spec; see the field's documentation\"] pub role : u8 , } pub mod builder { pub struct User { role : u8 } }"
        );
        assert_eq!(rust_type_name("APIKeyResponse"), "ApiKeyResponse");
        assert_eq!(
            rust_type_name("schemas_Refresh_Response_202"),
            "SchemasRefreshResponse202"
        );
        assert_eq!(rust_type_name("User"), "User");
    }
}
