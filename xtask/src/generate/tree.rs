//! Small readers of progenitor's syntax tree, shared by the passes that rewrite it.

use syn::{Expr, Item};

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
