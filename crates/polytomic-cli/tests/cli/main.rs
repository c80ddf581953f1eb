//! The `polytomic` binary end to end, against a loopback server: what it sends, what it prints, and the
//! exit status of each class of outcome. The CLI's other tests are modules of this one test binary (each
//! binary is one more link after every spec edit: BENCHMARKS.md, "Fewer test binaries after a spec edit"):
//! `all_operations` (every operation of the spec) and `daily` (the commands for daily use).

mod all_operations;
mod daily;

use std::process::Command;

use polytomic_test_support::{Reply, Server, TEST_KEY, redacted, success_example};
use serde::Serialize;

const USER_ID: &str = "248df4b7-aa70-47b8-a036-33ac447e668d";
const ORG_ID: &str = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";

#[derive(Serialize)]
struct Run {
    args: Vec<String>,
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `polytomic` with `args` and a clean environment (plus `env`), while the server keeps answering.
async fn polytomic(args: &[&str], env: &[(&str, &str)]) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let run_args = args.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_polytomic"))
            .args(&run_args)
            .env_clear()
            .envs(env)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    Run {
        args,
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Stable across runs: the server's port replaced.
fn stable(mut run: Run, server: &Server) -> Run {
    for text in [&mut run.stdout, &mut run.stderr] {
        *text = text.replace(server.url(), "http://127.0.0.1:[port]");
    }
    run.args = run
        .args
        .iter()
        .map(|a| a.replace(server.url(), "http://127.0.0.1:[port]"))
        .collect();
    run
}

#[tokio::test]
async fn update_current_org_user_prints_the_user_as_json() {
    // Written out, so the bytes sent (and printed) do not depend on serde_json's key order in this build.
    const SENT: &str = r#"{"data":{"email":"jane.doe@polytomic.com","id":"248df4b7-aa70-47b8-a036-33ac447e668d","organization_id":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","role":"admin","role_ids":["9f8e7d6c-5b4a-3210-fedc-ba9876543210"]}}"#;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(SENT).unwrap(),
        success_example("update_current_org_user")
    );
    let server = Server::replying(Reply::json(200, SENT)).await;
    let run = polytomic(
        &[
            "users",
            "update-current-org",
            "--id",
            USER_ID,
            "--role-ids",
            "9f8e7d6c-5b4a-3210-fedc-ba9876543210",
            "0b0c0d0e-0000-4000-8000-000000000001",
            "--base-url",
            server.url(),
        ],
        &[("POLYTOMIC_API_KEY", TEST_KEY)],
    )
    .await;
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, format!("{SENT}\n"), "printed as sent");
    insta::assert_yaml_snapshot!("update_request", redacted(server.single_request()));
    insta::assert_yaml_snapshot!("update_output", stable(run, &server));
}

#[tokio::test]
async fn credentials_base_url_and_version_come_from_the_environment() {
    let server = Server::replying(Reply::json(
        200,
        success_example("list_partner_users").to_string(),
    ))
    .await;
    let run = polytomic(
        &[
            "users",
            "list-partner",
            "--org-id",
            ORG_ID,
            "--version-header",
            "2024-02-08",
        ],
        &[
            ("POLYTOMIC_PARTNER_KEY", TEST_KEY),
            ("POLYTOMIC_BASE_URL", server.url()),
        ],
    )
    .await;
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    let request = server.single_request();
    assert_eq!(
        request.header("authorization"),
        Some(&*format!("Bearer {TEST_KEY}"))
    );
    assert_eq!(request.header("x-polytomic-version"), Some("2024-02-08"));
    assert_eq!(request.target, format!("/api/organizations/{ORG_ID}/users"));
}

#[tokio::test]
async fn an_api_error_exits_3_with_the_message() {
    let body =
        r#"{"key":"forbidden","message":"user keys cannot do this","metadata":{},"status":403}"#;
    let server = Server::replying(Reply::json(403, body)).await;
    let run = polytomic(
        &[
            "users",
            "get-current-org",
            "--id",
            USER_ID,
            "--base-url",
            server.url(),
        ],
        &[("POLYTOMIC_API_KEY", TEST_KEY)],
    )
    .await;
    assert_eq!(run.status, Some(3));
    insta::assert_yaml_snapshot!("api_error_output", stable(run, &server));
}

#[tokio::test]
async fn a_response_that_does_not_match_exits_5() {
    let server = Server::replying(Reply::json(200, r#"{"data":{"id":7}}"#)).await;
    let run = polytomic(
        &[
            "users",
            "get-current-org",
            "--id",
            USER_ID,
            "--base-url",
            server.url(),
        ],
        &[("POLYTOMIC_API_KEY", TEST_KEY)],
    )
    .await;
    assert_eq!(run.status, Some(5));
    assert!(
        run.stderr
            .contains("does not match the schema at `data.id`"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_network_failure_exits_4() {
    let server = Server::replying(Reply::hang_up()).await;
    let run = polytomic(
        &[
            "users",
            "get-current-org",
            "--id",
            USER_ID,
            "--base-url",
            server.url(),
        ],
        &[("POLYTOMIC_API_KEY", TEST_KEY)],
    )
    .await;
    assert_eq!(run.status, Some(4), "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: connection error: "),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn bad_arguments_exit_2_and_send_nothing() {
    let server = Server::replying(Reply::json(200, "{}")).await;
    let url = server.url().to_string();
    let key = [("POLYTOMIC_API_KEY", TEST_KEY)];
    type Env<'a> = &'a [(&'a str, &'a str)];
    let cases: Vec<(Vec<&str>, Env, &str)> = vec![
        (
            vec![
                "users",
                "get-current-org",
                "--id",
                "not-a-uuid",
                "--base-url",
                &url,
            ],
            &key,
            "invalid value 'not-a-uuid' for '--id <id>'",
        ),
        (
            vec!["users", "get-current-org", "--base-url", &url],
            &key,
            "the following required arguments were not provided",
        ),
        (
            vec!["no-such-command"],
            &key,
            "unrecognized subcommand 'no-such-command'",
        ),
        (
            vec![
                "users",
                "get-current-org",
                "--id",
                USER_ID,
                "--base-url",
                &url,
            ],
            &[],
            "no credentials: pass --api-key",
        ),
        (
            vec![
                "users",
                "get-current-org",
                "--id",
                USER_ID,
                "--base-url",
                "nowhere",
            ],
            &key,
            "base URL \"nowhere\" is not a URL",
        ),
        (
            vec![
                "users",
                "update-current-org",
                "--id",
                USER_ID,
                "--base-url",
                &url,
                "--json-body",
                "/no/such/file.json",
            ],
            &key,
            "failed to read /no/such/file.json",
        ),
    ];
    for (args, env, expected) in cases {
        let run = polytomic(&args, env).await;
        assert_eq!(run.status, Some(2), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains(TEST_KEY));
    }
    assert!(server.requests().is_empty());
}
