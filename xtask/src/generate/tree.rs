//! Small readers of progenitor's syntax tree, shared by the passes that rewrite it.

use syn::punctuated::Punctuated;
use syn::{Expr, Item, Token};

/// The items of `mod name` among `items`.
pub fn module<'a>(items: &'a mut [Item], name: &str) -> Result<&'a mut Vec<Item>, String> {
    items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or_else(|| format!("progenitor's output has no `mod {name}` with a body"))
}

/// The value of a string literal.
pub fn lit_str(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

/// Whether `expr` is a path ending in `tail` (`::httpmock::Method::GET` ends in `["Method", "GET"]`).
pub fn path_ends(expr: &Expr, tail: &[&str]) -> bool {
    let Expr::Path(path) = expr else {
        return false;
    };
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments.len() >= tail.len() && segments[segments.len() - tail.len()..] == *tail
}

/// `T` of `Vec<T>` (any path ending in `Vec`).
pub fn vec_item(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(item) if last.ident == "Vec" => Some(item),
        _ => None,
    }
}

/// Takes `expr` out, leaving a placeholder, so it can be wrapped in a new expression.
pub fn take(expr: &mut Expr) -> Expr {
    std::mem::replace(expr, Expr::Verbatim(proc_macro2::TokenStream::new()))
}

/// The names of an item's derives (`serde::Deserialize` is `Deserialize`).
pub fn derives(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .filter_map(|a| {
            a.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
                .ok()
        })
        .flat_map(|paths| paths.into_iter())
        .filter_map(|p| p.segments.last().map(|s| s.ident.to_string()))
        .collect()
}

/// Takes the derive named `name` (the last segment: `::serde::Deserialize` is `Deserialize`) out of an
/// item's `#[derive(..)]` attributes.
pub fn drop_derive(attrs: &mut [syn::Attribute], name: &str) -> Result<(), String> {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let kept: Vec<syn::Path> = attr
            .parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
            .map_err(|e| format!("unreadable derive: {e}"))?
            .into_iter()
            .filter(|p| p.segments.last().is_none_or(|s| s.ident != name))
            .collect();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
    Ok(())
}

/// The entries of an item's `#[serde(..)]` attributes (`rename = ".."`, `default`, `flatten`).
pub fn serde_metas(attrs: &[syn::Attribute]) -> Vec<syn::Meta> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .filter_map(|a| {
            a.parse_args_with(Punctuated::<syn::Meta, Token![,]>::parse_terminated)
                .ok()
        })
        .flatten()
        .collect()
}

/// The JSON property a field holds: its `#[serde(rename = "..")]`, else its name (`r#type` is `type`).
pub fn json_name(field: &syn::Field) -> Option<String> {
    let renamed = serde_metas(&field.attrs)
        .into_iter()
        .find_map(|meta| match meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("rename") => lit_str(&nv.value),
            _ => None,
        });
    renamed.or_else(|| {
        Some(
            field
                .ident
                .as_ref()?
                .to_string()
                .trim_start_matches("r#")
                .to_string(),
        )
    })
}
