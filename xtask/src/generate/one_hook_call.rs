//! Each of progenitor's `send()`s awaits the three hooks in turn (`pre`, `exec`, `post`) and then takes the
//! response out of the result: four statements, three awaits, and three futures in every operation's state
//! machine. They become one call of `crate::hooks::send`, which does exactly those four steps, so each
//! `send` awaits one future whose body is checked and laid out once instead of 128 times (the `send`
//! bodies were the largest part of the client's build: BENCHMARKS.md). A pass over the syntax tree,
//! exactly once per operation.

use quote::ToTokens;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Stmt};

/// progenitor 0.15's four statements, as tokens.
const HOOKS: [&str; 4] = [
    "client . pre (& mut request , & info) . await ? ;",
    "let result = client . exec (request , & info) . await ;",
    "client . post (& result , & info) . await ? ;",
    "let response = result ? ;",
];

/// The client with each operation's hook calls made one; an error unless exactly `operations` were.
pub fn merge(file: &mut syn::File, operations: usize) -> Result<(), String> {
    let mut pass = Pass { merged: 0 };
    pass.visit_file_mut(file);
    if pass.merged != operations {
        return Err(format!(
            "progenitor's client does not look as expected: the hook calls `{}` .. `{}` found {} times \
             for {operations} operations (xtask/src/generate/one_hook_call.rs handles progenitor 0.15)",
            HOOKS[0], HOOKS[3], pass.merged
        ));
    }
    Ok(())
}

struct Pass {
    merged: usize,
}

impl VisitMut for Pass {
    fn visit_block_mut(&mut self, block: &mut Block) {
        let texts: Vec<String> = block
            .stmts
            .iter()
            .map(|s| s.to_token_stream().to_string())
            .collect();
        if let Some(at) = texts.windows(HOOKS.len()).position(|w| w == HOOKS) {
            let call: Stmt = syn::parse_quote!(let response = crate::hooks::send(client, request, &info).await?;);
            block.stmts.splice(at..at + HOOKS.len(), [call]);
            self.merged += 1;
        }
        visit_mut::visit_block_mut(self, block);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_operation_awaits_the_hooks_once() {
        let (_, mut file) = super::super::progenitor_client(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n\
             \x20 /a:\n    get: {operationId: get_a, responses: {'200': {description: ok}}}\n\
             \x20 /b:\n    post: {operationId: post_b, responses: {'204': {description: ok}}}\n",
        );
        assert_eq!(
            prettyplease::unparse(&file).matches("client.pre(").count(),
            2
        );
        super::merge(&mut file, 2).unwrap();
        let text = prettyplease::unparse(&file);
        for gone in [
            "client.pre(",
            "client.exec(",
            "client.post(&result",
            "result?",
        ] {
            assert!(!text.contains(gone), "{gone}: {text}");
        }
        assert_eq!(
            text.matches("let response = crate::hooks::send(client, request, &info).await?;")
                .count(),
            2,
            "{text}"
        );
        let error = super::merge(&mut file, 2).unwrap_err();
        assert!(error.contains("found 0 times for 2 operations"), "{error}");
    }
}
