//! Query parameters progenitor cannot express on its own.
//!
//! - **Objects** (`params`, `filters`): Polytomic's official SDKs send them as JSON text
//!   (`params={"key":["value"]}`; polytomic-typescript's `toJson` in each resource client). progenitor would
//!   spread a map into `key=value` pairs and fail on list values. [`prepare`] gives each such schema
//!   `x-rust-type: polytomic::JsonQuery<T>`, a wrapper whose `Serialize` writes the JSON text, whose
//!   `Display` the mock helpers match on and whose `FromStr` the CLI parses.
//! - **Arrays** (`sync_id`): the client repeats the key (`sync_id=a&sync_id=b`), as the official SDKs do
//!   (`arrayFormat: "repeat"`). progenitor's mock helpers and CLI treat a list like a scalar
//!   (`value.to_string()`, a clap parser for `Vec<T>`), which does not compile. [`fill_gaps`] rewrites those
//!   few expressions: a matcher per item, and a repeatable flag.

use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};
use proc_macro2::TokenStream;

use crate::names::{METHODS, operation_mut};

use super::{CLI, HTTPMOCK};

/// The spec with every object-typed query parameter's schema wrapped in `polytomic::JsonQuery`, and every
/// `format: password` string (a secret: the overlay marks the API key the API issues) typed
/// `polytomic::Secret`, whose `Debug` does not show it.
pub fn prepare(spec: &OpenAPI) -> OpenAPI {
    let mut spec = mark_secrets(spec).unwrap_or_else(|| spec.clone());
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
    spec
}

fn mark_secrets(spec: &OpenAPI) -> Option<OpenAPI> {
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
    let mut value = serde_json::to_value(spec).ok()?;
    walk(&mut value);
    serde_json::from_value(value).ok()
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

/// Rewrites, in the mock helpers and the CLI, what progenitor generates for array query parameters; in the
/// mock helpers also narrows templated paths that overlap fixed ones (`super::paths`).
pub fn fill_gaps(
    path: &str,
    tokens: TokenStream,
    arrays: &[String],
    exclusions: &[(String, String, String)],
) -> TokenStream {
    if path != HTTPMOCK && path != CLI {
        return tokens;
    }
    let mut text = tokens.to_string();
    if path == HTTPMOCK {
        text = super::paths::narrow(&text, exclusions);
    }
    for name in arrays {
        text = if path == HTTPMOCK {
            rewrite_mock(&text, name)
        } else {
            rewrite_cli(&text, &name.replace('_', "-"))
        };
    }
    // The rewritten text is progenitor's own tokens with a few expressions swapped, so it parses; if it
    // ever did not, the original is returned and the build names the gap.
    text.parse().unwrap_or(tokens)
}

/// `self.0.query_param("n", value.to_string())` matches one value; a list needs one matcher per item.
fn rewrite_mock(text: &str, name: &str) -> String {
    let fold = format!(
        "value . iter () . fold (self . 0 , | when , item | when . query_param (\"{name}\" , item . to_string ()))"
    );
    // progenitor writes the call with a trailing comma.
    text.replace(
        &format!("self . 0 . query_param (\"{name}\" , value . to_string () ,)"),
        &fold,
    )
    .replace(
        &format!("self . 0 . query_param (\"{name}\" , value . to_string ())"),
        &fold,
    )
}

/// A `Vec<T>` flag becomes a repeatable `T` flag (`--sync-id a --sync-id b`), read with `get_many`.
fn rewrite_cli(text: &str, flag: &str) -> String {
    let vec = ":: std :: vec :: Vec <";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // The argument definition: `Arg::new("flag") ... .value_parser(value_parser!(Vec<T>))`.
    let arg = format!(":: clap :: Arg :: new (\"{flag}\")");
    while let Some(at) = rest.find(&arg) {
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        let parser = format!(". value_parser (:: clap :: value_parser ! ({vec} ");
        match tail.find(&parser) {
            // Only this argument's own parser: before the next argument starts.
            Some(p) if !tail[arg.len()..p].contains(":: clap :: Arg :: new") => {
                let after = &tail[p + parser.len()..];
                let close = after.find(" >))").unwrap_or(0);
                let item = &after[..close];
                out.push_str(&tail[..p]);
                out.push_str(&format!(
                    ". value_parser (:: clap :: value_parser ! ({item})) . action (:: clap :: ArgAction :: Append)"
                ));
                rest = &after[close + " >))".len()..];
            }
            _ => {
                out.push_str(&arg);
                rest = &tail[arg.len()..];
            }
        }
    }
    out.push_str(rest);
    // Reading it: `matches.get_one::<Vec<T>>("flag")` becomes the collected `get_many::<T>("flag")`.
    let getter = format!("matches . get_one :: < {vec} ");
    let mut text = out;
    while let Some(at) = text.find(&getter) {
        let after = &text[at + getter.len()..];
        let Some(close) = after.find(&format!(" > > (\"{flag}\")")) else {
            break;
        };
        let item = after[..close].to_string();
        let end = at + getter.len() + close + format!(" > > (\"{flag}\")").len();
        text.replace_range(
            at..end,
            &format!(
                "matches . get_many :: < {item} > (\"{flag}\") . map (| values | values . cloned () . collect :: < :: std :: vec :: Vec < _ > > ())"
            ),
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_parameters_get_a_matcher_per_item_and_a_repeatable_flag() {
        let mock = "Self (self . 0 . query_param (\"sync_id\" , value . to_string () ,))";
        assert_eq!(
            rewrite_mock(mock, "sync_id"),
            "Self (value . iter () . fold (self . 0 , | when , item | when . query_param (\"sync_id\" , item . to_string ())))"
        );
        let cli = ":: clap :: Arg :: new (\"sync-id\") . long (\"sync-id\") . value_parser (:: clap :: value_parser ! (:: std :: vec :: Vec < :: uuid :: Uuid >)) . required (false) ; if let Some (value) = matches . get_one :: < :: std :: vec :: Vec < :: uuid :: Uuid > > (\"sync-id\") { }";
        assert_eq!(
            rewrite_cli(cli, "sync-id"),
            ":: clap :: Arg :: new (\"sync-id\") . long (\"sync-id\") . value_parser (:: clap :: value_parser ! (:: uuid :: Uuid)) . action (:: clap :: ArgAction :: Append) . required (false) ; if let Some (value) = matches . get_many :: < :: uuid :: Uuid > (\"sync-id\") . map (| values | values . cloned () . collect :: < :: std :: vec :: Vec < _ > > ()) { }"
        );
        // A scalar flag of another name is left alone.
        let other = ":: clap :: Arg :: new (\"id\") . value_parser (:: clap :: value_parser ! (:: uuid :: Uuid))";
        assert_eq!(rewrite_cli(other, "sync-id"), other);
    }
}
