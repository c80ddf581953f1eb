//! `crates/polytomic/src/operations.rs`: the operations by resource (a rustdoc page, so 128 methods stay
//! findable) and the credentials each one takes (read by the client's hooks).

use openapiv3::{OpenAPI, ReferenceOr};

use crate::names::{BEARER_PARTNER_KEY, BEARER_USER_API_KEY, ORG_SCOPED_API_KEY};

/// Source text of the operations module for `spec`. Errors name an operation whose `security` the client
/// has no credentials for.
pub fn operations_module(spec: &OpenAPI) -> Result<String, String> {
    let mut resources: Vec<(String, Vec<String>)> = spec
        .tags
        .iter()
        .map(|t| (t.name.clone(), Vec::new()))
        .collect();
    let (mut user, mut partner) = (Vec::new(), Vec::new());
    let mut successes: Vec<(u16, String)> = Vec::new();
    let mut by_resource: Vec<(String, String)> = Vec::new();
    let mut keyed: Vec<String> = Vec::new();
    for (path, method, op) in operations(spec) {
        let Some(id) = op.operation_id.as_deref() else {
            continue;
        };
        let here = format!("{} {path}", method.to_uppercase());
        let schemes: Vec<&str> = op
            .security
            .iter()
            .flatten()
            .flat_map(|requirement| requirement.keys().map(String::as_str))
            .collect();
        match credentials(&schemes).map_err(|e| format!("{here}: {e}"))? {
            Some("partner") => partner.push(id.to_string()),
            Some(_) => user.push(id.to_string()),
            None => {}
        }
        let declared = op
            .responses
            .responses
            .keys()
            .find_map(|status| match status {
                openapiv3::StatusCode::Code(code) if (200..300).contains(code) => Some(*code),
                _ => None,
            });
        if let Some(code) = declared {
            successes.push((code, id.to_string()));
        }
        if takes_header(spec, op, "Idempotency-Key") {
            keyed.push(id.to_string());
        }
        let summary = op
            .summary
            .as_deref()
            .unwrap_or_default()
            .replace(['[', ']'], "");
        let line = format!("- [`{id}`](crate::Client::{id}): `{here}`. {summary}");
        let tag = resource(op);
        by_resource.push((tag.clone(), id.to_string()));
        match resources.iter_mut().find(|(name, _)| *name == tag) {
            Some((_, lines)) => lines.push(line),
            None => resources.push((tag, vec![line])),
        }
    }
    let mut doc = String::from(
        "Every operation of the API, by resource, in the order of the spec. Each is a method of \
         [`Client`](crate::Client) returning a builder; `send()` performs it.\n",
    );
    for (resource, lines) in resources.iter().filter(|(_, lines)| !lines.is_empty()) {
        doc.push_str(&format!("\n## {resource}\n\n{}\n", lines.join("\n")));
    }
    let arm = |ids: &[String]| {
        if ids.is_empty() {
            "\"\"".to_string()
        } else {
            ids.iter()
                .map(|id| format!("{id:?}"))
                .collect::<Vec<_>>()
                .join(" | ")
        }
    };
    let source = format!(
        r#"#![doc = {doc:?}]

/// The credentials an operation takes, from the spec's `security`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepts {{
    /// A user API key (Bearer) or an organization-scoped key (Basic).
    UserOrOrgScopedKey,
    /// A partner API key (Bearer).
    PartnerKey,
    /// The spec names none: whatever credentials the client holds.
    Any,
}}

/// The resources, in the order the spec first names them.
pub const RESOURCES: &[&str] = &[{resource_names}];

/// The resource (the spec's tag) `operation_id` belongs to; `""` for a name the spec does not have.
pub fn resource(operation_id: &str) -> &'static str {{
    match operation_id {{
        {resource_arms}
        _ => "",
    }}
}}

/// The success status the spec declares for `operation_id` (its first 2xx).
pub fn success_status(operation_id: &str) -> Option<u16> {{
    match operation_id {{
        {success_arms}
        _ => None,
    }}
}}

/// Whether operation `operation_id` takes an `Idempotency-Key` (the spec gives it the header parameter).
pub fn takes_idempotency_key(operation_id: &str) -> bool {{
    matches!(operation_id, {keyed})
}}

/// The operation's name within its resource, which the CLI's command for it has (`polytomic bulk-syncs
/// start`): its words less the resource's (`start_bulk_sync` of `bulk_syncs` is `start`); `""` for a name
/// the spec does not have.
pub fn verb(operation_id: &str) -> &'static str {{
    match operation_id {{
        {verb_arms}
        _ => "",
    }}
}}

/// The credentials operation `operation_id` takes; [`Accepts::Any`] for a name the spec does not have.
pub fn accepts(operation_id: &str) -> Accepts {{
    match operation_id {{
        {user} => Accepts::UserOrOrgScopedKey,
        {partner} => Accepts::PartnerKey,
        _ => Accepts::Any,
    }}
}}
"#,
        user = arm(&user),
        keyed = arm(&keyed),
        success_arms = success_arms(&successes),
        resource_names = resources
            .iter()
            .filter(|(_, lines)| !lines.is_empty())
            .map(|(name, _)| format!("{name:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        resource_arms = resource_arms(&by_resource),
        verb_arms = verb_arms(&by_resource)?,
        partner = arm(&partner),
    );
    let source = format!(
        "{source}\n{}\n{}\n{}\n{}",
        api_version(spec),
        exclusive_fields(spec)?,
        paging(spec)?,
        waiting(spec)?
    );
    let file = syn::parse_file(&source)
        .map_err(|e| format!("the operations index does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// Whether `op` has a header parameter `name` (its own or a `$ref` to the spec's `components.parameters`).
fn takes_header(spec: &OpenAPI, op: &openapiv3::Operation, name: &str) -> bool {
    op.parameters.iter().any(|parameter| {
        matches!(parameter_of(spec, parameter), Some(openapiv3::Parameter::Header { parameter_data, .. })
            if parameter_data.name.eq_ignore_ascii_case(name))
    })
}

/// A parameter as written, or the one its `$ref` names in the spec's `components.parameters`.
pub(super) fn parameter_of<'a>(
    spec: &'a OpenAPI,
    parameter: &'a ReferenceOr<openapiv3::Parameter>,
) -> Option<&'a openapiv3::Parameter> {
    match parameter {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { reference } => reference
            .strip_prefix("#/components/parameters/")
            .and_then(|key| spec.components.as_ref()?.parameters.get(key))
            .and_then(|p| p.as_item()),
    }
}

/// `send_all()` for each operation that declares how it pages (`x-polytomic-paging`, checked by the
/// import): one `by_token!` or `by_time!` of `crate::paging` per operation, on its builder.
fn paging(spec: &OpenAPI) -> Result<String, String> {
    let doc = serde_json::to_value(spec).map_err(|e| format!("the spec as JSON: {e}"))?;
    let mut calls = String::from(
        "// Paging, as the spec declares it (`x-polytomic-paging`): `send_all()` on these builders.\n",
    );
    let mut table = Vec::new();
    for (path, method, op) in operations(spec) {
        let Some(id) = op.operation_id.as_deref() else {
            continue;
        };
        let op_json = &doc["paths"][path][method];
        let at = format!(
            "paths.\"{path}\".{method}.{}",
            crate::import::paging::EXTENSION
        );
        if let Some((name, arguments)) =
            crate::import::paging::macro_call(&doc, op_json).map_err(|e| format!("{at}: {e}"))?
        {
            let builder = builder_name(id);
            calls.push_str(&format!(
                "crate::paging::{name}!({builder}, {arguments});\n"
            ));
            let paging = &op_json[crate::import::paging::EXTENSION];
            let word = |key: &str| paging[key].as_str().unwrap_or_default();
            table.push(if name == "by_token" {
                format!(
                    "({id:?}, Paging::Token {{ next: {:?}, from: {:?}, items: {:?} }})",
                    word("next"),
                    word("from"),
                    word("items")
                )
            } else {
                format!(
                    "({id:?}, Paging::Time {{ time: {:?}, id: {:?}, size: ({:?}, {}), after: {:?}, before: {:?}, items: {:?} }})",
                    word("time"),
                    word("id"),
                    word("size"),
                    paging["max"].as_u64().unwrap_or_default(),
                    word("after"),
                    word("before"),
                    word("items")
                )
            });
        }
    }
    Ok(format!(
        "/// The operations that page, and how (`x-polytomic-paging` in the spec): the CLI's `--all` reads \
         this.\npub const PAGING: [(&str, Paging); {}] = [{}];\n{calls}",
        table.len(),
        table.join(", ")
    ))
}

/// progenitor's name for `id`'s builder: `list_syncs` is `ListSyncs`.
pub fn builder_name(id: &str) -> String {
    id.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The JSON body schema of `op` (from the spec as JSON): its `$ref` resolved.
fn body_schema<'a>(doc: &'a serde_json::Value, op: &'a serde_json::Value) -> &'a serde_json::Value {
    let body = &op["requestBody"]["content"]["application/json"]["schema"];
    match body["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => doc.pointer(pointer).unwrap_or(body),
        None => body,
    }
}

/// `exclusive_fields`: for each operation whose body schema declares `x-polytomic-exclusive` (checked by
/// the import), the fields it may not set together.
fn exclusive_fields(spec: &OpenAPI) -> Result<String, String> {
    let doc = serde_json::to_value(spec).map_err(|e| format!("the spec as JSON: {e}"))?;
    let mut arms = String::new();
    for (path, method, op) in operations(spec) {
        let Some(id) = op.operation_id.as_deref() else {
            continue;
        };
        let schema = body_schema(&doc, &doc["paths"][path][method]);
        let fields: Vec<String> = schema[crate::import::exclusive::EXTENSION]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str().map(|f| format!("{f:?}")))
            .collect();
        if !fields.is_empty() {
            arms.push_str(&format!("{id:?} => &[{}],\n", fields.join(", ")));
        }
    }
    Ok(format!(
        "/// The body fields operation `operation_id` may not set together (`x-polytomic-exclusive` on its \
         body's schema): the client refuses such a body before sending it.\n\
         pub fn exclusive_fields(operation_id: &str) -> &'static [&'static str] {{\n\
         match operation_id {{\n{arms}_ => &[],\n}}\n}}\n"
    ))
}

/// The operations whose body takes `role_ids` as `RoleIds` (a list progenitor's CLI has no flag for), for
/// `crates/polytomic-cli/src/declared.rs`: the list, and a macro handing `execute_<id>: <Builder>` pairs to
/// the CLI's hook-writing macro.
pub fn cli_declarations(spec: &OpenAPI) -> Result<String, String> {
    let doc = serde_json::to_value(spec).map_err(|e| format!("the spec as JSON: {e}"))?;
    let mut ids = Vec::new();
    for (path, method, op) in operations(spec) {
        let Some(id) = op.operation_id.as_deref() else {
            continue;
        };
        let schema = body_schema(&doc, &doc["paths"][path][method]);
        if schema["properties"]["role_ids"]["$ref"] == "#/components/schemas/RoleIds" {
            ids.push(id.to_string());
        }
    }
    let quoted: Vec<String> = ids.iter().map(|id| format!("{id:?}")).collect();
    let pairs: Vec<String> = ids
        .iter()
        .map(|id| format!("execute_{id}: {}", builder_name(id)))
        .collect();
    let source = format!(
        "/// The operations whose body takes `role_ids` (`polytomic::RoleIds`), a list progenitor's CLI has no \
         flag for: the CLI adds `--role-ids` to their commands.\n\
         pub const ROLE_IDS: &[&str] = &[{}];\n\n\
         /// `$hooks! {{ execute_<operation>: <Builder>, ... }}` for the operations of [`ROLE_IDS`].\n\
         macro_rules! role_ids_operations {{\n($hooks:ident) => {{ $hooks! {{ {} }} }};\n}}\n\
         pub(crate) use role_ids_operations;\n",
        quoted.join(", "),
        pairs.join(", ")
    );
    let file = syn::parse_file(&source)
        .map_err(|e| format!("the CLI's declarations do not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// The version the spec documents, which the client sends unless told otherwise.
fn api_version(spec: &OpenAPI) -> String {
    format!(
        "/// The API version this client was generated for (the spec's `info.version`), sent as \
         `X-Polytomic-Version` unless the client or the call sets another.\n\
         pub const API_VERSION: &str = {:?};\n",
        spec.info.version
    )
}

/// The waiters the spec declares (`x-polytomic-waiter`, checked by the import): the table `WAITERS`, and
/// one `waits!` of `crate::waiting` per waiter, which gives its builder `wait()`.
fn waiting(spec: &OpenAPI) -> Result<String, String> {
    use crate::import::waiting::{OUTCOMES, waiters};
    let doc = serde_json::to_value(spec).map_err(|e| format!("the spec as JSON: {e}"))?;
    let waiters = waiters(&doc)?;
    let list = |states: &[String]| {
        let quoted: Vec<String> = states.iter().map(|s| format!("{s:?}")).collect();
        format!("&[{}]", quoted.join(", "))
    };
    let mut table = String::new();
    let mut calls = String::new();
    for (index, waiter) in waiters.iter().enumerate() {
        let started_by: Vec<String> = waiter
            .started_by
            .iter()
            .map(|(operation, arguments)| {
                let arguments: Vec<String> = arguments
                    .iter()
                    .map(|(parameter, source)| match source.strip_prefix('/') {
                        Some(_) => format!("({parameter:?}, Source::Response({source:?}))"),
                        None => format!("({parameter:?}, Source::Parameter({source:?}))"),
                    })
                    .collect();
                format!(
                    "StartedBy {{ operation: {operation:?}, arguments: &[{}] }}",
                    arguments.join(", ")
                )
            })
            .collect();
        let states: Vec<String> = OUTCOMES
            .iter()
            .zip(&waiter.states)
            .map(|(outcome, states)| format!("{outcome}: {}", list(states)))
            .collect();
        table.push_str(&format!(
            "Waiter {{ operation: {:?}, path: {:?}, status: {:?}, {}, started_by: &[{}] }},\n",
            waiter.operation,
            waiter.path,
            waiter.status,
            states.join(", "),
            started_by.join(", ")
        ));
        calls.push_str(&format!(
            "crate::waiting::waits!({}, {}, {index});\n",
            builder_name(&waiter.operation),
            waiter.response
        ));
    }
    Ok(format!(
        "use crate::Paging;\nuse crate::waiting::{{Source, StartedBy, Waiter}};\n\
         /// The operations that read the state of work started elsewhere, and how (`x-polytomic-waiter` in \
         the spec): `wait()` on their builders and the CLI's `--wait` read this.\n\
         pub const WAITERS: [Waiter; {}] = [\n{table}];\n\n\
         // Waiting, as the spec declares it: `wait()` on these builders.\n{calls}",
        waiters.len()
    ))
}

/// `verb`'s arms: each operation's words less its resource's (in either number), with `all` added when a
/// verb other than `list` names the resource in the plural (`update_bulk_sync_schemas` is `update_all`,
/// beside `update_bulk_sync_schema`'s `update`). Two operations of one resource with one verb are an error.
fn verb_arms(by_resource: &[(String, String)]) -> Result<String, String> {
    let singular = |word: &str| -> String {
        for (plural, single) in [("ies", "y"), ("ses", "s"), ("s", "")] {
            if let Some(stem) = word.strip_suffix(plural) {
                return format!("{stem}{single}");
            }
        }
        word.to_string()
    };
    let mut taken: Vec<(&str, String, &str)> = Vec::new();
    for (resource, id) in by_resource {
        let nouns: Vec<&str> = resource.split('_').collect();
        let words: Vec<&str> = id.split('_').collect();
        let mut verb: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| !nouns.iter().any(|n| n == w || singular(n) == *w))
            .collect();
        if verb.is_empty() {
            verb.push(words[0]);
        }
        if words.last() == nouns.last() && words.first() != Some(&"list") {
            verb.push("all");
        }
        let verb = verb.join("_");
        if let Some((_, _, other)) = taken.iter().find(|(r, v, _)| r == resource && *v == verb) {
            return Err(format!(
                "operations {other} and {id} of resource {resource} would both be called `{verb}`: rename one in the overlay"
            ));
        }
        taken.push((resource, verb, id));
    }
    Ok(taken
        .iter()
        .map(|(_, verb, id)| format!("{id:?} => {verb:?},"))
        .collect::<Vec<_>>()
        .join("\n"))
}

fn resource_arms(by_resource: &[(String, String)]) -> String {
    let mut names: Vec<&String> = by_resource.iter().map(|(r, _)| r).collect();
    names.dedup();
    let mut seen = Vec::new();
    names
        .into_iter()
        .filter(|name| {
            let new = !seen.contains(name);
            seen.push(*name);
            new
        })
        .map(|name| {
            let ids: Vec<String> = by_resource
                .iter()
                .filter(|(r, _)| r == name)
                .map(|(_, id)| format!("{id:?}"))
                .collect();
            format!("{} => {name:?},", ids.join(" | "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn success_arms(successes: &[(u16, String)]) -> String {
    let mut codes: Vec<u16> = successes.iter().map(|(c, _)| *c).collect();
    codes.sort();
    codes.dedup();
    codes
        .iter()
        .map(|code| {
            let ids: Vec<String> = successes
                .iter()
                .filter(|(c, _)| c == code)
                .map(|(_, id)| format!("{id:?}"))
                .collect();
            format!("{} => Some({code}),", ids.join(" | "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Which kind of credentials the security schemes stand for: `None` when the operation names none.
fn credentials(schemes: &[&str]) -> Result<Option<&'static str>, String> {
    let mut kind = None;
    for scheme in schemes {
        let this = match *scheme {
            BEARER_USER_API_KEY | ORG_SCOPED_API_KEY => "user",
            BEARER_PARTNER_KEY => "partner",
            other => {
                return Err(format!(
                    "security scheme `{other}` has no credentials in the client (it knows \
                     {BEARER_USER_API_KEY}, {ORG_SCOPED_API_KEY} and {BEARER_PARTNER_KEY})"
                ));
            }
        };
        if kind.is_some_and(|k| k != this) {
            return Err(
                "security mixes user and partner credentials; the client sends one kind".into(),
            );
        }
        kind = Some(this);
    }
    Ok(kind)
}

/// The resource an operation is listed under: its first tag, else `other`.
fn resource(op: &openapiv3::Operation) -> String {
    op.tags.first().cloned().unwrap_or_else(|| "other".into())
}

/// Each operation's id and resource, in the order of the spec.
pub fn resources(spec: &OpenAPI) -> Vec<(String, String)> {
    operations(spec)
        .filter_map(|(_, _, op)| Some((op.operation_id.clone()?, resource(op))))
        .collect()
}

/// A resource's name as a module name (the parts of `builder`, the CLI's command modules): lowercase ASCII
/// letters, digits and `_`.
pub fn module_name(resource: &str) -> String {
    resource
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => c,
            _ => '_',
        })
        .collect()
}

fn operations(spec: &OpenAPI) -> impl Iterator<Item = (&str, &str, &openapiv3::Operation)> {
    spec.paths.paths.iter().flat_map(|(path, item)| {
        let item = match item {
            ReferenceOr::Item(item) => Some(item),
            ReferenceOr::Reference { .. } => None,
        };
        item.into_iter()
            .flat_map(|item| item.iter())
            .map(move |(method, op)| (path.as_str(), method, op))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_unknown_scheme_is_refused_naming_the_known_ones() {
        assert_eq!(super::credentials(&["orgScopedAPIKey"]), Ok(Some("user")));
        assert_eq!(
            super::credentials(&["apiKey"]).unwrap_err(),
            "security scheme `apiKey` has no credentials in the client (it knows bearerUserAPIKey, \
             orgScopedAPIKey and bearerPartnerKey)"
        );
    }
}
