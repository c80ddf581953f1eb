//! typify writes a builder for every struct (`types::builder::X`: the struct, `Default`, a setter per
//! field, `TryFrom` into the type and `From` back, and `X::builder()`). Those of types no request can carry
//! (responses, and what only responses hold) are taken out: nothing in the client, its mocks or its CLI
//! uses them, they were three quarters of the builders and about 40% of the generated client, and every
//! build of a dependent paid for them (BENCHMARKS.md, "What a downstream build pays"). Such a value is
//! built as the README says: the fields it needs and `..Default::default()`, or from JSON.
//!
//! Kept: every type reachable from a request body or a parameter in the spec, and every builder the
//! operations name (`body_map`). A pass over the syntax tree that counts the five items of each builder
//! it removes, and the `builder()` function beside the type, and refuses when one is missing.

use std::collections::BTreeSet;

use serde_json::Value;
use syn::{ImplItem, Item};

use super::tree::module;

/// What a request can carry, from the spec.
#[derive(Debug, Default)]
pub struct Requests {
    /// The schemas reachable from a request body or a parameter (through `$ref`), by name.
    pub schemas: BTreeSet<String>,
    /// How many object schemas (with properties) are not: the types whose builders go.
    pub objects_outside: usize,
}

/// The schemas a request can carry, and how many object schemas it cannot.
pub fn requests(spec: &openapiv3::OpenAPI) -> Result<Requests, String> {
    let doc = serde_json::to_value(spec).map_err(|e| format!("the spec as JSON: {e}"))?;
    let mut roots = BTreeSet::new();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, i)| i)
    {
        for (key, operation) in item.as_object().into_iter().flatten() {
            if key == "parameters" {
                refs(operation, &mut roots);
            } else {
                refs(&operation["requestBody"], &mut roots);
                refs(&operation["parameters"], &mut roots);
            }
        }
    }
    for part in ["parameters", "requestBodies"] {
        refs(&doc["components"][part], &mut roots);
    }
    let schemas = &doc["components"]["schemas"];
    let mut reached = BTreeSet::new();
    let mut next: Vec<String> = roots.into_iter().collect();
    while let Some(name) = next.pop() {
        if reached.insert(name.clone()) {
            let mut found = BTreeSet::new();
            refs(&schemas[&name], &mut found);
            next.extend(found.into_iter().filter(|n| !reached.contains(n)));
        }
    }
    let objects_outside = schemas
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(name, schema)| {
            !reached.contains(*name)
                && schema["properties"]
                    .as_object()
                    .is_some_and(|p| !p.is_empty())
        })
        .count();
    Ok(Requests {
        schemas: reached,
        objects_outside,
    })
}

/// The schema names of every `$ref` to `#/components/schemas/..` inside `node`.
fn refs(node: &Value, out: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value.as_str()) {
                    ("$ref", Some(target)) => {
                        if let Some(name) = target.strip_prefix("#/components/schemas/") {
                            out.insert(name.to_string());
                        }
                    }
                    _ => refs(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// typify's names are the schemas' in Rust case (`APIKeyResponse` is `ApiKeyResponse`): compared loosely.
fn loose(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The builders of types outside `requests` removed from the client; how many. Refuses unless each had
/// its struct, `Default`, setters, `TryFrom`, `From` and `builder()`, and when the spec has object types
/// outside requests but no builder was found for any.
pub fn remove(file: &mut syn::File, requests: &Requests) -> Result<usize, String> {
    let keep_by_spec: BTreeSet<String> = requests.schemas.iter().map(|n| loose(n)).collect();
    // What the operations' builders name (`types::builder::X`), whatever the spec says.
    let mut named = String::new();
    for item in &file.items {
        if matches!(item, Item::Mod(m) if m.ident == "builder") {
            named = quote::ToTokens::to_token_stream(item).to_string();
        }
    }
    let used_by_operations = |name: &str| named.contains(&format!("types :: builder :: {name} "));
    let types = module(&mut file.items, "types")?;
    let builders = module(types, "builder")?;
    let removed: BTreeSet<String> = builders
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => Some(s.ident.to_string()),
            _ => None,
        })
        .filter(|name| !keep_by_spec.contains(&loose(name)) && !used_by_operations(name))
        .collect();
    if removed.is_empty() {
        return match requests.objects_outside {
            0 => Ok(0),
            n => Err(refusal(&format!(
                "no builder found for any of the spec's {n} object types outside requests"
            ))),
        };
    }
    // Each removed builder's five items in `types::builder`.
    let mut counts = std::collections::BTreeMap::<(String, &str), usize>::new();
    builders.retain(|item| match builder_item(item) {
        Some((name, kind)) if removed.contains(&name) => {
            *counts.entry((name, kind)).or_default() += 1;
            false
        }
        _ => true,
    });
    // And `X::builder()` in `types`.
    for item in types.iter_mut() {
        let Item::Impl(block) = item else { continue };
        if block.trait_.is_some() {
            continue;
        }
        let Some(name) = self_name(&block.self_ty).filter(|n| removed.contains(n)) else {
            continue;
        };
        let before = block.items.len();
        block
            .items
            .retain(|m| !matches!(m, ImplItem::Fn(f) if f.sig.ident == "builder"));
        *counts.entry((name, "builder()")).or_default() += before - block.items.len();
    }
    types.retain(|item| !matches!(item, Item::Impl(b) if b.trait_.is_none() && b.items.is_empty()));
    for name in &removed {
        for kind in [
            "struct",
            "Default",
            "setters",
            "TryFrom",
            "From",
            "builder()",
        ] {
            let found = counts.get(&(name.clone(), kind)).copied().unwrap_or(0);
            if found != 1 {
                return Err(refusal(&format!(
                    "{found} `{kind}` item(s) for the builder of `{name}` where 1 was expected"
                )));
            }
        }
    }
    Ok(removed.len())
}

fn refusal(what: &str) -> String {
    format!(
        "progenitor's `types::builder`: {what} (xtask/src/generate/response_builders.rs handles typify 0.8)"
    )
}

/// Which builder `item` belongs to, and what it is of the five.
fn builder_item(item: &Item) -> Option<(String, &'static str)> {
    match item {
        Item::Struct(s) => Some((s.ident.to_string(), "struct")),
        Item::Impl(block) => {
            let Some((_, path, _)) = &block.trait_ else {
                return self_name(&block.self_ty).map(|n| (n, "setters"));
            };
            let last = path.segments.last()?;
            match last.ident.to_string().as_str() {
                "Default" => self_name(&block.self_ty).map(|n| (n, "Default")),
                // `TryFrom<X> for super::X` and `From<super::X> for X`: the builder is the argument of the
                // first, the implementing type of the second.
                "TryFrom" => trait_argument(last).map(|n| (n, "TryFrom")),
                "From" => self_name(&block.self_ty).map(|n| (n, "From")),
                _ => None,
            }
        }
        _ => None,
    }
}

fn self_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn trait_argument(segment: &syn::PathSegment) -> Option<String> {
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(ty) => self_name(ty),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    const SPEC: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n\
        paths:\n  /a:\n    post:\n      operationId: post_a\n\
        \x20     requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Request'}}}}\n\
        \x20     responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Response'}}}}}\n\
        components:\n  schemas:\n\
        \x20   Request: {type: object, properties: {inner: {$ref: '#/components/schemas/Inner'}}}\n\
        \x20   Inner: {type: object, properties: {a: {type: string}}}\n\
        \x20   Response: {type: object, properties: {b: {type: string}, c: {$ref: '#/components/schemas/Held'}}}\n\
        \x20   Held: {type: object, properties: {d: {type: string}}}\n";

    fn generated() -> (openapiv3::OpenAPI, syn::File) {
        super::super::progenitor_client(SPEC)
    }

    #[test]
    fn builders_of_what_only_responses_hold_go_and_those_of_requests_stay() {
        let (spec, mut file) = generated();
        let requests = super::requests(&spec).unwrap();
        assert_eq!(
            requests.schemas.iter().collect::<Vec<_>>(),
            ["Inner", "Request"]
        );
        assert_eq!(requests.objects_outside, 2);
        let removed = super::remove(&mut file, &requests).unwrap();
        assert_eq!(removed, 2);
        let text = prettyplease::unparse(&file);
        for gone in [
            "builder::Response",
            "builder::Held",
            "struct Response {\n        b:",
        ] {
            assert!(!text.contains(gone), "{gone}: {text}");
        }
        assert!(
            text.contains("pub fn builder() -> builder::Request"),
            "{text}"
        );
        assert!(
            text.contains("pub fn builder() -> builder::Inner"),
            "{text}"
        );
        // The types themselves stay.
        assert!(text.contains("pub struct Response {"), "{text}");
        // Nothing left to remove where the spec says there is: refused.
        let error = super::remove(&mut file, &requests).unwrap_err();
        assert!(
            error.contains("no builder found for any of the spec's 2"),
            "{error}"
        );
        // A builder missing one of its items: refused, naming it.
        let (_, mut file) = generated();
        let types = super::module(&mut file.items, "types").unwrap();
        types.retain(|item| {
            !matches!(item, syn::Item::Impl(b)
            if b.trait_.is_none() && super::self_name(&b.self_ty).as_deref() == Some("Held"))
        });
        let error = super::remove(&mut file, &requests).unwrap_err();
        assert!(
            error.contains("0 `builder()` item(s) for the builder of `Held`"),
            "{error}"
        );
    }

    #[test]
    fn a_builder_an_operation_names_stays_whatever_the_spec_reach() {
        let (_, mut file) = generated();
        // As if nothing were reachable from a request: the body's builder is still named by `post_a`.
        let nothing = super::Requests::default();
        let removed = super::remove(&mut file, &nothing).unwrap();
        let text = prettyplease::unparse(&file);
        assert_eq!(removed, 3, "{text}");
        assert!(
            text.contains("pub fn builder() -> builder::Request"),
            "{text}"
        );
    }
}
