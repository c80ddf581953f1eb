//! The shape of every generated public type, as the Rust that defines it (read off `src/generated.rs` and
//! its parts' files, one snapshot per type). A spec change to a schema shows up as a diff in that one type's snapshot: a new
//! field with its serde attributes, a new enum variant, a reworded doc comment.
//!
//! It reads the source rather than asking the compiled types (schemars, for one, would have to be built
//! into the workspace's client for it, which costs the edit loop time: BENCHMARKS.md), and it lives in the
//! client's own package so that it runs first: `cargo test --workspace` shows a type's diff before the
//! slower tests of the CLI run.

mod read_generated;

/// Every struct and enum of the generated `types` module, and the hand-written `RoleIds` that replaces the
/// spec's, by name, as the code that defines it.
fn shapes() -> Vec<(String, String)> {
    let types = read_generated::module_items(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &["types"],
    );
    let role_ids = syn::parse_file(include_str!("../src/role_ids.rs"))
        .expect("src/role_ids.rs parses")
        .items
        .into_iter()
        .filter(|item| matches!(item, syn::Item::Struct(s) if s.ident == "RoleIds"));
    types
        .into_iter()
        .chain(role_ids)
        .filter_map(|item| {
            let name = match &item {
                syn::Item::Struct(s) => s.ident.to_string(),
                syn::Item::Enum(e) => e.ident.to_string(),
                _ => return None,
            };
            let file = syn::File {
                shebang: None,
                attrs: Vec::new(),
                items: vec![item],
            };
            Some((name, prettyplease::unparse(&file)))
        })
        .collect()
}

#[test]
fn type_shapes() {
    let shapes = shapes();
    assert!(shapes.iter().any(|(name, _)| name == "RoleIds"));
    for (name, shape) in shapes {
        insta::assert_snapshot!(name, shape);
    }
}

/// progenitor renames schemas to Rust style (`APIKeyResponse` becomes `ApiKeyResponse`); compare loosely.
fn normalized(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[test]
fn every_spec_schema_has_a_shape_snapshot_and_every_type_a_schema() {
    let spec: serde_yaml::Value =
        serde_yaml::from_str(include_str!("../../../openapi/polytomic.yaml")).unwrap();
    let mut in_spec: Vec<String> = spec["components"]["schemas"]
        .as_mapping()
        .expect("the spec has components.schemas")
        .keys()
        .filter_map(|k| k.as_str().map(normalized))
        .collect();
    let mut listed: Vec<String> = shapes().iter().map(|(n, _)| normalized(n)).collect();
    in_spec.sort();
    listed.sort();
    assert_eq!(
        listed, in_spec,
        "the generated types and components.schemas"
    );
}
