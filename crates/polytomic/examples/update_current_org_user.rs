//! Update a user's roles.
//!
//! ```sh
//! cargo run -p polytomic --example update_current_org_user
//! ```
//!
//! With `POLYTOMIC_API_KEY` set (and `POLYTOMIC_USER_ID`, `POLYTOMIC_ROLE_ID`), this calls the real API
//! (or `POLYTOMIC_BASE_URL`). Without it, it starts a local mock server that answers like the docs, so it
//! runs with no account. Either way it prints the request and the decoded response.

use polytomic::types::CurrentOrgUpdateUserRequestSchema;
use polytomic::{Client, Credentials, RoleIds};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, user_id, role_id) = if std::env::var_os("POLYTOMIC_API_KEY").is_some() {
        let id = |name: &str| -> Result<Uuid, String> {
            let value = std::env::var(name).map_err(|_| format!("{name} is not set"))?;
            value.parse().map_err(|e| format!("{name}: {e}"))
        };
        (
            Client::from_env()?,
            id("POLYTOMIC_USER_ID")?,
            id("POLYTOMIC_ROLE_ID")?,
        )
    } else {
        let url = start_mock_server().await?;
        println!("POLYTOMIC_API_KEY is not set: using a local mock server at {url}\n");
        let client = Client::builder()
            .base_url(url)
            .credentials(Credentials::UserKey("mock-key".into()))
            .build()?;
        let user = uuid::uuid!("248df4b7-aa70-47b8-a036-33ac447e668d");
        (
            client,
            user,
            uuid::uuid!("9f8e7d6c-5b4a-3210-fedc-ba9876543210"),
        )
    };

    let body = CurrentOrgUpdateUserRequestSchema::builder().role_ids(RoleIds::from(role_id));
    println!("PUT /api/organization/users/{user_id}  role_ids: [{role_id}]");
    let response = client
        .update_current_org_user()
        .id(user_id)
        .body(body)
        .send()
        .await;
    match response.map_err(polytomic::Error::from) {
        Ok(user) => println!("\n{} -> {:#?}", user.status(), user.into_inner()),
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(1);
        }
    }
    Ok(())
}

/// Answers one request with the docs' example response, printing what it received (credentials hidden).
async fn start_mock_server() -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let mut received = Vec::new();
        let mut buf = [0u8; 4096];
        // Read until the headers end and the declared body has arrived.
        while let Ok(n @ 1..) = socket.read(&mut buf).await {
            received.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&received);
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().to_string())
                    })
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                if body.len() >= length {
                    break;
                }
            }
        }
        let text = String::from_utf8_lossy(&received);
        println!("--- the mock server received ---");
        for line in text.lines() {
            let hidden = line.to_ascii_lowercase().starts_with("authorization:");
            println!(
                "{}",
                if hidden {
                    "authorization: [hidden]"
                } else {
                    line
                }
            );
        }
        println!("--------------------------------");
        let body = r#"{"data":{"email":"jane.doe@polytomic.com","id":"248df4b7-aa70-47b8-a036-33ac447e668d","organization_id":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","role_ids":["9f8e7d6c-5b4a-3210-fedc-ba9876543210"],"role":"admin"}}"#;
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-polytomic-version: 2025-09-18\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = socket.write_all(reply.as_bytes()).await;
    });
    Ok(url)
}
