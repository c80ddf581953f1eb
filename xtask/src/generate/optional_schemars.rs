//! `schemars::JsonSchema` only for those who ask (the client's `schemars` feature). typify derives it on
//! every type it generates when told to (`with_derive`), and the derives cost every build of the client
//! about a quarter of its compile time (BENCHMARKS.md, "What a downstream build pays"). typify has no
//! setting for a conditional derive, so two passes over progenitor's syntax tree:
//! - in the client, each `#[derive(.., schemars::JsonSchema)]` loses it and gains
//!   `#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]`;
//! - in the CLI, the `T: schemars::JsonSchema` bounds of `CliConfig` go: they serve no purpose there, and
//!   the CLI then builds without schemars.
//!
//! Both count what they change and refuse when their target is missing, naming the item.

use syn::punctuated::Punctuated;
use syn::{Attribute, Item, Token};

/// The feature (of the client crate) that brings the derive back.
const FEATURE: &str = "schemars";

/// The client's every derive of `schemars::JsonSchema` made conditional on the feature; the number of
/// types changed. Refuses when a type that derives `Deserialize` does not derive `JsonSchema` (typify
/// changed how it derives: look at `settings` in generate.rs), or when no type does.
pub fn make_optional(file: &mut syn::File) -> Result<usize, String> {
    let mut changed = 0;
    let mut missing = Vec::new();
    for_each_type(&mut file.items, &mut |name, attrs| {
        let mut found = false;
        let mut deserialize = false;
        for at in 0..attrs.len() {
            let Some(mut paths) = derives(&attrs[at]) else {
                continue;
            };
            deserialize |= paths.iter().any(|p| ends_with(p, "Deserialize"));
            let before = paths.len();
            paths = paths.into_iter().filter(|p| !is_json_schema(p)).collect();
            if paths.len() == before {
                continue;
            }
            found = true;
            attrs[at] = syn::parse_quote!(#[derive(#paths)]);
            let feature = FEATURE;
            attrs.insert(
                at + 1,
                syn::parse_quote!(#[cfg_attr(feature = #feature, derive(schemars::JsonSchema))]),
            );
            break;
        }
        if found {
            changed += 1;
        } else if deserialize {
            missing.push(name.to_string());
        }
    });
    if let Some(first) = missing.first() {
        return Err(format!(
            "progenitor's client: {} type(s) derive Deserialize but not schemars::JsonSchema, first `{first}` \
             (xtask/src/generate/optional_schemars.rs expects typify to derive it on every type)",
            missing.len()
        ));
    }
    if changed == 0 {
        return Err(
            "progenitor's client derives schemars::JsonSchema on no type \
                    (xtask/src/generate/optional_schemars.rs expects it on every type)"
                .into(),
        );
    }
    Ok(changed)
}

/// The CLI without its `T: schemars::JsonSchema` bounds; the number removed. Refuses when there are none
/// (progenitor's `CliConfig` changed: look at its `cli.rs`).
pub fn drop_bounds(file: &mut syn::File) -> Result<usize, String> {
    let mut removed = 0;
    for item in &mut file.items {
        let Item::Trait(item) = item else { continue };
        for member in &mut item.items {
            let syn::TraitItem::Fn(function) = member else {
                continue;
            };
            let Some(clause) = &mut function.sig.generics.where_clause else {
                continue;
            };
            for predicate in &mut clause.predicates {
                let syn::WherePredicate::Type(predicate) = predicate else {
                    continue;
                };
                let before = predicate.bounds.len();
                predicate.bounds = std::mem::take(&mut predicate.bounds)
                    .into_iter()
                    .filter(
                        |b| !matches!(b, syn::TypeParamBound::Trait(t) if is_json_schema(&t.path)),
                    )
                    .collect();
                removed += before - predicate.bounds.len();
            }
        }
    }
    if removed == 0 {
        return Err(
            "progenitor's CLI has no `schemars::JsonSchema` bound to remove from its traits \
             (xtask/src/generate/optional_schemars.rs handles progenitor 0.15's `CliConfig`)"
                .into(),
        );
    }
    Ok(removed)
}

/// Calls `f` with the name and attributes of every struct and enum in `items`, in nested modules too.
fn for_each_type(items: &mut [Item], f: &mut impl FnMut(&syn::Ident, &mut Vec<Attribute>)) {
    for item in items {
        match item {
            Item::Struct(s) => f(&s.ident, &mut s.attrs),
            Item::Enum(e) => f(&e.ident, &mut e.attrs),
            Item::Mod(m) => {
                if let Some((_, items)) = &mut m.content {
                    for_each_type(items, f);
                }
            }
            _ => {}
        }
    }
}

/// The paths in a `#[derive(..)]`; `None` for any other attribute.
fn derives(attr: &Attribute) -> Option<Punctuated<syn::Path, Token![,]>> {
    if !attr.path().is_ident("derive") {
        return None;
    }
    attr.parse_args_with(Punctuated::parse_terminated).ok()
}

fn ends_with(path: &syn::Path, name: &str) -> bool {
    path.segments.last().is_some_and(|s| s.ident == name)
}

/// `schemars::JsonSchema`, with or without a leading `::`.
fn is_json_schema(path: &syn::Path) -> bool {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    names == ["schemars", "JsonSchema"]
}

#[cfg(test)]
mod tests {
    fn rendered(file: &syn::File) -> String {
        prettyplease::unparse(file)
    }

    #[test]
    fn the_client_derives_json_schema_only_with_the_feature() {
        let spec: openapiv3::OpenAPI = serde_yaml::from_str(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n\
             \x20 /a:\n    get:\n      operationId: get_a\n      responses:\n\
             \x20       '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}\n\
             components:\n  schemas:\n\
             \x20   A: {type: object, properties: {type: {type: string}, kind: {$ref: '#/components/schemas/K'}}}\n\
             \x20   K: {type: string, enum: [x, y]}\n",
        )
        .unwrap();
        let tokens = progenitor::Generator::new(&super::super::settings())
            .generate_tokens(&spec)
            .unwrap();
        let mut file: syn::File = syn::parse2(tokens).unwrap();
        assert_eq!(super::make_optional(&mut file), Ok(2));
        let text = rendered(&file);
        assert_eq!(
            text.matches("#[cfg_attr(feature = \"schemars\", derive(schemars::JsonSchema))]")
                .count(),
            2,
            "{text}"
        );
        assert_eq!(text.matches("JsonSchema").count(), 2, "{text}");
        // Run again: nothing is left to change, and every type now lacks the unconditional derive.
        let error = super::make_optional(&mut file).unwrap_err();
        assert!(
            error.contains("2 type(s) derive Deserialize but not"),
            "{error}"
        );
        assert!(error.contains("first `A`"), "{error}");
    }

    #[test]
    fn a_client_without_the_derive_is_refused() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(Clone)]
                pub struct Plain;
            }
        };
        let error = super::make_optional(&mut file).unwrap_err();
        assert!(error.contains("on no type"), "{error}");
    }

    #[test]
    fn the_cli_loses_its_json_schema_bounds_and_keeps_the_others() {
        let spec: openapiv3::OpenAPI = serde_yaml::from_str(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n\
             \x20 /a:\n    get: {operationId: get_a, responses: {'200': {description: ok}}}\n",
        )
        .unwrap();
        let tokens = progenitor::Generator::new(&super::super::settings())
            .cli(&spec, "polytomic::generated")
            .unwrap();
        let mut file: syn::File = syn::parse2(tokens).unwrap();
        let before = rendered(&file).matches("schemars::JsonSchema").count();
        assert!(before > 0);
        assert_eq!(super::drop_bounds(&mut file), Ok(before));
        let text = rendered(&file);
        assert!(!text.contains("schemars"), "{text}");
        assert!(
            text.contains("T: serde::Serialize + std::fmt::Debug"),
            "{text}"
        );
        let error = super::drop_bounds(&mut file).unwrap_err();
        assert!(error.contains("no `schemars::JsonSchema` bound"), "{error}");
    }
}
