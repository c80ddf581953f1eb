//! The client's three big modules (`types`, `types::builder`, `builder`) split into private parts that the
//! module re-exports, so that a spec change recompiles only the parts it touches.
//!
//! Why: in an incremental (debug) build rustc makes one codegen unit per module, and one more per module for
//! the generic code each dependent instantiates from it (the `send()` state machines, the `Deserialize`
//! visitors). With every type in one module, a field added to `User` recompiled all of them, in the client,
//! its unit tests, the CLI and each test binary. And debug line tables and panic locations carry absolute
//! lines: a line added near the top of one file compiled every function below it again, so each part is
//! written to a file of its own (`out_of_line`). BENCHMARKS.md, "The edit loop's dependents", has the
//! measurements.
//!
//! How: each type goes to the part its name hashes to (an impl goes with its self type), so a new type
//! lands in one part and moves no other; each operation's builder goes to its resource's part
//! (`builder::part_users`), so a changed response type compiles again the `send()`s of few parts. Paths
//! that start with `super::` (in code and in doc links) gain one `super::`, since the item now sits one
//! module deeper; the part brings in its parent's names with `use super::*`. Items with no name (`use`,
//! modules) stay where they were. Paths, rustdoc and type errors still name `polytomic::types::User`: the
//! parts are private and re-exported whole.
//!
//! Counts what it moves; refuses when a module is missing or has no item to move, or a builder is no
//! operation's.

use syn::visit_mut::VisitMut;
use syn::{Item, Type};

use super::{index, tree};

/// Parts of `types` and of `types::builder`: enough that a one-type change recompiles a small share, few
/// enough that the per-unit overhead stays low. Changing them moves every item once.
const TYPES_PARTS: u32 = 32;

/// How a part's name starts: readers of the generated code (`xtask diff`, the type snapshots) read a
/// private module named so as part of its parent.
pub const PART_PREFIX: &str = "part_";

/// Whether `module` is one of the parts this pass wrote.
pub fn is_part(module: &syn::ItemMod) -> bool {
    matches!(module.vis, syn::Visibility::Inherited)
        && module.ident.to_string().starts_with(PART_PREFIX)
}

/// Splits `types`, `types::builder` and `builder`; the number of items moved. `resources` (operation id,
/// resource) places each operation's builder in its resource's part.
pub fn split(file: &mut syn::File, resources: &[(String, String)]) -> Result<usize, String> {
    let by_hash = |key: &str| Ok(format!("{PART_PREFIX}{:02}", fnv1a(key) % TYPES_PARTS));
    let types = tree::module(&mut file.items, "types")?;
    let mut moved = split_module(tree::module(types, "builder")?, "types::builder", by_hash)?;
    moved += split_module(types, "types", by_hash)?;
    // An operation's builder holds its `send()`, whose state machine each dependent compiles in the unit of
    // the builder's module: by resource, a changed type compiles again the sends that return it, and few
    // others.
    let parts: Vec<(String, String)> = resources
        .iter()
        .map(|(id, resource)| {
            let part = format!("{PART_PREFIX}{}", index::module_name(resource));
            (index::builder_name(id), part)
        })
        .collect();
    let by_resource = |key: &str| {
        parts
            .iter()
            .find(|(builder, _)| builder == key)
            .map(|(_, part)| part.clone())
            .ok_or_else(|| {
                format!(
                    "progenitor's client: `builder::{key}` is no operation's builder \
                     (xtask/src/generate/split_modules.rs)"
                )
            })
    };
    moved += split_module(
        tree::module(&mut file.items, "builder")?,
        "builder",
        by_resource,
    )?;
    Ok(moved)
}

fn split_module(
    items: &mut Vec<Item>,
    name: &str,
    part_of: impl Fn(&str) -> Result<String, String>,
) -> Result<usize, String> {
    let mut parts: std::collections::BTreeMap<String, Vec<Item>> = Default::default();
    let mut kept = Vec::new();
    let mut moved = 0;
    for mut item in std::mem::take(items) {
        match key(&item) {
            Some(key) => {
                DeeperSuper.visit_item_mut(&mut item);
                parts.entry(part_of(&key)?).or_default().push(item);
                moved += 1;
            }
            None => kept.push(item),
        }
    }
    if moved == 0 {
        return Err(format!(
            "progenitor's client: `mod {name}` has no type or impl to split (xtask/src/generate/split_modules.rs)"
        ));
    }
    *items = kept;
    for (part, bucket) in parts {
        let part = quote::format_ident!("{part}");
        items.push(syn::parse_quote! {
            #[allow(unused_imports)]
            pub use self::#part::*;
        });
        items.push(syn::parse_quote! {
            mod #part {
                #[allow(unused_imports)]
                use super::*;
                #(#bucket)*
            }
        });
    }
    Ok(moved)
}

/// Each part's items taken out of `file` into a file of its own, `dir/<module path>/<part>.rs` (where
/// rustc looks for `mod part_07;` inside `generated.rs`'s `mod types`), so that lines moved in one part move
/// none in another: debug line tables and panic locations carry absolute lines, and a function whose lines
/// moved is compiled again. Refuses when a module has no part (run `split` first).
pub fn out_of_line(file: &mut syn::File, dir: &str) -> Result<Vec<(String, syn::File)>, String> {
    let mut files = Vec::new();
    let types = tree::module(&mut file.items, "types")?;
    take_parts(
        tree::module(types, "builder")?,
        &format!("{dir}/types/builder"),
        &mut files,
    )?;
    take_parts(types, &format!("{dir}/types"), &mut files)?;
    take_parts(
        tree::module(&mut file.items, "builder")?,
        &format!("{dir}/builder"),
        &mut files,
    )?;
    Ok(files)
}

fn take_parts(
    items: &mut [Item],
    dir: &str,
    files: &mut Vec<(String, syn::File)>,
) -> Result<(), String> {
    let before = files.len();
    for item in items {
        if let Item::Mod(m) = item
            && is_part(m)
            && let Some((_, items)) = m.content.take()
        {
            m.semi = Some(Default::default());
            files.push((
                format!("{dir}/{}.rs", m.ident),
                syn::File {
                    shebang: None,
                    attrs: Vec::new(),
                    items,
                },
            ));
        }
    }
    if files.len() == before {
        return Err(format!(
            "progenitor's client: no part of the split module to write out under {dir} \
             (xtask/src/generate/split_modules.rs)"
        ));
    }
    Ok(())
}

/// The name an item is filed under: its own, or an impl's self type's.
fn key(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Impl(i) => type_name(&i.self_ty),
        _ => None,
    }
}

fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Type::Reference(r) => type_name(&r.elem),
        _ => None,
    }
}

/// FNV-1a: stable across Rust versions and platforms, unlike `DefaultHasher`.
fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// `super::x` becomes `super::super::x`, in paths and in doc links.
struct DeeperSuper;

impl VisitMut for DeeperSuper {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        if path.leading_colon.is_none() && path.segments.first().is_some_and(|s| s.ident == "super")
        {
            path.segments.insert(0, syn::parse_quote!(super));
        }
        syn::visit_mut::visit_path_mut(self, path);
    }

    fn visit_visibility_mut(&mut self, _: &mut syn::Visibility) {}

    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        if let syn::Meta::NameValue(nv) = &mut attr.meta
            && nv.path.is_ident("doc")
            && let Some(text) = tree::lit_str(&nv.value)
            && text.contains("super::")
        {
            let text = text.replace("super::", "super::super::");
            nv.value = syn::parse_quote!(#text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> syn::File {
        syn::parse_quote! {
            pub mod types {
                use serde::Serialize;
                /// A user.
                pub struct User { pub id: super::Id }
                impl From<&User> for User { fn from(u: &User) -> Self { todo!() } }
                pub enum Role { Admin }
                pub mod builder {
                    /// Builds [`super::User`].
                    pub struct User { id: Result<super::super::Id, String> }
                    impl TryFrom<User> for super::User { type Error = String; fn try_from(_: User) -> Result<Self, String> { todo!() } }
                }
            }
            pub mod builder {
                pub struct GetUser<'a> { client: &'a super::Client }
                impl<'a> GetUser<'a> { pub fn new(client: &'a super::Client) -> Self { Self { client } } }
                pub struct ListBulkSyncs<'a> { client: &'a super::Client }
            }
        }
    }

    fn resources() -> Vec<(String, String)> {
        vec![
            ("get_user".into(), "users".into()),
            ("list_bulk_syncs".into(), "Bulk Syncs".into()),
        ]
    }

    fn parts(items: &[Item]) -> Vec<(String, Vec<String>)> {
        items
            .iter()
            .filter_map(|item| match item {
                Item::Mod(m) if is_part(m) => Some((
                    m.ident.to_string(),
                    m.content
                        .as_ref()
                        .unwrap()
                        .1
                        .iter()
                        .filter_map(key)
                        .collect(),
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn items_go_with_their_name_and_paths_reach_as_far() {
        let mut file = file();
        assert_eq!(split(&mut file, &resources()).unwrap(), 8);
        let types = tree::module(&mut file.items, "types").unwrap();
        // A struct and its impl share a part; what has no name stays.
        let user_part = parts(types)
            .into_iter()
            .find(|(_, k)| k.contains(&"User".into()))
            .unwrap();
        assert_eq!(user_part.1, ["User", "User"]);
        assert!(matches!(&types[0], Item::Use(_)));
        assert!(
            types
                .iter()
                .any(|i| matches!(i, Item::Mod(m) if m.ident == "builder"))
        );
        let text = quote::quote!(#file).to_string();
        // One module deeper: each `super::` gains one, in code and in doc links.
        assert!(text.contains("pub id : super :: super :: Id"), "{text}");
        assert!(text.contains("super :: super :: super :: Id"), "{text}");
        assert!(text.contains("for super :: super :: User"), "{text}");
        assert!(text.contains("Builds [`super::super::User`]."), "{text}");
        assert!(
            text.contains("client : & 'a super :: super :: Client"),
            "{text}"
        );
        // Each part is re-exported whole.
        assert_eq!(
            text.matches("pub use self :: part_").count(),
            text.matches("mod part_").count()
        );
    }

    #[test]
    fn a_new_type_moves_no_other() {
        let mut before = file();
        split(&mut before, &resources()).unwrap();
        let mut after = file();
        let types = tree::module(&mut after.items, "types").unwrap();
        types.push(syn::parse_quote!(
            pub struct Nickname(String);
        ));
        split(&mut after, &resources()).unwrap();
        let old = parts(tree::module(&mut before.items, "types").unwrap());
        let new = parts(tree::module(&mut after.items, "types").unwrap());
        for (part, keys) in &old {
            let now = &new.iter().find(|(p, _)| p == part).unwrap().1;
            assert!(now.starts_with(keys), "{part}: {keys:?} then {now:?}");
        }
    }

    #[test]
    fn each_part_goes_to_its_own_file_where_rustc_looks_for_it() {
        let mut file = file();
        split(&mut file, &resources()).unwrap();
        let files = out_of_line(&mut file, "src/generated").unwrap();
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        let user = format!(
            "src/generated/types/part_{:02}.rs",
            fnv1a("User") % TYPES_PARTS
        );
        let builder = format!(
            "src/generated/types/builder/part_{:02}.rs",
            fnv1a("User") % TYPES_PARTS
        );
        // Builders by their operation's resource.
        let get_user = "src/generated/builder/part_users.rs".to_string();
        let list = "src/generated/builder/part_bulk_syncs.rs".to_string();
        for path in [&user, &builder, &get_user, &list] {
            assert!(paths.contains(&path.as_str()), "{path} in {paths:?}");
        }
        let text = quote::quote!(#file).to_string();
        assert!(
            !text.contains("pub struct"),
            "the parts' items left generated.rs: {text}"
        );
        assert_eq!(text.matches("mod part_").count(), files.len());
        assert!(split_again_refused(&mut file));
    }

    /// Writing out a second time finds no part with items: refused, not an empty success.
    fn split_again_refused(file: &mut syn::File) -> bool {
        out_of_line(file, "x").is_err()
    }

    #[test]
    fn refuses_a_missing_module_or_an_empty_one() {
        let mut none: syn::File = syn::parse_quote!(
            pub mod builder {
                pub struct A;
            }
        );
        assert!(
            split(&mut none, &resources())
                .unwrap_err()
                .contains("no `mod types`")
        );
        let mut empty: syn::File = syn::parse_quote! {
            pub mod types { pub mod builder { pub struct A; } }
            pub mod builder { pub struct B; }
        };
        let mut stranger = file();
        let error = split(&mut stranger, &resources()[1..]).unwrap_err();
        assert!(
            error.contains("`builder::GetUser` is no operation's builder"),
            "{error}"
        );
        let error = split(&mut empty, &resources()).unwrap_err();
        assert!(
            error.contains("`mod types` has no type or impl to split"),
            "{error}"
        );
    }
}
