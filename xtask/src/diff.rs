//! `cargo xtask diff`: what changed between two versions of the spec, and what it breaks for callers of
//! the generated Rust client.
//!
//! Operations are matched by operationId (the Rust method name), parameters by location and name, schemas
//! by name, properties by name. A change is breaking when code that compiled and worked against the old
//! client may not against the new one.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

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
    /// `operation update_current_org_user` or `schema User`.
    pub subject: String,
    pub change: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.change)
    }
}

/// Every change from `old` to `new`, sorted by severity, then subject.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut out = Differ {
        old,
        new,
        changes: Vec::new(),
    };
    out.operations();
    out.schemas();
    out.changes.sort();
    out.changes.dedup();
    out.changes
}

/// `now deprecated` / `no longer deprecated` when the flag changed.
fn deprecation(old: &Value, new: &Value) -> Option<&'static str> {
    match (old == &Value::Bool(true), new == &Value::Bool(true)) {
        (false, true) => Some("now deprecated"),
        (true, false) => Some("no longer deprecated"),
        _ => None,
    }
}

/// The semver bump the client crate needs for `changes`, from `current` (`0.1.0+2025-09-18`), by the
/// `semver` crate's rules. A pre-release (`0.2.0-alpha.1`) is followed by its release (`0.2.0`), which may
/// hold any change. A version that does not parse is reported as such.
pub fn next_version(current: &str, changes: &[Change]) -> (String, &'static str) {
    let Ok(version) = semver::Version::parse(current) else {
        return (
            current.to_string(),
            "none: the current version is not semver",
        );
    };
    let worst = changes.iter().map(|c| c.severity).min();
    let mut next = semver::Version::new(version.major, version.minor, version.patch);
    if worst.is_none() {
        return (next.to_string(), "none");
    }
    if !version.pre.is_empty() {
        return (
            next.to_string(),
            "release: a pre-release is followed by its release",
        );
    }
    // Cargo treats the first non-zero component as the major one: 0.y.z breaks by bumping y.
    let bump = match (worst, next.major) {
        (Some(Severity::Breaking), 0) => {
            next.minor += 1;
            next.patch = 0;
            "minor: breaking, and 0.x crates break by bumping the minor version"
        }
        (Some(Severity::Breaking), _) => {
            next = semver::Version::new(next.major + 1, 0, 0);
            "major: breaking"
        }
        (Some(Severity::Compatible), 0) => {
            next.patch += 1;
            "patch: compatible additions (0.x)"
        }
        (Some(Severity::Compatible), _) => {
            next.minor += 1;
            next.patch = 0;
            "minor: compatible additions"
        }
        _ => {
            next.patch += 1;
            "patch: documentation only"
        }
    };
    (next.to_string(), bump)
}

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: Vec<Change>,
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
    fn push(&mut self, severity: Severity, subject: &str, change: String) {
        self.changes.push(Change {
            severity,
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
                    Severity::Breaking,
                    &subject,
                    format!("removed ({} {})", op.method, op.path),
                ),
                Some((_, new)) => self.operation(&subject, op, new),
            }
        }
        for (id, op) in &new_ops {
            if !old_ops.iter().any(|(other, _)| other == id) {
                self.push(
                    Severity::Compatible,
                    &format!("operation {id}"),
                    format!("added ({} {})", op.method, op.path),
                );
            }
        }
    }

    fn operation(&mut self, subject: &str, old: &Op, new: &Op) {
        if old.method != new.method || old.path != new.path {
            self.push(
                Severity::Breaking,
                subject,
                format!(
                    "moved from {} {} to {} {}",
                    old.method, old.path, new.method, new.path
                ),
            );
        }
        for key in ["summary", "description"] {
            if old.def[key] != new.def[key] {
                self.push(Severity::Docs, subject, format!("{key} changed"));
            }
        }
        if let Some(now) = deprecation(&old.def["deprecated"], &new.def["deprecated"]) {
            self.push(Severity::Docs, subject, now.into());
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
                Severity::Breaking,
                subject,
                format!("no longer accepts {kind} credentials"),
            );
        }
        for kind in is.difference(&was) {
            self.push(
                Severity::Compatible,
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
                None => self.push(Severity::Breaking, subject, format!("{name} removed")),
                Some((_, new_param)) => {
                    let (was, is) = (param["required"] == true, new_param["required"] == true);
                    if was != is {
                        let severity = if is {
                            Severity::Breaking
                        } else {
                            Severity::Compatible
                        };
                        let now = if is { "required" } else { "optional" };
                        self.push(severity, subject, format!("{name} is now {now}"));
                    }
                    let at = format!("{subject}: {name}");
                    self.schema(&at, "", &param["schema"], &new_param["schema"]);
                    if param["description"] != new_param["description"] {
                        self.push(
                            Severity::Docs,
                            subject,
                            format!("{name}: description changed"),
                        );
                    }
                    if let Some(now) = deprecation(&param["deprecated"], &new_param["deprecated"]) {
                        self.push(Severity::Docs, subject, format!("{name}: {now}"));
                    }
                }
            }
        }
        for (name, param) in &new_params {
            if !old_params.iter().any(|(n, _)| n == name) {
                if param["required"] == true {
                    self.push(
                        Severity::Breaking,
                        subject,
                        format!("{name} added as required"),
                    );
                } else {
                    self.push(
                        Severity::Compatible,
                        subject,
                        format!("{name} added (optional)"),
                    );
                }
            }
        }
    }

    fn request_body(&mut self, subject: &str, old: &Value, new: &Value) {
        let body =
            |doc: &'_ Value, op: &'_ Value| op.get("requestBody").map(|b| resolve(doc, b).clone());
        match (body(self.old, old), body(self.new, new)) {
            (None, None) => {}
            (Some(_), None) => {
                self.push(Severity::Breaking, subject, "request body removed".into())
            }
            (None, Some(_)) => self.push(Severity::Breaking, subject, "request body added".into()),
            (Some(a), Some(b)) => {
                let (was, is) = (a["required"] == true, b["required"] == true);
                if was != is {
                    // A required body must be given to the builder; an optional one may be left out.
                    let (severity, now) = if is {
                        (Severity::Breaking, "required")
                    } else {
                        (Severity::Compatible, "optional")
                    };
                    self.push(severity, subject, format!("request body is now {now}"));
                }
                let at = format!("{subject}: request body");
                let (sa, sb) = (
                    &a["content"]["application/json"]["schema"],
                    &b["content"]["application/json"]["schema"],
                );
                self.schema(&at, "", sa, sb);
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
            let at = format!("{subject}: response {code}");
            match (old_codes.contains(code), new_codes.contains(code)) {
                (true, false) => self.push(
                    Severity::Compatible,
                    subject,
                    format!("response {code} no longer declared"),
                ),
                (false, true) => self.push(
                    Severity::Compatible,
                    subject,
                    format!("response {code} declared"),
                ),
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
                            Severity::Breaking,
                            subject,
                            format!("response {code}: body removed (the returned type changes)"),
                        ),
                        (true, false) => self.push(
                            Severity::Breaking,
                            subject,
                            format!("response {code}: body added (the returned type changes)"),
                        ),
                        _ => self.schema(&at, "", sa, sb),
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
                (true, false) => self.push(Severity::Breaking, &subject, "removed".into()),
                (false, true) => self.push(Severity::Compatible, &subject, "added".into()),
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
                Severity::Breaking,
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
                    Severity::Breaking,
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
            self.push(
                Severity::Breaking,
                subject,
                here(&format!("now {now} (the Rust type changes)")),
            );
        }
        self.enums(subject, &here, old, new);
        self.bounds(subject, &here, old, new);
        for key in ["description", "title", "example"] {
            if old[key] != new[key] {
                self.push(Severity::Docs, subject, here(&format!("{key} changed")));
            }
        }
        if let Some(now) = deprecation(&old["deprecated"], &new["deprecated"]) {
            self.push(Severity::Docs, subject, here(now));
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
        // Branches by position: a new `oneOf`/`anyOf` branch is a new Rust variant, a new `allOf` member
        // new fields; either breaks code that names them all.
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
                    (Some(_), None) => {
                        self.push(Severity::Breaking, subject, format!("{at}: removed"))
                    }
                    (None, Some(_)) => {
                        self.push(Severity::Breaking, subject, format!("{at}: added"))
                    }
                    (None, None) => {}
                }
            }
        }
        self.properties(subject, field, old, new, &inner);
    }

    /// `additionalProperties`: a map's value schema is compared like any other; turning extra keys away
    /// (`false`) breaks decoding of bodies that have them, accepting them again breaks nothing; a map
    /// that becomes a struct, or back, changes the Rust type.
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
            (Value::Object(_), _) | (_, Value::Object(_)) => self.push(
                Severity::Breaking,
                subject,
                here(&format!("{change} (the Rust type changes)")),
            ),
            (_, Value::Bool(false)) => self.push(
                Severity::Breaking,
                subject,
                here(&format!(
                    "{change} (bodies with other keys no longer decode)"
                )),
            ),
            (Value::Bool(false), _) => self.push(Severity::Compatible, subject, here(&change)),
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
                    Severity::Breaking,
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
                    Severity::Breaking,
                    subject,
                    here(format!(
                        "property `{name}` {change} (the Rust field's type changes)"
                    )),
                );
            }
            // An optional field is an `Option` in Rust whether or not it is nullable: a `nullable` flip
            // there changes nothing for callers, and is reported as compatible.
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
                self.push(
                    Severity::Compatible,
                    subject,
                    format!(
                        "{}: now {now} (an optional field is an Option either way)",
                        inner(name)
                    ),
                );
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
                    Severity::Breaking,
                    subject,
                    here(format!("property `{name}` added as required")),
                );
            } else {
                // The generated struct gains a public field: a struct literal naming every field stops
                // compiling. Code written with `..Default::default()` is unaffected, but the Rust API
                // changed, so the verdict follows Rust's semver rules (README, "Versioning").
                self.push(
                    Severity::Breaking,
                    subject,
                    here(format!(
                        "property `{name}` added (optional; the generated struct gains a field)"
                    )),
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
                        Severity::Breaking,
                        subject,
                        here(&format!("enum narrowed: {} removed", removed.join(", "))),
                    );
                }
                if !added.is_empty() {
                    // A new variant of a generated Rust enum breaks exhaustive `match`es.
                    self.push(
                        Severity::Breaking,
                        subject,
                        here(&format!(
                            "enum widened: {} added (a new Rust variant breaks exhaustive matches)",
                            added.join(", ")
                        )),
                    );
                }
            }
            (None, Some(_)) => self.push(Severity::Breaking, subject, here("now an enum")),
            (Some(_), None) => self.push(Severity::Breaking, subject, here("no longer an enum")),
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
                severity,
                subject,
                here(&format!("{key} changed from {} to {}", show(a), show(b))),
            );
        }
    }
}
