//! Every operation of the spec, through the `polytomic` binary and the client under it, against a loopback
//! server: the request on the wire and the response, one insta snapshot per operation
//! (`snapshots/cli__all_operations__<operation>.snap`). The server answers with a response in which every field
//! is present; the CLI must decode it into the generated types (a mistyped field fails with exit 5) and
//! then prints the bytes the server sent. Which Rust field holds which JSON property is pinned by the type
//! snapshots (`crates/polytomic/tests/types.rs`), not here: a property the types do not name is kept in
//! `extra` and would not fail this test.
//!
//! The binary holds a user key and a partner key at once: each snapshot shows which one the operation used.

use std::process::Command;

use polytomic_test_support::{
    Reply, Request, Server, TEST_KEY, full_example, operations, resolve, spec,
};
use serde::Serialize;
use serde_json::Value;

const PARTNER_KEY: &str = "partner_test_5ecret-DO-NOT-PRINT";

#[derive(Serialize)]
struct Exchange {
    command: Vec<String>,
    request: Request,
    response: Option<Value>,
}

/// A command-line value for a parameter of `schema`.
fn value_for(spec: &Value, schema: &Value) -> Vec<String> {
    let schema = resolve(spec, schema);
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return vec![values[0].as_str().unwrap().to_string()];
    }
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("string"), Some("uuid")) => vec!["11111111-2222-4333-8444-555555555555".into()],
        (Some("string"), Some("date-time")) => vec!["2025-09-18T12:34:56Z".into()],
        (Some("string"), _) => vec!["example".into()],
        (Some("integer"), _) => vec!["10".into()],
        (Some("boolean"), _) => vec!["true".into()],
        // Repeated: `--sync-id a --sync-id b`.
        (Some("array"), _) => {
            let item = value_for(spec, &schema["items"]).remove(0);
            vec![item.clone(), item.replace('1', "9")]
        }
        // Sent as JSON text, as the official SDKs do.
        (Some("object"), _) => vec![full_example(spec, schema).to_string()],
        other => panic!("no command-line value for {other:?}"),
    }
}

/// Objects with their keys in sorted order, whatever order serde_json keeps (its `preserve_order` feature
/// is on when the whole workspace is built together), so the snapshots are the same either way.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// Which key the request carried, by name; nothing else of the credentials.
fn label_credentials(mut request: Request) -> Request {
    request.body = request.body.map(sorted);
    for header in &mut request.headers {
        let lower = header.to_ascii_lowercase();
        if lower.starts_with("host: ") {
            *header = "host: 127.0.0.1:[port]".into();
        } else if lower.starts_with("authorization: ") {
            let value = &header["authorization: ".len()..];
            *header = match value {
                v if v == format!("Bearer {TEST_KEY}") => "authorization: Bearer [user key]".into(),
                v if v == format!("Bearer {PARTNER_KEY}") => {
                    "authorization: Bearer [partner key]".into()
                }
                _ => "authorization: [unknown credentials]".into(),
            };
        }
    }
    request
}

#[tokio::test]
async fn every_operation_on_the_wire_and_back() {
    let spec = spec();
    let operations = operations(&spec);
    // The spec's operations are the client's: each has a resource in the generated index (no count is
    // hard-coded, so a new upstream operation shows up as its new snapshot, not as a failed count).
    for (_, _, op) in &operations {
        let id = op["operationId"].as_str().unwrap();
        assert_ne!(
            polytomic::operations::resource(id),
            "",
            "{id} is not in the client"
        );
    }
    let body_dir = std::env::temp_dir().join(format!("polytomic-all-ops-{}", std::process::id()));
    std::fs::create_dir_all(&body_dir).unwrap();
    for (method, path, op) in operations {
        let id = op["operationId"].as_str().unwrap().to_string();
        let args = command_line(&spec, &op, &body_dir);
        let (status, schema) = declared_success(&spec, &op);
        let example = schema.map(|schema| full_example(&spec, schema));
        let reply = match &example {
            Some(example) => Reply::json(status, example.to_string()),
            None => Reply::text(status, "application/json", ""),
        };
        let server = Server::replying(reply).await;
        // Retries as configured by default: this one answers at once.
        let output = run(&args, &server, 2).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{id} ({} {path}) failed: {stderr}\nargs: {args:?}",
            method.to_uppercase()
        );
        let request = server.single_request();
        let printed = if example.is_some() {
            let printed: Value = serde_json::from_slice(&output.stdout)
                .unwrap_or_else(|e| panic!("{id}: stdout is not JSON ({e}): {stderr}"));
            assert_eq!(
                Some(&printed),
                example.as_ref(),
                "{id}: printed something else than the server sent"
            );
            Some(printed)
        } else {
            assert!(
                output.stdout.is_empty(),
                "{id}: printed output for an empty response"
            );
            None
        };
        for text in [String::from_utf8_lossy(&output.stdout), stderr.clone()] {
            assert!(
                !text.contains(TEST_KEY) && !text.contains(PARTNER_KEY),
                "{id} printed a key"
            );
        }
        // The body file's path changes from run to run; the body itself is in the request.
        let command: Vec<String> = args
            .iter()
            .map(|a| {
                if a.starts_with(body_dir.to_str().unwrap()) {
                    "<body file>".into()
                } else {
                    a.clone()
                }
            })
            .collect();
        insta::assert_yaml_snapshot!(
            id.as_str(),
            Exchange {
                command,
                request: label_credentials(request),
                response: printed.map(sorted),
            }
        );
    }
    let _ = std::fs::remove_dir_all(&body_dir);
}

/// The command line that calls `op` with every parameter set, a body file written to `body_dir` when it
/// takes a body.
fn command_line(spec: &Value, op: &Value, body_dir: &std::path::Path) -> Vec<String> {
    let id = op["operationId"].as_str().unwrap();
    let mut args = command_for(id).to_vec();
    for parameter in op["parameters"].as_array().into_iter().flatten() {
        let parameter = resolve(spec, parameter);
        let name = parameter["name"].as_str().unwrap();
        match parameter["in"].as_str() {
            Some("path") | Some("query") => {
                for value in value_for(spec, &parameter["schema"]) {
                    args.push(format!("--{}", name.replace('_', "-")));
                    args.push(value);
                }
            }
            Some("header") if name == "Idempotency-Key" => {
                args.extend(["--idempotency-key".into(), "key-0001".into()]);
            }
            _ => {}
        }
    }
    if let Some(body) = op.get("requestBody") {
        let schema = &resolve(spec, body)["content"]["application/json"]["schema"];
        let file = body_dir.join(format!("{id}.json"));
        std::fs::write(&file, full_example(spec, schema).to_string()).unwrap();
        args.extend(["--json-body".into(), file.display().to_string()]);
    }
    args
}

/// The command of operation `id`: its resource, then its verb (`polytomic users update-current-org`).
fn command_for(id: &str) -> [String; 2] {
    [
        polytomic::operations::resource(id).replace('_', "-"),
        polytomic::operations::verb(id).replace('_', "-"),
    ]
}

/// The declared success of `op`: its status and, when it has a JSON body, its schema.
fn declared_success<'a>(spec: &'a Value, op: &'a Value) -> (u16, Option<&'a Value>) {
    let (status, response) = op["responses"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(status, _)| status.starts_with('2'))
        .unwrap();
    let schema = resolve(spec, response).pointer("/content/application~1json/schema");
    (status.parse().unwrap(), schema)
}

/// Runs `polytomic` with `args` against `server`, with both keys, at most `max_retries` retries.
async fn run(args: &[String], server: &Server, max_retries: u32) -> std::process::Output {
    let mut full_args = args.to_vec();
    full_args.extend([
        "--base-url".into(),
        server.url().to_string(),
        "--api-key".into(),
        TEST_KEY.into(),
        "--partner-key".into(),
        PARTNER_KEY.into(),
        "--max-retries".into(),
        max_retries.to_string(),
    ]);
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_polytomic"))
            .args(&full_args)
            .env_clear()
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

/// Calls `f` on `value` and every value inside it, each with the (resolved) schema that describes it:
/// through `allOf`/`oneOf`/`anyOf`, properties, `additionalProperties` and items. `f` sees a value before
/// what is inside it.
fn with_schemas(
    spec: &Value,
    schema: &Value,
    value: &mut Value,
    f: &mut dyn FnMut(&Value, &mut Value),
) {
    let schema = resolve(spec, schema);
    f(schema, value);
    for key in ["allOf", "oneOf", "anyOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            with_schemas(spec, part, value, f);
        }
    }
    match value {
        Value::Object(map) => {
            // The named properties; a map's values when the schema names none (as serde reads them).
            if let Some(properties) = schema["properties"].as_object() {
                for (name, field) in map.iter_mut() {
                    if let Some(field_schema) = properties.get(name) {
                        with_schemas(spec, field_schema, field, f);
                    }
                }
            } else if schema["additionalProperties"].is_object() {
                for field in map.values_mut() {
                    with_schemas(spec, &schema["additionalProperties"], field, f);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                with_schemas(spec, &schema["items"], item, f);
            }
        }
        _ => {}
    }
}

/// `value` as a server newer than the document would send it: every enum value replaced by one the
/// document does not list, every object given a property it does not name. Returns the changes made.
fn as_newer_server_sends(spec: &Value, schema: &Value, value: &mut Value) -> usize {
    let mut changes = 0;
    with_schemas(spec, schema, value, &mut |schema, value| {
        // Once per value, however many `allOf` parts list the enum.
        if schema.get("enum").is_some()
            && value.is_string()
            && value.as_str() != Some("a-value-from-the-future")
        {
            *value = Value::from("a-value-from-the-future");
            changes += 1;
        } else if let Value::Object(map) = value
            && schema["properties"].is_object()
            && !map.contains_key("added_later")
        {
            let added = serde_json::json!({"kept": [1, "two", null, {"deep": true}]});
            map.insert("added_later".into(), added);
            changes += 1;
        }
    });
    changes
}

/// Against a server newer than the document (enum values it does not list, properties it does not name),
/// every operation still decodes, and the CLI prints exactly the bytes the server sent.
#[tokio::test]
async fn a_newer_server_decodes_and_is_printed_as_sent() {
    let spec = spec();
    let body_dir = std::env::temp_dir().join(format!("polytomic-newer-{}", std::process::id()));
    std::fs::create_dir_all(&body_dir).unwrap();
    let (mut checked, mut enums_and_properties) = (0, 0);
    for (_, _, op) in operations(&spec) {
        let id = op["operationId"].as_str().unwrap();
        let (status, Some(schema)) = declared_success(&spec, &op) else {
            continue;
        };
        let mut body = full_example(&spec, schema);
        enums_and_properties += as_newer_server_sends(&spec, schema, &mut body);
        // Keys in an order no encoder of the typed value would choose, and whitespace: printed as sent.
        let sent = format!("{}  ", serde_json::to_string_pretty(&body).unwrap());
        let server = Server::replying(Reply::json(status, sent.clone())).await;
        let output = run(&command_line(&spec, &op, &body_dir), &server, 0).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{id}: {stderr}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            format!("{sent}\n"),
            "{id}: printed something else than the server sent"
        );
        checked += 1;
    }
    let _ = std::fs::remove_dir_all(&body_dir);
    assert!(checked > 100, "only {checked} operations answer with JSON");
    assert!(
        enums_and_properties > checked,
        "{enums_and_properties} changes"
    );
}

/// Every operation, through the CLI: a 401 with an error body, a 500 with an HTML page and a dropped
/// connection each end in their exit status class (3 the API answered with an error, 4 network) with a
/// short message on stderr and nothing on stdout.
#[tokio::test]
async fn every_operation_fails_in_its_class_with_a_short_message() {
    let spec = spec();
    let body_dir = std::env::temp_dir().join(format!("polytomic-faults-{}", std::process::id()));
    std::fs::create_dir_all(&body_dir).unwrap();
    let page = format!(
        "<html><body>{}</body></html>",
        "upstream trouble ".repeat(2000)
    );
    let faults = [
        (
            "401",
            Reply::json(401, r#"{"status":401,"message":"invalid API key"}"#),
            3,
            "invalid API key",
        ),
        ("500 page", Reply::text(500, "text/html", page), 3, "500"),
        ("dropped", Reply::hang_up(), 4, "connection"),
    ];
    for (_, _, op) in operations(&spec) {
        let id = op["operationId"].as_str().unwrap();
        let args = command_line(&spec, &op, &body_dir);
        // The three faults of an operation at once, each on its own server: three CLI processes in flight.
        let outputs = futures_util::future::join_all(faults.iter().map(|(_, reply, ..)| async {
            let server = Server::replying(reply.clone()).await;
            run(&args, &server, 0).await
        }))
        .await;
        for ((fault, _, class, says), output) in faults.iter().zip(outputs) {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(
                output.status.code(),
                Some(*class),
                "{id}, {fault}: {stderr}"
            );
            assert!(stderr.contains(says), "{id}, {fault}: {stderr}");
            assert!(
                stderr.len() < 1024,
                "{id}, {fault}: {} bytes on stderr",
                stderr.len()
            );
            assert!(output.stdout.is_empty(), "{id}, {fault}: printed on stdout");
        }
    }
    let _ = std::fs::remove_dir_all(&body_dir);
}

/// Replaces every string that is not a UUID where `schema` says `format: uuid` with one. Returns how many.
fn real_uuids(spec: &Value, schema: &Value, value: &mut Value) -> usize {
    let mut replaced = 0;
    with_schemas(spec, schema, value, &mut |schema, value| {
        if schema["format"] == "uuid"
            && value
                .as_str()
                .is_some_and(|text| uuid::Uuid::parse_str(text).is_err())
        {
            *value = Value::from("11111111-2222-4333-8444-555555555555");
            replaced += 1;
        }
    });
    replaced
}

/// The wire fixtures of Polytomic's official Go SDK (its WireMock mappings: the response its tests serve for
/// each operation; `tests/support/fixtures/go-sdk-wire.json` says where they come from), through the CLI:
/// every one with a body the spec allows is printed exactly as sent. Some put placeholder text (`"id"`)
/// where the spec says `format: uuid`: the client refuses those (exit 5, naming the field), and prints the
/// same fixture with real UUIDs there exactly as sent.
#[tokio::test]
async fn the_go_sdks_wire_fixtures_print_exactly_as_sent() {
    let spec = spec();
    let fixtures: Value = serde_json::from_str(include_str!(
        "../../../../tests/support/fixtures/go-sdk-wire.json"
    ))
    .unwrap();
    let fixtures = fixtures["fixtures"].as_array().unwrap();
    let body_dir = std::env::temp_dir().join(format!("polytomic-go-wire-{}", std::process::id()));
    std::fs::create_dir_all(&body_dir).unwrap();
    let (mut printed, mut refused, mut empty) = (0, 0, 0);
    for fixture in fixtures {
        let (method, path) = (
            fixture["method"].as_str().unwrap(),
            fixture["path"].as_str().unwrap(),
        );
        let op = &spec["paths"][path][method.to_lowercase()];
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} is not in the spec"));
        let fixture_body = fixture["body"].as_str().unwrap();
        let status = fixture["status"].as_u64().unwrap() as u16;
        let schema = declared_success(&spec, op).1;
        let mut with_uuids: Value = serde_json::from_str(fixture_body).unwrap();
        let placeholders = schema.map_or(0, |s| real_uuids(&spec, s, &mut with_uuids));
        let mut bodies = vec![(fixture_body.to_string(), placeholders == 0)];
        if placeholders > 0 {
            bodies.push((serde_json::to_string_pretty(&with_uuids).unwrap(), true));
            refused += 1;
        }
        for (body, decodes) in bodies {
            let server = Server::replying(Reply::json(status, body.clone())).await;
            let output = run(&command_line(&spec, op, &body_dir), &server, 0).await;
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stdout = String::from_utf8_lossy(&output.stdout);
            if !decodes {
                assert_eq!(output.status.code(), Some(5), "{id}: {stderr}");
                assert!(stderr.contains("UUID parsing failed"), "{id}: {stderr}");
            } else if schema.is_some() {
                assert!(output.status.success(), "{id}: {stderr}\nbody: {body}");
                assert_eq!(
                    stdout,
                    format!("{body}\n"),
                    "{id}: printed something else than sent"
                );
                printed += 1;
            } else {
                // The spec declares no body (the fixture's is `""`): nothing to print.
                assert!(output.status.success(), "{id}: {stderr}\nbody: {body}");
                assert_eq!(stdout, "", "{id}: printed a body the spec does not declare");
                empty += 1;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&body_dir);
    println!(
        "{} fixtures: {printed} printed as sent ({refused} of them only with real UUIDs for placeholders), \
         {empty} without a body",
        fixtures.len()
    );
    // Every fixture was checked once (an operation added upstream since has none, and is not counted).
    assert_eq!(printed + empty, fixtures.len());
}

/// No command has two flags of one name: a body field called like a global flag would make one of them
/// unusable (`--organization-id` was both the key's organization and a body field).
#[test]
fn no_command_repeats_a_flag() {
    for (_, _, op) in operations(&spec()) {
        let command = command_for(op["operationId"].as_str().unwrap());
        let output = Command::new(env!("CARGO_BIN_EXE_polytomic"))
            .args([&command[0], &command[1], "--help"])
            .env_clear()
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&output.stdout);
        let mut flags: Vec<&str> = help
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("--"))
            .filter_map(|l| l.split([' ', '<']).next())
            .collect();
        let total = flags.len();
        flags.sort();
        flags.dedup();
        assert_eq!(flags.len(), total, "{command:?} repeats a flag:\n{help}");
    }
}

/// `polytomic --help` lists the resources, in the spec's order, and fits a screen; each resource's help
/// lists its operations by verb: every operation is reachable, under the resource the spec gives it.
#[test]
fn help_lists_the_resources_and_each_lists_its_operations() {
    let help = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_polytomic"))
            .args(args)
            .arg("--help")
            .env_clear()
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let listed = |help: &str| -> Vec<String> {
        help.lines()
            .skip_while(|l| *l != "Commands:")
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .filter(|name| name != "help")
            .collect()
    };
    let root = help(&[]);
    assert!(
        root.lines().count() <= 60,
        "{} lines:\n{root}",
        root.lines().count()
    );
    let resources: Vec<String> = polytomic::operations::RESOURCES
        .iter()
        .map(|r| r.replace('_', "-"))
        .collect();
    let mut expected = resources.clone();
    expected.extend(["api".into(), "completions".into()]);
    assert_eq!(listed(&root), expected);
    let mut reached = 0;
    for resource in &resources {
        let verbs = listed(&help(&[resource]));
        let mut wanted: Vec<String> = operations(&spec())
            .into_iter()
            .map(|(_, _, op)| op["operationId"].as_str().unwrap().to_string())
            .filter(|id| command_for(id)[0] == *resource)
            .map(|id| command_for(&id)[1].clone())
            .collect();
        reached += wanted.len();
        wanted.sort();
        let mut verbs_sorted = verbs.clone();
        verbs_sorted.sort();
        assert_eq!(verbs_sorted, wanted, "{resource}");
    }
    assert_eq!(reached, operations(&spec()).len());
}

/// The README's "try it with no account": the mock API (what `cargo run -p polytomic-mock-server`
/// serves) and the README's own command against it (`daily.rs` runs its `--wait` and `--all`).
#[tokio::test]
async fn the_readme_command_works_against_the_mock_server() {
    let fake = polytomic_test_support::Fake::new(spec());
    let server = Server::start(move |request| fake.reply(request).1).await;
    let url = server.url().to_string();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_polytomic"))
            .args([
                "--base-url",
                &url,
                "--api-key",
                "test",
                "users",
                "update-current-org",
                "--id",
                "248df4b7-aa70-47b8-a036-33ac447e668d",
                "--role-ids",
                "9f8e7d6c-5b4a-3210-fedc-ba9876543210",
            ])
            .env_clear()
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        printed,
        polytomic_test_support::success_example("update_current_org_user")
    );
    let request = server.single_request();
    assert_eq!(request.method, "PUT");
    assert_eq!(
        request.body,
        Some(serde_json::json!({"role_ids": ["9f8e7d6c-5b4a-3210-fedc-ba9876543210"]}))
    );
}

/// `polytomic ... | head` closes stdout early: the CLI stops printing instead of panicking.
#[tokio::test]
async fn a_closed_stdout_is_not_a_panic() {
    let spec = spec();
    let server =
        Server::start(move |request| polytomic_test_support::mock_reply(&spec, request).1).await;
    let url = server.url().to_string();
    let status = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_polytomic"))
            .args([
                "--base-url",
                &url,
                "--partner-key",
                "p",
                "organizations",
                "list",
            ])
            .env_clear()
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the response is printed.
        drop(child.stdout.take());
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_ne!(
        status.status.code(),
        Some(101),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(!String::from_utf8_lossy(&status.stderr).contains("panicked"));
}
