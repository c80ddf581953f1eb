//! The README's "Upgrading to a new upstream spec", run for real on a copy of the workspace: the new
//! upstream document (`User` gains a nullable date-time `last_login_at` and loses `organization_id`, a
//! `PATCH /api/organization/users/{id}` appears), then `import`, `diff`, `generate`, a build of the client,
//! its mock helpers and its CLI, and the type-shape snapshots, which must fail exactly where `User` changed.
//!
//! It builds in `target/walkthrough` (its own target directory: the outer `cargo test` holds the main one),
//! so the first run compiles the dependencies once.

use std::process::{Command, Output};

use serde_json::json;

mod common;
use common::{PUBLISHED, Scratch, text};

fn run(command: &mut Command) -> Output {
    command.output().unwrap()
}

#[test]
#[ignore = "slow: builds a copy of the workspace; CI runs it with `cargo test -p xtask --tests -- --ignored`"]
fn the_upgrade_walkthrough_imports_diffs_generates_builds_and_shows_the_snapshot_diff() {
    let scratch = Scratch::new();
    let ws = &scratch.ws;

    // The new upstream document, then `cargo xtask import`, `diff`, `generate`, as the README says.
    let mut upstream = scratch.original.clone();
    let user = &mut upstream["components"]["schemas"]["User"]["properties"];
    user["last_login_at"] = json!({"type": ["string", "null"], "format": "date-time",
        "description": "When the user last signed in."});
    user.as_object_mut()
        .unwrap()
        .shift_remove("organization_id");
    let item = &mut upstream["paths"]["/api/organization/users/{id}"];
    item["patch"] = item["put"].clone();
    item["patch"]["operationId"] = json!("patch-current-org-user");
    scratch.import(&upstream);
    let (xtask, spec, old_spec) = (
        env!("CARGO_BIN_EXE_xtask"),
        scratch.spec(),
        scratch.base_spec(),
    );
    let diff = run(Command::new(xtask).args([
        "diff",
        "--base",
        old_spec.to_str().unwrap(),
        "--spec",
        spec.to_str().unwrap(),
    ]));
    let report = text(&diff);
    for line in [
        "Breaking for existing callers (2):",
        "Compatible (2):",
        "  - types::User.organization_id: removed",
        "      because schema User: property `organization_id` removed",
        "  - Client::patch_current_org_user: added",
        "      because operation patch_current_org_user: added (PATCH /api/organization/users/{id})",
        "  - types::User.last_login_at: added",
        "      because schema User: property `last_login_at` added (optional)",
    ] {
        assert!(
            report.contains(line),
            "missing {line:?} in the diff:\n{report}"
        );
    }
    scratch.generate();

    // The client, its mocks and its CLI build: the date-time field brings chrono with it.
    let target = xtask::workspace_root().join("target/walkthrough");
    let cargo = |args: &[&str]| scratch.cargo(args);
    let build = cargo(&[&["build", "-q"][..], &PUBLISHED].concat());
    assert!(
        build.status.success(),
        "the regenerated workspace does not build:\n{}",
        text(&build)
    );

    // The shape snapshots fail where User changed, and nowhere else.
    let shapes = run(Command::new(env!("CARGO"))
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", &target)
        .env("INSTA_UPDATE", "no")
        .env("CI", "true")
        .env("INSTA_FORCE_PASS", "1")
        .args([
            "test",
            "-q",
            "-p",
            "polytomic",
            "--test",
            "types",
            "--",
            "--nocapture",
        ]));
    let output = text(&shapes);
    let mut changed: Vec<&str> = output
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Snapshot: "))
        .collect();
    changed.sort();
    changed.dedup();
    assert_eq!(changed, ["User"], "the snapshots that changed:\n{output}");
}
