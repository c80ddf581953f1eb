//! `cargo xtask generate` as a user runs it: the real binary, on copies of the spec in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

use serde_json::{Value, json};

fn root() -> PathBuf {
    xtask::workspace_root()
}

fn committed_spec() -> String {
    std::fs::read_to_string(root().join(xtask::DEFAULT_SPEC)).unwrap()
}

/// Every generated file, as committed: (path relative to the root, content). The client's parts' files
/// follow the client.
fn committed_outputs() -> Vec<(String, String)> {
    let mut paths = vec![xtask::generate::CLIENT.to_string()];
    paths.extend(client_parts(&root()));
    paths.extend([
        xtask::generate::HTTPMOCK.into(),
        xtask::generate::CLI.into(),
    ]);
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(root().join(&path)).unwrap();
            (path, text)
        })
        .collect()
}

/// The client's parts' files under `dir` (relative to it), sorted.
fn client_parts(dir: &Path) -> Vec<String> {
    let mut parts = Vec::new();
    let mut folders = vec![xtask::generate::CLIENT_PARTS.to_string()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(dir.join(&folder)) else {
            continue;
        };
        for entry in entries {
            let path = format!("{folder}/{}", entry.unwrap().file_name().to_string_lossy());
            if path.ends_with(".rs") {
                parts.push(path);
            } else {
                folders.push(path);
            }
        }
    }
    parts.sort();
    parts
}

/// The whole client under `dir`: `generated.rs`, then each part's file.
fn client_text(dir: &Path) -> String {
    let mut paths = vec![xtask::generate::CLIENT.to_string()];
    paths.extend(client_parts(dir));
    paths
        .iter()
        .map(|path| std::fs::read_to_string(dir.join(path)).unwrap())
        .collect()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn mtime(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

/// A temporary directory holding `spec.yaml` and, under `out/`, copies of the committed generated files;
/// `out` is the client's.
struct Scratch {
    dir: tempfile::TempDir,
    spec: PathBuf,
    out: PathBuf,
}

impl Scratch {
    fn new(spec_text: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("spec.yaml");
        std::fs::write(&spec, spec_text).unwrap();
        for (path, content) in committed_outputs() {
            let target = dir.path().join("out").join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, content).unwrap();
        }
        let out = dir.path().join("out").join(xtask::generate::CLIENT);
        Scratch { dir, spec, out }
    }

    /// Every output file's bytes and mtime.
    fn outputs(&self) -> Vec<(Vec<u8>, SystemTime)> {
        committed_outputs()
            .iter()
            .map(|(path, _)| {
                let file = self.dir.path().join("out").join(path);
                (std::fs::read(&file).unwrap(), mtime(&file))
            })
            .collect()
    }

    fn run(&self, extra: &[&str]) -> Output {
        let out_dir = self.dir.path().join("out");
        let mut args = vec![
            "generate",
            "--spec",
            self.spec.to_str().unwrap(),
            "--out-dir",
            out_dir.to_str().unwrap(),
        ];
        args.extend(extra);
        xtask(&args)
    }
}

/// The committed spec with `change` applied to its parsed form, written back as YAML.
fn edited(change: impl FnOnce(&mut Value)) -> String {
    let mut doc: Value = serde_yaml::from_str(&committed_spec()).unwrap();
    change(&mut doc);
    serde_yaml::to_string(&doc).unwrap()
}

/// The operation at `path` and `method`.
fn operation<'a>(doc: &'a mut Value, path: &str, method: &str) -> &'a mut Value {
    &mut doc["paths"][path][method]
}

/// Adds `nickname` to the `User` schema: the spec change a reviewer should see end to end.
fn spec_with_user_nickname() -> String {
    edited(|doc| {
        doc["components"]["schemas"]["User"]["properties"]["nickname"] =
            json!({"type": "string", "description": "Display name."});
    })
}

#[test]
fn committed_files_are_up_to_date() {
    let output = xtask(&["generate", "--check"]);
    assert!(
        output.status.success(),
        "the committed files are stale; run `cargo xtask generate`:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn generated_files_have_a_do_not_edit_header_naming_the_command() {
    for (path, content) in committed_outputs() {
        assert_eq!(
            content.lines().next().unwrap(),
            "// @generated by `cargo xtask generate` from openapi/polytomic.yaml. DO NOT EDIT.",
            "{path}"
        );
    }
}

#[test]
fn a_part_file_the_spec_no_longer_gives_is_stale_and_removed() {
    let scratch = Scratch::new(&committed_spec());
    let out = scratch.dir.path().join("out");
    let stale = format!("{}/types/part_99.rs", xtask::generate::CLIENT_PARTS);
    std::fs::write(out.join(&stale), "// an old part\n").unwrap();

    let check = scratch.run(&["--check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let diff = String::from_utf8_lossy(&check.stdout);
    assert!(
        diff.contains(&stale) && diff.contains("-// an old part"),
        "{diff}"
    );
    assert!(out.join(&stale).exists(), "--check removes nothing");

    let generate = scratch.run(&[]);
    assert!(generate.status.success(), "{}", stderr(&generate));
    assert!(!out.join(&stale).exists());
    assert!(scratch.run(&["--check"]).status.success());
}

#[test]
fn same_spec_gives_same_bytes_and_a_no_op_run_writes_nothing() {
    let scratch = Scratch::new(&committed_spec());
    let first = scratch.run(&[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let bytes = std::fs::read(&scratch.out).unwrap();
    let before = mtime(&scratch.out);

    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = scratch.run(&[]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("up to date"),
        "{}",
        stderr(&second)
    );
    assert_eq!(std::fs::read(&scratch.out).unwrap(), bytes);
    assert_eq!(
        mtime(&scratch.out),
        before,
        "a no-op run must not touch the file"
    );
}

#[test]
fn spec_change_makes_check_fail_with_a_diff_and_generate_writes_the_new_field() {
    let scratch = Scratch::new(&spec_with_user_nickname());
    let out = scratch.dir.path().join("out");
    let committed = client_text(&out);

    let check = scratch.run(&["--check"]);
    assert_eq!(check.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&check.stdout);
    assert!(
        diff.lines().any(|l| l.starts_with('+')
            && l.contains("pub nickname: ::std::option::Option<::std::string::String>")),
        "the diff must show the new field:\n{diff}"
    );
    assert!(stderr(&check).contains("are stale; run `cargo xtask generate`"));
    assert_eq!(client_text(&out), committed, "--check writes nothing");

    let generate = scratch.run(&[]);
    assert!(generate.status.success(), "{}", stderr(&generate));
    let regenerated = client_text(&out);
    assert!(regenerated.contains("pub nickname: ::std::option::Option<::std::string::String>"));
    // Every changed hunk is about the new field (struct, builder, conversions) or the header naming
    // the spec file; nothing else in the client moved.
    let diff = similar::TextDiff::from_lines(&committed, &regenerated);
    let hunks: Vec<String> = diff
        .grouped_ops(0)
        .iter()
        .map(|group| {
            group
                .iter()
                .flat_map(|op| diff.iter_changes(op))
                .filter(|c| c.tag() == similar::ChangeTag::Insert)
                .map(|c| c.value())
                .collect()
        })
        .collect();
    assert!(hunks.len() > 1, "{hunks:#?}");
    for hunk in &hunks {
        assert!(
            hunk.contains("nickname") || hunk.starts_with("// @generated"),
            "unexpected change:\n{hunk}"
        );
    }
}

/// Each bad spec: exit status 1, one `error:` line naming the file, the place and the problem, no panic,
/// and the output file untouched.
fn assert_rejected(spec_text: &str, expected: &[&str]) {
    let scratch = Scratch::new(spec_text);
    let before = scratch.outputs();
    let output = scratch.run(&[]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert_eq!(message.lines().count(), 1, "one line, got:\n{message}");
    assert!(message.starts_with("error: "), "{message}");
    assert!(
        message.contains(scratch.spec.to_str().unwrap()),
        "must name the file: {message}"
    );
    assert!(
        !message.contains("panicked") && !message.contains("RUST_BACKTRACE"),
        "{message}"
    );
    for part in expected {
        assert!(message.contains(part), "expected {part:?} in: {message}");
    }
    assert_eq!(
        scratch.outputs(),
        before,
        "a rejected spec must leave every output untouched"
    );
}

#[test]
fn rejects_malformed_yaml_with_line_and_column() {
    assert_rejected(
        &committed_spec().replacen("openapi: 3.0.3\n", "openapi: 3.0.3\nservers: [\n", 1),
        &["not valid YAML", "line 6, column"],
    );
}

#[test]
fn rejects_an_unresolved_ref_naming_where_it_is() {
    assert_rejected(
        &edited(|doc| {
            operation(doc, "/api/organization/users", "get")["responses"]["404"] =
                json!({"$ref": "#/components/responses/Missing"});
        }),
        &[
            "unresolved reference `$ref: #/components/responses/Missing`",
            "paths.\"/api/organization/users\".get.responses.\"404\"",
        ],
    );
}

#[test]
fn rejects_a_missing_operation_id() {
    assert_rejected(
        &edited(|doc| {
            let op = operation(doc, "/api/organizations/{org_id}/users/{id}", "get");
            op.as_object_mut().unwrap().remove("operationId");
        }),
        &[
            "GET /api/organizations/{org_id}/users/{id} has no operationId",
            "paths.\"/api/organizations/{org_id}/users/{id}\".get",
        ],
    );
}

#[test]
fn rejects_a_duplicate_operation_id() {
    assert_rejected(
        &edited(|doc| {
            operation(doc, "/api/organizations/{org_id}/users/{id}", "delete")["operationId"] =
                json!("update_partner_user");
        }),
        &[
            "operationId `update_partner_user` is used by both PUT /api/organizations/{org_id}/users/{id} and DELETE /api/organizations/{org_id}/users/{id}",
        ],
    );
}

#[test]
fn rejects_openapi_3_1_with_a_hint() {
    assert_rejected(
        &edited(|doc| doc["openapi"] = json!("3.1.0")),
        &["openapi: OpenAPI 3.1.0 is not supported", "3.0.x only"],
    );
}

#[test]
fn rejects_two_error_schemas_in_one_operation_instead_of_panicking() {
    // Without the check, progenitor panics with `assertion failed: response_types.len() <= 1`.
    assert_rejected(
        &edited(|doc| {
            let op = operation(doc, "/api/organizations/{org_id}/users/{id}/keys", "post");
            op["responses"]["404"]["content"]["application/json"]["schema"] =
                json!({"type": "object", "properties": {"reason": {"type": "string"}}});
        }),
        &[
            "paths.\"/api/organizations/{org_id}/users/{id}/keys\".post.responses.\"404\"",
            "error responses use different bodies",
            "403: schema #/components/schemas/ApiError",
        ],
    );
}

#[test]
fn rejects_a_success_and_default_with_different_bodies() {
    // `default` counts as both success and error for progenitor: this common pattern also makes it panic.
    assert_rejected(
        &edited(|doc| {
            let responses = &mut operation(doc, "/api/organization/users", "post")["responses"];
            let error = responses["403"].clone();
            *responses = json!({"200": responses["200"].clone(), "default": error});
        }),
        &["POST /api/organization/users: its success responses use different bodies"],
    );
}

#[test]
fn rejects_a_missing_file_and_a_non_openapi_document() {
    let scratch = Scratch::new("");
    std::fs::remove_file(&scratch.spec).unwrap();
    let output = scratch.run(&[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("cannot read the file"));

    assert_rejected(
        "title: not a spec\n",
        &["the top-level `openapi` field is missing"],
    );
}

#[test]
fn usage_errors_exit_2_with_usage() {
    for args in [
        &["generate", "--bogus"][..],
        &["frobnicate"],
        &["generate", "--spec"],
    ] {
        let output = xtask(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains("usage: cargo xtask generate"));
    }
}

/// Found by the spec fuzzer: typify stops (`not yet implemented`) on these; the checks refuse them first.
#[test]
fn rejects_schemas_typify_would_stop_on() {
    assert_rejected(
        &edited(|doc| {
            doc["components"]["schemas"]["User"]["properties"]["id"] = json!({"format": "uuid"});
        }),
        &[
            "components.schemas.User.properties.id",
            "a schema with `format` needs a `type`",
        ],
    );
    assert_rejected(
        &edited(|doc| {
            doc["components"]["schemas"]["User"]["properties"]["email"] = json!({"type": "boolen"});
        }),
        &[
            "components.schemas.User.properties.email",
            "`type: boolen` is not a JSON Schema type",
        ],
    );
    // A property *named* `type` or `format` is a name, not a keyword.
    let spec = edited(|doc| {
        doc["components"]["schemas"]["User"]["properties"]["format"] = json!({"type": "string"});
    });
    assert!(xtask::spec::parse(&spec).is_ok());
}

/// What progenitor would refuse with a dump of its own structures is one short line naming the place.
#[test]
fn a_cookie_parameter_is_refused_in_one_located_line() {
    let spec = edited(|doc| {
        let op = operation(doc, "/api/organization/users", "get");
        op["parameters"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "session", "in": "cookie", "schema": {"type": "string"}}));
    });
    let error = xtask::spec::parse(&spec).unwrap_err();
    let line = format!("{}: {}", error.0.unwrap_or_default(), error.1);
    assert!(
        line.contains("paths.\"/api/organization/users\".get.parameters"),
        "{line}"
    );
    assert!(line.contains("cookie parameter `session`"), "{line}");
    assert!(line.len() < 300 && !line.contains('\n'), "{line}");
}

/// progenitor panics on an object in a path, naming no place ("left: \"id\" right: \"body\""): the checks
/// refuse it first, in one line naming the parameter.
#[test]
fn an_object_path_parameter_is_refused_in_one_located_line() {
    let spec = edited(|doc| {
        let op = operation(doc, "/api/organization/users/{id}", "get");
        let id = op["parameters"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|p| p["name"] == "id")
            .unwrap();
        id["schema"] = json!({"type": "object", "properties": {"a": {"type": "string"}}});
    });
    let error = xtask::spec::parse(&spec).unwrap_err();
    let line = format!("{}: {}", error.0.unwrap_or_default(), error.1);
    assert!(
        line.contains("paths.\"/api/organization/users/{id}\".get.parameters"),
        "{line}"
    );
    assert!(
        line.contains("path parameter `id` is an object or a list"),
        "{line}"
    );
    assert!(line.len() < 300 && !line.contains('\n'), "{line}");
}
