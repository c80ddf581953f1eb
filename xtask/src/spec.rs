//! Loading and checking an OpenAPI spec before progenitor sees it.
//!
//! progenitor assumes a well-formed 3.0 document and panics on some inputs it cannot handle. Everything it
//! would trip over that we know of is checked here first, so the user gets one plain error that names the
//! file, the place in it and the problem.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use openapiv3::{OpenAPI, Operation, Parameter, ReferenceOr, Response, StatusCode};
use serde_json::Value;

/// A problem with a spec file: which file, where in it (when known) and what is wrong.
#[derive(Debug)]
pub struct SpecError {
    pub file: PathBuf,
    pub location: Option<String>,
    pub problem: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(location) = &self.location {
            write!(f, ": {location}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl std::error::Error for SpecError {}

/// Reads `path`, parses it as YAML (JSON is YAML too) and checks it, returning a document progenitor can take.
pub fn load(path: &Path) -> Result<OpenAPI, SpecError> {
    let err = |location: Option<String>, problem: String| SpecError {
        file: path.to_path_buf(),
        location,
        problem,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| err(None, format!("cannot read the file: {e}")))?;
    parse(&text).map_err(|(location, problem)| err(location, problem))
}

/// A location (when known) and what is wrong there.
pub type Problem = (Option<String>, String);

/// Parses and checks spec text; see [`load`].
pub fn parse(text: &str) -> Result<OpenAPI, Problem> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let location = e
            .location()
            .map(|l| format!("line {}, column {}", l.line(), l.column()));
        (
            location,
            format!("not valid YAML: {}", strip_location(&e.to_string())),
        )
    })?;
    let json: Value = serde_json::to_value(&yaml).map_err(|e| {
        (
            None,
            format!("cannot be represented as JSON (OpenAPI needs string keys): {e}"),
        )
    })?;

    check_version(&json)?;
    check_refs(&json, &json, &mut Vec::new())?;

    let spec: OpenAPI = serde_path_to_error::deserialize(&json).map_err(|e| {
        let path = e.path().to_string();
        (
            Some(path),
            format!("not a valid OpenAPI 3.0 document: {}", e.inner()),
        )
    })?;
    check_operations(&spec)?;
    Ok(spec)
}

/// serde_yaml appends " at line X column Y" to its messages; the location is reported separately.
fn strip_location(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

fn check_version(doc: &Value) -> Result<(), Problem> {
    let at = Some("openapi".to_string());
    let version = match doc.get("openapi") {
        Some(Value::String(v)) => v.as_str(),
        Some(other) => {
            return Err((
                at,
                format!("the version must be a string such as \"3.0.3\", found {other}"),
            ));
        }
        None if doc.get("swagger").is_some() => {
            return Err((
                None,
                "Swagger 2.0 documents are not supported; convert it to OpenAPI 3.0.x".into(),
            ));
        }
        None => {
            return Err((
                None,
                "not an OpenAPI document: the top-level `openapi` field is missing".into(),
            ));
        }
    };
    if version.starts_with("3.0.") {
        Ok(())
    } else if version.starts_with("3.1") {
        Err((
            at,
            format!(
                "OpenAPI {version} is not supported: progenitor reads OpenAPI 3.0.x only. Down-convert the document \
                 (for example `type: [string, \"null\"]` becomes `type: string` with `nullable: true`)"
            ),
        ))
    } else {
        Err((
            at,
            format!("unsupported OpenAPI version {version:?}; expected 3.0.x"),
        ))
    }
}

/// Every `$ref` must point inside this document, at something that exists.
fn check_refs(root: &Value, node: &Value, path: &mut Vec<String>) -> Result<(), Problem> {
    check_refs_in(root, node, path, false)
}

/// `names` is true for a map whose keys are names chosen by the author (`properties`): there a key `$ref`
/// is a property called `$ref`, not a reference. Examples, defaults and extensions are data, not OpenAPI.
fn check_refs_in(
    root: &Value,
    node: &Value,
    path: &mut Vec<String>,
    names: bool,
) -> Result<(), Problem> {
    match node {
        Value::Object(map) => {
            if !names
                && map.get("format").is_some_and(Value::is_string)
                && !["type", "$ref", "allOf", "oneOf", "anyOf", "not"]
                    .iter()
                    .any(|k| map.contains_key(*k))
            {
                return Err((
                    Some(render_path(path)),
                    "a schema with `format` needs a `type` (for example `type: string` with `format: uuid`)"
                        .into(),
                ));
            }
            if !names
                && !path.iter().any(|p| p == "securitySchemes")
                && let Some(kind) = map.get("type").and_then(Value::as_str)
                && !["string", "number", "integer", "boolean", "array", "object"].contains(&kind)
            {
                return Err((
                    Some(render_path(path)),
                    format!(
                        "`type: {kind}` is not a JSON Schema type (string, number, integer, boolean, array, object)"
                    ),
                ));
            }
            if let Some(reference) = map.get("$ref").filter(|_| !names) {
                let Some(reference) = reference.as_str() else {
                    return Err((Some(render_path(path)), "`$ref` must be a string".into()));
                };
                let Some(pointer) = reference.strip_prefix('#') else {
                    return Err((
                        Some(render_path(path)),
                        format!(
                            "`$ref: {reference}` points outside this file; only local references (`#/...`) are supported"
                        ),
                    ));
                };
                if root.pointer(pointer).is_none() {
                    return Err((
                        Some(render_path(path)),
                        format!(
                            "unresolved reference `$ref: {reference}`: nothing is defined at that path"
                        ),
                    ));
                }
            }
            for (key, value) in map {
                let data = !names
                    && (matches!(key.as_str(), "example" | "examples" | "default" | "enum")
                        || key.starts_with("x-"));
                if data {
                    continue;
                }
                path.push(key.clone());
                let child_names = !names && key == "properties";
                check_refs_in(root, value, path, child_names)?;
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                path.push(index.to_string());
                check_refs_in(root, value, path, false)?;
                path.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

/// Renders a document path the way a reader looks for it: `paths."/api/users".get.responses."200"`.
pub(crate) fn render_path(path: &[String]) -> String {
    let segments: Vec<String> = path
        .iter()
        .map(|s| {
            if !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphabetic() || c == '_' || c == '-')
            {
                s.clone()
            } else {
                format!("{s:?}")
            }
        })
        .collect();
    segments.join(".")
}

/// The per-operation checks progenitor would otherwise answer with a panic or a vague error.
fn check_operations(spec: &OpenAPI) -> Result<(), Problem> {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for (path, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            return Err((
                Some(render_path(&["paths".into(), path.clone()])),
                "a path item given as `$ref` is not supported; write the operations inline".into(),
            ));
        };
        for (method, op) in item.iter() {
            let at = |rest: &[&str]| {
                let mut p = vec!["paths".to_string(), path.clone(), method.to_string()];
                p.extend(rest.iter().map(|s| s.to_string()));
                Some(render_path(&p))
            };
            let name = format!("{} {path}", method.to_uppercase());
            let Some(id) = op
                .operation_id
                .as_deref()
                .filter(|id| !id.trim().is_empty())
            else {
                return Err((
                    at(&[]),
                    format!("{name} has no operationId; every operation needs a unique one"),
                ));
            };
            if let Some(other) = seen.insert(id, name.clone()) {
                return Err((
                    at(&["operationId"]),
                    format!(
                        "operationId `{id}` is used by both {other} and {name}; operationIds must be unique"
                    ),
                ));
            }
            let params = item.parameters.iter().chain(&op.parameters);
            check_path_params(spec, path, params, &name).map_err(|p| (at(&["parameters"]), p))?;
            check_responses(spec, op, &name)
                .map_err(|(status, p)| (at(&["responses", &status]), p))?;
        }
    }
    Ok(())
}

fn check_path_params<'a>(
    spec: &'a OpenAPI,
    path: &str,
    params: impl Iterator<Item = &'a ReferenceOr<Parameter>>,
    name: &str,
) -> Result<(), String> {
    let mut declared = BTreeSet::new();
    for param in params {
        let param = resolve(spec, param, "#/components/parameters/", |c| &c.parameters)?;
        // What progenitor refuses with a dump of its own structures: say it here, in a line.
        let data = param.parameter_data_ref();
        if let Parameter::Cookie { .. } = param {
            return Err(format!(
                "{name}: cookie parameter `{}`: the generated client cannot send cookies; remove it in the overlay",
                data.name
            ));
        }
        if let openapiv3::ParameterSchemaOrContent::Content(_) = data.format {
            return Err(format!(
                "{name}: parameter `{}` is described with `content`; the generator needs a `schema`",
                data.name
            ));
        }
        if let Parameter::Path { parameter_data, .. } = param {
            if !parameter_data.required {
                return Err(format!(
                    "{name}: path parameter `{}` must have `required: true`",
                    parameter_data.name
                ));
            }
            // progenitor asserts on an object or a list in a path (a panic naming no place).
            if let openapiv3::ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) =
                &parameter_data.format
                && matches!(
                    schema.schema_kind,
                    openapiv3::SchemaKind::Type(
                        openapiv3::Type::Object(_) | openapiv3::Type::Array(_)
                    )
                )
            {
                return Err(format!(
                    "{name}: path parameter `{}` is an object or a list; a path segment takes a \
                     string, number, integer or boolean",
                    parameter_data.name
                ));
            }
            declared.insert(parameter_data.name.as_str());
        }
    }
    for segment in path.split('{').skip(1) {
        let placeholder = segment.split('}').next().unwrap_or_default();
        if !declared.contains(placeholder) {
            return Err(format!(
                "{name}: the path uses `{{{placeholder}}}` but no path parameter of that name is declared"
            ));
        }
    }
    Ok(())
}

/// progenitor gives every operation one success type and one error type. Two different schemas among the
/// success (2xx, default) or error (4xx, 5xx, default) responses make it panic
/// (`assertion failed: response_types.len() <= 1` in progenitor-impl's `extract_responses`).
fn check_responses(spec: &OpenAPI, op: &Operation, name: &str) -> Result<(), (String, String)> {
    let mut success: BTreeMap<String, String> = BTreeMap::new();
    let mut error: BTreeMap<String, String> = BTreeMap::new();
    let statuses = op
        .responses
        .default
        .iter()
        .map(|r| ("default".to_string(), r, true, true))
        .chain(op.responses.responses.iter().map(|(code, r)| {
            let (ok, err) = match code {
                StatusCode::Code(c) => {
                    ((200..300).contains(c) || *c == 101, (400..600).contains(c))
                }
                StatusCode::Range(r) => (*r == 2, (4..=5).contains(r)),
            };
            (code.to_string(), r, ok, err)
        }));
    for (status, response, is_success, is_error) in statuses {
        let response = resolve(spec, response, "#/components/responses/", |c| &c.responses)
            .map_err(|p| (status.clone(), p))?;
        let kind = response_kind(response).map_err(|p| (status.clone(), format!("{name}: {p}")))?;
        for (is_group, group, label) in [
            (is_success, &mut success, "success"),
            (is_error, &mut error, "error"),
        ] {
            if !is_group {
                continue;
            }
            if let Some((other_kind, other_status)) = group.iter().find(|(k, _)| **k != kind) {
                return Err((
                    status.clone(),
                    format!(
                        "{name}: its {label} responses use different bodies ({other_status}: {other_kind}; \
                         {status}: {kind}). progenitor supports one {label} body type per operation; \
                         give these responses the same schema"
                    ),
                ));
            }
            group.insert(kind.clone(), status.clone());
        }
    }
    Ok(())
}

/// How progenitor classifies a response body: a JSON schema, raw bytes, or nothing.
fn response_kind(response: &Response) -> Result<String, String> {
    let json = response
        .content
        .iter()
        .find(|(media, _)| *media == "application/json" || media.starts_with("application/json;"));
    match json {
        Some((_, media)) => {
            if !media.encoding.is_empty() {
                return Err("`encoding` on an application/json response is not supported".into());
            }
            match &media.schema {
                Some(ReferenceOr::Reference { reference }) => Ok(format!("schema {reference}")),
                Some(ReferenceOr::Item(schema)) => {
                    let json = serde_json::to_string(schema).unwrap_or_default();
                    Ok(format!(
                        "inline schema {}",
                        crate::text::truncate(&json, 60, "...")
                    ))
                }
                None => Err("an application/json response needs a `schema`".into()),
            }
        }
        None if response.content.is_empty() => Ok("no body".into()),
        None => Ok("raw bytes".into()),
    }
}

/// Resolves a component reference one level deep (references were already checked to exist).
fn resolve<'a, T>(
    spec: &'a OpenAPI,
    item: &'a ReferenceOr<T>,
    prefix: &str,
    components: impl Fn(&'a openapiv3::Components) -> &'a indexmap::IndexMap<String, ReferenceOr<T>>,
) -> Result<&'a T, String> {
    match item {
        ReferenceOr::Item(item) => Ok(item),
        ReferenceOr::Reference { reference } => {
            let found = reference
                .strip_prefix(prefix)
                .and_then(|name| spec.components.as_ref().map(&components)?.get(name));
            match found {
                Some(ReferenceOr::Item(item)) => Ok(item),
                Some(ReferenceOr::Reference { .. }) => Err(format!(
                    "`{reference}` is a reference to a reference; not supported"
                )),
                None => Err(format!("`{reference}` must point into `{prefix}`")),
            }
        }
    }
}
