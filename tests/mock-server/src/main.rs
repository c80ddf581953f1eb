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
