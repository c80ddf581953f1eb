//! progenitor 0.15 adds `api-version: <info.version>` to every request it builds (its own convention, see
//! progenitor's `method.rs`). Polytomic has no such header: the version travels in `X-Polytomic-Version`,
//! and a second, fixed version header would contradict a caller who pins another one. The statement is
//! taken out of each operation here, once, instead of the header being removed from every request at run
//! time (which cost about 1% per request: BENCHMARKS.md, "Per-request overhead"). Each operation's header
//! map then starts empty, so it allocates only when a header parameter is set.

/// `text` (progenitor's client tokens as text) without the header, or an error when progenitor did not
/// write it exactly once per operation (a new progenitor: look at its `method.rs` and adjust this).
pub fn drop_header(text: &str, operations: usize) -> Result<String, String> {
    const APPEND: &str = "header_map . append (:: reqwest :: header :: HeaderName :: from_static (\"api-version\") ,";
    const SIZED: &str = "let mut header_map = :: reqwest :: header :: HeaderMap :: with_capacity (";
    // An operation without header parameters never adds to it: `unused_mut` is allowed.
    const EMPTY: &str =
        "# [allow (unused_mut)] let mut header_map = :: reqwest :: header :: HeaderMap :: new () ;";
    let (appends, maps) = (text.matches(APPEND).count(), text.matches(SIZED).count());
    if appends != operations || maps != operations {
        return Err(format!(
            "progenitor's client does not look as expected: {appends} `api-version` headers and {maps} \
             header maps for {operations} operations (xtask/src/generate/api_version.rs handles progenitor 0.15)"
        ));
    }
    // Each statement runs from `APPEND` to its `,) ;`; each map's `with_capacity (N) ;` becomes `new () ;`.
    let mut without = String::with_capacity(text.len());
    for (i, piece) in text.split(APPEND).enumerate() {
        without.push_str(
            if i == 0 {
                Some(piece)
            } else {
                piece.split_once(",) ;").map(|(_, rest)| rest)
            }
            .ok_or("progenitor's `api-version` statement does not end in `,) ;`")?,
        );
    }
    let mut out = String::with_capacity(text.len());
    for (i, piece) in without.split(SIZED).enumerate() {
        let rest = if i == 0 {
            Some(piece)
        } else {
            piece.split_once(") ;").map(|(_, rest)| rest)
        };
        if i > 0 {
            out.push_str(EMPTY);
        }
        out.push_str(rest.ok_or("progenitor's header map does not end in `) ;`")?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use progenitor::Generator;

    #[test]
    fn every_operation_loses_the_header_and_starts_with_an_empty_map() {
        let spec: openapiv3::OpenAPI = serde_yaml::from_str(
            "openapi: 3.0.3\ninfo: {title: t, version: '2025-09-18'}\npaths:\n\
             \x20 /a:\n    get: {operationId: get_a, responses: {'200': {description: ok}}}\n\
             \x20 /b:\n    post:\n      operationId: post_b\n      parameters:\n\
             \x20       - {name: X-Polytomic-Version, in: header, schema: {type: string}}\n\
             \x20     responses: {'200': {description: ok}}\n",
        )
        .unwrap();
        let text = Generator::new(&super::super::settings())
            .generate_tokens(&spec)
            .unwrap()
            .to_string();
        assert_eq!(text.matches("\"api-version\"").count(), 2, "{text}");
        let dropped = super::drop_header(&text, 2).unwrap();
        assert!(!dropped.contains("\"api-version\""));
        assert!(!dropped.contains("with_capacity"));
        assert_eq!(dropped.matches("HeaderMap :: new ()").count(), 2);
        // The caller's own header parameter stays.
        assert!(dropped.contains("header_map . append (\"X-Polytomic-Version\""));
        dropped.parse::<proc_macro2::TokenStream>().unwrap();
        let error = super::drop_header(&text, 3).unwrap_err();
        assert!(error.contains("2 `api-version` headers and 2 header maps for 3 operations"));
    }
}
