//! The generated client's items, read off its source as `cargo xtask generate` writes it: `src/generated.rs`
//! and the files of the parts its big modules are split into (`src/generated/<module>/part_NN.rs`,
//! private and re-exported: their items are the module's). Included by `crates/polytomic/tests/types.rs`
//! and by `tests/integration/tests/it/` (`open_objects.rs`), which say where the client's `src/` is.

use std::path::Path;

/// The items of the generated module at `path` (`["types"]`) of the client whose `src/` folder is `src`, its
/// parts' items included.
pub fn module_items(src: &Path, path: &[&str]) -> Vec<syn::Item> {
    let mut items = parse(&src.join("generated.rs"));
    for name in path {
        items = items
            .into_iter()
            .find_map(|item| match item {
                syn::Item::Mod(m) if m.ident == name => m.content.map(|(_, items)| items),
                _ => None,
            })
            .unwrap_or_else(|| panic!("src/generated.rs has no `mod {}`", path.join("::")));
    }
    let folder = path
        .iter()
        .fold(src.join("generated"), |dir, name| dir.join(name));
    items
        .into_iter()
        .flat_map(|item| match item {
            syn::Item::Mod(m) if m.ident.to_string().starts_with("part_") => match m.content {
                Some((_, items)) => items,
                None => parse(&folder.join(format!("{}.rs", m.ident))),
            },
            item => vec![item],
        })
        .collect()
}

fn parse(file: &Path) -> Vec<syn::Item> {
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("{}: {e}: run `cargo xtask generate`", file.display()));
    syn::parse_file(&text)
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", file.display()))
        .items
}
