//! A local stand-in for the Polytomic API: answers every Users operation with its example response from
//! `openapi/polytomic.yaml`, and prints each request it receives (credentials hidden).
//!
//! cargo run -p polytomic-tests --bin mock-server [-- --port 4010]

use polytomic_tests::{Reply, Server, redacted, spec, success_example};

/// The operationId whose method and path template match the request, as `{name}` matches one segment.
/// The operation `method` + `target` stands for. Where a fixed segment and a parameter both fit
/// (`/api/bulk/syncs/status` and `/api/bulk/syncs/{id}`), the path with fewer parameters wins, as a router
/// does.
fn operation_for(
    spec: &serde_json::Value,
    method: &str,
    target: &str,
) -> Option<serde_json::Value> {
    let path = target.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    spec["paths"]
        .as_object()?
        .iter()
        .filter_map(|(template, item)| {
            let pattern: Vec<&str> = template.split('/').collect();
            let matches = pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| p.starts_with('{') || p == s);
            let operation = item.get(method.to_ascii_lowercase())?;
            let parameters = pattern.iter().filter(|p| p.starts_with('{')).count();
            matches.then(|| (parameters, operation.clone()))
        })
        .min_by_key(|(parameters, _)| *parameters)
        .map(|(_, operation)| operation)
}

/// The operation's success status and body: the spec's example, else a value built from the schema.
fn success(spec: &serde_json::Value, operation: &serde_json::Value) -> (u16, Option<String>) {
    let id = operation["operationId"].as_str().unwrap_or_default();
    let Some((status, response)) = operation["responses"]
        .as_object()
        .and_then(|r| r.iter().find(|(s, _)| s.starts_with('2')))
    else {
        return (200, None);
    };
    let status = status.parse().unwrap_or(200);
    let response = polytomic_tests::resolve(spec, response);
    let Some(schema) = response.pointer("/content/application~1json/schema") else {
        return (status, None);
    };
    let example = match success_example(id) {
        serde_json::Value::Null => polytomic_tests::full_example(spec, schema),
        example => example,
    };
    (status, Some(example.to_string()))
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args()
        .skip_while(|a| a != "--port")
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(4010);
    let spec = spec();
    let server = Server::start_on(port, move |request| {
        let shown = redacted(request.clone());
        println!("{} {}", shown.method, shown.target);
        for header in &shown.headers {
            println!("  {header}");
        }
        match operation_for(&spec, &request.method, &request.target) {
            Some(operation) => {
                let (status, body) = success(&spec, &operation);
                println!(
                    "  -> {status} {}\n",
                    operation["operationId"].as_str().unwrap_or("?")
                );
                match body {
                    Some(body) => Reply::json(status, body),
                    None => Reply::text(status, "application/json", ""),
                }
            }
            None => {
                println!("  -> 404 (no such operation)\n");
                Reply::json(
                    404,
                    r#"{"key":"not_found","message":"no such operation","status":404}"#,
                )
            }
        }
    })
    .await;
    match server {
        Ok(server) => {
            println!("mock Polytomic API at {} (Ctrl-C to stop)\n", server.url());
            let _ = tokio::signal::ctrl_c().await;
        }
        Err(e) => eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_method_and_path_template() {
        let spec = spec();
        let route = |method: &str, target: &str| {
            operation_for(&spec, method, target)
                .and_then(|op| op["operationId"].as_str().map(str::to_string))
        };
        let (org, user) = (
            "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
            "248df4b7-aa70-47b8-a036-33ac447e668d",
        );
        assert_eq!(
            route("GET", "/api/organization/users").as_deref(),
            Some("list_current_org_users")
        );
        assert_eq!(
            route("PUT", &format!("/api/organization/users/{user}")).as_deref(),
            Some("update_current_org_user")
        );
        assert_eq!(
            route("GET", &format!("/api/organizations/{org}/users/{user}")).as_deref(),
            Some("get_partner_user")
        );
        assert_eq!(
            route(
                "POST",
                &format!("/api/organizations/{org}/users/{user}/keys?force=true")
            )
            .as_deref(),
            Some("create_partner_user_api_key")
        );
        // A fixed segment wins over a parameter in the same place.
        assert_eq!(
            route("GET", "/api/bulk/syncs/status").as_deref(),
            Some("list_bulk_sync_statuses")
        );
        assert_eq!(
            route("GET", &format!("/api/bulk/syncs/{user}")).as_deref(),
            Some("get_bulk_sync")
        );
        assert_eq!(route("PATCH", "/api/organization/users"), None);
        assert_eq!(route("GET", "/api/nothing"), None);
    }

    /// Every operation gets an answer its client decodes: the spec's example, or one built from the schema.
    #[test]
    fn every_operation_has_a_success_answer() {
        let spec = spec();
        for (_, _, op) in polytomic_tests::operations(&spec) {
            let (status, body) = success(&spec, &op);
            assert!((200..300).contains(&status));
            if let Some(body) = body {
                assert_ne!(body, "null", "{}", op["operationId"]);
            }
        }
    }
}
