//! The README's "Cutting a release", run on a copy of the workspace: a breaking upstream change makes the
//! committed version too low (`release --check` fails, as CI would) and the changelog stale; `changelog`
//! lists the changes breaking first; `release` sets the version the diff requires, writes the release's
//! section and moves the baseline; then every check passes, the crates package with their requirements on
//! each other at the new version, and the client, mocks and CLI build.
//!
//! Builds in `target/walkthrough`, shared with `walkthrough.rs` and `change_loop.rs`.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

mod common;
use common::{PUBLISHED, Scratch, text};

fn xtask(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .arg("--root")
        .arg(ws)
        .output()
        .unwrap()
}

fn read(ws: &Path, path: &str) -> String {
    std::fs::read_to_string(ws.join(path)).unwrap()
}

#[test]
#[ignore = "slow: builds a copy of the workspace; CI runs it with `cargo test -p xtask --tests -- --ignored`"]
fn a_breaking_change_needs_a_minor_release_and_release_cuts_it() {
    let scratch = Scratch::new();
    let ws = &scratch.ws;
    // Start at a release: the committed workspace may hold spec changes not released yet.
    let cut = xtask(ws, &["release"]);
    assert!(
        cut.status.success() || text(&cut).contains("nothing to release"),
        "release: {}",
        text(&cut)
    );
    // At its release, both checks pass.
    for check in [["release", "--check"], ["changelog", "--check"]] {
        let output = xtask(ws, &check);
        assert!(output.status.success(), "{check:?}: {}", text(&output));
    }
    let released = read(ws, "openapi/released/version");
    let released = semver::Version::parse(released.trim()).unwrap();
    assert_eq!(released.major, 0, "the test assumes a 0.x release");

    // Upstream: a field removed (breaking), an operation added (compatible), a description reworded.
    let mut upstream = scratch.original.clone();
    upstream["components"]["schemas"]["User"]["properties"]
        .as_object_mut()
        .unwrap()
        .shift_remove("organization_id");
    let item = &mut upstream["paths"]["/api/organization/users/{id}"];
    item["patch"] = item["put"].clone();
    item["patch"]["operationId"] = json!("patch-current-org-user");
    item["get"]["summary"] = json!("Get one user of the caller's organization.");
    scratch.import(&upstream);

    // CI's gate: the committed version no longer covers the change.
    let next = format!("0.{}.0", released.minor + 1);
    let check = xtask(ws, &["release", "--check"]);
    assert!(
        !check.status.success(),
        "release --check passed a breaking change without a bump"
    );
    let message = text(&check);
    assert!(
        message.contains("is too low") && message.contains(&format!("require at least {next}")),
        "{message}"
    );
    let stale = xtask(ws, &["changelog", "--check"]);
    assert!(
        !stale.status.success(),
        "changelog --check: {}",
        text(&stale)
    );

    // The changelog's "Unreleased": breaking first, then additions, then documentation.
    let changelog = xtask(ws, &["changelog"]);
    assert!(
        changelog.status.success(),
        "changelog: {}",
        text(&changelog)
    );
    let log = read(ws, "CHANGELOG.md");
    let at = |part: &str| {
        log.find(part)
            .unwrap_or_else(|| panic!("no {part:?} in:\n{log}"))
    };
    assert!(at("## Unreleased") < at("### Breaking"));
    assert!(at("### Breaking") < at("property `organization_id` removed"));
    assert!(at("property `organization_id` removed") < at("### Added and compatible"));
    assert!(at("### Added and compatible") < at("operation patch_current_org_user: added"));
    assert!(at("operation patch_current_org_user: added") < at("### Documentation"));
    assert!(
        log.contains(&format!("the next release is at least {next}")),
        "{log}"
    );

    // Cut the release.
    let release = xtask(ws, &["release"]);
    assert!(release.status.success(), "release: {}", text(&release));
    let manifest = read(ws, "Cargo.toml");
    let spec_doc: Value = serde_yaml::from_str(&read(ws, xtask::DEFAULT_SPEC)).unwrap();
    let api = spec_doc["info"]["version"].as_str().unwrap();
    assert!(
        manifest.contains(&format!("\nversion = \"{next}+{api}\"\n")),
        "{manifest}"
    );
    assert!(
        manifest.contains(&format!(
            "polytomic = {{ path = \"crates/polytomic\", version = \"{next}\" }}"
        )),
        "{manifest}"
    );
    assert_eq!(
        read(ws, "openapi/released/version"),
        format!("{next}+{api}\n")
    );
    assert_eq!(
        read(ws, "openapi/released/polytomic.yaml"),
        read(ws, xtask::DEFAULT_SPEC)
    );
    let log = read(ws, "CHANGELOG.md");
    let at = |part: &str| {
        log.find(part)
            .unwrap_or_else(|| panic!("no {part:?} in:\n{log}"))
    };
    assert!(at("## Unreleased") < at(&format!("## {next}+{api} (API {api})")));
    assert!(at(&format!("## {next}+{api}")) < at("property `organization_id` removed"));
    assert!(at("property `organization_id` removed") < at(&format!("## {released} (API")));
    assert!(
        log.contains(&format!("No spec changes since {next}+{api}.")),
        "{log}"
    );

    // Everything is in step again, and a second release has nothing to release.
    for check in [["release", "--check"], ["changelog", "--check"]] {
        let output = xtask(ws, &check);
        assert!(output.status.success(), "{check:?}: {}", text(&output));
    }
    let again = xtask(ws, &["release"]);
    assert!(!again.status.success() && text(&again).contains("nothing to release"));

    // Regenerate (the new operation), then package and build as the README's release steps do.
    scratch.generate();
    let cargo = |args: &[&str]| scratch.cargo(args);
    let package = cargo(&[&["package", "--no-verify", "--allow-dirty"][..], &PUBLISHED].concat());
    assert!(
        package.status.success(),
        "cargo package: {}",
        text(&package)
    );
    assert!(
        text(&package).contains(&format!("Packaging polytomic-httpmock v{next}+{api}")),
        "{}",
        text(&package)
    );
    let build = cargo(&[&["build", "--quiet"][..], &PUBLISHED].concat());
    assert!(build.status.success(), "cargo build: {}", text(&build));
}
