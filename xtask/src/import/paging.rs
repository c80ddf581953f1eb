//! Paging, declared once in the overlay (in the spirit of Smithy's `@paginated`): an operation that pages
//! carries `x-polytomic-paging`, which the import checks against the operation it is on and the generator
//! turns into the client's `send_all()` for it (`crates/polytomic/src/paging.rs` holds the two ways to walk).
//!
//! ```yaml
//! # A token or cursor: the response's value at `from` goes back in the query parameter `next`.
//! x-polytomic-paging: { next: page_token, from: /pagination/next_page_token, items: /data }
//! # By time: the items' `time` field bounds the next request through `after` or `before`; `id` tells
//! # apart the items that share a boundary time.
//! # `size` is the page-size parameter, set to `max`, the largest the API documents.
//! x-polytomic-paging: { time: created_at, id: id, after: starting_after, before: ending_before, size: limit, max: 100, items: /data }
//! ```
//!
//! `from` and `items` are JSON pointers into the 200 response's body. A declaration that names a
//! parameter, field or pointer the operation does not have is an error naming the operation and the key.

use serde_json::Value;

use crate::names::METHODS;

/// The extension's name.
pub const EXTENSION: &str = "x-polytomic-paging";

/// A declaration found on an operation: (where, path, method, operation, declaration).
pub(crate) type Declared<'a> = (String, &'a str, &'a str, &'a Value, &'a Value);

/// Every operation in `doc` that carries `extension`: (where, path, method, operation, declaration), `where`
/// naming the declaration for errors. A declaration on a path, or under a key that is not an operation,
/// is an error rather than ignored. Shared by the operation-level declarations (paging, waiting).
pub(crate) fn declared_on_operations<'a>(
    doc: &'a Value,
    extension: &str,
) -> Result<Vec<Declared<'a>>, String> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        if item.get(extension).is_some() {
            return Err(format!(
                "paths.\"{path}\".{extension}: a declaration belongs on an operation ({})",
                METHODS.join(", ")
            ));
        }
        for (method, op) in item.as_object().into_iter().flatten() {
            let Some(declared) = op.get(extension) else {
                continue;
            };
            let at = format!("paths.\"{path}\".{method}.{extension}");
            if !METHODS.contains(&method.as_str()) {
                return Err(format!("{at}: `{method}` is not an operation"));
            }
            found.push((at, path.as_str(), method.as_str(), op, declared));
        }
    }
    Ok(found)
}

/// Checks every declaration in `doc`; returns how many there are.
pub fn check(doc: &Value) -> Result<usize, String> {
    let mut declared = 0;
    for (at, _, _, op, paging) in declared_on_operations(doc, EXTENSION)? {
        check_one(doc, op, paging).map_err(|e| format!("{at}: {e}"))?;
        declared += 1;
    }
    Ok(declared)
}

fn check_one(doc: &Value, op: &Value, paging: &Value) -> Result<(), String> {
    let text = |key: &str| -> Result<&str, String> {
        paging[key]
            .as_str()
            .ok_or_else(|| format!("`{key}` must be a string"))
    };
    let body = &op["responses"]["200"]["content"]["application/json"]["schema"];
    if body.is_null() {
        return Err("the operation has no JSON 200 response to page through".into());
    }
    let items = text("items")?;
    let item = match resolve(
        doc,
        at_pointer(doc, body, items).map_err(|e| format!("items: {e}"))?,
    ) {
        schema if schema["type"] == "array" => resolve(doc, &schema["items"]),
        _ => return Err(format!("items: `{items}` is not an array")),
    };
    let known: &[&str] = if paging.get("next").is_some() {
        &["items", "next", "from"]
    } else {
        &["items", "time", "id", "after", "before", "size", "max"]
    };
    if let Some(key) = paging
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
        .find(|k| !known.contains(&k.as_str()))
    {
        return Err(format!("unknown key `{key}` (known: {})", known.join(", ")));
    }
    let query = |key: &str| -> Result<(), String> {
        let name = text(key)?;
        let takes = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["in"] == "query" && p["name"] == name);
        if takes {
            Ok(())
        } else {
            Err(format!(
                "{key}: the operation has no query parameter `{name}`"
            ))
        }
    };
    match (paging.get("next"), paging.get("time")) {
        (Some(_), None) => {
            query("next")?;
            let from = text("from")?;
            let value = resolve(
                doc,
                at_pointer(doc, body, from).map_err(|e| format!("from: {e}"))?,
            );
            if value["type"] != "string" {
                return Err(format!("from: `{from}` is not a string"));
            }
        }
        (None, Some(_)) => {
            query("after")?;
            query("before")?;
            query("size")?;
            if !paging["max"]
                .as_u64()
                .is_some_and(|max| (1..=u32::MAX as u64).contains(&max))
            {
                return Err(
                    "max: the largest page size the API documents, a positive integer".into(),
                );
            }
            for key in ["time", "id"] {
                let name = text(key)?;
                if item["properties"][name].is_null() {
                    return Err(format!("{key}: the items have no property `{name}`"));
                }
            }
        }
        _ => {
            return Err(
                "give either `next` and `from` (a token) or `time`, `after` and `before`".into(),
            );
        }
    }
    Ok(())
}

/// What the generator writes for a declaration: the paging macro's arguments after the builder, as
/// Rust (`ListSyncItem, page_token, "/data", "/pagination/next_page_token"`), with the macro's name.
pub fn macro_call(doc: &Value, op: &Value) -> Result<Option<(&'static str, String)>, String> {
    let Some(paging) = op.get(EXTENSION) else {
        return Ok(None);
    };
    check_one(doc, op, paging)?;
    let body = &op["responses"]["200"]["content"]["application/json"]["schema"];
    let items = paging["items"].as_str().unwrap_or_default();
    let array = at_pointer(doc, body, items)?;
    let item = array["items"]["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .ok_or_else(|| format!("items: the items at `{items}` must be a named schema"))?;
    let word = |key: &str| paging[key].as_str().unwrap_or_default().to_string();
    Ok(Some(if paging.get("next").is_some() {
        let (next, from) = (word("next"), word("from"));
        ("by_token", format!("{item}, {next}, {items:?}, {from:?}"))
    } else {
        let (time, id, after, before) = (word("time"), word("id"), word("after"), word("before"));
        let (size, max) = (word("size"), paging["max"].as_u64().unwrap_or_default());
        (
            "by_time",
            format!("{item}, {time}, {id}, {after}, {before}, {items:?}, {size}, {max}"),
        )
    }))
}

/// The schema at a JSON pointer into `schema`'s instances (`/pagination/next_page_token`), following
/// `$ref`s and `allOf` members.
pub(crate) fn at_pointer<'a>(
    doc: &'a Value,
    schema: &'a Value,
    pointer: &str,
) -> Result<&'a Value, String> {
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(format!(
            "`{pointer}` is not a JSON pointer (it starts with `/`)"
        ));
    };
    let mut here = resolve(doc, schema);
    for name in rest.split('/') {
        let found = std::iter::once(here)
            .chain(
                here["allOf"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|m| resolve(doc, m)),
            )
            .find_map(|s| s["properties"].get(name));
        here = match found {
            Some(property) => resolve(doc, property),
            None => return Err(format!("`{pointer}`: no property `{name}`")),
        };
    }
    Ok(here)
}

pub(crate) fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => doc.pointer(pointer).unwrap_or(schema),
        None => schema,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc(paging: Value) -> Value {
        json!({
            "paths": {"/things": {"get": {
                "parameters": [
                    {"name": "page_token", "in": "query", "schema": {"type": "string"}},
                    {"name": "after", "in": "query", "schema": {"type": "string"}},
                    {"name": "before", "in": "query", "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}}
                ],
                "responses": {"200": {"content": {"application/json": {"schema":
                    {"$ref": "#/components/schemas/Page"}}}}},
                "x-polytomic-paging": paging
            }}},
            "components": {"schemas": {
                "Page": {"type": "object", "properties": {
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
                    "pagination": {"type": "object", "properties": {"next": {"type": "string"}}}
                }},
                "Thing": {"type": "object", "properties": {"at": {"type": "string"}, "id": {"type": "string"}}}
            }}
        })
    }

    #[test]
    fn a_declaration_that_matches_the_operation_passes() {
        let token = json!({"next": "page_token", "from": "/pagination/next", "items": "/data"});
        assert_eq!(check(&doc(token)), Ok(1));
        let time = json!({"time": "at", "id": "id", "after": "after", "before": "before", "size": "limit", "max": 100, "items": "/data"});
        assert_eq!(check(&doc(time)), Ok(1));
    }

    #[test]
    fn a_declaration_off_an_operation_is_an_error_not_ignored() {
        let paging = json!({"next": "page_token", "from": "/pagination/next", "items": "/data"});
        let mut on_the_path = doc(paging.clone());
        on_the_path["paths"]["/things"][EXTENSION] = paging.clone();
        assert_eq!(
            check(&on_the_path).unwrap_err(),
            format!(
                "paths.\"/things\".x-polytomic-paging: a declaration belongs on an operation ({})",
                METHODS.join(", ")
            )
        );
        let mut under_parameters = doc(paging.clone());
        under_parameters["paths"]["/things"]["parameters"] = json!({EXTENSION: paging});
        assert_eq!(
            check(&under_parameters).unwrap_err(),
            "paths.\"/things\".parameters.x-polytomic-paging: `parameters` is not an operation"
        );
    }

    #[test]
    fn each_wrong_name_is_an_error_naming_the_operation_and_the_key() {
        let at = "paths.\"/things\".get.x-polytomic-paging: ";
        for (paging, problem) in [
            (
                json!({"next": "page_tokn", "from": "/pagination/next", "items": "/data"}),
                "next: the operation has no query parameter `page_tokn`",
            ),
            (
                json!({"next": "page_token", "from": "/pagination/nxt", "items": "/data"}),
                "from: `/pagination/nxt`: no property `nxt`",
            ),
            (
                json!({"next": "page_token", "from": "/pagination", "items": "/data"}),
                "from: `/pagination` is not a string",
            ),
            (
                json!({"next": "page_token", "from": "/pagination/next", "items": "/pagination"}),
                "items: `/pagination` is not an array",
            ),
            (
                json!({"time": "when", "id": "id", "after": "after", "before": "before", "size": "limit", "max": 100, "items": "/data"}),
                "time: the items have no property `when`",
            ),
            (
                json!({"next": "page_token", "from": "/pagination/next", "items": "/data", "limit": 5}),
                "unknown key `limit`",
            ),
            (
                json!({"items": "/data"}),
                "give either `next` and `from` (a token) or `time`, `after` and `before`",
            ),
            (
                json!({"next": "page_token", "from": "/pagination/next", "items": "/data", "after": "after"}),
                "unknown key `after` (known: items, next, from)",
            ),
        ] {
            let error = check(&doc(paging)).unwrap_err();
            assert!(error.starts_with(at) && error.contains(problem), "{error}");
        }
    }
}
