//! The import's rules for operations, applied to every operation upstream publishes before the overlay:
//!
//! - **Names.** An operation's resource is its tag (`subpackage_bulkSync.subpackage_bulkSync/executions`
//!   is `bulkSync/executions`), whose noun is the overlay's `x-resource-nouns` entry or, without one, the tag's
//!   words in snake case, singular (`bulk_sync_execution`). Upstream's operationId (`list`, `get-status`)
//!   gives the verb and any qualifier: a bare verb becomes `<verb>_<noun>` (`list` takes the plural:
//!   `list_bulk_sync_executions`); a verb with a qualifier becomes `<verb>_<noun>_<qualifier>`
//!   (`get_bulk_sync_status`) unless the qualifier already names the resource (`test-connection` becomes
//!   `test_connection`). The overlay may set any operationId afterwards; [`check_unique`] then refuses two
//!   operations with one name, naming both.
//! - **Tags.** Each operation is tagged with its resource's plural noun, and the document lists the tags in
//!   the order they first appear, so the docs and the CLI can group operations by resource.
//! - **Credentials.** Upstream writes authentication as an `Authorization` header parameter. It becomes the
//!   operation's `security`: "Bearer user API key" takes the user key or the organization-scoped key (Basic),
//!   "Bearer partner API key" the partner key. An operation without the parameter gets no `security`, and the
//!   client sends whatever credentials it holds. Any other description stops the import.

use serde_json::{Map, Value, json};

use crate::names::{BEARER_PARTNER_KEY, BEARER_USER_API_KEY, METHODS, ORG_SCOPED_API_KEY};

/// What each `Authorization` description means, as `security` requirements.
fn security_for(description: &str) -> Option<Value> {
    match description.trim() {
        "Bearer user API key" => Some(json!([{BEARER_USER_API_KEY: []}, {ORG_SCOPED_API_KEY: []}])),
        "Bearer partner API key" => Some(json!([{BEARER_PARTNER_KEY: []}])),
        _ => None,
    }
}

/// Names, tags and secures every operation of `doc` by the rules above.
pub fn name_and_secure(doc: &mut Value, overlay: &Value) -> Result<(), String> {
    let nouns = overlay
        .get("x-resource-nouns")
        .map(|v| {
            v.as_object()
                .ok_or("overlay: `x-resource-nouns` must map tags to nouns")
        })
        .transpose()?
        .cloned()
        .unwrap_or_default();
    let paths = doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .ok_or("the document has no `paths`")?;
    let mut tags: Vec<String> = Vec::new();
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let at = format!("paths.\"{path}\".{method}");
            let op = op
                .as_object_mut()
                .ok_or_else(|| format!("{at}: an operation must be an object"))?;
            let (singular, plural) = resource(op, &nouns).map_err(|e| format!("{at}: {e}"))?;
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{at}: no operationId, so no name by rule; give it an operationId in the overlay"))?;
            let name = method_name(id, &singular, &plural).map_err(|e| format!("{at}: {e}"))?;
            op.insert("operationId".into(), Value::String(name));
            if !plural.is_empty() {
                if !tags.contains(&plural) {
                    tags.push(plural.clone());
                }
                op.insert("tags".into(), json!([plural]));
            }
            secure(op).map_err(|e| format!("{at}: {e}"))?;
        }
    }
    if let Some(root) = doc.as_object_mut() {
        let listed: Vec<Value> = tags.into_iter().map(|name| json!({"name": name})).collect();
        root.insert("tags".into(), Value::Array(listed));
    }
    Ok(())
}

/// The resource's singular and plural noun, from the operation's tag.
fn resource(
    op: &Map<String, Value>,
    nouns: &Map<String, Value>,
) -> Result<(String, String), String> {
    let Some(tag) = op
        .get("tags")
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .and_then(Value::as_str)
    else {
        return Ok((String::new(), String::new()));
    };
    let key = tag_key(tag);
    let singular = match nouns.get(&key) {
        Some(Value::String(noun)) => noun.clone(),
        Some(other) => {
            return Err(format!(
                "overlay: `x-resource-nouns.{key}` must be a string, found {other}"
            ));
        }
        None => key
            .split('/')
            .map(|segment| singular(&snake_words(segment).join("_")))
            .collect::<Vec<_>>()
            .join("_"),
    };
    let plural = plural(&singular);
    Ok((singular, plural))
}

/// `subpackage_bulkSync.subpackage_bulkSync/executions` is `bulkSync/executions`; `users` stays `users`.
fn tag_key(tag: &str) -> String {
    let last = tag.rsplit('.').next().unwrap_or(tag);
    last.strip_prefix("subpackage_").unwrap_or(last).to_string()
}

fn method_name(id: &str, singular: &str, plural: &str) -> Result<String, String> {
    let words = snake_words(id);
    let Some((verb, qualifier)) = words.split_first() else {
        return Err(format!("operationId {id:?} has no words to make a name of"));
    };
    let noun_last = singular.rsplit('_').next().unwrap_or_default();
    let plural_last = plural.rsplit('_').next().unwrap_or_default();
    let mentions_resource = qualifier.iter().any(|w| w == noun_last || w == plural_last);
    let name = if singular.is_empty() || mentions_resource {
        words.join("_")
    } else if qualifier.is_empty() {
        let noun = if verb == "list" { plural } else { singular };
        format!("{verb}_{noun}")
    } else {
        format!("{verb}_{singular}_{}", qualifier.join("_"))
    };
    if !is_method_name(&name) {
        return Err(format!(
            "operationId {id:?} gives {name:?}, which is not a Rust method name"
        ));
    }
    Ok(name)
}

/// A snake-case Rust identifier (keywords are fine: progenitor escapes them).
pub fn is_method_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Lower-case words of `get-console-logs`, `bulkSync`, `list_current_org_users`.
fn snake_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c.to_ascii_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("ss") || !word.ends_with('s') {
        word.to_string()
    } else {
        word[..word.len() - 1].to_string()
    }
}

fn plural(noun: &str) -> String {
    if noun.is_empty() {
        return String::new();
    }
    let vowel_before_y = noun
        .chars()
        .rev()
        .nth(1)
        .is_some_and(|c| "aeiou".contains(c));
    if noun.ends_with('y') && !vowel_before_y {
        format!("{}ies", &noun[..noun.len() - 1])
    } else if ["s", "x", "ch", "sh"].iter().any(|end| noun.ends_with(end)) {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

/// Upstream's `Authorization` header parameter becomes the operation's `security`.
fn secure(op: &mut Map<String, Value>) -> Result<(), String> {
    let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
        return Ok(());
    };
    let Some(index) = params.iter().position(|p| {
        p.get("in").and_then(Value::as_str) == Some("header")
            && p.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case("authorization"))
    }) else {
        return Ok(());
    };
    let description = params[index]
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let security = security_for(&description).ok_or_else(|| {
        format!(
            "parameters[{index}]: the Authorization parameter says {description:?}; the import knows \
             \"Bearer user API key\" and \"Bearer partner API key\" (xtask/src/import/operations.rs)"
        )
    })?;
    params.remove(index);
    op.entry("security").or_insert(security);
    Ok(())
}

/// Every operation has a name, a Rust method name, and no other operation has it.
pub fn check_unique(doc: &Value) -> Result<(), String> {
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let here = format!("{} {path}", method.to_uppercase());
            let name = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{here}: no operationId after the overlay"))?;
            if !is_method_name(name) {
                return Err(format!(
                    "{here}: operationId {name:?} is not a snake-case Rust method name"
                ));
            }
            if let Some(other) = seen.insert(name.to_string(), here.clone()) {
                return Err(format!(
                    "{other} and {here} would both be named `{name}`; give one an operationId in openapi/overlay.yaml"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(id: &str, tag: &str, nouns: Value) -> String {
        let op = json!({"operationId": id, "tags": [tag]});
        let (singular, plural) =
            resource(op.as_object().unwrap(), nouns.as_object().unwrap()).unwrap();
        method_name(id, &singular, &plural).unwrap()
    }

    #[test]
    fn names_follow_the_rule() {
        let nouns = json!({"modelSync": "sync", "modelSync/executions": "sync_execution"});
        for (id, tag, expected) in [
            ("list", "subpackage_connections", "list_connections"),
            (
                "get",
                "subpackage_bulkSync.subpackage_bulkSync/executions",
                "get_bulk_sync_execution",
            ),
            (
                "list",
                "subpackage_bulkSync.subpackage_bulkSync/executions",
                "list_bulk_sync_executions",
            ),
            (
                "cancel",
                "subpackage_modelSync.subpackage_modelSync/executions",
                "cancel_sync_execution",
            ),
            ("get-status", "subpackage_bulkSync", "get_bulk_sync_status"),
            (
                "test-connection",
                "subpackage_connections",
                "test_connection",
            ),
            (
                "get-types",
                "subpackage_connections",
                "get_connection_types",
            ),
            (
                "list-current-org-users",
                "subpackage_users",
                "list_current_org_users",
            ),
            (
                "list",
                "subpackage_permissions.subpackage_permissions/policies",
                "list_permission_policies",
            ),
            ("get", "subpackage_identity", "get_identity"),
            ("list", "subpackage_queryRunner", "list_query_runners"),
        ] {
            assert_eq!(name(id, tag, nouns.clone()), expected, "{id} in {tag}");
        }
        assert_eq!(plural("policy"), "policies");
        assert_eq!(plural("key"), "keys");
        assert_eq!(plural("status"), "statuses");
        assert!(method_name("--", "x", "xs").is_err());
    }

    #[test]
    fn authorization_becomes_security_and_unknown_kinds_stop() {
        let mut doc = json!({"paths": {"/a": {
            "get": {"operationId": "get", "tags": ["a"], "parameters": [
                {"name": "Authorization", "in": "header", "description": "Bearer partner API key"},
                {"name": "X", "in": "header"}]},
            "post": {"operationId": "create", "tags": ["a"]}
        }}});
        name_and_secure(&mut doc, &json!({})).unwrap();
        let get = &doc["paths"]["/a"]["get"];
        assert_eq!(get["security"], json!([{BEARER_PARTNER_KEY: []}]));
        assert_eq!(get["parameters"], json!([{"name": "X", "in": "header"}]));
        assert_eq!(doc["paths"]["/a"]["post"].get("security"), None);
        assert_eq!(doc["tags"], json!([{"name": "as"}]));

        let mut odd = json!({"paths": {"/a": {"get": {"operationId": "get", "parameters": [
            {"name": "Authorization", "in": "header", "description": "Token"}]}}}});
        let error = name_and_secure(&mut odd, &json!({})).unwrap_err();
        assert!(
            error.starts_with(
                "paths.\"/a\".get: parameters[0]: the Authorization parameter says \"Token\""
            ),
            "{error}"
        );
    }

    #[test]
    fn duplicate_names_name_both_operations() {
        let doc = json!({"paths": {"/a": {"get": {"operationId": "get_a"}}, "/b": {"get": {"operationId": "get_a"}}}});
        assert_eq!(
            check_unique(&doc).unwrap_err(),
            "GET /a and GET /b would both be named `get_a`; give one an operationId in openapi/overlay.yaml"
        );
    }
}
