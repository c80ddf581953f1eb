//! A client generated today meets tomorrow's server: what the document does not list must survive a
//! decode. Two rules, each applied where it can be said once:
//! - every object schema with properties gets `additionalProperties: {}` before progenitor sees it, so
//!   typify gives its struct a flattened `extra` map that keeps the properties the document does not name
//!   (its builder then starts that map empty instead of demanding it, and the struct keeps `Default` when
//!   every other field has a default, as typify gives it without the map);
//! - every string enum gets a last variant `Unknown(String)`, `#[serde(untagged)]`, that keeps a value the
//!   document does not list and displays, encodes and parses back to it. typify has no such option, so
//!   this is a pass over progenitor's syntax tree.
//!
//! Both passes count what they change and refuse, naming the item, when a target is not where progenitor
//! 0.15 puts it.

use openapiv3::{AdditionalProperties, OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
use syn::punctuated::Punctuated;
use syn::{Expr, Fields, ImplItem, Item, Token};

use super::schemas::for_each_schema;
use super::tree::{derives, drop_derive, module, serde_metas};

/// The name of the catch-all variant (unless an enum already lists a value of that name).
const UNKNOWN: &str = "Unknown";

/// Gives every object schema that names properties and says nothing of others an empty
/// `additionalProperties` schema (typify's cue for a flattened `extra` map). Returns how many it changed.
pub fn keep_unknown_properties(spec: &mut OpenAPI) -> usize {
    let mut changed = 0;
    for_each_schema(spec, &mut |schema| {
        let SchemaKind::Type(Type::Object(object)) = &mut schema.schema_kind else {
            return;
        };
        let open = matches!(
            object.additional_properties,
            None | Some(AdditionalProperties::Any(true))
        );
        if open && !object.properties.is_empty() {
            // `{}`: any value. (`true` would say the same, but typify reads it as "ignore them".)
            let any = Schema {
                schema_data: Default::default(),
                schema_kind: SchemaKind::Any(Default::default()),
            };
            object.additional_properties = Some(AdditionalProperties::Schema(Box::new(
                ReferenceOr::Item(any),
            )));
            changed += 1;
        }
    });
    changed
}

/// How many string enum schemas `spec` has (each becomes a Rust enum to open).
pub fn string_enums(spec: &mut OpenAPI) -> usize {
    let mut count = 0;
    for_each_schema(spec, &mut |schema| {
        if let SchemaKind::Type(Type::String(string)) = &schema.schema_kind
            && !string.enumeration.is_empty()
        {
            count += 1;
        }
    });
    count
}

/// In the client's `types` module: the catch-all variant on every string enum, and every builder's
/// `extra` starting empty. `opened_objects` and `string_enums` say how many object schemas
/// [`keep_unknown_properties`] changed and how many string enums the spec has: when there are some, and
/// nothing in the output answers to them, the pass refuses. Returns (enums opened, builders changed).
pub fn open_types(
    file: &mut syn::File,
    opened_objects: usize,
    string_enums: usize,
) -> Result<(usize, usize), String> {
    let types = module(&mut file.items, "types")?;
    let enums = open_enums(types)?;
    if enums == 0 && string_enums > 0 {
        return Err(format!(
            "the spec has {string_enums} string enums, but no string enum was found in progenitor's \
             `types` (typify 0.8 writes unit-variant enums deriving Deserialize): nothing keeps unknown values"
        ));
    }
    keep_default(types)?;
    let structs_with_extra = types
        .iter()
        .filter(|item| matches!(item, Item::Struct(s) if has_extra(&s.fields)))
        .count();
    if opened_objects > 0 && structs_with_extra == 0 {
        return Err(format!(
            "{opened_objects} object schemas were given `additionalProperties: {{}}`, but no type in \
             progenitor's `types` has a flattened `extra` map (xtask/src/generate/lossless.rs handles typify 0.8)"
        ));
    }
    let builders = extra_starts_empty(module(types, "builder")?)?;
    if builders != structs_with_extra {
        return Err(format!(
            "{structs_with_extra} types keep unknown properties in `extra`, but {builders} of their \
             builders were found to start it empty (xtask/src/generate/lossless.rs handles typify 0.8)"
        ));
    }
    Ok((enums, builders))
}

pub(super) fn has_extra(fields: &Fields) -> bool {
    fields.iter().any(|field| {
        field.ident.as_ref().is_some_and(|i| i == "extra") && has_serde(&field.attrs, "flatten")
    })
}

/// `#[serde(..word..)]` among `attrs`.
fn has_serde(attrs: &[syn::Attribute], word: &str) -> bool {
    serde_metas(attrs).iter().any(|m| m.path().is_ident(word))
}

/// A string enum as typify writes it: unit variants only, deserialized by serde, not untagged as a whole.
fn is_string_enum(item: &syn::ItemEnum) -> bool {
    !item.variants.is_empty()
        && item
            .variants
            .iter()
            .all(|v| matches!(v.fields, Fields::Unit))
        && derives(&item.attrs).iter().any(|d| d == "Deserialize")
        && !has_serde(&item.attrs, "untagged")
}

fn open_enums(types: &mut [Item]) -> Result<usize, String> {
    let mut opened: Vec<(String, String)> = Vec::new();
    for item in types.iter_mut() {
        let Item::Enum(item) = item else { continue };
        if !is_string_enum(item) {
            continue;
        }
        let taken = |name: &str| item.variants.iter().any(|v| v.ident == name);
        let variant = [UNKNOWN, "UnknownValue", "UnlistedValue"]
            .into_iter()
            .find(|name| !taken(name))
            .ok_or_else(|| format!("enum {}: no free name for its catch-all", item.ident))?;
        let ident = syn::Ident::new(variant, proc_macro2::Span::call_site());
        // `String` is not `Copy`.
        drop_derive(&mut item.attrs, "Copy").map_err(|e| format!("enum {}: {e}", item.ident))?;
        item.variants.push(syn::parse_quote! {
            /// A value this client's document does not list, kept as the server sent it.
            #[serde(untagged)]
            // The JSON Schema says what the document says (schemars 0.8 would misread `untagged` here).
            #[cfg_attr(feature = "schemars", schemars(skip))]
            #ident(::std::string::String)
        });
        opened.push((item.ident.to_string(), variant.to_string()));
    }
    for (name, variant) in &opened {
        let ident = syn::Ident::new(variant, proc_macro2::Span::call_site());
        let display = method_of(types, "Display", name, "fmt")?;
        tail_match(display, name, "Display::fmt")?
            .arms
            .push(syn::parse_quote!(Self::#ident(ref value) => f.write_str(value),));
        let from_str = method_of(types, "FromStr", name, "from_str")?;
        let arms = &mut tail_match(from_str, name, "FromStr::from_str")?.arms;
        let wildcard = arms
            .iter_mut()
            .find(|arm| matches!(arm.pat, syn::Pat::Wild(_)))
            .ok_or_else(|| {
                format!("enum {name}: FromStr::from_str has no `_` arm to accept new values")
            })?;
        *wildcard.body = syn::parse_quote!(Ok(Self::#ident(value.to_string())));
    }
    Ok(opened.len())
}

/// The body of `fn method` in `impl .. trait_name for type_name`.
fn method_of<'a>(
    items: &'a mut [Item],
    trait_name: &str,
    type_name: &str,
    method: &str,
) -> Result<&'a mut syn::Block, String> {
    items
        .iter_mut()
        .filter_map(|item| match item {
            Item::Impl(block) => Some(block),
            _ => None,
        })
        .filter(|block| {
            let names_trait = block.trait_.as_ref().is_some_and(|(_, path, _)| {
                path.segments.last().is_some_and(|s| s.ident == trait_name)
            });
            let for_type =
                matches!(&*block.self_ty, syn::Type::Path(p) if p.path.is_ident(type_name));
            names_trait && for_type
        })
        .flat_map(|block| block.items.iter_mut())
        .find_map(|member| match member {
            ImplItem::Fn(f) if f.sig.ident == method => Some(&mut f.block),
            _ => None,
        })
        .ok_or_else(|| format!("enum {type_name}: no `impl {trait_name}` with `fn {method}`"))
}

/// The `match` a function body ends with.
fn tail_match<'a>(
    block: &'a mut syn::Block,
    type_name: &str,
    what: &str,
) -> Result<&'a mut syn::ExprMatch, String> {
    match block.stmts.last_mut() {
        Some(syn::Stmt::Expr(Expr::Match(m), None)) => Ok(m),
        _ => Err(format!(
            "enum {type_name}: {what} does not end with a `match`"
        )),
    }
}

/// `extra: Err("no value supplied for extra"..)` in a builder's `Default` becomes an empty map.
fn extra_starts_empty(builders: &mut [Item]) -> Result<usize, String> {
    let mut changed = 0;
    for item in builders {
        let Item::Impl(block) = item else { continue };
        let is_default = block
            .trait_
            .as_ref()
            .is_some_and(|(_, path, _)| path.segments.last().is_some_and(|s| s.ident == "Default"));
        if !is_default {
            continue;
        }
        for member in &mut block.items {
            let ImplItem::Fn(f) = member else { continue };
            let Some(syn::Stmt::Expr(Expr::Struct(value), None)) = f.block.stmts.last_mut() else {
                continue;
            };
            for field in &mut value.fields {
                let syn::Member::Named(name) = &field.member else {
                    continue;
                };
                if name == "extra"
                    && matches!(&field.expr, Expr::Call(c) if is_path(&c.func, "Err"))
                {
                    field.expr = syn::parse_quote!(Ok(Default::default()));
                    changed += 1;
                }
            }
        }
    }
    Ok(changed)
}

fn is_path(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Path(p) if p.path.is_ident(name))
}

/// The default serde gives a field: `Some(None)` for `#[serde(default)]` and optional `Option`s
/// (`Default::default()`),
/// `Some(Some(path))` for `#[serde(default = "path")]`; `None` when it has none.
fn serde_default(field: &syn::Field) -> Option<Option<syn::Path>> {
    let mut found = None;
    for meta in serde_metas(&field.attrs) {
        match meta {
            syn::Meta::Path(p) if p.is_ident("default") => {
                found = Some(None);
            }
            // An optional `Option` (typify leaves `default` to serde, which gives `None`).
            syn::Meta::NameValue(nv)
                if nv.path.is_ident("skip_serializing_if")
                    && matches!(&nv.value, Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. })
                        if s.value() == "::std::option::Option::is_none") =>
            {
                found = found.or(Some(None));
            }
            syn::Meta::NameValue(nv) if nv.path.is_ident("default") => {
                let Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(path),
                    ..
                }) = &nv.value
                else {
                    return None;
                };
                found = Some(Some(path.parse().ok()?));
            }
            _ => {}
        }
    }
    found
}

/// typify gives a struct `Default` when every field has a default; its `extra` map has none in typify's
/// eyes, so the structs that have one get `Default` back here: derived when every default is
/// `Default::default()` (as typify would), written out otherwise. Returns how many.
fn keep_default(types: &mut Vec<Item>) -> Result<usize, String> {
    let implemented: Vec<String> = types
        .iter()
        .filter_map(|item| match item {
            Item::Impl(block)
                if block.trait_.as_ref().is_some_and(|(_, path, _)| {
                    path.segments.last().is_some_and(|s| s.ident == "Default")
                }) =>
            {
                match &*block.self_ty {
                    syn::Type::Path(p) => p.path.get_ident().map(|i| i.to_string()),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect();
    let mut impls: Vec<(usize, Item)> = Vec::new();
    for (at, item) in types.iter_mut().enumerate() {
        let Item::Struct(item) = item else { continue };
        if !has_extra(&item.fields)
            || implemented.contains(&item.ident.to_string())
            || derives(&item.attrs).iter().any(|d| d == "Default")
        {
            continue;
        }
        let mut values = Vec::new();
        for field in &item.fields {
            let Some(name) = &field.ident else { continue };
            let value = if name == "extra" {
                Some(None)
            } else {
                serde_default(field)
            };
            match value {
                Some(value) => values.push((name.clone(), value)),
                None => break,
            }
        }
        if values.len() != item.fields.len() {
            continue;
        }
        if values.iter().all(|(_, value)| value.is_none()) {
            let derive = item
                .attrs
                .iter_mut()
                .find(|a| a.path().is_ident("derive"))
                .ok_or_else(|| format!("struct {}: no derive to add Default to", item.ident))?;
            let mut paths: Vec<syn::Path> = derive
                .parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
                .map_err(|e| format!("struct {}: unreadable derive: {e}", item.ident))?
                .into_iter()
                .collect();
            paths.push(syn::parse_quote!(Default));
            *derive = syn::parse_quote!(#[derive(#(#paths),*)]);
        } else {
            let ident = &item.ident;
            let (names, exprs): (Vec<_>, Vec<Expr>) = values
                .into_iter()
                .map(|(name, path)| match path {
                    Some(path) => (name, syn::parse_quote!(#path())),
                    None => (name, syn::parse_quote!(Default::default())),
                })
                .unzip();
            impls.push((
                at + 1,
                syn::parse_quote! {
                    impl ::std::default::Default for #ident {
                        fn default() -> Self {
                            Self { #(#names: #exprs),* }
                        }
                    }
                },
            ));
        }
    }
    let count = impls.len();
    // Each beside its struct; from the last, so the earlier places stay where they were.
    for (at, item) in impls.into_iter().rev() {
        types.insert(at, item);
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    /// progenitor's client for a small spec: keyword, camelCase and digit-first property names, an enum
    /// that already lists `unknown`, non-ASCII text beside what is rewritten, and a `default`.
    fn client() -> (usize, syn::File) {
        let mut spec: openapiv3::OpenAPI = serde_yaml::from_str(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n\
             \x20 /a:\n    get:\n      operationId: get_a\n      responses:\n\
             \x20       '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}\n\
             components:\n  schemas:\n\
             \x20   A:\n      description: Ünïcödé — beside the rewrites\n      type: object\n\
             \x20     properties: {type: {type: string}, camelCase: {type: integer}, 1st: {type: boolean, default: true}, kind: {$ref: '#/components/schemas/K'}}\n\
             \x20   K: {type: string, description: 'Größe', enum: [x, unknown, Ünï]}\n\
             \x20   M: {type: object, additionalProperties: {type: string}}\n\
             \x20   Closed: {type: object, properties: {a: {type: string}}, additionalProperties: false}\n",
        )
        .unwrap();
        // A and its inline parts; not the map M, not Closed.
        let changed = super::keep_unknown_properties(&mut spec);
        let tokens = progenitor::Generator::new(&super::super::settings())
            .generate_tokens(&spec)
            .unwrap();
        (changed, syn::parse2(tokens).unwrap())
    }

    #[test]
    fn objects_keep_unknown_properties_and_enums_unknown_values() {
        let (changed, mut file) = client();
        assert_eq!(changed, 1);
        assert_eq!(super::open_types(&mut file, changed, 1), Ok((1, 1)));
        let text = prettyplease::unparse(&file);
        // `unknown` is a listed value, so the catch-all takes the next name.
        for expected in [
            "#[serde(flatten)]\n        pub extra: ::serde_json::Map<",
            "#[serde(untagged)]",
            "UnknownValue(::std::string::String)",
            "Self::UnknownValue(ref value) => f.write_str(value)",
            "_ => Ok(Self::UnknownValue(value.to_string()))",
            "extra: Ok(Default::default())",
            "pub type_: ::std::option::Option<::std::string::String>",
            "pub camel_case: ::std::option::Option<i64>",
            "Ünïcödé",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        assert!(!text.contains("Copy"), "{text}");
        assert!(!text.contains("invalid value"), "{text}");
        assert!(
            text.contains("#[serde(deny_unknown_fields)]"),
            "Closed stays closed"
        );
        // A's `1st` has a default that is not `Default::default()`: Default is written out, beside A.
        let a_default = text
            .find("impl ::std::default::Default for A")
            .expect("A keeps Default");
        let b_struct = text.find("pub struct Closed").unwrap();
        assert!(a_default < b_struct, "the impl follows its struct\n{text}");
    }

    #[test]
    fn a_second_run_or_a_missing_target_is_refused_naming_it() {
        let (_, mut file) = client();
        super::open_types(&mut file, 1, 1).unwrap();
        let error = super::open_types(&mut file, 1, 1).unwrap_err();
        assert!(error.contains("no string enum was found"), "{error}");

        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, Clone, Copy)]
                pub enum K { #[serde(rename = "x")] X }
                impl ::std::str::FromStr for K {
                    type Err = ();
                    fn from_str(value: &str) -> Result<Self, ()> { match value { "x" => Ok(Self::X), _ => Err(()) } }
                }
                pub mod builder {}
            }
        };
        let error = super::open_types(&mut file, 0, 1).unwrap_err();
        assert_eq!(error, "enum K: no `impl Display` with `fn fmt`");

        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize)]
                pub struct S { #[serde(flatten)] pub extra: ::serde_json::Map<String, Value> }
                #[derive(::serde::Deserialize)]
                pub enum K { X }
                impl ::std::fmt::Display for K {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { match *self { Self::X => f.write_str("x") } }
                }
                impl ::std::str::FromStr for K {
                    type Err = ();
                    fn from_str(value: &str) -> Result<Self, ()> { match value { "x" => Ok(Self::X), _ => Err(()) } }
                }
                pub mod builder {}
            }
        };
        let error = super::open_types(&mut file, 1, 1).unwrap_err();
        assert!(
            error.starts_with("1 types keep unknown properties in `extra`, but 0"),
            "{error}"
        );
        // Objects given `extra` in the spec but none in the output: refused.
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize)]
                pub struct S { pub a: String }
                pub mod builder {}
            }
        };
        let error = super::open_types(&mut file, 3, 0).unwrap_err();
        assert!(error.starts_with("3 object schemas were given"), "{error}");
        assert_eq!(super::open_types(&mut file, 0, 0), Ok((0, 0)));
    }
}
