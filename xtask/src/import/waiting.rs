//! Waiting, declared once in the overlay (in the spirit of Smithy's `@waitable`): an operation that reads
//! the state of work started elsewhere carries `x-polytomic-waiter`, which the import checks against that
//! operation and the operations that start the work, and the generator turns into the client's `wait()`
//! on its builder and the table [`WAITERS`](../../../crates/polytomic/src/operations.rs) the CLI's
//! `--wait` reads (`crates/polytomic/src/waiting.rs` holds the loop).
//!
//! ```yaml
//! x-polytomic-waiter:
//!   status: /data/status            # a JSON pointer into the 200 response: a string
//!   pending: [created, running]     # not final yet
//!   succeeded: [completed]          # final states, one list per outcome
//!   failed: [failed]
//!   canceled: [canceled]
//!   started-by:                     # operations that start the work, and where each path parameter of
//!     start_bulk_sync:              # this operation comes from: a parameter of the starting operation,
//!       { id: id, exec_id: /data/id }  # or (a JSON pointer) its response
//! ```
//!
//! When the status is an enum, a value the overlay has not placed (one upstream added) does not stop the
//! import, which must keep taking routine upstream changes: it is waited through as not final, like a state
//! the document does not list, and the import warns ([`unplaced`]) until it is placed here.

use serde_json::Value;

use super::paging::{at_pointer, declared_on_operations, resolve};
use crate::names::METHODS;

/// The extension's name.
pub const EXTENSION: &str = "x-polytomic-waiter";

/// The lists of states, in the order the generated table gives them.
pub const OUTCOMES: [&str; 4] = ["pending", "succeeded", "failed", "canceled"];

/// A checked declaration, as the generator writes it.
#[derive(Debug, PartialEq)]
pub struct Waiter {
    /// The polling operation, its method and path template, and its 200 response's schema name.
    pub operation: String,
    pub method: String,
    pub path: String,
    pub response: String,
    pub status: String,
    /// One list per [`OUTCOMES`] entry.
    pub states: [Vec<String>; 4],
    /// (starting operation, [(path parameter, source)]); a source starting with `/` is a pointer into the
    /// starting operation's response, any other a parameter of it.
    pub started_by: Vec<(String, Vec<(String, String)>)>,
}

/// Every declaration in `doc`, checked, in the order of the paths. Errors name the declaration and the key.
pub fn waiters(doc: &Value) -> Result<Vec<Waiter>, String> {
    let mut found = Vec::new();
    for (at, path, method, op, declared) in declared_on_operations(doc, EXTENSION)? {
        if method != "get" {
            return Err(format!(
                "{at}: a waiter polls, so it belongs on a `get` (this is `{method}`)"
            ));
        }
        found.push(check_one(doc, path, op, declared).map_err(|e| format!("{at}: {e}"))?);
    }
    Ok(found)
}

fn check_one(doc: &Value, path: &str, op: &Value, declared: &Value) -> Result<Waiter, String> {
    const KEYS: [&str; 6] = [
        "status",
        "pending",
        "succeeded",
        "failed",
        "canceled",
        "started-by",
    ];
    if let Some(key) = declared
        .as_object()
        .ok_or("must be a mapping")?
        .keys()
        .find(|k| !KEYS.contains(&k.as_str()))
    {
        return Err(format!("unknown key `{key}` (known: {})", KEYS.join(", ")));
    }
    let operation = op["operationId"]
        .as_str()
        .ok_or("the operation has no operationId")?;
    let body = &op["responses"]["200"]["content"]["application/json"]["schema"];
    let response = body["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .ok_or(
            "the operation has no JSON 200 response with a named schema to read the status from",
        )?;
    let status = declared["status"]
        .as_str()
        .ok_or("`status` must be a JSON pointer")?;
    let schema = resolve(
        doc,
        at_pointer(doc, body, status).map_err(|e| format!("status: {e}"))?,
    );
    if schema["type"] != "string" {
        return Err(format!("status: `{status}` is not a string"));
    }
    let mut states: [Vec<String>; 4] = Default::default();
    for (list, key) in states.iter_mut().zip(OUTCOMES) {
        for value in declared[key].as_array().into_iter().flatten() {
            let value = value
                .as_str()
                .ok_or_else(|| format!("{key}: the states must be strings"))?;
            list.push(value.to_string());
        }
        if !declared[key].is_null() && !declared[key].is_array() {
            return Err(format!("{key}: must be a list of states"));
        }
    }
    if states[1].is_empty() {
        return Err("succeeded: name at least one state".into());
    }
    let mut seen: Vec<&str> = Vec::new();
    for (list, key) in states.iter().zip(OUTCOMES) {
        for value in list {
            if seen.contains(&value.as_str()) {
                return Err(format!("{key}: `{value}` is in two lists"));
            }
            seen.push(value);
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        if let Some(stray) = seen.iter().find(|s| !values.contains(s)) {
            return Err(format!(
                "`{stray}` is not a value of the status (its values: {})",
                values.join(", ")
            ));
        }
    }
    let path_parameters = path_parameters(path);
    let mut started_by = Vec::new();
    for (starter, sources) in declared["started-by"].as_object().into_iter().flatten() {
        let here = format!("started-by.{starter}");
        let start = find_operation(doc, starter)
            .ok_or_else(|| format!("{here}: no operation is named `{starter}`"))?;
        let sources = sources
            .as_object()
            .ok_or_else(|| format!("{here}: must map each path parameter to its source"))?;
        let mut arguments = Vec::new();
        for parameter in &path_parameters {
            let source = sources
                .get(parameter.as_str())
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{here}: the path parameter `{parameter}` has no source"))?;
            check_source(doc, start, source).map_err(|e| format!("{here}.{parameter}: {e}"))?;
            arguments.push((parameter.clone(), source.to_string()));
        }
        if let Some(extra) = sources.keys().find(|k| !path_parameters.contains(k)) {
            return Err(format!(
                "{here}: `{extra}` is not a path parameter of {operation}"
            ));
        }
        started_by.push((starter.clone(), arguments));
    }
    Ok(Waiter {
        operation: operation.to_string(),
        method: "get".into(),
        path: path.to_string(),
        response: response.to_string(),
        status: status.to_string(),
        states,
        started_by,
    })
}

/// Warnings for the import: each value of an enum status that no list of its waiter places (waited through
/// as not final), naming the declaration.
pub fn unplaced(doc: &Value) -> Vec<String> {
    let Ok(found) = declared_on_operations(doc, EXTENSION) else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    for (at, _, _, op, declared) in found {
        let body = &op["responses"]["200"]["content"]["application/json"]["schema"];
        let Some(status) = declared["status"].as_str() else {
            continue;
        };
        let Ok(schema) = at_pointer(doc, body, status) else {
            continue;
        };
        let placed: Vec<&str> = OUTCOMES
            .iter()
            .flat_map(|key| declared[*key].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .collect();
        for value in resolve(doc, schema)["enum"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(value) = value.as_str().filter(|v| !placed.contains(v)) {
                warnings.push(format!(
                    "{at}: the status value `{value}` is in none of {}: it is waited through as not final; \
                     place it in openapi/overlay.yaml",
                    OUTCOMES.join(", ")
                ));
            }
        }
    }
    warnings
}

/// `{name}` segments of a path template, in order.
fn path_parameters(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_string)
        .collect()
}

/// The operation named `id`.
fn find_operation<'a>(doc: &'a Value, id: &str) -> Option<&'a Value> {
    doc["paths"]
        .as_object()?
        .values()
        .flat_map(|item| item.as_object().into_iter().flatten())
        .filter(|(method, _)| METHODS.contains(&method.as_str()))
        .map(|(_, op)| op)
        .find(|op| op["operationId"] == id)
}

/// A source is a string at a pointer into `start`'s first 2xx JSON response, or a parameter of `start`.
fn check_source(doc: &Value, start: &Value, source: &str) -> Result<(), String> {
    if source.starts_with('/') {
        let body = start["responses"]
            .as_object()
            .into_iter()
            .flatten()
            .find(|(code, _)| code.starts_with('2'))
            .map(|(_, r)| &r["content"]["application/json"]["schema"])
            .filter(|s| !s.is_null())
            .ok_or("the starting operation has no JSON success response")?;
        let value = resolve(doc, at_pointer(doc, body, source)?);
        if value["type"] != "string" {
            return Err(format!("`{source}` is not a string"));
        }
        return Ok(());
    }
    let takes = start["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|p| p["name"] == source && (p["in"] == "path" || p["in"] == "query"));
    if takes {
        Ok(())
    } else {
        Err(format!(
            "the starting operation has no parameter `{source}` (a response value is a JSON pointer: `/data/id`)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc(waiter: Value) -> Value {
        json!({
            "paths": {
                "/runs/{run}": {"get": {
                    "operationId": "get_run",
                    "responses": {"200": {"content": {"application/json": {"schema":
                        {"$ref": "#/components/schemas/RunEnvelope"}}}}},
                    "x-polytomic-waiter": waiter
                }},
                "/things/{id}/runs": {"post": {
                    "operationId": "start_run",
                    "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}],
                    "responses": {"200": {"content": {"application/json": {"schema":
                        {"$ref": "#/components/schemas/RunEnvelope"}}}}}
                }}
            },
            "components": {"schemas": {
                "RunEnvelope": {"type": "object", "properties": {"data": {"$ref": "#/components/schemas/Run"}}},
                "Run": {"type": "object", "properties": {
                    "id": {"type": "string"},
                    "status": {"$ref": "#/components/schemas/Status"},
                    "count": {"type": "integer"}
                }},
                "Status": {"type": "string", "enum": ["running", "done", "failed", "canceled"]}
            }}
        })
    }

    fn good() -> Value {
        json!({
            "status": "/data/status", "pending": ["running"], "succeeded": ["done"],
            "failed": ["failed"], "canceled": ["canceled"],
            "started-by": {"start_run": {"run": "/data/id"}}
        })
    }

    #[test]
    fn a_declaration_that_matches_its_operations_passes() {
        let found = waiters(&doc(good())).unwrap();
        assert_eq!(
            found,
            vec![Waiter {
                operation: "get_run".into(),
                method: "get".into(),
                path: "/runs/{run}".into(),
                response: "RunEnvelope".into(),
                status: "/data/status".into(),
                states: [
                    vec!["running".into()],
                    vec!["done".into()],
                    vec!["failed".into()],
                    vec!["canceled".into()]
                ],
                started_by: vec![("start_run".into(), vec![("run".into(), "/data/id".into())])],
            }]
        );
    }

    #[test]
    fn each_mistake_is_an_error_naming_the_declaration_and_the_key() {
        let at = "paths.\"/runs/{run}\".get.x-polytomic-waiter: ";
        let with = |key: &str, value: Value| {
            let mut waiter = good();
            waiter[key] = value;
            waiter
        };
        for (waiter, problem) in [
            (
                with("status", json!("/data/state")),
                "status: `/data/state`: no property `state`",
            ),
            (
                with("status", json!("/data/count")),
                "status: `/data/count` is not a string",
            ),
            (
                with("succeeded", json!([])),
                "succeeded: name at least one state",
            ),
            (
                with("failed", json!(["failed", "done"])),
                "failed: `done` is in two lists",
            ),
            (
                with("canceled", json!(["cancelled"])),
                "`cancelled` is not a value of the status (its values: running, done, failed, canceled)",
            ),
            (with("every", json!("1s")), "unknown key `every`"),
            (
                with("started-by", json!({"begin_run": {"run": "/data/id"}})),
                "started-by.begin_run: no operation is named `begin_run`",
            ),
            (
                with("started-by", json!({"start_run": {}})),
                "started-by.start_run: the path parameter `run` has no source",
            ),
            (
                with("started-by", json!({"start_run": {"run": "/data/run_id"}})),
                "started-by.start_run.run: `/data/run_id`: no property `run_id`",
            ),
            (
                with("started-by", json!({"start_run": {"run": "run"}})),
                "started-by.start_run.run: the starting operation has no parameter `run`",
            ),
            (
                with(
                    "started-by",
                    json!({"start_run": {"run": "id", "id": "id"}}),
                ),
                "started-by.start_run: `id` is not a path parameter of get_run",
            ),
        ] {
            let error = waiters(&doc(waiter)).unwrap_err();
            assert!(
                error.starts_with(at) && error.contains(problem),
                "{error}\nwanted: {problem}"
            );
        }
    }

    #[test]
    fn an_unplaced_enum_value_is_a_warning_not_an_error() {
        let mut waiter = good();
        waiter["canceled"] = json!(null);
        let doc = doc(waiter);
        assert!(waiters(&doc).is_ok());
        assert_eq!(
            unplaced(&doc),
            [
                "paths.\"/runs/{run}\".get.x-polytomic-waiter: the status value `canceled` is in none of \
              pending, succeeded, failed, canceled: it is waited through as not final; place it in \
              openapi/overlay.yaml"
            ]
        );
        assert!(unplaced(&super::tests::doc(good())).is_empty());
    }

    #[test]
    fn a_declaration_off_a_get_is_an_error_not_ignored() {
        let mut on_a_post = doc(good());
        let moved = on_a_post["paths"]["/runs/{run}"]["get"][EXTENSION].take();
        on_a_post["paths"]["/runs/{run}"]["get"] = json!({"operationId": "get_run"});
        on_a_post["paths"]["/things/{id}/runs"]["post"][EXTENSION] = moved;
        assert_eq!(
            waiters(&on_a_post).unwrap_err(),
            "paths.\"/things/{id}/runs\".post.x-polytomic-waiter: a waiter polls, so it belongs on a `get` (this is `post`)"
        );
        let mut on_the_path = doc(good());
        on_the_path["paths"]["/runs/{run}"][EXTENSION] = good();
        assert!(
            waiters(&on_the_path)
                .unwrap_err()
                .contains("belongs on an operation")
        );
    }
}
