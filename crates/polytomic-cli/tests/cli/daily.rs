//! The commands for daily use, against the stateful fake on a loopback socket: `--wait` through a bulk
//! sync's states to its exit status, `--all` over a multi-page listing, `polytomic api`, a key from a file or
//! stdin, shell completions.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use polytomic_test_support::{Fake, Server, spec};

const SYNC: &str = "11111111-2222-4333-8444-555555555555";

/// Runs `polytomic` against `server` with a user key from the environment, `stdin` on its stdin.
async fn polytomic(server: &Server, args: &[&str], stdin: &str) -> Output {
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    args.extend(["--base-url".into(), server.url().into()]);
    let stdin = stdin.to_string();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_polytomic"))
            .args(&args)
            .env_clear()
            .env("POLYTOMIC_API_KEY", "env-key-123")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

async fn fake(fake: Fake) -> Server {
    let fake = Arc::new(fake);
    Server::start(move |request| fake.reply(request).1).await
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The statuses the server answered `get_bulk_sync_execution` with, from its log.
fn polls(server: &Server) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.target.contains("/executions/"))
        .count()
}

#[tokio::test]
async fn start_wait_goes_through_the_states_and_exits_0_with_the_final_object() {
    let server = fake(Fake::new(spec()).script(&["created", "running", "completed"])).await;
    let out = polytomic(
        &server,
        &["bulk-syncs", "start", "--id", SYNC, "--wait"],
        "",
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let last: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(last["data"]["status"], "completed");
    // Not a terminal: one plain line per state.
    assert_eq!(text(&out.stderr), "created\nrunning\ncompleted\n");
    assert_eq!(polls(&server), 3);
}

#[tokio::test]
async fn start_wait_exits_6_when_the_run_fails_and_8_when_it_outlives_max_wait() {
    let server = fake(Fake::new(spec()).script(&["created", "failed"])).await;
    let out = polytomic(
        &server,
        &["bulk-syncs", "start", "--id", SYNC, "--wait"],
        "",
    )
    .await;
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    let last: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(last["data"]["status"], "failed");
    assert!(text(&out.stderr).ends_with("failed\nerror: the work failed\n"));

    // A state the document does not list is not final: the wait goes on until --max-wait (one poll, or a
    // second at the limit, however loaded the machine is).
    let server = fake(Fake::new(spec()).script(&["warming_up"])).await;
    let args = [
        "bulk-syncs",
        "start",
        "--id",
        SYNC,
        "--wait",
        "--max-wait",
        "1",
    ];
    let out = polytomic(&server, &args, "").await;
    assert_eq!(out.status.code(), Some(8), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "warming_up (a state this client does not know)\nerror: --max-wait passed before the work was done\n"
    );
    let last: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(last["data"]["status"], "warming_up");
}

#[tokio::test]
async fn a_model_sync_waits_too_and_a_503_on_the_way_is_retried() {
    let server = fake(Fake::new(spec()).script(&["created", "503", "completed"])).await;
    let out = polytomic(&server, &["syncs", "start", "--id", SYNC, "--wait"], "").await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "created\ncompleted\n");
}

#[tokio::test]
async fn list_all_prints_every_item_as_a_json_line_one_request_per_page() {
    let server = fake(Fake::new(spec()).items(250)).await;
    let out = polytomic(&server, &["syncs", "list", "--all", "--active", "true"], "").await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 250);
    assert_eq!(lines[249]["id"], "00000000-0000-4000-9000-0000000000f9");
    let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(
        targets,
        [
            "/api/syncs?active=true",
            "/api/syncs?active=true&page_token=100",
            "/api/syncs?active=true&page_token=200"
        ]
    );
}

#[tokio::test]
async fn api_sends_a_raw_request_with_the_credentials_and_version() {
    let server = fake(Fake::new(spec()).items(3)).await;
    let out = polytomic(&server, &["api", "get", "/api/syncs"], "").await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 3);
    let request = server.single_request();
    assert_eq!(request.header("authorization"), Some("Bearer env-key-123"));
    assert_eq!(
        request.header("x-polytomic-version"),
        Some(polytomic::API_VERSION)
    );

    let body = r#"{"name": "n"}"#;
    let args = ["api", "POST", "/api/webhooks", "--json-body", "-"];
    let out = polytomic(&server, &args, body).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sent = server.requests().pop().unwrap();
    assert_eq!(sent.body, Some(serde_json::json!({"name": "n"})));

    let out = polytomic(&server, &["api", "GET", "/api/nothing"], "").await;
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).starts_with("error: 404 Not Found"),
        "{}",
        text(&out.stderr)
    );
    let out = polytomic(&server, &["api", "GET", "api/syncs"], "").await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("must start with `/`"));
}

#[tokio::test]
async fn a_key_file_or_stdin_wins_over_the_environment_and_is_never_printed() {
    let server = fake(Fake::new(spec())).await;
    let dir = std::env::temp_dir().join(format!("polytomic-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("key");
    std::fs::write(&file, "file-key-456\n").unwrap();
    let path = file.display().to_string();
    let out = polytomic(&server, &["--api-key-file", &path, "identities", "get"], "").await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = polytomic(
        &server,
        &["identities", "get", "--api-key-file", "-"],
        "stdin-key-789\n",
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sent: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default().to_string())
        .collect();
    assert_eq!(sent, ["Bearer file-key-456", "Bearer stdin-key-789"]);

    std::fs::write(&file, "two keys\n").unwrap();
    let out = polytomic(&server, &["--api-key-file", &path, "identities", "get"], "").await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("must hold one key") && !stderr.contains("two keys"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = Command::new(env!("CARGO_BIN_EXE_polytomic"))
            .args(["completions", shell])
            .env_clear()
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let script = text(&out.stdout);
        assert!(
            script.contains("bulk-syncs") && script.contains("update-current-org"),
            "{shell}"
        );
    }
}

#[tokio::test]
async fn events_list_all_prints_every_event_once_though_three_share_each_timestamp() {
    let server = fake(Fake::new(spec()).items(250)).await;
    let out = polytomic(&server, &["events", "list", "--all"], "").await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let ids: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((ids.len(), unique.len()), (250, 250));
    // Newest first, as the fake lists them.
    assert_eq!(ids[0], "00000000-0000-4000-a000-0000000000f9");
    assert_eq!(ids[249], "00000000-0000-4000-a000-000000000000");
    let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert!(
        targets.iter().all(|t| t.contains("limit=100")),
        "{targets:?}"
    );
    // 100, 100, 50, then the boundary's events again and nothing older: the end.
    assert_eq!(targets.len(), 4, "{targets:?}");
}
