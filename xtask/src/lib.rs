//! The generator program behind `cargo xtask`. See `main.rs` for the command line.

pub mod diff;
pub mod generate;
pub mod import;
mod manifest;
pub mod names;
pub mod release;
pub mod spec;
mod text;
pub mod write;

use std::path::{Path, PathBuf};

/// The workspace root (the parent of this crate), so `cargo xtask` works from any directory. Read at run
/// time first (`cargo run` sets it for the checkout it runs in): the path compiled in names the checkout
/// that built the binary, which may be another clone sharing this target folder (tests/benches/
/// edit_loop.sh builds one), since deleted.
pub fn workspace_root() -> PathBuf {
    let compiled_in = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| compiled_in.to_path_buf())
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The spec `generate` reads by default, relative to the workspace root.
pub const DEFAULT_SPEC: &str = "openapi/polytomic.yaml";
/// The workspace manifest, which holds the published crates' one version (`generate` stamps it with the
/// API version; `release` sets it).
pub const VERSION_MANIFEST: &str = "Cargo.toml";
/// The project's curation of the upstream document, relative to the workspace root.
pub const DEFAULT_OVERLAY: &str = "openapi/overlay.yaml";
/// The upstream document the committed spec was imported from, relative to the workspace root.
pub const DEFAULT_UPSTREAM: &str = "openapi/upstream/polytomic-2025-09-18.json";

/// Reads a JSON or YAML file into a JSON value.
pub fn read_document(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the file: {e}", path.display()))?;
    // JSON first: YAML parsers reject the surrogate-pair escapes (`\ud83d\udea7`) valid JSON may use.
    if let Ok(value) = serde_json::from_str(&text) {
        return Ok(value);
    }
    serde_yaml::from_str(&text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!("line {}, column {}: ", l.line(), l.column()))
            .unwrap_or_default();
        format!("{}: {at}not valid JSON or YAML: {e}", path.display())
    })
}

/// Imports `upstream` with `overlay` and writes the spec to `out` (or, with `check`, only compares).
pub fn import(upstream: &Path, overlay: &Path, out: &Path, check: bool) -> Result<Outcome, String> {
    let root = workspace_root();
    let name = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    let doc = import::import(read_document(upstream)?, &read_document(overlay)?)
        .map_err(|e| format!("{}: {e}", name(upstream)))?;
    let yaml = serde_yaml::to_string(&doc).map_err(|e| format!("cannot write YAML: {e}"))?;
    let yaml = import::quote_dates(&yaml);
    let text = format!("{}{yaml}", import::header(&name(upstream), &name(overlay)));
    // The result must be a spec `generate` accepts: check it the same way before anything is written.
    spec::parse(&text).map_err(|(at, problem)| {
        let at = at.map(|a| format!("{a}: ")).unwrap_or_default();
        format!("the imported spec would not generate: {at}{problem}")
    })?;
    let out_name = name(out);
    if check {
        let current = std::fs::read_to_string(out).unwrap_or_default();
        return Ok(if current == text {
            Outcome::Unchanged
        } else {
            Outcome::Stale(unified_diff(&current, &text, &out_name, "imported"))
        });
    }
    match write::write_if_changed(out, &text) {
        Ok(true) => Ok(Outcome::Written(vec![out_name])),
        Ok(false) => Ok(Outcome::Unchanged),
        Err(e) => Err(format!("{}: cannot write: {e}", out.display())),
    }
}

pub(crate) fn unified_diff(old: &str, new: &str, path: &str, what: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{path} (committed)"), &format!("{path} ({what})"))
        .to_string()
}
/// What `generate` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Wrote these files (relative paths); the others were already up to date.
    Written(Vec<String>),
    Unchanged,
    /// `--check` found files stale; holds a unified diff from the files on disk to the fresh output.
    Stale(String),
}

/// Loads `spec`, generates every file and writes those that changed under `out_dir` (or, with `check`,
/// only compares). Nothing is written unless every file generated.
pub fn generate(spec: &Path, out_dir: &Path, check: bool) -> Result<Outcome, String> {
    let root = workspace_root();
    let api = spec::load(spec).map_err(|e| e.to_string())?;
    let spec_name = spec
        .strip_prefix(&root)
        .unwrap_or(spec)
        .display()
        .to_string();
    let hash =
        generate::spec_hash(&std::fs::read(spec).map_err(|e| format!("{}: {e}", spec.display()))?);
    let (mut sources, crates) = generate::sources(&api, &spec_name, &hash)
        .map_err(|e| format!("{}: {e}", spec.display()))?;
    // Every crate that compiles generated code depends on what that code uses, derived from the spec.
    // A manifest absent from `out_dir` is left alone (an output directory may hold only the sources).
    for manifest_path in generate::GENERATED_MANIFESTS {
        let Some(manifest) = read_if_present(out_dir, manifest_path)? else {
            continue;
        };
        if let Some(updated) =
            generate::with_generated_dependencies(manifest_path, &manifest, &crates)?
        {
            sources.push((manifest_path.to_string(), updated));
        }
    }
    // A manifest that sets no version of its own (an output folder's bare workspace) is not stamped; one
    // that does not parse is an error.
    if let Some(manifest) = read_if_present(out_dir, VERSION_MANIFEST)?
        && manifest::has_version(&manifest::parse(VERSION_MANIFEST, &manifest)?)
    {
        let stamped =
            generate::stamp_version(VERSION_MANIFEST, &manifest, &api.info.version, None)?;
        sources.push((VERSION_MANIFEST.to_string(), stamped));
    }
    // A part file this spec no longer gives (generate/split_modules.rs) is stale: removed, or reported.
    let stale = stale_parts(out_dir, &sources)?;
    if check {
        let mut diff = String::new();
        for path in &stale {
            let current = std::fs::read_to_string(out_dir.join(path)).unwrap_or_default();
            diff.push_str(&unified_diff(&current, "", path, "no longer generated"));
        }
        for (path, source) in &sources {
            let current = std::fs::read_to_string(out_dir.join(path)).unwrap_or_default();
            if current != *source {
                let what = format!("generated from {spec_name}");
                diff.push_str(&unified_diff(&current, source, path, &what));
            }
        }
        return Ok(if diff.is_empty() {
            Outcome::Unchanged
        } else {
            Outcome::Stale(diff)
        });
    }
    let mut written = Vec::new();
    for (path, source) in &sources {
        let target = out_dir.join(path);
        match write::write_if_changed(&target, source) {
            Ok(true) => written.push(path.to_string()),
            Ok(false) => {}
            Err(e) => return Err(format!("{}: cannot write: {e}", target.display())),
        }
    }
    for path in stale {
        std::fs::remove_file(out_dir.join(&path))
            .map_err(|e| format!("{path}: cannot remove this stale generated file: {e}"))?;
        written.push(path);
    }
    Ok(if written.is_empty() {
        Outcome::Unchanged
    } else {
        Outcome::Written(written)
    })
}

/// The `.rs` files under `out_dir`'s client parts folder that `sources` does not list.
fn stale_parts(out_dir: &Path, sources: &[generate::File]) -> Result<Vec<String>, String> {
    let mut parts = client_part_files(out_dir)?;
    parts.retain(|path| !sources.iter().any(|(p, _)| p == path));
    Ok(parts)
}

/// The files under `dir`'s client parts folder (`generate::CLIENT_PARTS`), relative to `dir`, sorted;
/// none when there is no such folder.
pub fn client_part_files(dir: &Path) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut folders = vec![generate::CLIENT_PARTS.to_string()];
    while let Some(folder) = folders.pop() {
        let entries = match std::fs::read_dir(dir.join(&folder)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("{folder}: cannot list: {e}")),
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("{folder}: cannot list: {e}"))?;
            let path = format!("{folder}/{}", entry.file_name().to_string_lossy());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                folders.push(path);
            } else if path.ends_with(".rs") {
                parts.push(path);
            }
        }
    }
    parts.sort();
    Ok(parts)
}

/// The text of `dir/path`, `None` when there is no such file.
fn read_if_present(dir: &Path, path: &str) -> Result<Option<String>, String> {
    match std::fs::read_to_string(dir.join(path)) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{path}: cannot read: {e}")),
    }
}

/// Reads a spec version for `diff`: a file when `source` names one, else the spec at that git revision.
pub fn read_spec_version(source: &str) -> Result<(String, serde_json::Value), String> {
    let path = Path::new(source);
    let (label, text) = if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{source}: cannot read the file: {e}"))?;
        (source.to_string(), text)
    } else {
        let output = std::process::Command::new("git")
            .current_dir(workspace_root())
            .args(["show", &format!("{source}:{DEFAULT_SPEC}")])
            .output()
            .map_err(|e| format!("cannot run git to read {DEFAULT_SPEC} at {source}: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "{source} is neither a file nor a git revision with {DEFAULT_SPEC}: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        let text = String::from_utf8(output.stdout)
            .map_err(|e| format!("{source}:{DEFAULT_SPEC}: {e}"))?;
        (format!("{source}:{DEFAULT_SPEC}"), text)
    };
    spec::parse(&text).map_err(|(at, problem)| {
        let at = at.map(|a| format!("{a}: ")).unwrap_or_default();
        format!("{label}: {at}{problem}")
    })?;
    let value = serde_yaml::from_str(&text).map_err(|e| format!("{label}: {e}"))?;
    Ok((label, value))
}

/// The report `diff` prints: a human summary, or JSON for tools.
pub fn diff_report(base: &str, spec: &str, json: bool) -> Result<(String, bool), String> {
    let (base_label, old) = read_spec_version(base)?;
    let (spec_label, new) = read_spec_version(spec)?;
    let changes = diff::diff(&old, &new)?;
    let manifest = std::fs::read_to_string(workspace_root().join(VERSION_MANIFEST))
        .map_err(|e| format!("{VERSION_MANIFEST}: cannot read: {e}"))?;
    let current = manifest::version(VERSION_MANIFEST, &manifest)?;
    let (next, bump) = diff::next_version(&current, &changes);
    let breaking = changes
        .iter()
        .any(|c| c.severity == diff::Severity::Breaking);
    if json {
        let report = serde_json::json!({
            "base": base_label,
            "spec": spec_label,
            "breaking": breaking,
            "changes": changes,
            "version": {"current": current, "next": next, "bump": bump},
        });
        return Ok((format!("{report:#}\n"), breaking));
    }
    let mut out = format!("{base_label} → {spec_label}\n");
    if changes.is_empty() {
        out.push_str("No changes.\n");
    }
    for (severity, title) in [
        (diff::Severity::Breaking, "Breaking for existing callers"),
        (diff::Severity::Compatible, "Compatible"),
        (diff::Severity::Docs, "Documentation only"),
    ] {
        let group: Vec<_> = changes.iter().filter(|c| c.severity == severity).collect();
        if !group.is_empty() {
            out.push_str(&format!("\n{title} ({}):\n", group.len()));
            for change in group {
                out.push_str(&format!("  - {}: {}\n", change.subject, change.change));
                for reason in &change.because {
                    out.push_str(&format!("      because {reason}\n"));
                }
            }
        }
    }
    let core = current.split('+').next().unwrap_or(&current);
    out.push_str(&format!(
        "\nClient crate version: {core} → {next} ({bump})\n"
    ));
    Ok((out, breaking))
}

/// A synthetic spec in the project's style with about `operations` operations, for generation benchmarks:
/// the committed spec's paths repeated under numbered prefixes, operationIds numbered to stay unique.
pub fn synthetic_spec(operations: usize) -> Result<String, String> {
    let spec_path = workspace_root().join(DEFAULT_SPEC);
    let mut doc = read_document(&spec_path)?;
    let paths = doc["paths"]
        .as_object()
        .cloned()
        .ok_or("the spec has no paths")?;
    let per_copy: usize = paths
        .values()
        .filter_map(|item| item.as_object())
        .map(|ops| ops.len())
        .sum();
    let copies = operations.div_ceil(per_copy.max(1)).max(1);
    let mut out = serde_json::Map::new();
    for copy in 0..copies {
        for (path, item) in &paths {
            let mut item = item.clone();
            for op in item
                .as_object_mut()
                .into_iter()
                .flat_map(|ops| ops.values_mut())
            {
                let id = op["operationId"].as_str().unwrap_or("op").to_string();
                op["operationId"] = serde_json::Value::String(format!("{id}_{copy}"));
            }
            out.insert(path.replacen("/api/", &format!("/api/v{copy}/"), 1), item);
        }
    }
    doc["paths"] = serde_json::Value::Object(out);
    serde_yaml::to_string(&doc).map_err(|e| e.to_string())
}
