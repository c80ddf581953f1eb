//! A local stand-in for the Polytomic API: answers every operation with its example response from
//! `openapi/polytomic.yaml` (or one built from the schema), and prints each request it receives (credentials
//! hidden). It is stateful where that matters (`polytomic_test_support::Fake`, which the tests run too):
//! a sync or bulk sync started, a schema refresh, a query or a job moves through its states, one per poll,
//! so `--wait` can be tried; listings that page by token have `--items` items (default 250), 100 a page.
//!
//! cargo run -p polytomic-mock-server [-- --port 4010] [--items 100000] [--quiet]

use polytomic_test_support::{Fake, Server, redacted, spec};

#[tokio::main]
async fn main() {
    let flag = |name: &str| std::env::args().skip_while(|a| a != name).nth(1);
    let port: u16 = flag("--port").and_then(|p| p.parse().ok()).unwrap_or(4010);
    let quiet = std::env::args().any(|a| a == "--quiet");
    let mut fake = Fake::new(spec());
    if let Some(items) = flag("--items").and_then(|n| n.parse().ok()) {
        fake = fake.items(items);
    }
    let server = Server::start_on(port, move |request| {
        let (operation, reply) = fake.reply(request);
        if !quiet {
            let shown = redacted(request.clone());
            println!("{} {}", shown.method, shown.target);
            for header in &shown.headers {
                println!("  {header}");
            }
            println!(
                "  -> {} {}\n",
                reply.status(),
                operation.as_deref().unwrap_or("(no such operation)")
            );
        }
        reply
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
    use polytomic_test_support::{operation_for, success};

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
        for (_, _, op) in polytomic_test_support::operations(&spec) {
            let (status, body) = success(&spec, &op);
            assert!((200..300).contains(&status));
            if let Some(body) = body {
                assert_ne!(body, "null", "{}", op["operationId"]);
            }
        }
    }
}
