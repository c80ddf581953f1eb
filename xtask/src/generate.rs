//! Spec to Rust source: progenitor for the code, prettyplease for the layout.

use std::panic::{self, AssertUnwindSafe};

use openapiv3::OpenAPI;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};

use crate::manifest;
use crate::names::{METHODS, operation_mut};

mod api_version;
mod cli_modules;
mod client_new;
mod deprecated;
mod errors;
mod index;
mod lossless;
mod one_hook_call;
mod open_objects;
mod optional_schemars;
mod paths;
mod query;
mod response_builders;
mod schemas;
pub(crate) mod split_modules;
pub(crate) mod tree;
mod uuid_paths;

/// Where each generated file goes, relative to the workspace root.
pub const CLIENT: &str = "crates/polytomic/src/generated.rs";
/// Where the client's split modules' parts go, one file each (`split_modules.rs`): every `.rs` file under
/// it is generated, and one `generate` no longer writes is stale.
pub const CLIENT_PARTS: &str = "crates/polytomic/src/generated";
/// The operations by resource, and the credentials each takes (from the spec, not from progenitor).
pub const OPERATIONS: &str = "crates/polytomic/src/operations.rs";
/// progenitor's httpmock helpers for the client.
pub const HTTPMOCK: &str = "crates/polytomic-httpmock/src/generated.rs";
/// progenitor's clap command-line client.
pub const CLI: &str = "crates/polytomic-cli/src/generated.rs";
/// What the CLI's hand-written part reads from the spec's declarations (the `--role-ids` operations).
pub const CLI_DECLARED: &str = "crates/polytomic-cli/src/declared.rs";

/// The path the mock helpers and the CLI import the client from (`use <path>::*`): the generated module
/// as is, where `Error` is still progenitor's (the crate root exports the hand-written `Error`).
const CLIENT_CRATE: &str = "polytomic::generated";

/// The crates whose sources include generated code, and so need what the generated code uses.
pub const GENERATED_MANIFESTS: [&str; 3] = [
    "crates/polytomic/Cargo.toml",
    "crates/polytomic-httpmock/Cargo.toml",
    "crates/polytomic-cli/Cargo.toml",
];

/// Generates every file for `spec`: the client, the mock helpers and the CLI, as (path, source), and the
/// crates the generated code uses (`chrono` when the spec has a `date-time`...).
/// `spec_name` is how the headers name the spec file. The same spec always gives the same bytes.
pub fn sources(
    spec: &OpenAPI,
    spec_name: &str,
    spec_hash: &str,
) -> Result<(Vec<File>, Vec<&'static str>), String> {
    type Make = fn(&mut Generator, &OpenAPI) -> Result<proc_macro2::TokenStream, progenitor::Error>;
    let outputs: [(&'static str, Make); 3] = [
        (CLIENT, |g, spec| g.generate_tokens(spec)),
        (HTTPMOCK, |g, spec| g.httpmock(spec, CLIENT_CRATE)),
        (CLI, |g, spec| g.cli(spec, CLIENT_CRATE)),
    ];
    let header = header(spec_name, spec_hash, &spec.info.version);
    let Prepared {
        spec,
        for_cli,
        rewrites,
    } = prepare(spec)?;
    let (spec, for_cli, rewrites) = (&spec, &for_cli, &rewrites);
    // The three are independent: generate them side by side. progenitor's settings and tokens are not
    // Send, so each thread makes its own settings and renders its own text.
    let results: Result<Vec<Result<Rendered, String>>, String> = contain_panics(|| {
        std::thread::scope(|scope| {
            let threads: Vec<_> = outputs
                .iter()
                .map(|&(path, make)| {
                    let header = &header;
                    scope.spawn(move || {
                        let mut generator = Generator::new(&settings());
                        let tokens = make(&mut generator, if path == CLI { for_cli } else { spec });
                        let crates = used_crates(&generator);
                        render(path, tokens, header, rewrites).map(|files| (files, crates))
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|thread| {
                    thread
                        .join()
                        .map_err(|payload| panic_message(payload.as_ref()))
                        .and_then(|result| result)
                })
                .collect()
        })
    });
    // progenitor's refusals rarely say where: find the operation it refuses on its own.
    let results = match results {
        Ok(results) if results.iter().any(Result::is_err) => results
            .into_iter()
            .map(|r| r.map_err(|e| located(spec, e)))
            .collect(),
        Ok(results) => results,
        Err(panic) => return Err(located(spec, panic)),
    };
    let mut files = vec![
        (
            OPERATIONS.to_string(),
            format!("{header}{}", index::operations_module(spec)?),
        ),
        (
            CLI_DECLARED.to_string(),
            format!("{header}{}", index::cli_declarations(spec)?),
        ),
    ];
    let mut crates = Vec::new();
    for result in results {
        let (rendered, used) = result?;
        files.extend(rendered);
        for name in used {
            if !crates.contains(&name) {
                crates.push(name);
            }
        }
    }
    Ok((files, crates))
}

/// The spec as each file is generated from, and what the rewrites of progenitor's output need to know.
struct Prepared {
    spec: OpenAPI,
    for_cli: OpenAPI,
    rewrites: Rewrites,
}

fn prepare(spec: &OpenAPI) -> Result<Prepared, String> {
    let mut prepared = query::prepare(spec)?;
    errors::one_error_type(&mut prepared)?;
    let arrays = query::array_query_params(&mut prepared);
    // The CLI is generated from the spec without the `extra` maps: progenitor's CLI would take each such
    // map for a required body field and demand `--json-body` where flags suffice (the builders start the
    // map empty). It names the client's types, which have them.
    let for_cli = prepared.clone();
    let opened_objects = lossless::keep_unknown_properties(&mut prepared);
    let string_enums = lossless::string_enums(&mut prepared);
    let rewrites = Rewrites {
        arrays,
        exclusions: paths::exclusions(&prepared),
        deprecated: deprecated::deprecated_fields(&prepared),
        operations: prepared.operations().count(),
        uuid_paths: uuid_paths::count_in_spec(&prepared),
        requests: response_builders::requests(&prepared)?,
        resources: index::resources(&prepared),
        opened_objects,
        string_enums,
    };
    Ok(Prepared {
        spec: prepared,
        for_cli,
        rewrites,
    })
}

/// The client's syntax tree for `spec`, exactly as `generate` writes it (every pass applied): what
/// `diff` reads the public Rust API from.
pub fn client_syntax(spec: &OpenAPI) -> Result<syn::File, String> {
    let file = contain_panics(|| {
        let Prepared { spec, rewrites, .. } = prepare(spec)?;
        let tokens = Generator::new(&settings()).generate_tokens(&spec);
        syntax_tree(CLIENT, tokens, &rewrites)
    });
    file.and_then(|file| file).map_err(|e| located(spec, e))
}

/// A generated file: its path relative to the workspace root, and its text.
pub type File = (String, String);

type Rendered = (Vec<File>, Vec<&'static str>);

/// The crates progenitor's output names (`::chrono::DateTime`...), beyond what every client needs.
fn used_crates(generator: &Generator) -> Vec<&'static str> {
    let types = generator.get_type_space();
    [
        ("chrono", types.uses_chrono()),
        ("regress", types.uses_regress()),
        ("serde_json", types.uses_serde_json()),
        ("uuid", types.uses_uuid()),
    ]
    .into_iter()
    .filter_map(|(name, used)| used.then_some(name))
    .collect()
}

/// `manifest` (the file `name`) with its generated-dependencies block listing, as workspace dependencies
/// (versions are pinned once, in the workspace manifest), each of `crates` its `[dependencies]` does not
/// already list by hand. `None` when the manifest has no block.
pub fn with_generated_dependencies(
    name: &str,
    manifest: &str,
    crates: &[&str],
) -> Result<Option<String>, String> {
    let Some(begin) = manifest.find(DEPS_BEGIN) else {
        return Ok(None);
    };
    // The block's bounds are comments, which TOML does not address: it is spliced as text.
    let bounds = manifest[begin..].find('\n').and_then(|at| {
        let start = begin + at + 1;
        Some((start, start + manifest[start..].find(DEPS_END)?))
    });
    let Some((start, end)) = bounds else {
        return Err(format!(
            "{name}: `{DEPS_BEGIN}` without `{DEPS_END}` on a later line"
        ));
    };
    let (before, after) = (&manifest[..start], &manifest[end..]);
    let by_hand = manifest::parse(name, &format!("{before}{after}"))?;
    let block: String = crates
        .iter()
        .filter(|krate| !manifest::depends_on(&by_hand, krate))
        .map(|krate| format!("{krate}.workspace = true\n"))
        .collect();
    let updated = format!("{before}{block}{after}");
    let parsed = manifest::parse(name, &updated)?;
    if !crates
        .iter()
        .all(|krate| manifest::depends_on(&parsed, krate))
    {
        return Err(format!(
            "{name}: the generated-dependencies block must be in `[dependencies]`"
        ));
    }
    Ok(Some(updated))
}

const DEPS_BEGIN: &str = "# BEGIN generated dependencies";
const DEPS_END: &str = "# END generated dependencies";

fn render(
    path: &'static str,
    tokens: Result<proc_macro2::TokenStream, progenitor::Error>,
    header: &str,
    rewrites: &Rewrites,
) -> Result<Vec<File>, String> {
    let mut file = syntax_tree(path, tokens, rewrites)?;
    let mut files = Vec::new();
    if path == CLIENT {
        // The parts' header leaves out the spec's hash, which generated.rs carries: otherwise every spec
        // change would touch every part.
        let part_header: String = header
            .lines()
            .filter(|line| !line.contains("spec sha256"))
            .map(|line| format!("{line}\n"))
            .collect();
        for (part, items) in split_modules::out_of_line(&mut file, CLIENT_PARTS)? {
            files.push((
                part,
                format!("{part_header}{}", prettyplease::unparse(&items)),
            ));
        }
    }
    files.insert(
        0,
        (
            path.to_string(),
            format!("{header}{}", prettyplease::unparse(&file)),
        ),
    );
    Ok(files)
}

/// progenitor's tokens for the file at `path`, parsed, with our passes applied.
fn syntax_tree(
    path: &'static str,
    tokens: Result<proc_macro2::TokenStream, progenitor::Error>,
    rewrites: &Rewrites,
) -> Result<syn::File, String> {
    let tokens = tokens.map_err(|e| {
        format!(
            "progenitor cannot generate {path} from this spec: {}",
            short(&e.to_string())
        )
    })?;
    let mut file = syn::parse2::<syn::File>(tokens).map_err(|e| {
        format!("progenitor produced code for {path} that does not parse (a progenitor bug): {e}")
    })?;
    syntax_passes(path, &mut file, rewrites)?;
    Ok(file)
}

/// What the rewrites of progenitor's output need to know of the spec.
struct Rewrites {
    /// The query parameters that are lists.
    arrays: Vec<String>,
    /// Templated paths whose mock helpers must leave a fixed sibling alone.
    exclusions: Vec<paths::Exclusion>,
    /// (type, property) of every deprecated property.
    deprecated: Vec<(String, String)>,
    operations: usize,
    /// What requests can carry: the types whose builders stay.
    requests: response_builders::Requests,
    /// Each operation's id and resource (its first tag): how the builders and the CLI's commands are grouped.
    resources: Vec<(String, String)>,
    /// Path parameters typed `format: uuid`, over all operations: what `uuid_paths` must find.
    uuid_paths: usize,
    /// Object schemas given `additionalProperties: {}`, and string enums: what `lossless` must find.
    opened_objects: usize,
    string_enums: usize,
}

/// Our rewrites of progenitor's output, by file: each a pass over the syntax tree that counts what it
/// changes and refuses, naming what it looked for, when its target is missing.
fn syntax_passes(path: &str, file: &mut syn::File, rewrites: &Rewrites) -> Result<(), String> {
    match path {
        CLIENT => {
            lossless::open_types(file, rewrites.opened_objects, rewrites.string_enums)?;
            deprecated::mark(file, &rewrites.deprecated)?;
            open_objects::read_directly(file, rewrites.opened_objects)?;
            api_version::drop_header(file, rewrites.operations)?;
            uuid_paths::format_directly(file, rewrites.uuid_paths)?;
            one_hook_call::merge(file, rewrites.operations)?;
            response_builders::remove(file, &rewrites.requests)?;
            optional_schemars::make_optional(file)?;
            client_new::build_through_tls(file)?;
            split_modules::split(file, &rewrites.resources).map(drop)
        }
        HTTPMOCK => {
            paths::narrow(file, &rewrites.exclusions)?;
            query::list_matchers(file, &rewrites.arrays).map(drop)
        }
        CLI => {
            query::repeatable_flags(file, &rewrites.arrays)?;
            optional_schemars::drop_bounds(file)?;
            cli_modules::by_resource(file, &rewrites.resources).map(drop)
        }
        _ => Ok(()),
    }
}

/// A refusal with the operation it is about, and what to do.
fn located(spec: &OpenAPI, problem: String) -> String {
    match locate(spec) {
        Some(at) => format!(
            "{at}: {problem}; change or remove this operation (in this workspace: an action in \
             openapi/overlay.yaml)"
        ),
        None => problem,
    }
}

/// The first operation progenitor refuses when it is the only one in the spec (every schema kept), as a
/// document path (`paths."/x/{id}".get`); `None` when each operation generates on its own.
fn locate(spec: &OpenAPI) -> Option<String> {
    let attempt = |one: &OpenAPI| {
        contain_panics(|| {
            let mut generator = Generator::new(&settings());
            generator.generate_tokens(one).is_ok()
                && generator.httpmock(one, CLIENT_CRATE).is_ok()
                && generator.cli(one, CLIENT_CRATE).is_ok()
        })
        .unwrap_or(false)
    };
    for (path, item) in &spec.paths.paths {
        let openapiv3::ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, _) in item.iter() {
            let mut alone = item.clone();
            for other in METHODS.into_iter().filter(|&other| other != method) {
                if let Some(slot) = operation_mut(&mut alone, other) {
                    *slot = None;
                }
            }
            let mut one = spec.clone();
            one.paths.paths = [(path.clone(), openapiv3::ReferenceOr::Item(alone))]
                .into_iter()
                .collect();
            if !attempt(&one) {
                return Some(format!("paths.\"{path}\".{method}"));
            }
        }
    }
    None
}

/// One line of at most 300 characters: progenitor's messages can carry a dump of its structures.
fn short(message: &str) -> String {
    let line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::text::truncate(&line, 300, "... (cut)")
}

fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        // Lets tests and users print each type's JSON Schema (the shape snapshot in tests/), behind the
        // client's `schemars` feature (see `optional_schemars`).
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq")
        // The hand-written layer (crates/polytomic/src/hooks.rs) implements `ClientHooks` for the client:
        // credentials, version header, retries, tracing. `Expected` makes forgetting it a compile error.
        .with_inner_type(tokens("crate::ClientState"))
        .with_hooks(HooksMode::Expected)
        // progenitor drops `minItems`, so an empty `role_ids` would be skipped when serialized and an
        // invalid update would become a successful no-op. A hand-written type that cannot be empty.
        .with_replacement("RoleIds", "crate::RoleIds", std::iter::empty())
        // Maps in a fixed order: the same value always serializes to the same bytes (query parameters
        // sent as JSON, snapshots).
        .with_map_type("::std::collections::BTreeMap")
        // `x-rust-type` in a schema names a type of the client crate itself (see `query::prepare`).
        .with_crate("polytomic", progenitor::CrateVers::Any, None);
    settings
}

fn tokens(path: &str) -> proc_macro2::TokenStream {
    path.parse().expect("a constant Rust path")
}

/// The do-not-edit header at the top of every generated file, which also says which API it speaks.
pub fn header(spec_name: &str, spec_hash: &str, api_version: &str) -> String {
    format!(
        "// @generated by `cargo xtask generate` from {spec_name}. DO NOT EDIT.\n\
         // API version {api_version}; spec sha256 {spec_hash}.\n\
         // To change the client, change the spec and run `cargo xtask generate` (README.md, \"Changing the spec\").\n\n"
    )
}

/// The SHA-256 of the spec file, as hex.
pub fn spec_hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The crates published together, whose requirement on each other (`polytomic = { path = .., version =
/// ".." }` in the workspace manifest) follows the release version.
const RELEASED_TOGETHER: [&str; 2] = ["polytomic", "polytomic-httpmock"];

/// The workspace manifest (the file `name`) with the release version's build metadata set to the API
/// version (`0.1.0+2025-09-18`), so `cargo tree` and the user agent say which API a build speaks, and the
/// published crates' requirements on each other in `[workspace.dependencies]` set to the release version
/// (`0.1.0`). `core` replaces the version itself when given (`cargo xtask release`). Comments and layout
/// are kept.
pub fn stamp_version(
    name: &str,
    manifest: &str,
    api_version: &str,
    core: Option<&str>,
) -> Result<String, String> {
    let mut doc = manifest::parse(name, manifest)?;
    let version = manifest::version_mut(&mut doc, name)?;
    let current = version.as_str().unwrap_or_default();
    let semver = core
        .unwrap_or(current.split('+').next().unwrap_or_default())
        .to_string();
    // Build metadata allows only [0-9A-Za-z-]; anything else in the API version becomes '-'.
    let metadata: String = api_version
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    manifest::set_str(version, &format!("{semver}+{metadata}"));
    let dependencies = doc
        .get_mut("workspace")
        .and_then(|w| w.get_mut("dependencies"))
        .and_then(toml_edit::Item::as_table_like_mut);
    if let Some(dependencies) = dependencies {
        for krate in RELEASED_TOGETHER {
            let Some(requirement) = dependencies
                .get_mut(krate)
                .and_then(toml_edit::Item::as_table_like_mut)
                .filter(|r| r.contains_key("path"))
            else {
                continue;
            };
            if let Some(version) = requirement
                .get_mut("version")
                .and_then(toml_edit::Item::as_value_mut)
            {
                manifest::set_str(version, &semver);
            }
        }
    }
    Ok(doc.to_string())
}

/// progenitor still asserts on inputs the checks in `spec` do not know about. Turn such a panic into an
/// error, and keep the default hook from printing a panic message and backtrace hint meant for developers.
fn contain_panics<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    panic::set_hook(previous);
    result.map_err(|payload| panic_message(payload.as_ref()))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".into());
    let message = short(&message);
    format!("progenitor cannot handle this spec (it stopped with: {message})")
}

/// progenitor's client for a small spec in YAML, before any of our passes: what the passes' tests rewrite.
#[cfg(test)]
fn progenitor_client(spec_yaml: &str) -> (OpenAPI, syn::File) {
    let spec: OpenAPI = serde_yaml::from_str(spec_yaml).expect("a test spec parses");
    let tokens = Generator::new(&settings())
        .generate_tokens(&spec)
        .expect("progenitor generates the test spec");
    let file = syn::parse2(tokens).expect("progenitor's output parses");
    (spec, file)
}

#[cfg(test)]
mod tests {
    use super::contain_panics;

    #[test]
    fn a_panic_in_the_generator_becomes_a_plain_error() {
        let result: Result<(), String> =
            contain_panics(|| panic!("assertion failed: response_types.len() <= 1"));
        assert_eq!(
            result.unwrap_err(),
            "progenitor cannot handle this spec (it stopped with: assertion failed: response_types.len() <= 1)"
        );
        assert_eq!(contain_panics(|| 7), Ok(7));
    }

    #[test]
    fn a_refusal_names_the_operation_progenitor_refuses() {
        // An object in a path: the checks in `spec` refuse it first; here it goes to progenitor directly.
        let spec: openapiv3::OpenAPI = serde_yaml::from_str(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n\
             \x20 /a:\n    get: {operationId: get_a, responses: {'200': {description: ok}}}\n\
             \x20 /x/{id}:\n    get:\n      operationId: get_x\n      parameters:\n\
             \x20       - {name: id, in: path, required: true,\n\
             \x20         schema: {type: object, properties: {a: {type: string}}}}\n\
             \x20     responses: {'200': {description: ok}}\n",
        )
        .unwrap();
        let error = super::sources(&spec, "s.yaml", "0").unwrap_err();
        assert!(
            error.starts_with("paths.\"/x/{id}\".get: progenitor cannot handle this spec"),
            "{error}"
        );
        assert!(error.ends_with("openapi/overlay.yaml)"), "{error}");
        assert!(!error.contains('\n') && error.len() < 500, "{error}");
    }

    #[test]
    fn progenitor_messages_become_one_short_line() {
        let dump = format!(
            "unexpected format\n{}",
            "Parameter { data: ParameterData {\n".repeat(100)
        );
        let line = super::short(&dump);
        assert!(
            !line.contains('\n') && line.chars().count() <= 310,
            "{line}"
        );
        assert!(line.starts_with("unexpected format Parameter {"));
        assert_eq!(super::short("short"), "short");
    }
}

#[cfg(test)]
mod stamp_tests {
    use super::{stamp_version, with_generated_dependencies};

    #[test]
    fn stamps_the_api_version_as_build_metadata() {
        let manifest = "[package]\nname = \"polytomic\"\nversion = \"0.1.0\"\n[dependencies]\nx = { version = \"1\" }\n";
        let stamped = stamp_version("Cargo.toml", manifest, "2025-09-18", None).unwrap();
        assert!(stamped.contains("version = \"0.1.0+2025-09-18\"\n"));
        assert!(stamped.contains("x = { version = \"1\" }"));
        // Restamping replaces the metadata; odd characters become '-'.
        let again = stamp_version("Cargo.toml", &stamped, "2026.01 beta", None).unwrap();
        assert!(
            again.contains("version = \"0.1.0+2026-01-beta\"\n"),
            "{again}"
        );
        let error =
            stamp_version("Cargo.toml", "[package]\nname = \"x\"\n", "1", None).unwrap_err();
        assert!(error.starts_with("Cargo.toml: no `version"), "{error}");
        let error = stamp_version("Cargo.toml", "[package\n", "1", None).unwrap_err();
        assert!(error.starts_with("Cargo.toml: line 1, column "), "{error}");
    }

    #[test]
    fn a_release_sets_the_version_and_the_crates_requirements_on_each_other() {
        // Comments, blank lines and a table that only looks alike stay as written.
        let manifest = "# The one version.\n[workspace.package]\nversion = \"0.1.0+2025-09-18\" # stamped\n\n\
            [workspace.dependencies]\n\
            # Both ways.\n\
            polytomic = { path = \"crates/polytomic\", version = \"0.1.0\" }\n\
            polytomic-httpmock = { path = \"crates/polytomic-httpmock\", version = \"0.1.0\" }\n\
            serde = { version = \"1\" }\n\n\
            [dependencies]\n\
            polytomic = { version = \"0.1.0\" }\n";
        let released = stamp_version("Cargo.toml", manifest, "2025-09-18", Some("0.2.0")).unwrap();
        assert_eq!(
            released,
            "# The one version.\n[workspace.package]\nversion = \"0.2.0+2025-09-18\" # stamped\n\n\
            [workspace.dependencies]\n\
            # Both ways.\n\
            polytomic = { path = \"crates/polytomic\", version = \"0.2.0\" }\n\
            polytomic-httpmock = { path = \"crates/polytomic-httpmock\", version = \"0.2.0\" }\n\
            serde = { version = \"1\" }\n\n\
            [dependencies]\n\
            polytomic = { version = \"0.1.0\" }\n"
        );
    }

    const BLOCK: &str = "# BEGIN generated dependencies: written by the xtask.\nold.workspace = true\n\
        # END generated dependencies\n";

    #[test]
    fn the_generated_block_lists_what_dependencies_does_not_by_hand() {
        let manifest = format!(
            "[dependencies]\n# By hand.\nuuid = {{ workspace = true }}\n{BLOCK}\n[dev-dependencies]\nchrono.workspace = true\n"
        );
        let updated = with_generated_dependencies("a/Cargo.toml", &manifest, &["chrono", "uuid"]);
        // chrono as a dev-dependency does not count; uuid by hand does.
        assert_eq!(
            updated.unwrap().unwrap(),
            "[dependencies]\n# By hand.\nuuid = { workspace = true }\n\
             # BEGIN generated dependencies: written by the xtask.\nchrono.workspace = true\n\
             # END generated dependencies\n\n[dev-dependencies]\nchrono.workspace = true\n"
        );
        assert_eq!(
            with_generated_dependencies("a/Cargo.toml", "[dependencies]\n", &["chrono"]),
            Ok(None)
        );
    }

    #[test]
    fn a_misplaced_or_unclosed_block_is_an_error_naming_the_file() {
        let outside = format!("[package]\nname = \"a\"\n{BLOCK}");
        let error = with_generated_dependencies("a/Cargo.toml", &outside, &["chrono"]).unwrap_err();
        assert_eq!(
            error,
            "a/Cargo.toml: the generated-dependencies block must be in `[dependencies]`"
        );
        let unclosed = "[dependencies]\n# BEGIN generated dependencies\nchrono.workspace = true\n";
        let error = with_generated_dependencies("a/Cargo.toml", unclosed, &["chrono"]).unwrap_err();
        assert!(error.starts_with("a/Cargo.toml: `# BEGIN"), "{error}");
    }
}
