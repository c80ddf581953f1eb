//! `cargo xtask diff`: what changed between two versions of the spec, and what it breaks for callers of
//! the generated Rust client.
//!
//! Two readings, one report. The spec's changes, matched by operationId (the Rust method name), parameters
//! by location and name, schemas by name, properties by name, say what changed in words. The verdict
//! comes from the Rust API generated for each side (`diff/rust_api.rs`): every changed, removed or added public
//! item is a change of its own, named by its Rust path and explained by the spec's sentences about the
//! same schema or operation. Spec changes that the Rust API does not show are judged by what they do at
//! run time (a parameter made required, a tightened bound, a credential no longer accepted), or are
//! documentation. A change is breaking when code that compiled and worked against the old client may
//! not against the new one.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

mod rust_api;

/// How a change affects existing callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Existing code may stop compiling or working.
    Breaking,
    /// New capability; existing code is unaffected.
    Compatible,
    /// Documentation only (descriptions, summaries, examples, deprecation notes).
    Docs,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    pub severity: Severity,
    /// `types::User.email` (a Rust item), or `operation update_current_org_user` / `schema User` (a
    /// change the Rust API does not show).
    pub subject: String,
    pub change: String,
    /// For a Rust item: the spec's changes behind it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub because: Vec<String>,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.change)?;
        if !self.because.is_empty() {
            write!(f, " ({})", self.because.join("; "))?;
        }
        Ok(())
    }
}

/// How a spec change is judged.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// By the Rust API generated for each side: the sentence explains the Rust changes.
    Shape,
    /// By what it does at run time, which the Rust API does not show.
    Behaviour(Severity),
    Docs,
}

/// A spec change in words.
struct Sentence {
    rule: Rule,
    subject: String,
    change: String,
}

impl fmt::Display for Sentence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.change)
    }
}

/// Every change from `old` to `new`, sorted by severity, then subject. Generates the client for both
/// sides, so an error says which side progenitor or our passes refuse.
pub fn diff(old: &Value, new: &Value) -> Result<Vec<Change>, String> {
    if old == new {
        return Ok(Vec::new());
    }
    let mut differ = Differ {
        old,
        new,
        sentences: Vec::new(),
    };
    differ.operations();
    differ.schemas();
    let apis = [(old, "the base spec"), (new, "the changed spec")].map(|(doc, side)| {
        let spec: openapiv3::OpenAPI = serde_json::from_value(doc.clone())
            .map_err(|e| format!("{side} is not an OpenAPI 3.0 document: {e}"))?;
        let file = crate::generate::client_syntax(&spec)
            .map_err(|e| format!("cannot generate the client of {side}: {e}"))?;
        Ok::<_, String>(rust_api::api(&file))
    });
    let [old_api, new_api] = apis;
    let rust = rust_api::changes(&old_api?, &new_api?);
    let mut changes = judge(differ.sentences, rust, &Owners::of(&[old, new]));
    changes.sort();
    changes.dedup();
    Ok(changes)
}

/// Each Rust change with the sentences that explain it; the sentences the Rust API does not show, by
/// their own rule.
fn judge(
    sentences: Vec<Sentence>,
    rust: Vec<rust_api::RustChange>,
    owners: &Owners,
) -> Vec<Change> {
    let rust_unchanged = rust.is_empty();
    let mut explained = vec![false; sentences.len()];
    let mut changes = Vec::new();
    for item in rust {
        let owner = owners.of_item(&item.owner);
        let of_owner: Vec<usize> = (0..sentences.len())
            .filter(|&i| {
                owner
                    .as_ref()
                    .is_some_and(|(subject, _)| sentences[i].subject == *subject)
            })
            .collect();
        let paired: Vec<usize> = of_owner
            .iter()
            .copied()
            .filter(|&i| {
                let field = sentence_field(&sentences[i].change);
                let remainder = owner.as_ref().map_or("", |(_, r)| r.as_str());
                fits(field.as_deref(), item.json_name.as_deref(), remainder)
            })
            .collect();
        let because = if paired.is_empty() { of_owner } else { paired };
        for &i in &because {
            explained[i] |= sentences[i].rule == Rule::Shape;
        }
        changes.push(Change {
            severity: if item.breaking {
                Severity::Breaking
            } else {
                Severity::Compatible
            },
            subject: item.key,
            change: item.what,
            because: because.iter().map(|&i| sentences[i].to_string()).collect(),
        });
    }
    for (sentence, explained) in sentences.into_iter().zip(explained) {
        let (severity, change) = match sentence.rule {
            Rule::Shape if explained => continue,
            Rule::Shape if rust_unchanged => (
                Severity::Compatible,
                format!(
                    "{} (the generated Rust API does not change)",
                    sentence.change
                ),
            ),
            // The Rust changes are listed on their own, explained by other sentences.
            Rule::Shape => (
                Severity::Compatible,
                format!("{} (no Rust change traced to it)", sentence.change),
            ),
            Rule::Behaviour(severity) => (severity, sentence.change),
            Rule::Docs => (Severity::Docs, sentence.change),
        };
        changes.push(Change {
            severity,
            subject: sentence.subject,
            change,
            because: Vec::new(),
        });
    }
    changes
}

/// The field a sentence is about: `property `email` removed` → `email`, `data.[]: type changed` →
/// `data`, `query parameter `verbose` removed` → `verbose`; `None` for the schema or operation as a whole.
fn sentence_field(change: &str) -> Option<String> {
    let quoted = |text: &str| text.split('`').nth(1).map(str::to_string);
    if change.starts_with("property `") || change.contains(" parameter `") {
        return quoted(change);
    }
    if change.starts_with("request body") {
        return Some("body".into());
    }
    let (head, _) = change.split_once(": ")?;
    let first = head.split('.').next().unwrap_or(head);
    if first.starts_with("property `") {
        return quoted(first);
    }
    Some(first.to_string())
}

/// Whether a sentence about `field` explains a Rust change of a field or setter named `json_name`, or of
/// a type named after its owner plus `remainder` (typify names inline types `UserKind`, `MembersOwner`).
fn fits(field: Option<&str>, json_name: Option<&str>, remainder: &str) -> bool {
    let Some(field) = field.map(squash) else {
        return true;
    };
    match json_name {
        Some(name) => squash(name) == field,
        None if !remainder.is_empty() => remainder.starts_with(&field),
        None => true,
    }
}

/// Lower-case letters and digits only: how Rust names (`UserKind`, `type_`, `created_at`) and JSON names
/// (`kind`, `type`, `createdAt`) compare.
fn squash(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The spec's schemas and operations, to find which one a Rust item belongs to.
struct Owners {
    schemas: Vec<(String, String)>,
    operations: Vec<(String, String)>,
}

impl Owners {
    fn of(docs: &[&Value]) -> Owners {
        let mut schemas = BTreeSet::new();
        let mut operations = BTreeSet::new();
        for doc in docs {
            for name in doc["components"]["schemas"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
            {
                schemas.insert((squash(name), format!("schema {name}")));
            }
            for (id, _) in self::operations(doc) {
                operations.insert((squash(&id), format!("operation {id}")));
            }
        }
        let keep = |set: BTreeSet<(String, String)>| {
            set.into_iter().filter(|(s, _)| !s.is_empty()).collect()
        };
        Owners {
            schemas: keep(schemas),
            operations: keep(operations),
        }
    }

    /// The subject (`schema User`, `operation get_user`) a Rust item belongs to, and what its type's name
    /// adds to the owner's (`kind` for `types::UserKind`): `Client::get_user` and `builder::GetUser` are
    /// the operation's, a type under `types` the schema or operation its name starts with (the longest).
    fn of_item(&self, key: &str) -> Option<(String, String)> {
        let path = key.split(['.', '<']).next().unwrap_or(key);
        let segments: Vec<&str> = path.split("::").collect();
        let at = segments
            .iter()
            .position(|s| s.starts_with(|c: char| c.is_ascii_uppercase()))?;
        let name = squash(segments[at]);
        if segments[at] == "Client" {
            let method = squash(segments.get(at + 1)?);
            return self
                .operations
                .iter()
                .find(|(s, _)| *s == method)
                .map(|(_, subject)| (subject.clone(), String::new()));
        }
        let candidates: Box<dyn Iterator<Item = &(String, String)>> = if segments[0] == "builder" {
            Box::new(self.operations.iter())
        } else {
            Box::new(self.schemas.iter().chain(&self.operations))
        };
        candidates
            .filter(|(s, _)| name.starts_with(s.as_str()))
            .max_by_key(|(s, _)| s.len())
            .map(|(s, subject)| (subject.clone(), name[s.len()..].to_string()))
    }
}

/// A keyword's value in a sentence: `none` when absent.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

/// `now deprecated` / `no longer deprecated` when the flag changed.
fn deprecation(old: &Value, new: &Value) -> Option<&'static str> {
    match (old == &Value::Bool(true), new == &Value::Bool(true)) {
        (false, true) => Some("now deprecated"),
        (true, false) => Some("no longer deprecated"),
        _ => None,
    }
}

/// The lowest version the client crate may have after `changes` since the release `current`
/// (`0.1.0+2025-09-18`), and why, by Cargo's semver rules. No change needs no new version. After a
/// pre-release (`0.2.0-alpha.1`) the changes need its release (`0.2.0`), or more when they are worse than
/// the bump that pre-release already holds over the last stable release (`0.1.1-alpha.1` then a breaking
/// change: `0.2.0`). A version that does not parse is reported as such.
pub fn next_version(current: &str, changes: &[Change]) -> (String, &'static str) {
    let Ok(version) = semver::Version::parse(current) else {
        return (
            current.to_string(),
            "none: the current version is not semver",
        );
    };
    let release = semver::Version::new(version.major, version.minor, version.patch);
    let Some(worst) = changes.iter().map(|c| c.severity).min() else {
        let unchanged = semver::Version {
            build: semver::BuildMetadata::EMPTY,
            ..version
        };
        return (unchanged.to_string(), "none");
    };
    if version.pre.is_empty() {
        let (next, why) = bump(&release, worst);
        return (next.to_string(), why);
    }
    // The last stable release is below `release` at the level of the pre-release's bump: x.y.(z-1) for
    // x.y.z, x.(y-1).0 for x.y.0, (x-1).0.0 for x.0.0. Any stable version there bumps to the same version
    // as the real one would, since a bump keeps only the components above the level it changes.
    let (x, y, z) = (release.major, release.minor, release.patch);
    let last_stable = match (x, y, z) {
        (_, _, 1..) => semver::Version::new(x, y, z - 1),
        (_, 1.., 0) => semver::Version::new(x, y - 1, 0),
        (1.., 0, 0) => semver::Version::new(x - 1, 0, 0),
        (0, 0, 0) => release.clone(),
    };
    match bump(&last_stable, worst) {
        (next, why) if next > release => (next.to_string(), why),
        _ => (
            release.to_string(),
            "release: a pre-release is followed by its release",
        ),
    }
}

/// The version after the stable `version` for changes at worst `worst`. Cargo treats the first non-zero
/// component as the major one: 0.y.z breaks by bumping y.
fn bump(version: &semver::Version, worst: Severity) -> (semver::Version, &'static str) {
    let (x, y, z) = (version.major, version.minor, version.patch);
    match (worst, x) {
        (Severity::Breaking, 0) => (
            semver::Version::new(0, y + 1, 0),
            "minor: breaking, and 0.x crates break by bumping the minor version",
        ),
        (Severity::Breaking, _) => (semver::Version::new(x + 1, 0, 0), "major: breaking"),
        (Severity::Compatible, 0) => (
            semver::Version::new(0, y, z + 1),
            "patch: compatible additions (0.x)",
        ),
        (Severity::Compatible, _) => (
            semver::Version::new(x, y + 1, 0),
            "minor: compatible additions",
        ),
        (Severity::Docs, _) => (
            semver::Version::new(x, y, z + 1),
            "patch: documentation only",
        ),
    }
}

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    sentences: Vec<Sentence>,
}

/// An operation: where it lives and its definition.
pub(crate) struct Op<'a> {
    method: String,
    path: String,
    def: &'a Value,
    /// The path item's own `parameters`, which every operation under it takes too.
    path_parameters: &'a Value,
}

pub(crate) fn operations(doc: &Value) -> Vec<(String, Op<'_>)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, def) in item.as_object().into_iter().flatten() {
            if let Some(id) = def["operationId"].as_str() {
                let op = Op {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    def,
                    path_parameters: &item["parameters"],
                };
                ops.push((id.to_string(), op));
            }
        }
    }
    ops
}

fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => doc.pointer(pointer).unwrap_or(value),
        None => value,
    }
}

impl Differ<'_> {
    fn push(&mut self, rule: Rule, subject: &str, change: String) {
        self.sentences.push(Sentence {
            rule,
            subject: subject.to_string(),
            change,
        });
    }

    fn operations(&mut self) {
        let old_ops = operations(self.old);
        let new_ops = operations(self.new);
        for (id, op) in &old_ops {
            let subject = format!("operation {id}");
            match new_ops.iter().find(|(other, _)| other == id) {
                None => self.push(
                    Rule::Shape,
                    &subject,
                    format!("removed ({} {})", op.method, op.path),
                ),
                Some((_, new)) => self.operation(&subject, op, new),
            }
        }
        for (id, op) in &new_ops {
            if !old_ops.iter().any(|(other, _)| other == id) {
                self.push(
                    Rule::Shape,
                    &format!("operation {id}"),
                    format!("added ({} {})", op.method, op.path),
                );
            }
        }
    }

    fn operation(&mut self, subject: &str, old: &Op, new: &Op) {
        if old.method != new.method || old.path != new.path {
            self.push(
                Rule::Behaviour(Severity::Breaking),
                subject,
                format!(
                    "moved from {} {} to {} {}",
                    old.method, old.path, new.method, new.path
                ),
            );
        }
        for key in ["summary", "description"] {
            if old.def[key] != new.def[key] {
                self.push(Rule::Docs, subject, format!("{key} changed"));
            }
        }
        if let Some(now) = deprecation(&old.def["deprecated"], &new.def["deprecated"]) {
            self.push(Rule::Docs, subject, now.into());
        }
        self.security(subject, old, new);
        self.parameters(subject, old, new);
        self.request_body(subject, old.def, new.def);
        self.responses(subject, old.def, new.def);
    }

    /// The credentials an operation takes (its `security`, else the document's): a kind no longer
    /// accepted breaks callers that hold only that kind; a new kind breaks nothing.
    fn security(&mut self, subject: &str, old: &Op, new: &Op) {
        let kinds = |doc: &Value, op: &Op| -> BTreeSet<String> {
            let requirements = op.def.get("security").unwrap_or(&doc["security"]);
            requirements
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    let names: Vec<&str> = r
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(k, _)| k.as_str())
                        .collect();
                    if names.is_empty() {
                        "no".to_string()
                    } else {
                        names.join(" + ")
                    }
                })
                .collect()
        };
        let (was, is) = (kinds(self.old, old), kinds(self.new, new));
        for kind in was.difference(&is) {
            self.push(
                Rule::Behaviour(Severity::Breaking),
                subject,
                format!("no longer accepts {kind} credentials"),
            );
        }
        for kind in is.difference(&was) {
            self.push(
                Rule::Behaviour(Severity::Compatible),
                subject,
                format!("now accepts {kind} credentials"),
            );
        }
    }

    fn parameters(&mut self, subject: &str, old: &Op, new: &Op) {
        // The path item's parameters, then the operation's, which override one with the same place and
        // name (OpenAPI 3.0, "Path Item Object").
        let list = |doc: &'_ Value, op: &Op| -> Vec<(String, Value)> {
            let mut list: Vec<(String, Value)> = Vec::new();
            let both = [op.path_parameters, &op.def["parameters"]];
            for p in both.into_iter().filter_map(Value::as_array).flatten() {
                let p = resolve(doc, p);
                let name = format!(
                    "{} parameter `{}`",
                    p["in"].as_str().unwrap_or("?"),
                    p["name"].as_str().unwrap_or("?")
                );
                list.retain(|(n, _)| *n != name);
                list.push((name, p.clone()));
            }
            list
        };
        let (old_params, new_params) = (list(self.old, old), list(self.new, new));
        for (name, param) in &old_params {
            match new_params.iter().find(|(n, _)| n == name) {
                None => self.push(Rule::Shape, subject, format!("{name} removed")),
                Some((_, new_param)) => {
                    let (was, is) = (param["required"] == true, new_param["required"] == true);
                    if was != is {
                        let severity = if is {
                            Severity::Breaking
                        } else {
                            Severity::Compatible
                        };
                        let now = if is { "required" } else { "optional" };
                        self.push(
                            Rule::Behaviour(severity),
                            subject,
                            format!("{name} is now {now}"),
                        );
                    }
                    self.schema(subject, name, &param["schema"], &new_param["schema"]);
                    if param["description"] != new_param["description"] {
                        self.push(Rule::Docs, subject, format!("{name}: description changed"));
                    }
                    if let Some(now) = deprecation(&param["deprecated"], &new_param["deprecated"]) {
                        self.push(Rule::Docs, subject, format!("{name}: {now}"));
                    }
                }
            }
        }
        for (name, param) in &new_params {
            if !old_params.iter().any(|(n, _)| n == name) {
                if param["required"] == true {
                    self.push(
                        Rule::Behaviour(Severity::Breaking),
                        subject,
                        format!("{name} added as required"),
                    );
                } else {
                    self.push(Rule::Shape, subject, format!("{name} added (optional)"));
                }
            }
        }
    }

    fn request_body(&mut self, subject: &str, old: &Value, new: &Value) {
        let body =
            |doc: &'_ Value, op: &'_ Value| op.get("requestBody").map(|b| resolve(doc, b).clone());
        match (body(self.old, old), body(self.new, new)) {
            (None, None) => {}
            (Some(_), None) => self.push(Rule::Shape, subject, "request body removed".into()),
            // A required body must be given before `send()` succeeds; the Rust API only gains a setter.
            (None, Some(b)) if b["required"] == true => self.push(
                Rule::Behaviour(Severity::Breaking),
                subject,
                "request body added as required".into(),
            ),
            (None, Some(_)) => self.push(Rule::Shape, subject, "request body added".into()),
            (Some(a), Some(b)) => {
                let (was, is) = (a["required"] == true, b["required"] == true);
                if was != is {
                    // A required body must be given to the builder; an optional one may be left out.
                    let (severity, now) = if is {
                        (Severity::Breaking, "required")
                    } else {
                        (Severity::Compatible, "optional")
                    };
                    self.push(
                        Rule::Behaviour(severity),
                        subject,
                        format!("request body is now {now}"),
                    );
                }
                let at = "request body";
                let (sa, sb) = (
                    &a["content"]["application/json"]["schema"],
                    &b["content"]["application/json"]["schema"],
                );
                self.schema(subject, at, sa, sb);
            }
        }
    }

    fn responses(&mut self, subject: &str, old: &Value, new: &Value) {
        let codes = |op: &Value| -> BTreeSet<String> {
            op["responses"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        let (old_codes, new_codes) = (codes(old), codes(new));
        for code in old_codes.union(&new_codes) {
            let at = format!("response {code}");
            match (old_codes.contains(code), new_codes.contains(code)) {
                (true, false) => self.push(
                    Rule::Shape,
                    subject,
                    format!("response {code} no longer declared"),
                ),
                (false, true) => {
                    self.push(Rule::Shape, subject, format!("response {code} declared"))
                }
                _ => {
                    let a = resolve(self.old, &old["responses"][code]);
                    let b = resolve(self.new, &new["responses"][code]);
                    let (sa, sb) = (
                        &a["content"]["application/json"]["schema"],
                        &b["content"]["application/json"]["schema"],
                    );
                    // With a body or without, the method returns a different type.
                    match (sa.is_null(), sb.is_null()) {
                        (false, true) => self.push(
                            Rule::Shape,
                            subject,
                            format!("response {code}: body removed"),
                        ),
                        (true, false) => {
                            self.push(Rule::Shape, subject, format!("response {code}: body added"))
                        }
                        _ => self.schema(subject, &at, sa, sb),
                    }
                }
            }
        }
    }

    fn schemas(&mut self) {
        let names = |doc: &Value| -> BTreeSet<String> {
            doc["components"]["schemas"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        let (old_names, new_names) = (names(self.old), names(self.new));
        for name in old_names.union(&new_names) {
            let subject = format!("schema {name}");
            match (old_names.contains(name), new_names.contains(name)) {
                (true, false) => self.push(Rule::Shape, &subject, "removed".into()),
                (false, true) => self.push(Rule::Shape, &subject, "added".into()),
                _ => {
                    let a = &self.old["components"]["schemas"][name];
                    let b = &self.new["components"]["schemas"][name];
                    self.schema(&subject, "", a, b);
                }
            }
        }
    }

    /// Compares two schemas at `at` (`field` is the dotted property path inside, empty at the top).
    fn schema(&mut self, subject: &str, field: &str, old: &Value, new: &Value) {
        let here = |what: &str| {
            if field.is_empty() {
                what.to_string()
            } else {
                format!("{field}: {what}")
            }
        };
        if old.is_null() && new.is_null() {
            return;
        }
        if old["$ref"] != new["$ref"] {
            let show = |v: &Value| {
                v["$ref"]
                    .as_str()
                    .map(|r| r.rsplit('/').next().unwrap_or(r).to_string())
                    .unwrap_or_else(|| "an inline schema".into())
            };
            self.push(
                Rule::Shape,
                subject,
                here(&format!("type changed from {} to {}", show(old), show(new))),
            );
            return;
        }
        if old.get("$ref").is_some() {
            return; // The same named schema; its own changes are reported under `schema <name>`.
        }
        for key in ["type", "format"] {
            if old[key] != new[key] {
                let show = |v: &Value| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| "none".into())
                };
                self.push(
                    Rule::Shape,
                    subject,
                    here(&format!(
                        "{key} changed from {} to {}",
                        show(&old[key]),
                        show(&new[key])
                    )),
                );
            }
        }
        if (old["nullable"] == true) != (new["nullable"] == true) {
            let now = if new["nullable"] == true {
                "nullable"
            } else {
                "not nullable"
            };
            self.push(Rule::Shape, subject, here(&format!("now {now}")));
        }
        self.enums(subject, &here, old, new);
        // What typify reads to pick a Rust type (a default makes an optional field plain): the generated
        // code decides what that breaks.
        for key in ["default", "uniqueItems"] {
            if old[key] != new[key] {
                let change = format!(
                    "{key} changed from {} to {}",
                    shown(&old[key]),
                    shown(&new[key])
                );
                self.push(Rule::Shape, subject, here(&change));
            }
        }
        // A pattern is checked before a request is sent: a new or changed one may refuse values that
        // passed before.
        if old["pattern"] != new["pattern"] {
            let rule = Rule::Behaviour(if new["pattern"].is_null() {
                Severity::Compatible
            } else {
                Severity::Breaking
            });
            let change = format!(
                "pattern changed from {} to {}",
                shown(&old["pattern"]),
                shown(&new["pattern"])
            );
            self.push(rule, subject, here(&change));
        }
        self.bounds(subject, &here, old, new);
        for key in ["description", "title", "example"] {
            if old[key] != new[key] {
                self.push(Rule::Docs, subject, here(&format!("{key} changed")));
            }
        }
        if let Some(now) = deprecation(&old["deprecated"], &new["deprecated"]) {
            self.push(Rule::Docs, subject, here(now));
        }
        let inner = |name: &str| {
            if field.is_empty() {
                name.to_string()
            } else {
                format!("{field}.{name}")
            }
        };
        self.schema(subject, &inner("[]"), &old["items"], &new["items"]);
        self.map_values(subject, &here, &inner, old, new);
        // Branches by position.
        for key in ["allOf", "oneOf", "anyOf"] {
            let (a, b) = (old[key].as_array(), new[key].as_array());
            let (a, b) = (
                a.map_or(&[][..], Vec::as_slice),
                b.map_or(&[][..], Vec::as_slice),
            );
            for i in 0..a.len().max(b.len()) {
                let at = inner(&format!("{key}[{i}]"));
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => self.schema(subject, &at, x, y),
                    (Some(_), None) => self.push(Rule::Shape, subject, format!("{at}: removed")),
                    (None, Some(_)) => self.push(Rule::Shape, subject, format!("{at}: added")),
                    (None, None) => {}
                }
            }
        }
        self.properties(subject, field, old, new, &inner);
    }

    /// `additionalProperties`: a map's value schema is compared like any other; turning extra keys away
    /// (`false`) breaks decoding of bodies that have them, accepting them again breaks nothing.
    fn map_values(
        &mut self,
        subject: &str,
        here: &dyn Fn(&str) -> String,
        inner: &dyn Fn(&str) -> String,
        old: &Value,
        new: &Value,
    ) {
        let (a, b) = (&old["additionalProperties"], &new["additionalProperties"]);
        let show = |v: &Value| match v {
            Value::Null => "absent".to_string(),
            Value::Object(_) => "a schema".to_string(),
            other => other.to_string(),
        };
        let change = format!(
            "additionalProperties changed from {} to {}",
            show(a),
            show(b)
        );
        match (a, b) {
            (Value::Object(_), Value::Object(_)) => self.schema(subject, &inner("{}"), a, b),
            _ if a == b => {}
            (Value::Object(_), _) | (_, Value::Object(_)) => {
                self.push(Rule::Shape, subject, here(&change))
            }
            (_, Value::Bool(false)) => self.push(
                Rule::Behaviour(Severity::Breaking),
                subject,
                here(&format!(
                    "{change} (bodies with other keys no longer decode)"
                )),
            ),
            (Value::Bool(false), _) => self.push(
                Rule::Behaviour(Severity::Compatible),
                subject,
                here(&change),
            ),
            _ => {} // absent and `true` mean the same.
        }
    }

    fn properties(
        &mut self,
        subject: &str,
        field: &str,
        old: &Value,
        new: &Value,
        inner: &dyn Fn(&str) -> String,
    ) {
        let props = |s: &Value| -> Vec<String> {
            s["properties"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        let required = |s: &Value, name: &str| {
            s["required"]
                .as_array()
                .is_some_and(|r| r.iter().any(|v| v == name))
        };
        let (old_props, new_props) = (props(old), props(new));
        let here = |what: String| {
            if field.is_empty() {
                what
            } else {
                format!("{field}: {what}")
            }
        };
        for name in &old_props {
            if !new_props.contains(name) {
                self.push(
                    Rule::Shape,
                    subject,
                    here(format!("property `{name}` removed")),
                );
                continue;
            }
            let (was, is) = (required(old, name), required(new, name));
            if was != is {
                let change = if is {
                    "optional → required"
                } else {
                    "required → optional"
                };
                self.push(
                    Rule::Shape,
                    subject,
                    here(format!("property `{name}` {change}")),
                );
            }
            // One sentence for a `nullable` flip of an optional field (not also one from `schema`).
            let (mut old_prop, mut new_prop) = (
                old["properties"][name].clone(),
                new["properties"][name].clone(),
            );
            if !was && !is && (old_prop["nullable"] == true) != (new_prop["nullable"] == true) {
                let now = if new_prop["nullable"] == true {
                    "nullable"
                } else {
                    "not nullable"
                };
                self.push(Rule::Shape, subject, format!("{}: now {now}", inner(name)));
                for prop in [&mut old_prop, &mut new_prop] {
                    if let Some(map) = prop.as_object_mut() {
                        map.remove("nullable");
                    }
                }
            }
            self.schema(subject, &inner(name), &old_prop, &new_prop);
        }
        for name in new_props.iter().filter(|n| !old_props.contains(n)) {
            if required(new, name) {
                self.push(
                    Rule::Shape,
                    subject,
                    here(format!("property `{name}` added as required")),
                );
            } else {
                self.push(
                    Rule::Shape,
                    subject,
                    here(format!("property `{name}` added (optional)")),
                );
            }
        }
    }

    fn enums(&mut self, subject: &str, here: &dyn Fn(&str) -> String, old: &Value, new: &Value) {
        let values = |s: &Value| -> Option<Vec<Value>> { s["enum"].as_array().cloned() };
        match (values(old), values(new)) {
            (Some(a), Some(b)) => {
                let removed: Vec<_> = a
                    .iter()
                    .filter(|v| !b.contains(v))
                    .map(|v| v.to_string())
                    .collect();
                let added: Vec<_> = b
                    .iter()
                    .filter(|v| !a.contains(v))
                    .map(|v| v.to_string())
                    .collect();
                if !removed.is_empty() {
                    self.push(
                        Rule::Shape,
                        subject,
                        here(&format!("enum narrowed: {} removed", removed.join(", "))),
                    );
                }
                if !added.is_empty() {
                    self.push(
                        Rule::Shape,
                        subject,
                        here(&format!("enum widened: {} added", added.join(", "))),
                    );
                }
            }
            (None, Some(_)) => self.push(Rule::Shape, subject, here("now an enum")),
            (Some(_), None) => self.push(Rule::Shape, subject, here("no longer an enum")),
            (None, None) => {}
        }
    }

    /// Tightened limits break requests that used to be valid; loosened limits break nothing.
    fn bounds(&mut self, subject: &str, here: &dyn Fn(&str) -> String, old: &Value, new: &Value) {
        for (key, tighter_when_larger) in [
            ("minItems", true),
            ("maxItems", false),
            ("minLength", true),
            ("maxLength", false),
            ("minimum", true),
            ("maximum", false),
        ] {
            let (a, b) = (old[key].as_f64(), new[key].as_f64());
            if a == b {
                continue;
            }
            let tighter = match (a, b) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => (b > a) == tighter_when_larger,
                (None, None) => false,
            };
            let show = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_else(|| "none".into());
            let severity = if tighter {
                Severity::Breaking
            } else {
                Severity::Compatible
            };
            self.push(
                Rule::Behaviour(severity),
                subject,
                here(&format!("{key} changed from {} to {}", show(a), show(b))),
            );
        }
    }
}
