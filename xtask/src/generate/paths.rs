//! Paths where a fixed segment overlaps a parameter: `GET /api/bulk/syncs/{id}` and
//! `GET /api/bulk/syncs/status`. The client builds exact paths, so it is not affected; progenitor's mock
//! helper for the templated path matches `^/api/bulk/syncs/[^/]*$`, which also takes `/status`, so a test
//! that mocks both could see the wrong mock answer. Each such helper is narrowed to leave its fixed
//! siblings alone: `path_not("/api/bulk/syncs/status")`, or `path_suffix_not("/consolelog")` where the
//! sibling has parameters of its own before its fixed tail.

use openapiv3::OpenAPI;

/// (method, templated path, httpmock call that excludes one sibling), for every overlap in `spec`.
pub fn exclusions(spec: &OpenAPI) -> Vec<(String, String, String)> {
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
            let call = match q.iter().rposition(|s| is_param(s)) {
                None => format!(". path_not ({sibling:?})"),
                Some(last) => {
                    let tail = q[last + 1..].join("/");
                    // The overlap must lie in the fixed tail for a suffix to describe it.
                    let in_tail = (last + 1..q.len()).any(|i| is_param(p[i]));
                    if tail.is_empty() || !in_tail {
                        continue;
                    }
                    format!(". path_suffix_not (\"/{tail}\")")
                }
            };
            out.push((method.clone(), templated.clone(), call));
        }
    }
    out
}

/// The regex progenitor's mock helpers match a templated path with, as it appears in their tokens.
fn default_matcher(path: &str) -> String {
    let pattern: Vec<String> = path
        .split('/')
        .map(|s| {
            if s.starts_with('{') {
                "[^/]*".into()
            } else {
                s.to_string()
            }
        })
        .collect();
    format!(
        "regex :: Regex :: new (\"^{}$\") . unwrap ())",
        pattern.join("/")
    )
}

/// Appends each exclusion to the default matcher of its templated path's helper, for that method only.
pub fn narrow(text: &str, exclusions: &[(String, String, String)]) -> String {
    let mut text = text.to_string();
    for (method, templated, call) in exclusions {
        let matcher = default_matcher(templated);
        let method_token = format!("httpmock :: Method :: {}", method.to_uppercase());
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(&matcher) {
            let end = at + matcher.len();
            out.push_str(&rest[..end]);
            // Only the helper of this method: its `new` names the method just before the path matcher.
            let before = &rest[at.saturating_sub(200)..at];
            if before.contains(&method_token) {
                out.push_str(&format!(" {call}"));
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        text = out;
    }
    text
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
        assert_eq!(
            found,
            [
                (
                    "get".into(),
                    "/a/{id}".into(),
                    ". path_not (\"/a/status\")".into()
                ),
                (
                    "get".into(),
                    "/a/{id}/x/{y}".into(),
                    ". path_suffix_not (\"/x/log\")".into()
                ),
            ]
        );
        let mock = "inner . method (httpmock :: Method :: GET) . path_matches (regex :: Regex :: new (\"^/a/[^/]*$\") . unwrap ()) ; inner . method (httpmock :: Method :: PUT) . path_matches (regex :: Regex :: new (\"^/a/[^/]*$\") . unwrap ())";
        assert_eq!(
            narrow(mock, &found),
            "inner . method (httpmock :: Method :: GET) . path_matches (regex :: Regex :: new (\"^/a/[^/]*$\") . unwrap ()) . path_not (\"/a/status\") ; inner . method (httpmock :: Method :: PUT) . path_matches (regex :: Regex :: new (\"^/a/[^/]*$\") . unwrap ())"
        );
    }
}
