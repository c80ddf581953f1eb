//! The CLI's command bodies (`Cli::execute_<operation>`) moved out of progenitor's one `impl Cli<T>` into a
//! module per resource (`mod commands_users`), and its dispatcher (`Cli::execute`) into `mod commands`.
//!
//! Why: rustc compiles an `async fn`'s state machine in the codegen unit of the module that holds its impl
//! block, and an incremental build compiles a unit again whole when anything in it changed. With the 128
//! bodies in one module, a field added to `User` compiled every command again; now it compiles the commands
//! of the resources whose responses changed (BENCHMARKS.md, "Commands and builders by resource"). The
//! methods keep their names and visibility: `Cli` reads as before.
//!
//! Counts what it moves; refuses when the impl, the dispatcher or an operation's command is missing, or a
//! command names no operation.

use syn::{ImplItem, Item};

use super::index;

/// The dispatcher's module; each resource's is this, `_`, and the resource.
const DISPATCH: &str = "commands";

/// Moves the commands of `resources` (operation id, resource) into their modules; the number moved.
pub fn by_resource(file: &mut syn::File, resources: &[(String, String)]) -> Result<usize, String> {
    let cli = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            Item::Impl(i) if i.trait_.is_none() && is_cli(&i.self_ty) => Some(i),
            _ => None,
        })
        .ok_or("progenitor's CLI has no `impl Cli<T>` (xtask/src/generate/cli_modules.rs)")?;
    let mut modules: Vec<(String, Vec<ImplItem>)> = Vec::new();
    let mut kept = Vec::new();
    let (mut moved, mut dispatcher) = (0, false);
    for item in std::mem::take(&mut cli.items) {
        let name = match &item {
            ImplItem::Fn(f) => f.sig.ident.to_string(),
            _ => String::new(),
        };
        let module = if name == "execute" {
            dispatcher = true;
            DISPATCH.to_string()
        } else if let Some(id) = name.strip_prefix("execute_") {
            let Some((_, resource)) = resources.iter().find(|(op, _)| op == id) else {
                return Err(format!(
                    "progenitor's CLI: `Cli::{name}` is no operation's command (the spec has no \
                     operation `{id}`; xtask/src/generate/cli_modules.rs)"
                ));
            };
            moved += 1;
            format!("{DISPATCH}_{}", index::module_name(resource))
        } else {
            kept.push(item);
            continue;
        };
        match modules.iter_mut().find(|(m, _)| *m == module) {
            Some((_, items)) => items.push(item),
            None => modules.push((module, vec![item])),
        }
    }
    if !dispatcher || moved != resources.len() {
        return Err(format!(
            "progenitor's CLI does not look as expected: {} `Cli::execute`, and {moved} `Cli::execute_<operation>` \
             for {} operations (xtask/src/generate/cli_modules.rs handles progenitor 0.15)",
            if dispatcher { "a" } else { "no" },
            resources.len()
        ));
    }
    cli.items = kept;
    let (generics, _, bounds) = cli.generics.split_for_impl();
    let self_ty = &cli.self_ty;
    let impls: Vec<(String, Item)> = modules
        .into_iter()
        .map(|(name, items)| {
            let module = quote::format_ident!("{name}");
            let item = syn::parse_quote! {
                mod #module {
                    #[allow(unused_imports)]
                    use super::*;
                    impl #generics #self_ty #bounds {
                        #(#items)*
                    }
                }
            };
            (name, item)
        })
        .collect();
    for (name, item) in impls {
        if file.items.iter().any(|item| named(item, &name)) {
            return Err(format!(
                "progenitor's CLI already has an item `{name}`, the module its commands would go to \
                 (xtask/src/generate/cli_modules.rs)"
            ));
        }
        file.items.push(item);
    }
    Ok(moved)
}

fn is_cli(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Cli"))
}

fn named(item: &Item, name: &str) -> bool {
    match item {
        Item::Mod(m) => m.ident == name,
        Item::Fn(f) => f.sig.ident == name,
        Item::Struct(s) => s.ident == name,
        Item::Enum(e) => e.ident == name,
        Item::Const(c) => c.ident == name,
        Item::Static(s) => s.ident == name,
        Item::Trait(t) => t.ident == name,
        Item::Type(t) => t.ident == name,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli() -> syn::File {
        syn::parse_quote! {
            pub struct Cli<T: CliConfig> { client: Client, config: T }
            impl<T: CliConfig> Cli<T> {
                pub fn new(client: Client, config: T) -> Self { Self { client, config } }
                pub fn cli_list_users() -> ::clap::Command { ::clap::Command::new("") }
                pub async fn execute(&self, cmd: CliCommand, matches: &::clap::ArgMatches) -> anyhow::Result<()> {
                    match cmd { CliCommand::ListUsers => self.execute_list_users(matches).await }
                }
                /// Lists users.
                pub async fn execute_list_users(&self, matches: &::clap::ArgMatches) -> anyhow::Result<()> { Ok(()) }
                pub async fn execute_get_user(&self, matches: &::clap::ArgMatches) -> anyhow::Result<()> { Ok(()) }
                pub async fn execute_list_syncs(&self, matches: &::clap::ArgMatches) -> anyhow::Result<()> { Ok(()) }
            }
            pub trait CliConfig {}
        }
    }

    fn resources() -> Vec<(String, String)> {
        [
            ("list_users", "users"),
            ("get_user", "users"),
            ("list_syncs", "Bulk Syncs"),
        ]
        .map(|(id, r)| (id.to_string(), r.to_string()))
        .to_vec()
    }

    #[test]
    fn each_resource_gets_a_module_of_its_commands() {
        let mut file = cli();
        assert_eq!(by_resource(&mut file, &resources()), Ok(3));
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        // What stays: the constructor and the clap builders.
        let kept = text.split("pubtraitCliConfig").next().unwrap();
        assert!(kept.contains("pubfnnew(") && kept.contains("pubfncli_list_users("));
        assert!(!kept.contains("asyncfn"), "{kept}");
        for expected in [
            "mod commands { #[allow(unused_imports)] use super::*; impl<T: CliConfig> Cli<T> { pub async fn execute(",
            "mod commands_users { #[allow(unused_imports)] use super::*; impl<T: CliConfig> Cli<T> { \
             /// Lists users. pub async fn execute_list_users(",
            "mod commands_bulk_syncs { #[allow(unused_imports)] use super::*; impl<T: CliConfig> Cli<T> { \
             pub async fn execute_list_syncs(",
        ] {
            let expected: String = expected.split_whitespace().collect();
            assert!(text.contains(&expected), "no {expected} in {text}");
        }
        assert!(text.contains("pubasyncfnexecute_get_user("));
        // Done once: a second pass finds nothing to move.
        assert!(by_resource(&mut file, &resources()).is_err());
    }

    #[test]
    fn refuses_what_it_cannot_place_or_does_not_find() {
        let mut unknown = cli();
        let error = by_resource(&mut unknown, &resources()[..2]).unwrap_err();
        assert!(
            error.starts_with(
                "progenitor's CLI: `Cli::execute_list_syncs` is no operation's command"
            ),
            "{error}"
        );
        let mut missing = cli();
        let mut more = resources();
        more.push(("delete_user".into(), "users".into()));
        let error = by_resource(&mut missing, &more).unwrap_err();
        assert!(
            error.contains("a `Cli::execute`, and 3 `Cli::execute_<operation>` for 4 operations"),
            "{error}"
        );
        let mut taken = cli();
        taken.items.push(syn::parse_quote!(
            mod commands_users {}
        ));
        let error = by_resource(&mut taken, &resources()).unwrap_err();
        assert!(
            error.contains("already has an item `commands_users`"),
            "{error}"
        );
        let mut none: syn::File = syn::parse_quote!(
            pub struct Cli;
        );
        assert!(
            by_resource(&mut none, &resources())
                .unwrap_err()
                .contains("no `impl Cli<T>`")
        );
    }
}
