//! Paths where a fixed segment overlaps a parameter: `GET /api/bulk/syncs/{id}` and
//! `GET /api/bulk/syncs/status`. The client builds exact paths, so it is not affected; progenitor's mock
//! helper for the templated path matches `^/api/bulk/syncs/[^/]*$`, which also takes `/status`, so a test
//! that mocks both could see the wrong mock answer. Each such helper is narrowed to leave its fixed
//! siblings alone: `path_not("/api/bulk/syncs/status")`, or `path_suffix_not("/consolelog")` where the
//! sibling has parameters of its own before its fixed tail.

use openapiv3::OpenAPI;
use syn::Expr;
use syn::visit_mut::{self, VisitMut};

use super::tree::{lit_str, path_ends, take};

/// One templated path's helper narrowed to leave one fixed sibling alone.
#[derive(Debug, PartialEq)]
pub struct Exclusion {
    /// The operation's method, lower case (`get`).
    pub method: String,
    /// The templated path (`/api/bulk/syncs/{id}`).
    pub templated: String,
    /// The httpmock call that excludes the sibling (`path_not` or `path_suffix_not`), and its argument.
    pub call: &'static str,
    pub argument: String,
}

/// Every overlap in `spec`, as the exclusion that resolves it.
pub fn exclusions(spec: &OpenAPI) -> Vec<Exclusion> {
    let operations: Vec<(String, String)> = spec
        .operations()
        .map(|(path, method, _)| (method.to_string(), path.to_string()))
        .collect();
    let is_param = |s: &str| s.starts_with('{');
    let mut out = Vec::new();
    for (method, templated) in &operations {
        let p: Vec<&str> = templated.split('/').collect();
        if !p.iter().any(|s| is_param(s)) {
            continue;
        }
        for (other_method, sibling) in &operations {
            let q: Vec<&str> = sibling.split('/').collect();
            if other_method != method || sibling == templated || q.len() != p.len() {
                continue;
            }
            // Every segment of the sibling fits the templated path's pattern, and at least one fixed
            // segment of the sibling meets a parameter.
            let fits = p.iter().zip(&q).all(|(a, b)| a == b || is_param(a));
            let overlaps = p.iter().zip(&q).any(|(a, b)| is_param(a) && !is_param(b));
            if !fits || !overlaps {
                continue;
            }
            let (call, argument) = match q.iter().rposition(|s| is_param(s)) {
                None => ("path_not", sibling.clone()),
                Some(last) => {
                    let tail = q[last + 1..].join("/");
                    // The overlap must lie in the fixed tail for a suffix to describe it.
                    let in_tail = (last + 1..q.len()).any(|i| is_param(p[i]));
                    if tail.is_empty() || !in_tail {
                        continue;
                    }
                    ("path_suffix_not", format!("/{tail}"))
                }
            };
            out.push(Exclusion {
                method: method.clone(),
                templated: templated.clone(),
                call,
                argument,
            });
        }
    }
    out
}

/// The regex progenitor's mock helpers match a templated path with.
fn default_matcher(path: &str) -> String {
    let pattern: Vec<&str> = path
        .split('/')
        .map(|s| if s.starts_with('{') { "[^/]*" } else { s })
        .collect();
    format!("^{}$", pattern.join("/"))
}

/// Appends each exclusion to the path matcher of its templated path's helper, for that method only:
/// `inner.method(Method::GET).path_matches(Regex::new("^/a/[^/]*$").unwrap())` gains `.path_not("/a/b")`.
/// Refuses when an exclusion finds no such matcher. Returns how many matchers it narrowed.
pub fn narrow(file: &mut syn::File, exclusions: &[Exclusion]) -> Result<usize, String> {
    let mut total = 0;
    for exclusion in exclusions {
        let mut pass = Narrow {
            method: exclusion.method.to_uppercase(),
            pattern: default_matcher(&exclusion.templated),
            exclusion,
            found: 0,
        };
        pass.visit_file_mut(file);
        if pass.found == 0 {
            return Err(format!(
                "the mock helper for {} {} has no `path_matches(Regex::new({:?}))` after \
                 `method({})` to narrow (xtask/src/generate/paths.rs handles progenitor 0.15)",
                pass.method, exclusion.templated, pass.pattern, pass.method
            ));
        }
        total += pass.found;
    }
    Ok(total)
}

struct Narrow<'a> {
    method: String,
    pattern: String,
    exclusion: &'a Exclusion,
    found: usize,
}

impl Narrow<'_> {
    fn is_target(&self, expr: &Expr) -> bool {
        let Expr::MethodCall(matcher) = expr else {
            return false;
        };
        let Expr::MethodCall(method) = &*matcher.receiver else {
            return false;
        };
        // `regex::Regex::new("<pattern>").unwrap()`
        let pattern = match matcher.args.first() {
            Some(Expr::MethodCall(unwrap)) => match &*unwrap.receiver {
                Expr::Call(new) if path_ends(&new.func, &["Regex", "new"]) => {
                    new.args.first().and_then(lit_str)
                }
                _ => None,
            },
            _ => None,
        };
        matcher.method == "path_matches"
            && method.method == "method"
            && method
                .args
                .first()
                .is_some_and(|m| path_ends(m, &["Method", &self.method]))
            && pattern.as_deref() == Some(self.pattern.as_str())
    }
}

impl VisitMut for Narrow<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        visit_mut::visit_expr_mut(self, expr);
        if self.is_target(expr) {
            let matcher = take(expr);
            let call = syn::Ident::new(self.exclusion.call, proc_macro2::Span::call_site());
            let argument = &self.exclusion.argument;
            *expr = syn::parse_quote!(#matcher.#call(#argument));
            self.found += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_templated_matcher_leaves_its_fixed_siblings_alone() {
        let spec: OpenAPI = serde_json::from_value(serde_json::json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {
                "/a/{id}": {"get": {"responses": {}}, "put": {"responses": {}}},
                "/a/status": {"get": {"responses": {}}},
                "/a/{id}/x/{y}": {"get": {"responses": {}}},
                "/a/{id}/x/log": {"get": {"responses": {}}}
            }
        }))
        .unwrap();
        let found = exclusions(&spec);
        let summary: Vec<(&str, &str, &str, &str)> = found
            .iter()
            .map(|e| {
                (
                    e.method.as_str(),
                    e.templated.as_str(),
                    e.call,
                    e.argument.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("get", "/a/{id}", "path_not", "/a/status"),
                ("get", "/a/{id}/x/{y}", "path_suffix_not", "/x/log"),
            ]
        );
        let mut file: syn::File = syn::parse_quote! {
            fn get(inner: When) -> When {
                inner.method(::httpmock::Method::GET).path_matches(regex::Regex::new("^/a/[^/]*$").unwrap())
            }
            fn put(inner: When) -> When {
                inner.method(::httpmock::Method::PUT).path_matches(regex::Regex::new("^/a/[^/]*$").unwrap())
            }
            fn deeper(inner: When) -> When {
                inner.method(::httpmock::Method::GET).path_matches(regex::Regex::new("^/a/[^/]*/x/[^/]*$").unwrap())
            }
        };
        assert_eq!(narrow(&mut file, &found), Ok(2));
        let text = prettyplease::unparse(&file);
        assert!(text.contains(".path_matches(regex::Regex::new(\"^/a/[^/]*$\").unwrap())\n        .path_not(\"/a/status\")"), "{text}");
        assert!(text.contains(".path_suffix_not(\"/x/log\")"), "{text}");
        assert_eq!(
            text.matches("path_not").count(),
            1,
            "not the PUT helper: {text}"
        );

        // A helper progenitor no longer writes this way is refused, not skipped.
        let mut other: syn::File = syn::parse_quote! {
            fn get(inner: When) -> When { inner.method(::httpmock::Method::GET).path("/a/1") }
        };
        let error = narrow(&mut other, &found[..1]).unwrap_err();
        assert!(
            error.starts_with("the mock helper for GET /a/{id} has no"),
            "{error}"
        );
    }
}
