//! progenitor writes every path parameter as `encode_path(&id.to_string())`: the value formatted into a
//! new `String`, then percent-encoded into another. A `uuid::Uuid` formats to hex digits and hyphens, which
//! need no encoding, so its `Display` goes straight into the URL's `format!` instead (about 500 fewer
//! instructions per request: BENCHMARKS.md, "Per request"). Other parameters keep `encode_path`. A pass
//! over the syntax tree, counted against the spec's uuid path parameters.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::VariantOrUnknownOrEmpty;
use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Item};

use super::tree::{module, path_ends};

/// The number of path parameters, over all operations, typed `format: uuid` in the spec.
pub fn count_in_spec(spec: &OpenAPI) -> usize {
    let is_uuid = |parameter: &ReferenceOr<Parameter>| {
        let Some(Parameter::Path { parameter_data, .. }) =
            super::index::parameter_of(spec, parameter)
        else {
            return false;
        };
        matches!(&parameter_data.format, ParameterSchemaOrContent::Schema(ReferenceOr::Item(s))
            if matches!(&s.schema_kind, SchemaKind::Type(Type::String(t))
                if matches!(&t.format, VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid")))
    };
    spec.paths
        .paths
        .values()
        .filter_map(|item| item.as_item())
        .map(|item| {
            item.iter()
                .map(|(_, op)| {
                    item.parameters
                        .iter()
                        .chain(&op.parameters)
                        .filter(|p| is_uuid(p))
                        .count()
                })
                .sum::<usize>()
        })
        .sum()
}

/// Each builder's `encode_path(&x.to_string())` of a `Uuid` field replaced by `x`; an error unless
/// exactly `expected` were (a new progenitor: look at its `method.rs` and adjust this).
pub fn format_directly(file: &mut syn::File, expected: usize) -> Result<(), String> {
    let builder = module(&mut file.items, "builder")?;
    let uuid_fields: BTreeMap<String, BTreeSet<String>> = builder
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => Some((s.ident.to_string(), uuid_fields(s))),
            _ => None,
        })
        .collect();
    let mut pass = Pass {
        fields: BTreeSet::new(),
        rewritten: 0,
    };
    for item in builder.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let syn::Type::Path(ty) = &*imp.self_ty else {
            continue;
        };
        let Some(name) = ty.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        pass.fields = uuid_fields.get(&name).cloned().unwrap_or_default();
        pass.visit_item_impl_mut(imp);
    }
    if pass.rewritten != expected {
        return Err(format!(
            "progenitor's client does not look as expected: {} `encode_path(&x.to_string())` of a Uuid \
             field for {expected} uuid path parameters in the spec (xtask/src/generate/uuid_paths.rs \
             handles progenitor 0.15)",
            pass.rewritten
        ));
    }
    Ok(())
}

/// The fields of a builder held as `Result<::uuid::Uuid, String>`.
fn uuid_fields(builder: &syn::ItemStruct) -> BTreeSet<String> {
    let is_uuid_result = |ty: &syn::Type| {
        let syn::Type::Path(path) = ty else {
            return false;
        };
        let Some(last) = path.path.segments.last() else {
            return false;
        };
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return false;
        };
        last.ident == "Result"
            && matches!(args.args.first(), Some(syn::GenericArgument::Type(syn::Type::Path(inner)))
                if inner.path.segments.iter().map(|s| s.ident.to_string()).eq(["uuid", "Uuid"]))
    };
    builder
        .fields
        .iter()
        .filter(|f| is_uuid_result(&f.ty))
        .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
        .collect()
}

struct Pass {
    /// The uuid fields of the builder being visited.
    fields: BTreeSet<String>,
    rewritten: usize,
}

impl Pass {
    /// `x` when `expr` is `encode_path(&x.to_string())` and `x` a uuid field.
    fn uuid_argument(&self, expr: &Expr) -> Option<Expr> {
        let Expr::Call(call) = expr else { return None };
        if !path_ends(&call.func, &["encode_path"]) || call.args.len() != 1 {
            return None;
        }
        let Some(Expr::Reference(reference)) = call.args.first() else {
            return None;
        };
        let Expr::MethodCall(to_string) = &*reference.expr else {
            return None;
        };
        let Expr::Path(receiver) = &*to_string.receiver else {
            return None;
        };
        let name = receiver.path.get_ident()?;
        (to_string.method == "to_string"
            && to_string.args.is_empty()
            && self.fields.contains(&name.to_string()))
        .then(|| syn::parse_quote!(#name))
    }
}

impl VisitMut for Pass {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Some(direct) = self.uuid_argument(expr) {
            *expr = direct;
            self.rewritten += 1;
            return;
        }
        visit_mut::visit_expr_mut(self, expr);
    }

    /// `format!(..)`'s arguments are tokens to syn: parsed as expressions, rewritten, and put back.
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        if !mac.path.is_ident("format") {
            return;
        }
        let parser = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        let Ok(mut args) = mac.parse_body_with(parser) else {
            return;
        };
        let before = self.rewritten;
        for arg in args.iter_mut() {
            self.visit_expr_mut(arg);
        }
        if self.rewritten != before {
            mac.tokens = quote::ToTokens::to_token_stream(&args);
        }
    }
}

#[cfg(test)]
mod tests {
    const SPEC: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n\
        components:\n  parameters:\n    Id: {name: id, in: path, required: true, schema: {type: string, format: uuid}}\n\
        paths:\n\
        \x20 /a/{id}/{name}:\n    get:\n      operationId: get_a\n      parameters:\n\
        \x20       - $ref: '#/components/parameters/Id'\n\
        \x20       - {name: name, in: path, required: true, schema: {type: string}}\n\
        \x20     responses: {'200': {description: ok}}\n\
        \x20 /b/{other}:\n    parameters:\n\
        \x20     - {name: other, in: path, required: true, schema: {type: string, format: uuid}}\n\
        \x20   delete: {operationId: delete_b, responses: {'204': {description: ok}}}\n";

    #[test]
    fn uuid_path_parameters_are_formatted_directly_and_others_still_encoded() {
        let (spec, mut file) = super::super::progenitor_client(SPEC);
        assert_eq!(super::count_in_spec(&spec), 2);
        let parsed = || super::super::progenitor_client(SPEC).1;
        super::format_directly(&mut file, 2).unwrap();
        // prettyplease leaves a macro's tokens as they are (`& name`): compared without spaces.
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        assert!(
            text.contains("encode_path(&name.to_string())"),
            "a string keeps its encoding: {text}"
        );
        assert!(!text.contains("encode_path(&id"), "{text}");
        assert!(!text.contains("encode_path(&other"), "{text}");
        assert!(text.contains("client.baseurl,id,"), "{text}");
        // Found fewer than the spec has, or nothing left to rewrite: refused.
        let error = super::format_directly(&mut parsed(), 3).unwrap_err();
        assert!(error.contains("2 `encode_path"), "{error}");
        let error = super::format_directly(&mut file, 2).unwrap_err();
        assert!(error.contains("0 `encode_path"), "{error}");
    }
}
