//! The generator program behind `cargo xtask`. See `main.rs` for the command line.

pub mod generate;
pub mod spec;
pub mod write;

use std::path::{Path, PathBuf};

/// The workspace root (the parent of this crate), so `cargo xtask` works from any directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The spec `generate` reads by default, relative to the workspace root.
pub const DEFAULT_SPEC: &str = "openapi/polytomic.yaml";
/// The file `generate` writes by default, relative to the workspace root.
pub const DEFAULT_OUT: &str = "crates/polytomic/src/generated.rs";

/// What `generate` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Written,
    Unchanged,
    /// `--check` found the file stale; holds a unified diff from the file on disk to the fresh output.
    Stale(String),
}

/// Loads `spec`, generates the client and writes it to `out` (or, with `check`, only compares).
pub fn generate(spec: &Path, out: &Path, check: bool) -> Result<Outcome, String> {
    let root = workspace_root();
    let api = spec::load(spec).map_err(|e| e.to_string())?;
    let spec_name = spec
        .strip_prefix(&root)
        .unwrap_or(spec)
        .display()
        .to_string();
    let source = generate::client_source(&api, &spec_name)
        .map_err(|e| format!("{}: {e}", spec.display()))?;
    if check {
        let current = std::fs::read_to_string(out).unwrap_or_default();
        if current == source {
            return Ok(Outcome::Unchanged);
        }
        let out_name = out.strip_prefix(&root).unwrap_or(out).display().to_string();
        let diff = similar::TextDiff::from_lines(&current, &source)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("{out_name} (committed)"),
                &format!("{out_name} (generated from {spec_name})"),
            )
            .to_string();
        return Ok(Outcome::Stale(diff));
    }
    match write::write_if_changed(out, &source) {
        Ok(true) => Ok(Outcome::Written),
        Ok(false) => Ok(Outcome::Unchanged),
        Err(e) => Err(format!("{}: cannot write: {e}", out.display())),
    }
}
