//! The public Rust API of a generated client, read off its syntax tree, and what changed in it between two
//! specs. This is what `diff`'s verdicts rest on: both sides are generated exactly as `cargo xtask generate`
//! would (progenitor, typify and every pass of ours), so whatever Rust type typify picks for a schema, the
//! verdict follows the code callers compile against.
//!
//! An item is keyed by its path inside the generated module: `types::User` (a type), `types::User.email`
//! (a public field), `types::UserKind::Admin` (a variant), `builder::GetUser::id` (an operation builder's
//! method),
//! `impl Default for types::User` (a trait, derived or written). Its signature is its tokens without
//! bodies, attributes or docs: a changed signature or a removed item breaks callers; an added item breaks
//! them only where Rust's semver rules say so (a field of a struct whose fields are all public breaks
//! struct literals, a variant breaks exhaustive matches, a method of a trait breaks its implementors).

use std::collections::BTreeMap;

use quote::ToTokens;
use syn::{Fields, ImplItem, Item, TraitItem, Visibility};

use crate::generate::tree::json_name;

/// One public item.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiItem {
    pub signature: String,
    /// Why adding this item breaks existing callers, when it does.
    pub addition_breaks: Option<&'static str>,
    /// The key of the item it belongs to (a field's struct), whose own addition or removal says it all.
    pub parent: Option<String>,
    /// The JSON name behind a field or a setter (`serde(rename)`), for pairing with the spec's sentence.
    pub json_name: Option<String>,
}

/// Every public item of a generated file, by key.
pub type Api = BTreeMap<String, ApiItem>;

pub fn api(file: &syn::File) -> Api {
    let mut api = Api::new();
    walk(&file.items, "", &mut api);
    api
}

/// A change of the Rust API.
#[derive(Debug, Clone, PartialEq)]
pub struct RustChange {
    pub key: String,
    /// The path to find the item's schema or operation by: an impl's type, else the item's own key.
    pub owner: String,
    pub breaking: bool,
    pub what: String,
    pub json_name: Option<String>,
}

/// What changed from `old` to `new`, by key. Members of an item added or removed as a whole are not
/// listed again.
pub fn changes(old: &Api, new: &Api) -> Vec<RustChange> {
    let mut out = Vec::new();
    for (key, was) in old {
        match new.get(key) {
            None if !was.parent.as_ref().is_some_and(|p| gone(p, old, new)) => {
                out.push(RustChange {
                    key: key.clone(),
                    owner: owner(key, was),
                    breaking: true,
                    what: format!("removed (was `{}`)", was.signature),
                    json_name: was.json_name.clone(),
                })
            }
            Some(is) if is.signature != was.signature => out.push(RustChange {
                key: key.clone(),
                owner: owner(key, is),
                breaking: true,
                what: format!("changed from `{}` to `{}`", was.signature, is.signature),
                json_name: is.json_name.clone(),
            }),
            _ => {}
        }
    }
    for (key, is) in new {
        if !old.contains_key(key) && !is.parent.as_ref().is_some_and(|p| gone(p, new, old)) {
            let why = is
                .addition_breaks
                .map(|why| format!(" ({why})"))
                .unwrap_or_default();
            out.push(RustChange {
                key: key.clone(),
                owner: owner(key, is),
                breaking: is.addition_breaks.is_some(),
                what: format!("added `{}`{why}", is.signature),
                json_name: is.json_name.clone(),
            });
        }
    }
    out
}

fn owner(key: &str, item: &ApiItem) -> String {
    match &item.parent {
        Some(parent) if key.starts_with("impl ") => parent.clone(),
        _ => key.to_string(),
    }
}

/// Whether the item at `key` is in `from` and not in `to` (its members then go with it, unlisted).
fn gone(key: &str, from: &Api, to: &Api) -> bool {
    from.contains_key(key) && !to.contains_key(key)
}

fn walk(items: &[Item], module: &str, api: &mut Api) {
    let at = |name: &str| {
        if module.is_empty() {
            name.to_string()
        } else {
            format!("{module}::{name}")
        }
    };
    // Items of this module.
    for item in items {
        match item {
            // typify's builders (`types::builder`) have one setter per field of the type, taking the
            // field's type: listing them would say every change twice.
            Item::Mod(m) if module == "types" && m.ident == "builder" => {}
            // A part of a module split for build speed (generate/split_modules.rs): its items are the
            // parent's, re-exported.
            Item::Mod(m) if crate::generate::split_modules::is_part(m) => {
                if let Some((_, inner)) = &m.content {
                    walk(inner, module, api);
                }
            }
            Item::Mod(m) if public(&m.vis) => {
                if let Some((_, inner)) = &m.content {
                    walk(inner, &at(&m.ident.to_string()), api);
                }
            }
            Item::Struct(s) if public(&s.vis) => {
                let key = at(&s.ident.to_string());
                let all_public = s.fields.iter().all(|f| public(&f.vis));
                let signature = match &s.fields {
                    Fields::Named(_) => format!("struct {}{}", s.ident, tokens(&s.generics)),
                    Fields::Unnamed(fields) => {
                        let inner: Vec<String> = fields
                            .unnamed
                            .iter()
                            .map(|f| {
                                if public(&f.vis) {
                                    tokens(&f.ty)
                                } else {
                                    "_".into()
                                }
                            })
                            .collect();
                        format!("struct {}({})", s.ident, inner.join(", "))
                    }
                    Fields::Unit => format!("struct {}", s.ident),
                };
                insert(api, &key, signature, None, None, None);
                if let Fields::Named(fields) = &s.fields {
                    for field in fields.named.iter().filter(|f| public(&f.vis)) {
                        let Some(ident) = &field.ident else { continue };
                        let name = ident.to_string();
                        let json = json_name(field).unwrap_or_else(|| name.clone());
                        insert(
                            api,
                            &format!("{key}.{name}"),
                            tokens(&field.ty),
                            Some(key.clone()),
                            Some(json),
                            all_public.then_some(
                                "a struct literal that names every field stops compiling",
                            ),
                        );
                    }
                }
                derives(api, &key, &s.attrs);
            }
            Item::Enum(e) if public(&e.vis) => {
                let key = at(&e.ident.to_string());
                insert(
                    api,
                    &key,
                    format!("enum {}{}", e.ident, tokens(&e.generics)),
                    None,
                    None,
                    None,
                );
                // A variant pairs with the spec's sentences by its enum's name (`UserKind`: `kind`).
                for variant in &e.variants {
                    insert(
                        api,
                        &format!("{key}::{}", variant.ident),
                        format!("{}{}", variant.ident, tokens(&variant.fields)),
                        Some(key.clone()),
                        None,
                        Some("a match that names every variant stops compiling"),
                    );
                }
                derives(api, &key, &e.attrs);
            }
            Item::Type(t) if public(&t.vis) => {
                let key = at(&t.ident.to_string());
                let signature = format!(
                    "type {}{} = {}",
                    t.ident,
                    tokens(&t.generics),
                    tokens(&t.ty)
                );
                insert(api, &key, signature, None, None, None);
            }
            Item::Fn(f) if public(&f.vis) => {
                let key = at(&f.sig.ident.to_string());
                insert(api, &key, tokens(&f.sig), None, None, None);
            }
            Item::Const(c) if public(&c.vis) => {
                let key = at(&c.ident.to_string());
                insert(
                    api,
                    &key,
                    format!("const {}: {}", c.ident, tokens(&c.ty)),
                    None,
                    None,
                    None,
                );
            }
            Item::Trait(t) if public(&t.vis) => {
                let key = at(&t.ident.to_string());
                insert(
                    api,
                    &key,
                    format!("trait {}{}", t.ident, tokens(&t.generics)),
                    None,
                    None,
                    None,
                );
                for member in &t.items {
                    if let TraitItem::Fn(f) = member {
                        insert(
                            api,
                            &format!("{key}::{}", f.sig.ident),
                            tokens(&f.sig),
                            Some(key.clone()),
                            None,
                            f.default
                                .is_none()
                                .then_some("every implementation must now write it"),
                        );
                    }
                }
            }
            Item::Impl(i) => implementation(api, module, i),
            _ => {}
        }
    }
}

/// `impl Trait for Type` (its associated types are its signature), or the public methods and constants
/// of `impl Type`.
fn implementation(api: &mut Api, module: &str, block: &syn::ItemImpl) {
    let self_type = qualified(module, &block.self_ty);
    match &block.trait_ {
        Some((negative, path, _)) => {
            let negative = if negative.is_some() { "!" } else { "" };
            let key = format!("impl {negative}{} for {self_type}", trait_name(path));
            let associated: Vec<String> = block
                .items
                .iter()
                .filter_map(|member| match member {
                    ImplItem::Type(t) => Some(format!("type {} = {}", t.ident, tokens(&t.ty))),
                    _ => None,
                })
                .collect();
            let signature = if associated.is_empty() {
                "impl".to_string()
            } else {
                associated.join("; ")
            };
            // The type the impl is about: its own, or for a foreign type (`impl From<Code> for String`) the
            // first of ours among the trait's arguments.
            let ours =
                |ty: &syn::Type| matches!(ty, syn::Type::Path(p) if p.path.segments.len() == 1);
            let about = match path.segments.last().map(|s| &s.arguments) {
                _ if ours(&block.self_ty) => None,
                Some(syn::PathArguments::AngleBracketed(args)) => {
                    args.args.iter().find_map(|arg| match arg {
                        syn::GenericArgument::Type(ty) if ours(ty) => Some(qualified(module, ty)),
                        _ => None,
                    })
                }
                _ => None,
            };
            let parent = type_key(about.as_deref().unwrap_or(&self_type));
            insert(api, &key, signature, Some(parent), None, None);
        }
        None => {
            for member in &block.items {
                let (name, signature) = match member {
                    ImplItem::Fn(f) if public(&f.vis) => (f.sig.ident.to_string(), tokens(&f.sig)),
                    ImplItem::Const(c) if public(&c.vis) => (
                        c.ident.to_string(),
                        format!("const {}: {}", c.ident, tokens(&c.ty)),
                    ),
                    _ => continue,
                };
                let parent = type_key(&self_type);
                let key = format!("{parent}::{name}");
                insert(api, &key, signature, Some(parent), Some(name), None);
            }
        }
    }
}

/// A trait as callers name it, the same whether derived or written out: its last segment and its type
/// arguments (`::std::convert::TryFrom<&str>` → `TryFrom<&str>`, `::serde::Deserialize<'de>` →
/// `Deserialize`). typify derives `Default` for some structs and writes it out for others.
fn trait_name(path: &syn::Path) -> String {
    let Some(last) = path.segments.last() else {
        return tokens(path);
    };
    let arguments: Vec<String> = match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter(|arg| !matches!(arg, syn::GenericArgument::Lifetime(_)))
            .map(tokens)
            .collect(),
        _ => Vec::new(),
    };
    if arguments.is_empty() {
        last.ident.to_string()
    } else {
        format!("{}<{}>", last.ident, arguments.join(", "))
    }
}

/// Each `#[derive(..)]` trait of the type at `key`, as `impl Trait for key` (derived and written impls
/// are the same to callers).
fn derives(api: &mut Api, key: &str, attrs: &[syn::Attribute]) {
    for name in crate::generate::tree::derives(attrs) {
        let trait_key = format!("impl {name} for {key}");
        insert(
            api,
            &trait_key,
            "impl".into(),
            Some(key.to_string()),
            None,
            None,
        );
    }
}

fn insert(
    api: &mut Api,
    key: &str,
    signature: String,
    parent: Option<String>,
    json_name: Option<String>,
    addition_breaks: Option<&'static str>,
) {
    let item = ApiItem {
        signature,
        addition_breaks,
        parent,
        json_name,
    };
    api.insert(key.to_string(), item);
}

fn public(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// The implemented type as a key: a bare name (`User`, `GetUser<'a>`) is of this module.
fn qualified(module: &str, ty: &syn::Type) -> String {
    let text = tokens(ty);
    match ty {
        syn::Type::Path(p)
            if p.qself.is_none() && p.path.segments.len() == 1 && !module.is_empty() =>
        {
            format!("{module}::{text}")
        }
        _ => text,
    }
}

/// `types::GetUser<'a>` → `types::GetUser`: the key of the type an impl is for.
fn type_key(self_type: &str) -> String {
    self_type
        .split('<')
        .next()
        .unwrap_or(self_type)
        .trim()
        .to_string()
}

/// Paths typify and progenitor write out in full before types the prelude names (`Option`, `String`,
/// `Vec`, `TryInto`).
const PRELUDE_PATHS: [&str; 5] = [
    "::std::option::",
    "::std::string::",
    "::std::vec::",
    "::std::convert::",
    "std::convert::",
];

/// Tokens as text, spaced as Rust is written (`Option<Vec<String>>`, not `Option < Vec < String > >`):
/// a space between two words, after a comma or a single `:`, around `->`, `=` and `+`.
fn tokens(node: &impl ToTokens) -> String {
    let text = node.to_token_stream().to_string();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || "_'\"".contains(c));
    let mut out = String::with_capacity(text.len());
    for piece in text.split(' ').filter(|p| !p.is_empty()) {
        match piece {
            "," | ":" => out.push_str(&format!("{piece} ")),
            "->" | "=" | "+" => out.push_str(&format!(" {piece} ")),
            _ => {
                let starts_word = word(piece.chars().next());
                if starts_word && word(out.chars().last()) {
                    out.push(' ');
                }
                out.push_str(piece);
            }
        }
    }
    let out = out.replace("  ", " ");
    // Trailing commas, which progenitor writes in argument lists and where clauses.
    let out = [", )", ",)", ", >", ",>"].iter().fold(out, |text, comma| {
        text.replace(comma, &comma[comma.len() - 1..])
    });
    // The prelude's types by their short names, as callers write them.
    let out = PRELUDE_PATHS
        .iter()
        .fold(out, |text, path| text.replace(path, ""));
    out.trim().trim_end_matches(',').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_of(code: &str) -> Api {
        api(&syn::parse_file(code).unwrap())
    }

    #[test]
    fn reads_public_items_with_their_signatures() {
        let api = api_of(
            r#"
            pub mod types {
                #[derive(Clone, Debug, ::serde::Serialize)]
                pub struct User {
                    #[serde(rename = "type")]
                    pub type_: ::std::option::Option<::std::string::String>,
                    pub id: ::uuid::Uuid,
                }
                pub enum Kind { Admin, Unknown(::std::string::String) }
                pub struct Code(::std::string::String);
                impl ::std::convert::TryFrom<&str> for Code { type Error = String; fn try_from(_: &str) -> Result<Self, String> { todo!() } }
                impl ::std::convert::From<Code> for ::std::string::String { fn from(_: Code) -> Self { todo!() } }
                pub struct Written;
                impl ::std::default::Default for Written { fn default() -> Self { Written } }
                impl<'de> ::serde::Deserialize<'de> for Written { fn deserialize() {} }
                pub mod builder { pub struct User { x: u8 } }
                struct Private;
            }
            pub struct Client;
            impl Client { pub fn get_user(&self) -> builder::GetUser<'_> { todo!() } fn hidden(&self) {} }
            "#,
        );
        let sig = |key: &str| api.get(key).map(|i| i.signature.as_str());
        assert_eq!(sig("types::User.type_"), Some("Option<String>"));
        assert_eq!(api["types::User.type_"].json_name.as_deref(), Some("type"));
        assert_eq!(sig("types::User.id"), Some("::uuid::Uuid"));
        assert_eq!(sig("impl Clone for types::User"), Some("impl"));
        assert_eq!(sig("types::Kind::Unknown"), Some("Unknown(String)"));
        assert_eq!(sig("types::Code"), Some("struct Code(_)"));
        assert_eq!(
            sig("impl TryFrom<&str> for types::Code"),
            Some("type Error = String")
        );
        // A conversion to a foreign type belongs to ours; derived and written impls look the same.
        let into_string = &api["impl From<Code> for String"];
        assert_eq!(into_string.parent.as_deref(), Some("types::Code"));
        assert_eq!(sig("impl Default for types::Written"), Some("impl"));
        assert_eq!(sig("impl Deserialize for types::Written"), Some("impl"));
        assert_eq!(
            sig("Client::get_user"),
            Some("fn get_user(&self) -> builder::GetUser<'_>")
        );
        assert_eq!(sig("Client::hidden"), None);
        assert_eq!(sig("types::Private"), None);
        assert!(!api.keys().any(|k| k.starts_with("types::builder")));
    }

    #[test]
    fn additions_break_where_rust_semver_says() {
        let old =
            api_of("pub struct A { pub x: u8 } pub struct B { pub x: u8, y: u8 } pub enum E { X }");
        let new = api_of(
            "pub struct A { pub x: u8, pub z: u8 } pub struct B { pub x: u8, y: u8, pub z: u8 } \
             pub enum E { X, Y } pub struct C { pub x: u8 }",
        );
        let found: Vec<(String, bool)> = changes(&old, &new)
            .into_iter()
            .map(|c| (c.key, c.breaking))
            .collect();
        // A field of an all-public struct and a variant break; a field beside a private one and a new
        // type do not; the new type's own members are not listed again.
        assert_eq!(
            found,
            [
                ("A.z".to_string(), true),
                ("B.z".to_string(), false),
                ("C".to_string(), false),
                ("E::Y".to_string(), true),
            ]
        );
        let back: Vec<(String, bool)> = changes(&new, &old)
            .into_iter()
            .map(|c| (c.key, c.breaking))
            .collect();
        assert_eq!(
            back,
            [
                ("A.z".to_string(), true),
                ("B.z".to_string(), true),
                ("C".to_string(), true),
                ("E::Y".to_string(), true),
            ]
        );
    }

    #[test]
    fn signatures_are_spaced_as_rust_is_written() {
        let sig: syn::Signature = syn::parse_str(
            "fn id<V>(mut self, value: V,) -> Self where V: std::convert::TryInto<::std::vec::Vec<::std::string::String>>,",
        )
        .unwrap();
        assert_eq!(
            tokens(&sig),
            "fn id<V>(mut self, value: V) -> Self where V: TryInto<Vec<String>>"
        );
    }
}
