//! The `Deserialize` that `cargo xtask generate` writes for every open object
//! (`xtask/src/generate/open_objects.rs`) against serde's derive, which it replaces, on four structs that
//! carry every attribute the pass reads: for 3,000 random JSON objects per struct (each field absent, once
//! or twice, with a right or a random value of any JSON kind, and properties the document does not name)
//! and a few inputs that are not objects, both give the same value or the same error message, read from a
//! `&str`, from bytes, from a reader and from a `serde_json::Value`.

#[path = "open_objects/reference.rs"]
mod reference;

use crate::read_generated::module_items;

use polytomic::types;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Values of every JSON kind, some of them right for some field: each is tried in each field.
const VALUES: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-7",
    "1.5",
    "\"\"",
    "\"a \\\"quoted\\\" \\u00fc\"",
    "\"0b6c2d3e-1f0a-4e5b-9c8d-7a6b5c4d3e2f\"",
    "[]",
    "[\"0b6c2d3e-1f0a-4e5b-9c8d-7a6b5c4d3e2f\"]",
    "[\"x\", \"y\"]",
    "[1]",
    "{}",
    "{\"nested\": [1, {\"a\": null}]}",
];

/// Property names the document does not name, one of them a field's name in other case.
const UNKNOWN: &[&str] = &["added_in_2026", "Type", "extra", ""];

/// A small deterministic generator (xorshift), so that a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A JSON object as text (so that a property can repeat): each field absent, once or twice, with a value
/// right for it half the time.
fn object(fields: &[(&str, &str)], rng: &mut Rng) -> String {
    let mut members = Vec::new();
    for (field, right) in fields {
        for _ in 0..[0, 1, 1, 1, 1, 1, 2][rng.below(7)] {
            let value = match rng.below(2) {
                0 => right,
                _ => VALUES[rng.below(VALUES.len())],
            };
            members.push(format!("\"{field}\": {value}"));
        }
    }
    for _ in 0..rng.below(3) {
        let name = UNKNOWN[rng.below(UNKNOWN.len())];
        members.push(format!("\"{name}\": {}", VALUES[rng.below(VALUES.len())]));
    }
    // Shuffle, so a repeated or unknown property comes anywhere.
    for i in (1..members.len()).rev() {
        members.swap(i, rng.below(i + 1));
    }
    format!("{{{}}}", members.join(", "))
}

/// What decoding gives, comparable across the two types: the value encoded again, or the error; from a
/// `&str`, from bytes, from a reader, and from the `serde_json::Value` the text parses to (if it does).
fn outcome<T: DeserializeOwned + Serialize>(json: &str) -> Vec<Result<serde_json::Value, String>> {
    fn encoded<T: Serialize>(
        value: Result<T, serde_json::Error>,
    ) -> Result<serde_json::Value, String> {
        value
            .map(|value| serde_json::to_value(value).expect("a decoded value encodes"))
            .map_err(|e| e.to_string())
    }
    let mut ways = vec![
        encoded(serde_json::from_str::<T>(json)),
        encoded(serde_json::from_slice::<T>(json.as_bytes())),
        encoded(serde_json::from_reader::<_, T>(json.as_bytes())),
    ];
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(json) {
        ways.push(encoded(serde_json::from_value::<T>(value)));
    }
    ways
}

fn same_as_serde<Generated, Derived>(fields: &[(&str, &str)], seed: u64) -> usize
where
    Generated: DeserializeOwned + Serialize,
    Derived: DeserializeOwned + Serialize,
{
    let mut rng = Rng(seed);
    let mut inputs: Vec<String> = ["[]", "\"x\"", "null", "7", "{}", "{\"a\": }", "{\"a\": 1"]
        .map(String::from)
        .to_vec();
    inputs.extend((0..3000).map(|_| object(fields, &mut rng)));
    let mut decoded = 0;
    for json in &inputs {
        let generated = outcome::<Generated>(json);
        assert_eq!(
            generated,
            outcome::<Derived>(json),
            "{}: {json}",
            std::any::type_name::<Generated>()
        );
        decoded += usize::from(generated[0].is_ok());
    }
    decoded
}

// One test per struct, so that they run side by side. Each case must reach both sides of the comparison:
// some inputs decode, and most do not.

#[test]
fn policy_action_decodes_as_serde_derive_does() {
    let decoded = same_as_serde::<types::PolicyAction, reference::PolicyAction>(
        &[("action", "\"grant\""), ("role_ids", "[]")],
        1,
    );
    assert!((20..2900).contains(&decoded), "{decoded} decoded");
}

#[test]
fn field_configuration_decodes_as_serde_derive_does() {
    let decoded = same_as_serde::<types::FieldConfiguration, reference::FieldConfiguration>(
        &[("enabled", "false"), ("id", "\"f\""), ("obfuscate", "true")],
        2,
    );
    assert!((20..2900).contains(&decoded), "{decoded} decoded");
}

#[test]
fn start_sync_request_decodes_as_serde_derive_does() {
    let decoded = same_as_serde::<types::StartSyncRequest, reference::StartSyncRequest>(
        &[
            ("identities", "[\"x\"]"),
            ("resync", "true"),
            ("test", "false"),
        ],
        3,
    );
    assert!((20..2900).contains(&decoded), "{decoded} decoded");
}

#[test]
fn user_field_request_decodes_as_serde_derive_does() {
    let decoded = same_as_serde::<types::UserFieldRequest, reference::UserFieldRequest>(
        &[
            ("example", "{}"),
            ("field_id", "\"f\""),
            ("label", "\"F\""),
            ("path", "\"$.a\""),
            ("type", "\"string\""),
        ],
        4,
    );
    assert!((20..2900).contains(&decoded), "{decoded} decoded");
}

/// The reference structs are the generated ones: the same fields, types and `#[serde]` attributes, and the
/// same defaults.
#[test]
fn the_reference_is_the_generated_code() {
    let reference = syn::parse_file(include_str!("open_objects/reference.rs")).unwrap();
    let types = module_items(&client_src(), &["types"]);
    let types: Vec<&syn::Item> = types.iter().collect();
    let fields = |items: &[&syn::Item], name: &str| -> Vec<String> {
        let item = items
            .iter()
            .find_map(|item| match item {
                syn::Item::Struct(s) if s.ident == name => Some(s),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no struct {name}"));
        item.fields
            .iter()
            .map(|field| {
                let serde = field.attrs.iter().filter(|a| a.path().is_ident("serde"));
                let (ident, ty) = (&field.ident, &field.ty);
                // Without the trailing comma prettyplease adds to generics it breaks over lines.
                quote::quote!(#(#serde)* #ident: #ty)
                    .to_string()
                    .replace(" , >", " >")
            })
            .collect()
    };
    let mut structs = 0;
    for item in &reference.items {
        if let syn::Item::Struct(s) = item {
            let name = s.ident.to_string();
            // The generated struct reads through the impl written for it, not serde's derive (else this
            // file would compare the derive with itself).
            let generated = types.iter().find_map(|item| match item {
                syn::Item::Struct(g) if g.ident == name => Some(g),
                _ => None,
            });
            let attrs = generated.map(|g| {
                g.attrs
                    .iter()
                    .filter(|a| a.path().is_ident("derive") || a.path().is_ident("serde"))
                    .map(|a| quote::quote!(#a).to_string())
                    .collect::<Vec<_>>()
            });
            let attrs = attrs.unwrap_or_else(|| panic!("no generated struct {name}"));
            assert!(
                attrs
                    .iter()
                    .all(|a| !a.contains("Deserialize") && !a.starts_with("# [serde")),
                "{name}: {attrs:?}"
            );
            let written = types.iter().any(|item| {
                matches!(item, syn::Item::Impl(i)
                    if i.trait_.as_ref().is_some_and(|(_, t, _)| t.segments.last().is_some_and(|s| s.ident == "Deserialize"))
                    && matches!(&*i.self_ty, syn::Type::Path(p) if p.path.is_ident(&name)))
            });
            assert!(
                written,
                "no `impl Deserialize for {name}` in crates/polytomic/src/generated/"
            );
            assert_eq!(
                fields(&reference.items.iter().collect::<Vec<_>>(), &name),
                fields(&types, &name),
                "tests/integration/tests/it/open_objects/reference.rs is not the generated {name}: copy its \
                 fields from crates/polytomic/src/generated/types/"
            );
            structs += 1;
        }
    }
    assert_eq!(structs, 4);
    let bodies = |items: &[&syn::Item]| -> Vec<(String, String)> {
        items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Fn(f) => Some((f.sig.ident.to_string(), {
                    let block = &f.block;
                    quote::quote!(#block).to_string()
                })),
                _ => None,
            })
            .collect()
    };
    let generated_defaults = bodies(
        &module_items(&client_src(), &["types", "defaults"])
            .iter()
            .collect::<Vec<_>>(),
    );
    for (name, body) in bodies(&items_of(&reference.items, "defaults")) {
        let generated = generated_defaults.iter().find(|(n, _)| *n == name);
        let generated = generated.map(|(_, b)| b.replace(":: std :: option :: Option :: ", ""));
        assert_eq!(generated, Some(body), "defaults::{name}");
    }
}

/// The client's `src/` folder.
fn client_src() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/polytomic/src")
}

/// The items of `mod module` in the reference file.
fn items_of<'a>(items: &'a [syn::Item], module: &str) -> Vec<&'a syn::Item> {
    items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == module => {
                m.content.as_ref().map(|(_, i)| i.iter().collect())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no mod {module}"))
}
