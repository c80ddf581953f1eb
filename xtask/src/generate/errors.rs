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

#[cfg(test)]
mod tests {
    fn spec(b_errors: &str) -> openapiv3::OpenAPI {
        serde_yaml::from_str(&format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n\
             \x20 /a:\n    get:\n      operationId: get_a\n      responses:\n\
             \x20       '200': {{description: ok}}\n\
             \x20       '404': {{description: no, content: {{application/json: {{schema: {{$ref: '#/components/schemas/E'}}}}}}}}\n\
             \x20 /b:\n    get:\n      operationId: get_b\n      responses:\n\
             \x20       '200': {{description: ok}}\n{b_errors}\
             components:\n  schemas:\n    E: {{type: object}}\n    F: {{type: object}}\n"
        ))
        .unwrap()
    }

    #[test]
    fn an_operation_without_errors_gets_the_shared_error_body() {
        let mut spec = spec("");
        assert_eq!(
            super::one_error_type(&mut spec),
            Ok(vec!["get_b".to_string()])
        );
        let tokens = progenitor::Generator::new(&super::super::settings())
            .generate_tokens(&spec)
            .unwrap();
        let text = tokens.to_string();
        assert!(!text.contains("Error < () >"), "{text}");
        assert_eq!(text.matches("Error < types :: E >").count(), 2, "{text}");
        // Both classes decode the body: a 4xx and a 5xx alike.
        for range in ["400u16 ..= 499u16", "500u16 ..= 599u16"] {
            assert!(text.contains(range), "no {range} in {text}");
        }
        // Run again: every operation has one now.
        assert_eq!(super::one_error_type(&mut spec), Ok(vec![]));
    }

    #[test]
    fn two_error_bodies_are_refused_naming_the_operation() {
        let other = "\x20       '500': {description: no, content: {application/json: {schema: {$ref: '#/components/schemas/F'}}}}\n";
        let error = super::one_error_type(&mut spec(other)).unwrap_err();
        assert!(
            error.starts_with("get_b: its 500 response is #/components/schemas/F"),
            "{error}"
        );
    }
}
