//! The import rules ARCHITECTURE.md states, checked: the client's hand-written modules are layered one way,
//! the generated code names only the vocabulary types the xtask maps the spec to, and the published crates
//! never depend on test code or (the client) on httpmock.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The client's hand-written modules, lowest layer first. A module may use the modules of lower layers and
/// the generated ones (`generated`, `operations`); nothing in its own layer or above. ARCHITECTURE.md,
/// "crates/polytomic", says the same.
const LAYERS: &[&[&str]] = &[
    &[
        "body",
        "secret",
        "json_query",
        "validate",
        "tls",
        "open_object",
    ],
    &["error", "webhooks"],
    &["role_ids", "retry"],
    &["state"],
    &["config", "paging"],
    &["hooks"],
    &["waiting", "raw"],
];

/// What generated code may name from the hand-written side: the types the xtask maps the spec to
/// (`RoleIds`, `JsonQuery`, `Secret`) and progenitor's inner type (`ClientState`).
// `tls`: progenitor's `Client::new` builds its HTTP client through `tls::build` (xtask/src/generate/client_new.rs).
// `paging`: the operations index gives the builders that page `send_all()` through `paging::by_token!` and
// `paging::by_time!` (xtask/src/import/paging.rs), and lists them in `PAGING` (`Paging`); `waiting`: it gives
// the builders that poll `wait()` through `waiting::waits!` and lists them in `WAITERS` (xtask/src/import/waiting.rs).
const NAMED_BY_GENERATED: &[&str] = &[
    "ClientState",
    "RoleIds",
    "JsonQuery",
    "Secret",
    "tls",
    "paging",
    "Paging",
    "waiting",
    // `hooks::send`: the three hooks every `send()` awaits, as one call (xtask's `one_hook_call`).
    "hooks",
    // `open_object::{Keys, Key, fill}`: what every open object's `Deserialize` calls (xtask's `open_objects`).
    "open_object",
];

const GENERATED: &[&str] = &["generated", "operations"];

fn client_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/polytomic/src")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The crate root's `pub use module::{Name, ..}`: which module each re-exported name comes from.
fn root_exports(lib: &syn::File) -> BTreeMap<String, String> {
    fn walk(tree: &syn::UseTree, module: Option<&str>, out: &mut BTreeMap<String, String>) {
        match tree {
            syn::UseTree::Path(p) => {
                walk(&p.tree, Some(module.unwrap_or(&p.ident.to_string())), out)
            }
            syn::UseTree::Name(n) => {
                if let Some(m) = module {
                    out.insert(n.ident.to_string(), m.to_string());
                }
            }
            syn::UseTree::Rename(r) => {
                if let Some(m) = module {
                    out.insert(r.rename.to_string(), m.to_string());
                }
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| walk(t, module, out)),
            syn::UseTree::Glob(_) => {}
        }
    }
    let mut out = BTreeMap::new();
    for item in &lib.items {
        if let syn::Item::Use(u) = item {
            walk(&u.tree, None, &mut out);
        }
    }
    out
}

/// Every name that follows `crate::` in a module: in `use` trees and in paths.
#[derive(Default)]
struct CrateNames(BTreeSet<String>);

/// The names a path into the crate can start with: `crate::`, and `polytomic::` (the crate names itself
/// with `extern crate self as polytomic`).
fn is_root(ident: &syn::Ident) -> bool {
    ident == "crate" || ident == "polytomic"
}

impl CrateNames {
    /// Paths inside macro invocations (`format!`, `tracing::debug!`, `macro_rules!`) are tokens, not
    /// syntax: a root followed by `::` and a name.
    fn scan_tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let tokens: Vec<_> = tokens.into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            match token {
                proc_macro2::TokenTree::Group(group) => self.scan_tokens(group.stream()),
                proc_macro2::TokenTree::Ident(root) if is_root(root) => {
                    if let [
                        proc_macro2::TokenTree::Punct(a),
                        proc_macro2::TokenTree::Punct(b),
                        proc_macro2::TokenTree::Ident(name),
                        ..,
                    ] = &tokens[i + 1..]
                        && a.as_char() == ':'
                        && b.as_char() == ':'
                    {
                        self.0.insert(name.to_string());
                    }
                }
                _ => {}
            }
        }
    }
}

impl<'a> Visit<'a> for CrateNames {
    fn visit_path(&mut self, path: &'a syn::Path) {
        let mut segments = path.segments.iter();
        if let (Some(first), Some(second)) = (segments.next(), segments.next())
            && is_root(&first.ident)
        {
            self.0.insert(second.ident.to_string());
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        self.scan_tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }

    fn visit_use_tree(&mut self, tree: &'a syn::UseTree) {
        if let syn::UseTree::Path(p) = tree
            && is_root(&p.ident)
        {
            let mut firsts = Vec::new();
            first_names(&p.tree, &mut firsts);
            self.0.extend(firsts);
            return;
        }
        syn::visit::visit_use_tree(self, tree);
    }
}

fn first_names(tree: &syn::UseTree, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(p) => out.push(p.ident.to_string()),
        syn::UseTree::Name(n) => out.push(n.ident.to_string()),
        syn::UseTree::Rename(r) => out.push(r.ident.to_string()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| first_names(t, out)),
        syn::UseTree::Glob(_) => {}
    }
}

/// The modules `module`'s source uses, resolved through the crate root's re-exports.
fn uses(
    source: &str,
    exports: &BTreeMap<String, String>,
    modules: &BTreeSet<String>,
) -> BTreeSet<String> {
    let file = syn::parse_file(source).expect("the module parses");
    let mut names = CrateNames::default();
    names.visit_file(&file);
    names
        .0
        .into_iter()
        .map(|name| match exports.get(&name) {
            Some(module) => module.clone(),
            None if modules.contains(&name) => name,
            // The generated module's own submodules (`types`, `builder`), re-exported by name.
            None => panic!("`crate::{name}` resolves to no module of the crate"),
        })
        .collect()
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The rule for one module's uses: the violations, as sentences.
fn violations(module: &str, used: &BTreeSet<String>) -> Vec<String> {
    let Some(own) = layer_of(module) else {
        return vec![format!(
            "{module}.rs is in no layer of LAYERS (tests/integration/tests/it/architecture.rs)"
        )];
    };
    used.iter()
        .filter(|u| u.as_str() != module && !GENERATED.contains(&u.as_str()))
        .filter_map(|u| match layer_of(u) {
            Some(layer) if layer < own => None,
            Some(_) => Some(format!("{module}.rs uses {u}.rs, which is not below it")),
            None => Some(format!("{module}.rs uses {u}, which is in no layer")),
        })
        .collect()
}

/// Every source file of the crate but `lib.rs`, with the top-level module it belongs to (`src/a.rs` and
/// `src/a/b.rs` are both module `a`).
fn module_files(src: &Path) -> Vec<(String, PathBuf)> {
    fn walk(dir: &Path, module: Option<&str>, out: &mut Vec<(String, PathBuf)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let owner = module.unwrap_or(&name).to_string();
            if path.is_dir() {
                walk(&path, Some(&owner), out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !(module.is_none() && name == "lib")
            {
                out.push((owner, path));
            }
        }
    }
    let mut out = Vec::new();
    walk(src, None, &mut out);
    out.sort();
    out
}

#[test]
fn the_client_runtime_is_layered_one_way() {
    let src = client_src();
    let lib = syn::parse_file(&read(&src.join("lib.rs"))).unwrap();
    let exports = root_exports(&lib);
    let files = module_files(&src);
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut problems = Vec::new();
    let mut edges = 0;
    for (module, file) in files
        .iter()
        .filter(|(m, _)| !GENERATED.contains(&m.as_str()))
    {
        let used = uses(&read(file), &exports, &modules);
        edges += used.len();
        problems.extend(violations(module, &used));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Every layer is a real module, and the scan saw the imports (hooks alone uses six modules).
    for module in LAYERS.iter().flat_map(|l| l.iter()) {
        assert!(
            modules.contains(*module),
            "LAYERS names {module}, which is not a module"
        );
    }
    assert!(edges > 15, "only {edges} uses found: the scan is broken");
}

#[test]
fn the_rule_catches_a_module_importing_one_that_imports_it_back() {
    let modules: BTreeSet<String> = ["error", "hooks", "body", "generated"]
        .map(String::from)
        .into();
    let exports = BTreeMap::from([("Error".to_string(), "error".to_string())]);
    // error.rs importing hooks (as it once did for `retry_after`): hooks is above error.
    let used = uses(
        "fn f() { crate::hooks::retry_after(); }",
        &exports,
        &modules,
    );
    assert_eq!(
        violations("error", &used),
        ["error.rs uses hooks.rs, which is not below it"]
    );
    // Through the crate's own name, and inside a macro's tokens.
    let used = uses(
        "fn f() { polytomic::hooks::x(); tracing::debug!(\"{}\", crate::hooks::y()); }",
        &exports,
        &modules,
    );
    assert_eq!(used, ["hooks"].map(String::from).into());
    // Through a root re-export and a `use` group.
    let used = uses("use crate::{Error, body::x};", &exports, &modules);
    assert_eq!(used, ["body", "error"].map(String::from).into());
    assert!(
        violations("body", &used).len() == 1,
        "{:?}",
        violations("body", &used)
    );
    assert!(violations("hooks", &used).is_empty());
}

#[test]
fn generated_code_names_only_the_vocabulary_types() {
    let src = client_src();
    let mut named = BTreeSet::new();
    // `generated.rs` and the files of its parts (`src/generated/`).
    let files = module_files(&src).into_iter();
    for (file, path) in files.filter(|(module, _)| GENERATED.contains(&module.as_str())) {
        let mut text = read(&path);
        if file == "operations" {
            // The operations index links to the client and its methods in its docs: `(crate::Client::x)`.
            text = text
                .replace("(crate::Client::", "(")
                .replace("(crate::Client)", "()");
        }
        for prefix in ["crate::", "::polytomic::"] {
            for (at, _) in text.match_indices(prefix) {
                // `::polytomic::` also contains `polytomic::`; `crate::` inside `::polytomic::crate` is not a thing.
                if prefix == "crate::" && text[..at].ends_with("::") {
                    continue;
                }
                let rest = &text[at + prefix.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                named.insert(name);
            }
        }
    }
    let unexpected: Vec<_> = named
        .iter()
        .filter(|n| !NAMED_BY_GENERATED.contains(&n.as_str()))
        .collect();
    assert!(unexpected.is_empty(), "generated code names {unexpected:?}");
    for expected in NAMED_BY_GENERATED {
        assert!(
            named.contains(*expected),
            "generated code no longer names {expected}"
        );
    }
}

/// Each workspace crate: whether it is published, and its dependencies by kind (`cargo metadata`).
type Crates = BTreeMap<String, (bool, Vec<(String, Option<String>)>)>;

/// What `cargo <args> --locked` prints, run in the workspace; a failure fails the test with cargo's words.
/// Not `--offline`: `cargo tree --target all` needs crates of other platforms (wasm's `bumpalo`) that a
/// build on this one never downloads, so a fresh machine must be allowed to fetch them.
fn cargo(args: &[&str]) -> Vec<u8> {
    let output = std::process::Command::new(env!("CARGO"))
        .args(args)
        .arg("--locked")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The workspace's own packages (`cargo metadata --no-deps`).
fn metadata() -> serde_json::Value {
    let output = cargo(&["metadata", "--format-version", "1", "--no-deps"]);
    serde_json::from_slice(&output).unwrap()
}

fn dependencies() -> Crates {
    let metadata = metadata();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    let name = d["name"].as_str().unwrap().to_string();
                    (name, d["kind"].as_str().map(String::from))
                })
                .collect();
            // `publish = false` reads as an empty list of registries.
            let published = p["publish"].as_array().is_none_or(|r| !r.is_empty());
            (p["name"].as_str().unwrap().to_string(), (published, deps))
        })
        .collect()
}

/// The client's features, comma-separated, but for those that only switch on reqwest's own features (the
/// TLS backends `rustls` and `native-tls`): they add reqwest's dependencies, never ours.
fn client_features() -> String {
    let metadata = metadata();
    let client = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "polytomic")
        .unwrap();
    let features = client["features"].as_object().unwrap();
    let ours = features.iter().filter(|(_, enables)| {
        !enables
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e.as_str().unwrap().starts_with("reqwest/"))
    });
    ours.map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn published_crates_depend_on_no_test_code_and_the_client_not_on_httpmock() {
    let crates = dependencies();
    let published: Vec<&String> = crates
        .iter()
        .filter(|(_, (p, _))| *p)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        published,
        ["polytomic", "polytomic-cli", "polytomic-httpmock"]
    );
    for name in &published {
        for (dependency, kind) in &crates[*name].1 {
            let unpublished = crates.get(dependency).is_some_and(|(p, _)| !p);
            assert!(
                kind.as_deref() == Some("dev") || !unpublished,
                "{name} depends on {dependency}, which is not published"
            );
        }
    }
    let client = &crates["polytomic"].1;
    assert!(
        client
            .iter()
            .all(|(name, _)| name != "httpmock" && name != "polytomic-httpmock"),
        "the client must never compile httpmock: {client:?}"
    );
    // Nor through another crate: the client's build graph (normal and build dependencies).
    let features = client_features();
    assert!(features.contains("schemars"), "{features}");
    let tree = cargo(&[
        "tree",
        "-p",
        "polytomic",
        "-e",
        "normal,build",
        "--features",
        &features,
        "--target",
        "all",
        "--prefix",
        "none",
    ]);
    let tree = String::from_utf8(tree).unwrap();
    assert!(
        tree.lines().count() > 20,
        "cargo tree printed too little:\n{tree}"
    );
    assert!(
        !tree
            .lines()
            .any(|l| l.starts_with("httpmock ") || l.starts_with("insta ")),
        "the client's build pulls in test tooling:\n{tree}"
    );
}

/// The paths in the first column of README's "Layout" table.
fn layout_paths(readme: &str) -> Vec<String> {
    let Some((_, table)) = readme.split_once("\n## Layout\n") else {
        panic!("README.md has no Layout section");
    };
    table
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .flat_map(|row| {
            let first = row.split('|').nth(1).unwrap_or_default();
            first
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The folders a newcomer must find in the table: each crate and test crate, and the top-level folders.
fn folders_to_map(root: &Path) -> Vec<String> {
    let mut folders = vec![
        "openapi/upstream/".to_string(),
        "openapi/released/".to_string(),
        "xtask/".into(),
    ];
    for parent in ["crates", "tests"] {
        for entry in std::fs::read_dir(root.join(parent)).unwrap() {
            let path = entry.unwrap().path();
            if path.join("Cargo.toml").exists() {
                folders.push(format!(
                    "{parent}/{}/",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    folders
}

fn layout_problems(paths: &[String], folders: &[String], root: &Path) -> Vec<String> {
    let mut problems: Vec<String> = paths
        .iter()
        .filter(|p| !root.join(p).exists())
        .map(|p| format!("the Layout table names {p}, which does not exist"))
        .collect();
    for folder in folders {
        // A row for the folder or for something in it; a row for a parent (`tests/`) maps none of its crates.
        if !paths.iter().any(|p| p.starts_with(folder.as_str())) {
            problems.push(format!("{folder} is not in README's Layout table"));
        }
    }
    problems
}

#[test]
fn the_readmes_layout_table_matches_the_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let paths = layout_paths(&read(&root.join("README.md")));
    let folders = folders_to_map(&root);
    assert!(folders.len() >= 9, "{folders:?}");
    let problems = layout_problems(&paths, &folders, &root);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The check fails on a table that misses a crate or names a path that is gone.
    let mut stale = paths.clone();
    stale.retain(|p| p != "tests/benches/");
    stale.push("tests/tests/".into());
    assert_eq!(
        layout_problems(&stale, &folders, &root),
        [
            "the Layout table names tests/tests/, which does not exist",
            "tests/benches/ is not in README's Layout table"
        ]
    );
    // One row for a parent folder is not a map of the crates in it.
    let mut coarse: Vec<String> = paths
        .iter()
        .filter(|p| !p.starts_with("tests/"))
        .cloned()
        .collect();
    coarse.push("tests/".into());
    assert_eq!(layout_problems(&coarse, &folders, &root).len(), 4);
}

/// The `.rs` files under `dir` that hold a test (`#[test]` or `#[tokio::test]`).
fn files_with_tests(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_with_tests(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = read(&path);
            if text.contains("#[test]") || text.contains("#[tokio::test") {
                found.push(path);
            }
        }
    }
    found
}

/// A target built without a test harness (`test = false`, to spare `cargo test` a second compile of
/// generated code) must hold no test: it would never run.
#[test]
fn targets_without_a_test_harness_hold_no_tests() {
    let metadata = metadata();
    let mut unharnessed = Vec::new();
    for package in metadata["packages"].as_array().unwrap() {
        for target in package["targets"].as_array().unwrap() {
            let kinds = target["kind"].as_array().unwrap();
            let code = kinds.iter().any(|k| k == "lib" || k == "bin");
            if code && target["test"] == false {
                let src = Path::new(target["src_path"].as_str().unwrap());
                unharnessed.push(src.parent().unwrap().to_path_buf());
            }
        }
    }
    assert!(
        unharnessed.len() >= 2,
        "expected the CLI and the mock helpers: {unharnessed:?}"
    );
    for dir in &unharnessed {
        let found = files_with_tests(dir);
        assert!(
            found.is_empty(),
            "{found:?} hold tests, but their target has `test = false`: they never run"
        );
    }
    // The scan finds a test where there is one.
    assert!(!files_with_tests(&client_src()).is_empty());
}
