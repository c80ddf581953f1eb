//! `#[deprecated]` on the fields the spec marks `deprecated: true`: progenitor (typify) drops the keyword,
//! so a caller would never hear that a field is going away. The attribute is added to the generated type's
//! field by a pass over the client's syntax tree; the generated module allows `deprecated` for its own uses.

use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, Type};

use super::tree::json_name;

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

/// Adds `#[deprecated]` to each (type, property) of `fields` in the client's `types`: the field of that
/// struct that serde reads the property into (`#[serde(rename = "..")]`, or the field's own name). A type
/// or field not found is refused, naming it: the mark must not go missing silently.
pub fn mark(file: &mut syn::File, fields: &[(String, String)]) -> Result<usize, String> {
    if fields.is_empty() {
        return Ok(0);
    }
    let types = super::tree::module(&mut file.items, "types")?;
    for (type_name, property) in fields {
        let item = types
            .iter_mut()
            .find_map(|item| match item {
                syn::Item::Struct(s) if s.ident == type_name => Some(s),
                _ => None,
            })
            .ok_or_else(|| {
                format!("deprecated property {property} of {type_name}: progenitor's types have no `struct {type_name}`")
            })?;
        let field = item
            .fields
            .iter_mut()
            .find(|field| json_name(field).as_deref() == Some(property.as_str()))
            .ok_or_else(|| {
                format!("deprecated property {property} of {type_name}: `types::{type_name}` has no field for it")
            })?;
        field.attrs.push(syn::parse_quote!(
            #[deprecated = "deprecated in the API spec; see the field's documentation"]
        ));
    }
    Ok(fields.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_field_of_the_type_not_of_its_builder_by_its_json_name() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct User {
                    pub id: u8,
                    #[serde(rename = "type")]
                    pub type_: u8,
                    #[serde(rename = "orgId", default)]
                    pub org_id: u8,
                    pub role: u8,
                }
                pub mod builder { pub struct User { role: u8 } }
            }
        };
        let fields = [
            ("User".to_string(), "role".to_string()),
            ("User".to_string(), "type".to_string()),
            ("User".to_string(), "orgId".to_string()),
        ];
        assert_eq!(mark(&mut file, &fields), Ok(3));
        let text = prettyplease::unparse(&file);
        assert_eq!(text.matches("#[deprecated").count(), 3, "{text}");
        assert!(!text.contains("#[deprecated = \"deprecated in the API spec; see the field's documentation\"]\n        pub id"), "{text}");
        assert!(
            text.contains("role: u8 }") || text.contains("role: u8,\n        }"),
            "builder untouched: {text}"
        );

        let missing = [("User".to_string(), "gone".to_string())];
        assert_eq!(
            mark(&mut file, &missing),
            Err("deprecated property gone of User: `types::User` has no field for it".into())
        );
        let missing = [("Team".to_string(), "id".to_string())];
        assert!(
            mark(&mut file, &missing)
                .unwrap_err()
                .contains("no `struct Team`")
        );

        assert_eq!(rust_type_name("APIKeyResponse"), "ApiKeyResponse");
        assert_eq!(
            rust_type_name("schemas_Refresh_Response_202"),
            "SchemasRefreshResponse202"
        );
        assert_eq!(rust_type_name("User"), "User");
    }
}
