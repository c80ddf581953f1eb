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
/// What `generate` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Wrote these files (relative paths); the others were already up to date.
    Written(Vec<&'static str>),
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
    let sources =
        generate::sources(&api, &spec_name).map_err(|e| format!("{}: {e}", spec.display()))?;
    if check {
        let mut diff = String::new();
        for (path, source) in &sources {
            let current = std::fs::read_to_string(out_dir.join(path)).unwrap_or_default();
            if current != *source {
                let file_diff = similar::TextDiff::from_lines(&current, source)
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("{path} (committed)"),
                        &format!("{path} (generated from {spec_name})"),
                    )
                    .to_string();
                diff.push_str(&file_diff);
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
            Ok(true) => written.push(*path),
            Ok(false) => {}
            Err(e) => return Err(format!("{}: cannot write: {e}", target.display())),
        }
    }
    Ok(if written.is_empty() {
        Outcome::Unchanged
    } else {
        Outcome::Written(written)
    })
}
