//! The shape of every generated public type, as its JSON Schema (from the `schemars::JsonSchema` derive the
//! xtask adds). A spec change to a schema shows up as a diff in that one type's snapshot.

use polytomic::RoleIds;
use polytomic::types::*;

/// Every generated schema type, by name: the list is generated with the client (`cargo xtask generate`
/// writes `types/generated.rs`), so a type the spec adds gets its snapshot without a hand edit.
fn shapes() -> Vec<(&'static str, schemars::schema::RootSchema)> {
    macro_rules! shapes {
        ($($ty:ident),* $(,)?) => { vec![$((stringify!($ty), schemars::schema_for!($ty))),*] };
    }
    let mut shapes = include!("types/generated.rs");
    // Hand-written (crates/polytomic/src/role_ids.rs): the spec's RoleIds, which cannot be empty.
    shapes.push(("RoleIds", schemars::schema_for!(RoleIds)));
    shapes
}

#[test]
fn type_shapes() {
    for (name, schema) in shapes() {
        insta::assert_json_snapshot!(name, schema);
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
fn every_spec_schema_has_a_shape_snapshot() {
    let spec = polytomic_test_support::spec();
    let mut in_spec: Vec<String> = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| normalized(k))
        .collect();
    let mut listed: Vec<String> = shapes().iter().map(|(n, _)| normalized(n)).collect();
    in_spec.sort();
    listed.sort();
    assert_eq!(
        listed, in_spec,
        "update `shapes()` to match components.schemas"
    );
}
