//! `cargo xtask import`: the committed upstream and overlay reproduce the committed spec, upstream changes
//! flow through, and what cannot be translated is refused with its location.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn root() -> PathBuf {
    xtask::workspace_root()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap()
}

fn upstream() -> Value {
    let text = std::fs::read_to_string(root().join(xtask::DEFAULT_UPSTREAM)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Imports `upstream` (written to a temporary file) with the committed overlay into `dir/spec.yaml`.
fn import_into(dir: &Path, upstream: &Value) -> Output {
    let upstream_file = dir.join("upstream.json");
    std::fs::write(
        &upstream_file,
        serde_json::to_string_pretty(upstream).unwrap(),
    )
    .unwrap();
    let out = dir.join("spec.yaml");
    xtask(&[
        "import",
        upstream_file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn committed_upstream_and_overlay_reproduce_the_committed_spec() {
    let output = xtask(&["import", "--check"]);
    assert!(
        output.status.success(),
        "openapi/polytomic.yaml differs from `cargo xtask import`:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn upstream_changes_flow_through_import_and_generate() {
    let dir = tempfile::tempdir().unwrap();
    let mut changed = upstream();
    let schemas = &mut changed["components"]["schemas"];
    // A new optional field, a removed field.
    schemas["User"]["properties"]["last_login"] =
        json!({"type": ["string", "null"], "format": "date-time", "description": "Last sign-in."});
    schemas["User"]["properties"]
        .as_object_mut()
        .unwrap()
        .shift_remove("organization_id");
    // A new operation on a covered path.
    changed["paths"]["/api/organization/users/{id}"]["patch"] =
        changed["paths"]["/api/organization/users/{id}"]["put"].clone();
    changed["paths"]["/api/organization/users/{id}"]["patch"]["operationId"] =
        json!("patch-current-org-user");

    let output = import_into(dir.path(), &changed);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let spec: Value =
        serde_yaml::from_str(&std::fs::read_to_string(dir.path().join("spec.yaml")).unwrap())
            .unwrap();
    let user = &spec["components"]["schemas"]["User"]["properties"];
    assert_eq!(
        user["last_login"],
        json!({"type": "string", "format": "date-time", "description": "Last sign-in.", "nullable": true})
    );
    assert!(user.get("organization_id").is_none());
    // The new operation is named by the rule and takes the credentials its Authorization names.
    let patch = &spec["paths"]["/api/organization/users/{id}"]["patch"];
    assert_eq!(patch["operationId"], "patch_current_org_user");
    assert_eq!(
        patch["security"],
        json!([{"bearerUserAPIKey": []}, {"orgScopedAPIKey": []}])
    );

    let spec_path = dir.path().join("spec.yaml");
    let check = xtask(&["generate", "--check", "--spec", spec_path.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&check.stdout);
    for expected in [
        "+    pub last_login: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,",
        "-    pub organization_id: ::std::option::Option<::uuid::Uuid>,",
        "+    pub fn patch_current_org_user(&self)",
    ] {
        assert!(
            diff.contains(expected),
            "missing {expected:?} in the diff:\n{diff}"
        );
    }
}

#[test]
fn untranslatable_constructs_are_refused_with_their_location() {
    let dir = tempfile::tempdir().unwrap();
    let mut changed = upstream();
    changed["components"]["schemas"]["User"]["properties"]["tags"] =
        json!({"type": "array", "prefixItems": [{"type": "string"}]});
    let output = import_into(dir.path(), &changed);
    assert_eq!(output.status.code(), Some(1));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("components.schemas.User.properties.tags.prefixItems: the JSON Schema keyword `prefixItems` has no OpenAPI 3.0 form"),
        "{message}"
    );
    assert!(
        !dir.path().join("spec.yaml").exists(),
        "nothing may be written"
    );
}

#[test]
fn an_overlay_target_upstream_no_longer_has_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut changed = upstream();
    changed["paths"]["/api/organizations/{org_id}/users/{id}/keys"]
        .as_object_mut()
        .unwrap()
        .shift_remove("post");
    let output = import_into(dir.path(), &changed);
    assert_eq!(output.status.code(), Some(1));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("the target matches nothing in the upstream document"),
        "{message}"
    );
}

/// The overlay declares that `/api/syncs` pages by `page_token`: upstream renaming the parameter makes the
/// declaration name nothing, which stops the import, naming the operation and the key.
#[test]
fn a_paging_declaration_upstream_no_longer_matches_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut changed = upstream();
    for parameter in changed["paths"]["/api/syncs"]["get"]["parameters"]
        .as_array_mut()
        .unwrap()
    {
        if parameter["name"] == "page_token" {
            parameter["name"] = "cursor".into();
        }
    }
    let output = import_into(dir.path(), &changed);
    assert_eq!(output.status.code(), Some(1));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains(
            "paths.\"/api/syncs\".get.x-polytomic-paging: next: the operation has no query parameter \
             `page_token`"
        ),
        "{message}"
    );
    assert!(!dir.path().join("spec.yaml").exists(), "nothing written");
}

#[test]
fn json_with_escaped_surrogate_pairs_imports_like_utf8() {
    // Python's json.dump and many tools write 🚧 as "\ud83d\udea7", which YAML parsers reject.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(xtask::DEFAULT_UPSTREAM)).unwrap();
    assert!(text.contains('🚧'));
    let escaped = dir.path().join("escaped.json");
    std::fs::write(&escaped, text.replace('🚧', "\\ud83d\\udea7")).unwrap();
    let out = dir.path().join("spec.yaml");
    let output = xtask(&[
        "import",
        escaped.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let body = |text: &str| text.lines().skip(2).collect::<Vec<_>>().join("\n");
    let committed = std::fs::read_to_string(root().join(xtask::DEFAULT_SPEC)).unwrap();
    assert_eq!(
        body(&std::fs::read_to_string(out).unwrap()),
        body(&committed)
    );
}

/// A new upstream resource needs no overlay edit: its operations are named by the rule. Two operations that
/// would share a name stop the import, naming both.
#[test]
fn new_operations_are_named_by_rule_and_collisions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut changed = upstream();
    let mut list = changed["paths"]["/api/webhooks"]["get"].clone();
    list["operationId"] = json!("list");
    list["tags"] = json!(["subpackage_widgets"]);
    changed["paths"]["/api/widgets"] = json!({"get": list.clone()});
    let output = import_into(dir.path(), &changed);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let spec: Value =
        serde_yaml::from_str(&std::fs::read_to_string(dir.path().join("spec.yaml")).unwrap())
            .unwrap();
    assert_eq!(
        spec["paths"]["/api/widgets"]["get"]["operationId"],
        "list_widgets"
    );

    changed["paths"]["/api/widgets/again"] = json!({"get": list});
    let output = import_into(dir.path(), &changed);
    assert_eq!(output.status.code(), Some(1));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains(
            "GET /api/widgets and GET /api/widgets/again would both be named `list_widgets`"
        ),
        "{message}"
    );
}
