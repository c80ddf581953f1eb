//! progenitor's `Client::new(baseurl, inner)` makes its own reqwest client with `.build().unwrap()`. Under
//! the client's default TLS feature (`rustls-ring`), reqwest has no crypto provider of its own and that
//! panics, so `new` builds through `crate::tls::build`, with the backend the features chose, as
//! `ClientBuilder::build` does. A pass over the syntax tree: exactly one such call, or a refusal.

use syn::{Expr, ImplItem, Item};

/// The client with `Client::new` building through `crate::tls`; refuses unless there is exactly one
/// `client.build().unwrap()` argument in it (progenitor 0.15's `Client::new`).
pub fn build_through_tls(file: &mut syn::File) -> Result<(), String> {
    let mut changed = 0;
    for item in &mut file.items {
        let Item::Impl(block) = item else { continue };
        let syn::Type::Path(ty) = &*block.self_ty else {
            continue;
        };
        if block.trait_.is_some() || !ty.path.is_ident("Client") {
            continue;
        }
        for member in &mut block.items {
            let ImplItem::Fn(function) = member else {
                continue;
            };
            if function.sig.ident != "new" {
                continue;
            }
            for statement in &mut function.block.stmts {
                let syn::Stmt::Expr(Expr::Call(call), _) = statement else {
                    continue;
                };
                for argument in &mut call.args {
                    if is_build_unwrap(argument) {
                        *argument = syn::parse_quote!(crate::tls::build(client));
                        changed += 1;
                    }
                }
            }
        }
    }
    if changed != 1 {
        return Err(format!(
            "progenitor's `Client::new`: expected one `client.build().unwrap()` to build through \
             crate::tls, found {changed} (xtask/src/generate/client_new.rs handles progenitor 0.15)"
        ));
    }
    Ok(())
}

/// `client.build().unwrap()`.
fn is_build_unwrap(expr: &Expr) -> bool {
    let Expr::MethodCall(unwrap) = expr else {
        return false;
    };
    let Expr::MethodCall(build) = &*unwrap.receiver else {
        return false;
    };
    unwrap.method == "unwrap"
        && unwrap.args.is_empty()
        && build.method == "build"
        && build.args.is_empty()
        && matches!(&*build.receiver, Expr::Path(p) if p.path.is_ident("client"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn client_new_builds_through_tls_and_a_missing_target_is_refused() {
        let spec: openapiv3::OpenAPI = serde_yaml::from_str(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n\
             \x20 /a:\n    get: {operationId: get_a, responses: {'200': {description: ok}}}\n",
        )
        .unwrap();
        let tokens = progenitor::Generator::new(&super::super::settings())
            .generate_tokens(&spec)
            .unwrap();
        let mut file: syn::File = syn::parse2(tokens).unwrap();
        let before = prettyplease::unparse(&file);
        assert_eq!(before.matches("client.build().unwrap()").count(), 1);
        super::build_through_tls(&mut file).unwrap();
        let after = prettyplease::unparse(&file);
        assert!(!after.contains("client.build().unwrap()"), "{after}");
        assert!(
            after.contains("Self::new_with_client(baseurl, crate::tls::build(client), inner)"),
            "{after}"
        );
        // Run again: the target is gone, and the pass says so.
        let error = super::build_through_tls(&mut file).unwrap_err();
        assert!(error.contains("found 0"), "{error}");
    }
}
