//! One error type for every operation, whatever the document declares: progenitor types an operation's
//! errors by the error responses it declares, and one that declares none returns `Error<()>`, which `?`
//! cannot turn into `polytomic::Error`. Such an operation is given the error body every other operation
//! declares, for `4XX` and `5XX`.

use openapiv3::{OpenAPI, ReferenceOr, Response, StatusCode};

use crate::names::{METHODS, operation_mut};

fn is_error(status: &StatusCode) -> bool {
    match status {
        StatusCode::Code(code) => *code >= 400,
        StatusCode::Range(range) => *range >= 4,
    }
}

/// The error schema (its `$ref`) of a response, if it has one.
fn error_schema(response: &ReferenceOr<Response>) -> Option<String> {
    let ReferenceOr::Item(response) = response else {
        return None;
    };
    let schema = response.content.get("application/json")?.schema.as_ref()?;
    match schema {
        ReferenceOr::Reference { reference } => Some(reference.clone()),
        ReferenceOr::Item(_) => None,
    }
}

/// Gives every operation without an error response the shared one. Returns the operations changed; an
/// error when the other operations do not agree on one error body (nothing then says which to give).
pub fn one_error_type(spec: &mut OpenAPI) -> Result<Vec<String>, String> {
    let mut shared: Option<(String, ReferenceOr<Response>)> = None;
    let mut lacking = Vec::new();
    for (path, item) in spec.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for method in METHODS {
            let Some(Some(operation)) = operation_mut(item, method) else {
                continue;
            };
            let name = operation
                .operation_id
                .clone()
                .unwrap_or_else(|| format!("{} {path}", method.to_uppercase()));
            let errors: Vec<_> = operation
                .responses
                .responses
                .iter()
                .filter(|(status, _)| is_error(status))
                .collect();
            if errors.is_empty() {
                lacking.push((path.clone(), method));
            }
            for (status, response) in errors {
                let schema = error_schema(response).ok_or_else(|| {
                    format!("{name}: its {status} response has no JSON error body named by `$ref`")
                })?;
                match &shared {
                    Some((known, _)) if *known != schema => {
                        return Err(format!(
                            "{name}: its {status} response is {schema}, others' are {known}: \
                             progenitor needs one error type per operation, and the client one for all"
                        ));
                    }
                    Some(_) => {}
                    None => {
                        let mut response = response.clone();
                        if let ReferenceOr::Item(response) = &mut response {
                            response.description =
                                "An error (the body every operation declares)".into();
                        }
                        shared = Some((schema, response));
                    }
                }
            }
        }
    }
    let mut changed = Vec::new();
    if lacking.is_empty() {
        return Ok(changed);
    }
    // When none declares one, every operation already has the same error type.
    let Some((_, response)) = shared else {
        return Ok(changed);
    };
    for (path, method) in lacking {
        let Some(ReferenceOr::Item(item)) = spec.paths.paths.get_mut(&path) else {
            continue;
        };
        let Some(Some(operation)) = operation_mut(item, method) else {
            continue;
        };
        for range in [4, 5] {
            operation
                .responses
                .responses
                .insert(StatusCode::Range(range), response.clone());
        }
        changed.push(operation.operation_id.clone().unwrap_or(path));
    }
    Ok(changed)
}
