//! progenitor 0.15 adds `api-version: <info.version>` to every request it builds (its own convention, see
//! progenitor's `method.rs`). Polytomic has no such header: the version travels in `X-Polytomic-Version`,
//! and a second, fixed version header would contradict a caller who pins another one. The statement is
//! taken out of each operation here, once, instead of the header being removed from every request at run
//! time (which cost about 1% per request: BENCHMARKS.md, "Per-request overhead"). Each operation's header
//! map then starts empty, so it allocates only when a header parameter is set. A pass over the syntax tree.

use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Stmt};

use super::tree::{lit_str, path_ends};

/// The client without the header; an error when progenitor did not write it, and its sized header map,
/// exactly once per operation (a new progenitor: look at its `method.rs` and adjust this).
pub fn drop_header(file: &mut syn::File, operations: usize) -> Result<(), String> {
    let mut pass = Pass::default();
    pass.visit_file_mut(file);
    if pass.headers != operations || pass.maps != operations {
        return Err(format!(
            "progenitor's client does not look as expected: {} `api-version` headers and {} header \
             maps for {operations} operations (xtask/src/generate/api_version.rs handles progenitor 0.15)",
            pass.headers, pass.maps
        ));
    }
    Ok(())
}

#[derive(Default)]
struct Pass {
    headers: usize,
    maps: usize,
}

/// `header_map.append(HeaderName::from_static("api-version"), ..);`
fn is_api_version(statement: &Stmt) -> bool {
    let Stmt::Expr(Expr::MethodCall(call), Some(_)) = statement else {
        return false;
    };
    call.method == "append"
        && path_ends(&call.receiver, &["header_map"])
        && matches!(call.args.first(), Some(Expr::Call(name))
            if path_ends(&name.func, &["HeaderName", "from_static"])
                && name.args.first().and_then(lit_str).as_deref() == Some("api-version"))
}

impl VisitMut for Pass {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let before = block.stmts.len();
        block.stmts.retain(|statement| !is_api_version(statement));
        self.headers += before - block.stmts.len();
        visit_mut::visit_block_mut(self, block);
    }

    /// `let mut header_map = HeaderMap::with_capacity(n);` starts empty instead (`unused_mut` allowed: an
    /// operation without header parameters never adds to it).
    fn visit_local_mut(&mut self, local: &mut syn::Local) {
        let named = matches!(&local.pat, syn::Pat::Ident(p) if p.ident == "header_map");
        if let Some(init) = &mut local.init
            && named
            && matches!(&*init.expr, Expr::Call(call)
                if path_ends(&call.func, &["HeaderMap", "with_capacity"]))
        {
            *init.expr = syn::parse_quote!(::reqwest::header::HeaderMap::new());
            local.attrs.push(syn::parse_quote!(#[allow(unused_mut)]));
            self.maps += 1;
        }
        visit_mut::visit_local_mut(self, local);
    }
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
        let parsed = || -> syn::File {
            let tokens = Generator::new(&super::super::settings())
                .generate_tokens(&spec)
                .unwrap();
            syn::parse2(tokens).unwrap()
        };
        let mut file = parsed();
        assert_eq!(
            prettyplease::unparse(&file)
                .matches("\"api-version\"")
                .count(),
            2
        );
        let mut twice = parsed();
        super::drop_header(&mut file, 2).unwrap();
        let text = prettyplease::unparse(&file);
        assert!(!text.contains("\"api-version\""), "{text}");
        assert!(!text.contains("with_capacity"), "{text}");
        assert_eq!(
            text.matches("::reqwest::header::HeaderMap::new()").count(),
            2
        );
        // The caller's own header parameter stays.
        assert!(
            text.contains("header_map.append(\"X-Polytomic-Version\""),
            "{text}"
        );
        let error = super::drop_header(&mut twice, 3).unwrap_err();
        assert!(error.contains("2 `api-version` headers and 2 header maps for 3 operations"));
        // Nothing left to take out: a second run is refused.
        let error = super::drop_header(&mut file, 2).unwrap_err();
        assert!(
            error.contains("0 `api-version` headers and 0 header maps"),
            "{error}"
        );
    }
}
