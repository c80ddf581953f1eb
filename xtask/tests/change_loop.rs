//! Routine upstream changes through the README's loop on a copy of the workspace: each change alone is
//! imported and diffed, and must get the verdict a Rust caller would expect; then every change that is
//! not meant to break anything is applied at once, generated, and the whole workspace (client, mocks, CLI,
//! tests, examples, benches) must still compile without an edit.
//!
//! Builds in `target/walkthrough`, shared with `walkthrough.rs`.

use std::process::Command;

use serde_json::{Value, json};

mod common;
use common::{copy_workspace, text};

type Edit = fn(&mut Value);
/// The verdicts `diff` must give: severity and a part of the text.
type Verdicts = Vec<(&'static str, &'static str)>;

/// (what changes upstream, the edit, whether it is meant to leave callers' code compiling, and the
/// verdicts `diff` must give: severity and a part of the text).
fn scenarios() -> Vec<(&'static str, Edit, bool, Verdicts)> {
    fn user(doc: &mut Value) -> &mut Value {
        &mut doc["components"]["schemas"]["User"]["properties"]
    }
    vec![
        (
            "a new optional field",
            |d| user(d)["nickname"] = json!({"type": "string"}),
            true,
            vec![(
                "breaking",
                "property `nickname` added (optional; the generated struct gains a field)",
            )],
        ),
        (
            "a new nullable date-time field",
            |d| {
                user(d)["last_seen_at"] = json!({"type": ["string", "null"], "format": "date-time"})
            },
            true,
            vec![("breaking", "property `last_seen_at` added (optional")],
        ),
        (
            "a new field named like a Rust and a JSON Schema keyword",
            |d| {
                user(d)["type"] = json!({"type": "string"});
                user(d)["$ref"] = json!({"type": "string"});
            },
            true,
            vec![
                ("breaking", "property `type` added (optional"),
                ("breaking", "property `$ref` added (optional"),
            ],
        ),
        (
            "a new map field",
            |d| {
                user(d)["labels"] =
                    json!({"type": "object", "additionalProperties": {"type": "string"}})
            },
            true,
            vec![("breaking", "property `labels` added (optional")],
        ),
        (
            "a new enum value",
            |d| {
                d["components"]["schemas"]["BulkExecutionStatus"]["enum"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!("paused"))
            },
            true,
            vec![("breaking", "paused")],
        ),
        (
            "a new operation with new schemas",
            |d| {
                d["components"]["schemas"]["Widget"] =
                    json!({"type": "object", "properties": {"name": {"type": "string"}}});
                d["components"]["schemas"]["WidgetEnvelope"] = json!({"type": "object",
                    "properties": {"data": {"$ref": "#/components/schemas/Widget"}}});
                let mut op = d["paths"]["/api/webhooks"]["get"].clone();
                op["operationId"] = json!("list");
                op["tags"] = json!(["subpackage_widgets"]);
                op["responses"]["200"]["content"]["application/json"]["schema"] =
                    json!({"$ref": "#/components/schemas/WidgetEnvelope"});
                d["paths"]["/api/widgets"] = json!({"get": op});
            },
            true,
            vec![
                ("compatible", "operation list_widgets: added"),
                ("compatible", "schema Widget: added"),
            ],
        ),
        (
            "a reworded description",
            |d| user(d)["email"]["description"] = json!("The address mail goes to."),
            true,
            vec![("docs", "description changed")],
        ),
        (
            "a removed response field",
            |d| {
                user(d).as_object_mut().unwrap().shift_remove("email");
            },
            false,
            vec![("breaking", "property `email` removed")],
        ),
        (
            "a new required request field",
            |d| {
                let schema = &mut d["components"]["schemas"]["CurrentOrgCreateUserRequestSchema"];
                schema["properties"]["team"] = json!({"type": "string"});
                schema["required"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!("team"));
            },
            false,
            vec![("breaking", "property `team` added as required")],
        ),
        (
            "a changed property type",
            |d| user(d)["email"] = json!({"type": "integer"}),
            false,
            vec![("breaking", "email")],
        ),
    ]
}

#[test]
fn routine_changes_get_the_right_verdicts_and_the_workspace_survives_the_compatible_ones() {
    let root = xtask::workspace_root();
    let scratch = tempfile::tempdir().unwrap();
    let ws = scratch.path();
    copy_workspace(&root, ws);
    let xtask = env!("CARGO_BIN_EXE_xtask");
    let upstream_path = ws.join(xtask::DEFAULT_UPSTREAM);
    let original: Value =
        serde_json::from_str(&std::fs::read_to_string(&upstream_path).unwrap()).unwrap();
    let spec = ws.join(xtask::DEFAULT_SPEC);
    let base_spec = scratch.path().join("base.yaml");
    std::fs::copy(&spec, &base_spec).unwrap();
    let import = |doc: &Value| {
        std::fs::write(&upstream_path, serde_json::to_string(doc).unwrap()).unwrap();
        let output = Command::new(xtask)
            .args(["import", upstream_path.to_str().unwrap(), "--overlay"])
            .arg(ws.join(xtask::DEFAULT_OVERLAY))
            .arg("--out")
            .arg(&spec)
            .output()
            .unwrap();
        assert!(output.status.success(), "import: {}", text(&output));
    };

    let mut combined = original.clone();
    for (name, edit, compatible_code, verdicts) in scenarios() {
        let mut doc = original.clone();
        edit(&mut doc);
        import(&doc);
        let diff = Command::new(xtask)
            .args(["diff", "--format", "json", "--base"])
            .arg(&base_spec)
            .arg("--spec")
            .arg(&spec)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&diff.stdout)
            .unwrap_or_else(|e| panic!("{name}: diff did not print JSON ({e}): {}", text(&diff)));
        for (severity, part) in verdicts {
            let found = report["changes"].as_array().unwrap().iter().any(|c| {
                c["severity"] == severity
                    && format!(
                        "{}: {}",
                        c["subject"].as_str().unwrap(),
                        c["change"].as_str().unwrap()
                    )
                    .contains(part)
            });
            assert!(
                found,
                "{name}: no {severity} change mentioning {part:?}:\n{report:#}"
            );
        }
        if compatible_code {
            edit(&mut combined);
        }
    }

    // Every change meant to leave callers compiling, at once: the workspace's own code must not need an
    // edit (its tests build generated types as the README says downstream code should).
    import(&combined);
    let generate = Command::new(xtask)
        .args(["generate", "--spec"])
        .arg(&spec)
        .arg("--out-dir")
        .arg(ws)
        .output()
        .unwrap();
    assert!(generate.status.success(), "generate: {}", text(&generate));
    let build = Command::new(env!("CARGO"))
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", root.join("target/walkthrough"))
        .args([
            "build",
            "-q",
            "--workspace",
            "--all-targets",
            "--exclude",
            "xtask",
        ])
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "the workspace needs an edit after compatible changes:\n{}",
        text(&build)
    );
}
