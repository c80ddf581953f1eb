//! Routine upstream changes through the README's loop on a copy of the workspace: each change alone is
//! imported and diffed, and must get the verdict a Rust caller would expect; then every change that is
//! not meant to break anything is applied at once, generated, and the whole workspace (client, mocks, CLI,
//! tests, examples, benches) must still compile without an edit.
//!
//! `each_routine_change_through_the_whole_loop` then runs every change alone through the whole loop
//! (every crate and target built after each change meant to leave callers compiling), tests included,
//! and checks the snapshot diff a user would review; with `CARGO_SEMVER_CHECKS` set (the path of a
//! cargo-semver-checks binary; `tests/benches/semver_checks.sh` does it), it also compares
//! cargo-semver-checks' verdict on the generated client with `diff`'s and prints the table in
//! BENCHMARKS.md.
//!
//! Both tests build a copy of the workspace: they are `#[ignore]`d in the every-day `cargo test --workspace`
//! and run by CI (`cargo test -p xtask --tests -- --ignored`).
//!
//! Builds in `target/walkthrough`, shared with `walkthrough.rs`.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

mod common;
use common::{Scratch, text};

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
            vec![
                ("breaking", "types::User.nickname: added"),
                (
                    "breaking",
                    "(schema User: property `nickname` added (optional))",
                ),
            ],
        ),
        (
            "a new nullable date-time field",
            |d| {
                user(d)["last_seen_at"] = json!({"type": ["string", "null"], "format": "date-time"})
            },
            true,
            vec![("breaking", "types::User.last_seen_at: added")],
        ),
        (
            "a new field named like a Rust and a JSON Schema keyword",
            |d| {
                user(d)["type"] = json!({"type": "string"});
                user(d)["$ref"] = json!({"type": "string"});
            },
            true,
            vec![
                ("breaking", "types::User.type_: added"),
                (
                    "breaking",
                    "(schema User: property `$ref` added (optional))",
                ),
            ],
        ),
        (
            "a new map field",
            |d| {
                user(d)["labels"] =
                    json!({"type": "object", "additionalProperties": {"type": "string"}})
            },
            true,
            vec![("breaking", "types::User.labels: added")],
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
            vec![("breaking", "types::BulkExecutionStatus::Paused: added")],
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
                ("compatible", "Client::list_widgets: added"),
                ("compatible", "types::Widget: added"),
                ("compatible", "(schema Widget: added)"),
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
            vec![("breaking", "types::User.email: removed")],
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
            vec![(
                "breaking",
                "types::CurrentOrgCreateUserRequestSchema.team: added",
            )],
        ),
        (
            "a changed property type",
            |d| user(d)["email"] = json!({"type": "integer"}),
            false,
            vec![("breaking", "types::User.email: changed")],
        ),
    ]
}

#[test]
#[ignore = "slow: builds a copy of the workspace; CI runs it with `cargo test -p xtask --tests -- --ignored`"]
fn routine_changes_get_the_right_verdicts_and_the_workspace_survives_the_compatible_ones() {
    let scratch = Scratch::new();
    let mut combined = scratch.original.clone();
    for (name, edit, compatible_code, verdicts) in scenarios() {
        let mut doc = scratch.original.clone();
        edit(&mut doc);
        scratch.import(&doc);
        let report = scratch.diff();
        for (severity, part) in verdicts {
            let found = report["changes"].as_array().unwrap().iter().any(|c| {
                let because: Vec<&str> = c["because"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                c["severity"] == severity
                    && format!(
                        "{}: {} ({})",
                        c["subject"].as_str().unwrap(),
                        c["change"].as_str().unwrap(),
                        because.join("; ")
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
    scratch.import(&combined);
    scratch.generate();
    scratch.assert_everything_builds("after all compatible changes");
}

/// What a user sees after `cargo test` for each change alone: snapshots that must be in the diff (by a
/// part of the file name), a word every changed request/response snapshot's operation must contain (a change
/// to `User` touches the users operations and nothing else), or, for a change that breaks callers, the
/// field the failing tests must name (a compile error where the workspace uses it, or a response that no
/// longer round-trips).
fn expectations(name: &str) -> (&'static [&'static str], &'static str, Option<&'static str>) {
    const USER: &[&str] = &[
        "types__User.snap",
        "cli__all_operations__get_current_org_user.snap",
        "cli__all_operations__update_current_org_user.snap",
    ];
    match name {
        "a new optional field"
        | "a new nullable date-time field"
        | "a new field named like a Rust and a JSON Schema keyword"
        | "a new map field" => (USER, "user", None),
        // Descriptions are in the types' doc comments, not on the wire.
        "a reworded description" => (&["types__User.snap"], "-", None),
        "a new enum value" => (&["types__BulkExecutionStatus.snap"], "bulk", None),
        "a new operation with new schemas" => (
            &[
                "types__Widget.snap",
                "types__WidgetEnvelope.snap",
                "cli__all_operations__list_widgets.snap",
            ],
            "list_widgets",
            None,
        ),
        // The server still sends the field: the client keeps it in `extra` and prints it as sent, so the
        // tests pass; the change shows as the types' and the responses' snapshot diff.
        "a removed response field" => (USER, "user", None),
        "a changed property type" => (&[], "", Some("email")),
        // The request snapshot shows the new field; code that does not set it fails at `send()`.
        "a new required request field" => (
            &[
                "types__CurrentOrgCreateUserRequestSchema.snap",
                "cli__all_operations__create_current_org_user.snap",
            ],
            "create_current_org_user",
            None,
        ),
        other => panic!("no expectation for {other}"),
    }
}

#[test]
#[ignore = "slow: about a minute per change; CI runs it with `cargo test -p xtask --tests -- --ignored`"]
fn each_routine_change_through_the_whole_loop() {
    let scratch = Scratch::new();
    let ws = &scratch.ws;
    let target = xtask::workspace_root().join("target/walkthrough");
    let semver_checks = std::env::var("CARGO_SEMVER_CHECKS").ok();
    let rustdoc_json = |label: &str| -> String {
        // rustdoc's JSON output is unstable; cargo-semver-checks reads it the same way on stable. Hidden
        // items are kept: the JSON leaves out what the `#[doc(hidden)]` generated module holds even where
        // the crate root re-exports it, and cargo-semver-checks judges only what visible paths reach.
        let output = Command::new(env!("CARGO"))
            .current_dir(ws)
            .env("CARGO_TARGET_DIR", &target)
            .env("RUSTC_BOOTSTRAP", "1")
            .args([
                "rustdoc",
                "-q",
                "-p",
                "polytomic",
                "--",
                "-Z",
                "unstable-options",
            ])
            .args(["--output-format", "json", "--document-hidden-items"])
            .output()
            .unwrap();
        assert!(output.status.success(), "rustdoc: {}", text(&output));
        let json = scratch.file(&format!("{label}.json"));
        std::fs::copy(target.join("doc/polytomic.json"), &json).unwrap();
        json.display().to_string()
    };
    let baseline = semver_checks.as_ref().map(|_| rustdoc_json("baseline"));
    let mut table = vec![
        "| change | `xtask diff` | cargo-semver-checks | agree |".to_string(),
        "|---|---|---|---|".to_string(),
    ];
    let mut disagreements = Vec::new();

    // `ONLY_CHANGE=<part of a name>` runs the matching changes alone.
    let only = std::env::var("ONLY_CHANGE").unwrap_or_default();
    for (name, edit, compatible_code, _) in scenarios().into_iter().filter(|s| s.0.contains(&only))
    {
        let mut doc = scratch.original.clone();
        edit(&mut doc);
        scratch.import(&doc);
        let report = scratch.diff();
        scratch.generate();
        // Every crate and target of the workspace builds unedited after a change meant to leave callers'
        // code compiling.
        if compatible_code {
            scratch.assert_everything_builds(name);
        }

        // `cargo test` as the README says, on the tests that pin types and requests; new and changed
        // snapshots are written beside the old ones as `.snap.new`, as `cargo insta review` shows them.
        let tests = Command::new(env!("CARGO"))
            .current_dir(ws)
            .env("CARGO_TARGET_DIR", &target)
            .env("INSTA_UPDATE", "new")
            .env("INSTA_FORCE_PASS", "1")
            .args([
                "test",
                "-q",
                "--no-fail-fast",
                "-p",
                "polytomic",
                "--test",
                "types",
            ])
            .args(["-p", "polytomic-cli", "--test", "cli"])
            .output()
            .unwrap();
        let (snapshots, operations, breaks_at) = expectations(name);
        let pending = take_pending_snapshots(ws);
        match breaks_at {
            None => {
                assert!(
                    tests.status.success(),
                    "{name}: cargo test: {}",
                    text(&tests)
                );
                for snapshot in snapshots {
                    assert!(
                        pending.iter().any(|p| p.starts_with(snapshot)),
                        "{name}: {snapshot} is not in the snapshot diff {pending:?}"
                    );
                }
                // Only the operations the change is about: the other requests and responses are
                // unchanged.
                let unrelated: Vec<_> = pending
                    .iter()
                    .filter(|p| p.starts_with("cli__all_operations__") && !p.contains(operations))
                    .collect();
                assert!(
                    unrelated.is_empty(),
                    "{name}: unrelated snapshots changed: {unrelated:?}"
                );
                println!(
                    "{name}: {} snapshots in the diff: {pending:?}",
                    pending.len()
                );
            }
            Some(field) => {
                // The tests fail and name the field: a compile error where the workspace's code uses it,
                // or a response that no longer round-trips.
                let output = text(&tests);
                assert!(
                    !tests.status.success() && output.contains(field),
                    "{name}: expected the tests to fail naming `{field}`: {output}"
                );
            }
        }

        let worst = ["breaking", "compatible", "docs"]
            .into_iter()
            .find(|s| {
                report["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["severity"] == *s)
            })
            .unwrap_or("none");
        if let (Some(tool), Some(baseline)) = (&semver_checks, &baseline) {
            let current = rustdoc_json("current");
            let checked = Command::new(tool)
                .args([
                    "semver-checks",
                    "check-release",
                    "--baseline-rustdoc",
                    baseline,
                ])
                .args(["--current-rustdoc", &current])
                .env("CARGO_TERM_COLOR", "never")
                .output()
                .unwrap();
            let out = text(&checked);
            let lints: Vec<&str> = out
                .lines()
                .filter_map(|l| l.trim().strip_prefix("--- failure "))
                .filter_map(|l| l.split(':').next())
                .collect();
            let tool_breaking = out.contains("requires new major version");
            let verdict = if lints.is_empty() {
                "no lint fires".to_string()
            } else {
                format!(
                    "{}: {}",
                    if tool_breaking { "major" } else { "minor" },
                    lints.join(", ")
                )
            };
            let agree = tool_breaking == (worst == "breaking");
            table.push(format!(
                "| {name} | {worst} | {verdict} | {} |",
                if agree { "yes" } else { "no" }
            ));
            if !agree {
                disagreements.push(name);
            }
        }
    }
    if semver_checks.is_some() && only.is_empty() {
        println!("{}", table.join("\n"));
        // cargo-semver-checks (0.51) has no lint for a field whose type changes: `Option<String>` to
        // `Option<i64>` breaks every caller that reads or sets the field, as `diff` says (README,
        // "Versioning"). Any other disagreement means one of the two is wrong.
        assert_eq!(
            disagreements,
            ["a changed property type"],
            "cargo-semver-checks and diff disagree:\n{}",
            table.join("\n")
        );
    }
}

/// The `.snap.new` files under the copy's snapshot folders, by file name; they are removed, so the next
/// change starts from the committed snapshots.
fn take_pending_snapshots(ws: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for dir in [
        "crates/polytomic/tests/snapshots",
        "crates/polytomic-cli/tests/cli/snapshots",
    ] {
        for entry in std::fs::read_dir(ws.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".snap.new") {
                std::fs::remove_file(entry.path()).unwrap();
                found.push(name);
            }
        }
    }
    found.sort();
    found
}
