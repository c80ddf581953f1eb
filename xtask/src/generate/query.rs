//! Query parameters progenitor cannot express on its own.
//!
//! - **Objects** (`params`, `filters`): Polytomic's official SDKs send them as JSON text
//!   (`params={"key":["value"]}`; polytomic-typescript's `toJson` in each resource client). progenitor would
//!   spread a map into `key=value` pairs and fail on list values. [`prepare`] gives each such schema
//!   `x-rust-type: polytomic::JsonQuery<T>`, a wrapper whose `Serialize` writes the JSON text, whose
//!   `Display` the mock helpers match on and whose `FromStr` the CLI parses.
//! - **Arrays** (`sync_id`): the client repeats the key (`sync_id=a&sync_id=b`), as the official SDKs do
//!   (`arrayFormat: "repeat"`). progenitor's mock helpers and CLI treat a list like a scalar
//!   (`value.to_string()`, a clap parser for `Vec<T>`), which does not compile. [`list_matchers`] and
//!   [`repeatable_flags`] rewrite those few expressions in the syntax tree: a matcher per item, and a
//!   repeatable flag. Each refuses, naming the parameter, when it finds nothing to rewrite.

use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};
use syn::Expr;
use syn::visit_mut::{self, VisitMut};

use crate::names::{METHODS, operation_mut};

use super::tree::{lit_str, path_ends, take, vec_item};

/// The spec with every object-typed query parameter's schema wrapped in `polytomic::JsonQuery`, and every
/// `format: password` string (a secret: the overlay marks the API key the API issues) typed
/// `polytomic::Secret`, whose `Debug` does not show it.
pub fn prepare(spec: &OpenAPI) -> Result<OpenAPI, String> {
    let mut spec = mark_secrets(spec)?;
    for_each_query_schema(&mut spec, |_, schema| {
        let ReferenceOr::Item(inner) = schema else {
            return;
        };
        if !matches!(inner.schema_kind, SchemaKind::Type(Type::Object(_))) {
            return;
        }
        let Ok(parameter) = serde_json::to_value(&*inner) else {
            return;
        };
        let extension = serde_json::json!({
            "crate": "polytomic",
            "version": "*",
            "path": "polytomic::JsonQuery",
            "parameters": [parameter],
        });
        inner
            .schema_data
            .extensions
            .insert("x-rust-type".into(), extension);
    });
    Ok(spec)
}

/// Refuses rather than go on without: a secret left a `String` would be shown by `Debug`.
fn mark_secrets(spec: &OpenAPI) -> Result<OpenAPI, String> {
    fn walk(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                if map.get("type").and_then(|t| t.as_str()) == Some("string")
                    && map.get("format").and_then(|f| f.as_str()) == Some("password")
                {
                    map.insert(
                        "x-rust-type".into(),
                        serde_json::json!({"crate": "polytomic", "version": "*", "path": "polytomic::Secret"}),
                    );
                }
                map.values_mut().for_each(walk);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let failed =
        |e: serde_json::Error| format!("cannot mark the spec's secrets (an xtask bug): {e}");
    let mut value = serde_json::to_value(spec).map_err(failed)?;
    walk(&mut value);
    serde_json::from_value(value).map_err(failed)
}

/// The names of the query parameters whose schema is an array (takes the prepared spec, so nothing is
/// cloned again; nothing is changed).
pub fn array_query_params(spec: &mut OpenAPI) -> Vec<String> {
    let mut names = Vec::new();
    for_each_query_schema(spec, |name, schema| {
        if let ReferenceOr::Item(inner) = schema
            && matches!(inner.schema_kind, SchemaKind::Type(Type::Array(_)))
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_string());
        }
    });
    names
}

fn for_each_query_schema(
    spec: &mut OpenAPI,
    mut f: impl FnMut(&str, &mut ReferenceOr<openapiv3::Schema>),
) {
    for (_, item) in spec.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let mut query = |parameter: &mut ReferenceOr<Parameter>| {
            if let ReferenceOr::Item(Parameter::Query { parameter_data, .. }) = parameter
                && let ParameterSchemaOrContent::Schema(schema) = &mut parameter_data.format
            {
                f(&parameter_data.name, schema);
            }
        };
        item.parameters.iter_mut().for_each(&mut query);
        for method in METHODS {
            if let Some(Some(op)) = operation_mut(item, method) {
                op.parameters.iter_mut().for_each(&mut query);
            }
        }
    }
}

/// In the mock helpers, `self.0.query_param("name", value.to_string())` (one value) becomes a matcher per
/// item of the list, for each array parameter in `names`. Returns how many it rewrote.
pub fn list_matchers(file: &mut syn::File, names: &[String]) -> Result<usize, String> {
    struct Pass<'a> {
        name: &'a str,
        found: usize,
    }
    impl VisitMut for Pass<'_> {
        fn visit_expr_mut(&mut self, expr: &mut Expr) {
            visit_mut::visit_expr_mut(self, expr);
            let Expr::MethodCall(call) = expr else { return };
            let on_self_0 = matches!(&*call.receiver, Expr::Field(f)
                if path_ends(&f.base, &["self"]) && matches!(f.member, syn::Member::Unnamed(_)));
            if call.method == "query_param"
                && on_self_0
                && call.args.first().and_then(lit_str).as_deref() == Some(self.name)
            {
                let name = self.name;
                *expr = syn::parse_quote!(value
                    .iter()
                    .fold(self.0, |when, item| when.query_param(#name, item.to_string())));
                self.found += 1;
            }
        }
    }
    let mut total = 0;
    for name in names {
        let mut pass = Pass { name, found: 0 };
        pass.visit_file_mut(file);
        if pass.found == 0 {
            return Err(format!(
                "the mock helpers have no `self.0.query_param({name:?}, ..)` for the list parameter \
                 {name} (xtask/src/generate/query.rs handles progenitor 0.15)"
            ));
        }
        total += pass.found;
    }
    Ok(total)
}

/// In the CLI, each array parameter's flag (`--sync-id`, parsed as one `Vec<T>`) becomes a repeatable `T`
/// flag (`--sync-id a --sync-id b`) read with `get_many`. Returns how many expressions it rewrote.
pub fn repeatable_flags(file: &mut syn::File, names: &[String]) -> Result<usize, String> {
    struct Pass {
        flag: String,
        parsers: usize,
        readers: usize,
    }
    impl Pass {
        /// The flag a chain of calls starting at `::clap::Arg::new("<flag>")` defines.
        fn defines_flag(&self, mut expr: &Expr) -> bool {
            while let Expr::MethodCall(call) = expr {
                expr = &call.receiver;
            }
            matches!(expr, Expr::Call(new)
                if path_ends(&new.func, &["Arg", "new"])
                    && new.args.first().and_then(lit_str).as_deref() == Some(self.flag.as_str()))
        }
    }
    impl VisitMut for Pass {
        fn visit_expr_mut(&mut self, expr: &mut Expr) {
            visit_mut::visit_expr_mut(self, expr);
            let Expr::MethodCall(call) = expr else { return };
            // `Arg::new("flag")...value_parser(::clap::value_parser!(Vec<T>))`: parse `T`, and append.
            if call.method == "value_parser" && self.defines_flag(&call.receiver) {
                let Some(Expr::Macro(parser)) = call.args.first_mut() else {
                    return;
                };
                let Ok(ty) = parser.mac.parse_body::<syn::Type>() else {
                    return;
                };
                let Some(item) = vec_item(&ty) else { return };
                parser.mac.tokens = syn::parse_quote!(#item);
                let definition = take(expr);
                *expr = syn::parse_quote!(#definition.action(::clap::ArgAction::Append));
                self.parsers += 1;
                return;
            }
            // `matches.get_one::<Vec<T>>("flag")`: every value, collected.
            let item = call
                .turbofish
                .as_ref()
                .and_then(|t| t.args.first())
                .and_then(|arg| match arg {
                    syn::GenericArgument::Type(ty) => vec_item(ty),
                    _ => None,
                });
            if call.method == "get_one"
                && call.args.first().and_then(lit_str).as_deref() == Some(self.flag.as_str())
                && let Some(item) = item
            {
                let (receiver, flag) = (&call.receiver, &self.flag);
                *expr = syn::parse_quote!(#receiver
                    .get_many::<#item>(#flag)
                    .map(|values| values.cloned().collect::<::std::vec::Vec<_>>()));
                self.readers += 1;
            }
        }
    }
    let mut total = 0;
    for name in names {
        let mut pass = Pass {
            flag: name.replace('_', "-"),
            parsers: 0,
            readers: 0,
        };
        pass.visit_file_mut(file);
        if pass.parsers == 0 || pass.readers == 0 {
            return Err(format!(
                "the CLI's flag --{} for the list parameter {name}: found {} `Vec` parsers and {} \
                 `get_one::<Vec<_>>` reads to make repeatable, expected some of each \
                 (xtask/src/generate/query.rs handles progenitor 0.15)",
                pass.flag, pass.parsers, pass.readers
            ));
        }
        total += pass.parsers + pass.readers;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_parameters_get_a_matcher_per_item_and_a_repeatable_flag() {
        let mut mock: syn::File = syn::parse_quote! {
            fn sync_id(self, value: &Vec<Uuid>) -> Self { Self(self.0.query_param("sync_id", value.to_string())) }
            fn other(self, value: &str) -> Self { Self(self.0.query_param("other", value.to_string())) }
        };
        assert_eq!(list_matchers(&mut mock, &["sync_id".into()]), Ok(1));
        let text = prettyplease::unparse(&mock);
        assert!(
            text.contains(
                ".fold(self.0, |when, item| when.query_param(\"sync_id\", item.to_string()))"
            ),
            "{text}"
        );
        assert!(
            text.contains("self.0.query_param(\"other\", value.to_string())"),
            "{text}"
        );
        let error = list_matchers(&mut mock, &["status".into()]).unwrap_err();
        assert!(
            error.starts_with("the mock helpers have no `self.0.query_param(\"status\""),
            "{error}"
        );

        let mut cli: syn::File = syn::parse_quote! {
            fn cmd() {
                let a = ::clap::Arg::new("sync-id").long("sync-id").value_parser(::clap::value_parser!(::std::vec::Vec<::uuid::Uuid>)).required(false);
                let b = ::clap::Arg::new("id").value_parser(::clap::value_parser!(::uuid::Uuid));
                if let Some(value) = matches.get_one::<::std::vec::Vec<::uuid::Uuid>>("sync-id") {}
            }
        };
        assert_eq!(repeatable_flags(&mut cli, &["sync_id".into()]), Ok(2));
        // Compared without whitespace: the layout is prettyplease's.
        let text: String = prettyplease::unparse(&cli).split_whitespace().collect();
        for expected in [
            ".value_parser(::clap::value_parser!(::uuid::Uuid)).action(::clap::ArgAction::Append)",
            "matches.get_many::<::uuid::Uuid>(\"sync-id\").map(|values|values.cloned().collect::<::std::vec::Vec<_>>())",
            // The scalar flag of another name is left alone.
            "::clap::Arg::new(\"id\").value_parser(::clap::value_parser!(::uuid::Uuid));",
        ] {
            assert!(text.contains(expected), "no {expected} in {text}");
        }
        // A flag with nothing left to rewrite is refused.
        let error = repeatable_flags(&mut cli, &["sync_id".into()]).unwrap_err();
        assert!(error.contains("found 0 `Vec` parsers and 0"), "{error}");
    }
}
