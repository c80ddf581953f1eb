//! Fields a request body may not set together, declared once on the body's schema
//! (`x-polytomic-exclusive: [role, role_ids]`): the client refuses such a body before sending it
//! (`crates/polytomic/src/validate.rs`, through the generated `operations::exclusive_fields`).

use serde_json::Value;

/// The extension's name.
pub const EXTENSION: &str = "x-polytomic-exclusive";

/// Checks every declaration: on a component schema, a list of two or more of its properties. Returns how
/// many schemas declare one.
pub fn check(doc: &Value) -> Result<usize, String> {
    let mut declared = 0;
    for (name, schema) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let Some(fields) = schema.get(EXTENSION) else {
            continue;
        };
        let at = format!("components.schemas.{name}.{EXTENSION}");
        let fields = fields
            .as_array()
            .filter(|f| f.len() >= 2)
            .ok_or_else(|| format!("{at}: must list two or more properties"))?;
        for field in fields {
            let field = field
                .as_str()
                .ok_or_else(|| format!("{at}: the properties are named by strings"))?;
            if schema["properties"].get(field).is_none() {
                return Err(format!("{at}: `{field}` is not a property of {name}"));
            }
        }
        declared += 1;
    }
    Ok(declared)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc(declared: Value) -> Value {
        json!({"components": {"schemas": {"Body": {
            "type": "object",
            "properties": {"role": {"type": "string"}, "role_ids": {"type": "array"}},
            "x-polytomic-exclusive": declared
        }}}})
    }

    #[test]
    fn a_declaration_of_the_schemas_properties_passes_and_a_wrong_one_is_located() {
        assert_eq!(check(&doc(json!(["role", "role_ids"]))), Ok(1));
        assert_eq!(
            check(&doc(json!(["role", "roles"]))).unwrap_err(),
            "components.schemas.Body.x-polytomic-exclusive: `roles` is not a property of Body"
        );
        assert_eq!(
            check(&doc(json!(["role"]))).unwrap_err(),
            "components.schemas.Body.x-polytomic-exclusive: must list two or more properties"
        );
    }
}
