//! Releases: the version the spec diff requires, the changelog, and the baseline the next release is
//! judged against.
//!
//! `openapi/released/polytomic.yaml` is the spec as of the last release and `openapi/released/version` the
//! version it was released as. Between releases, the committed crate version (the workspace manifest's)
//! must be at least what `diff::next_version` requires for the changes since that baseline
//! (`cargo xtask release --check`, run by CI), and CHANGELOG.md's "Unreleased" section lists those changes
//! (`cargo xtask changelog`). `cargo xtask release` sets the version, turns "Unreleased" into the release's
//! section and moves the baseline.

use std::path::Path;

use crate::diff::{self, Change, Severity};
use crate::{
    DEFAULT_SPEC, Outcome, VERSION_MANIFEST, generate, manifest, read_spec_version, write,
};

/// The last release's spec, relative to the workspace root.
pub const BASELINE_SPEC: &str = "openapi/released/polytomic.yaml";
/// The version the baseline was released as (`0.1.0+2025-09-18`).
pub const BASELINE_VERSION: &str = "openapi/released/version";
pub const CHANGELOG: &str = "CHANGELOG.md";

const UNRELEASED: &str = "## Unreleased";
const CHANGELOG_HEAD: &str = "# Changelog\n\n\
    Written by `cargo xtask changelog` and `cargo xtask release` from `cargo xtask diff` against the last\n\
    release's spec (`openapi/released/`): breaking changes first. Do not edit by hand.\n";

/// Where the workspace stands against its last release.
pub struct Status {
    /// The last release's version, `None` before the first release.
    pub released: Option<semver::Version>,
    /// The committed version, from the workspace manifest (build metadata included).
    pub committed: semver::Version,
    /// The spec's changes since the last release.
    pub changes: Vec<Change>,
    /// The lowest version the changes allow (no build metadata), and why.
    pub required: semver::Version,
    pub bump: &'static str,
    /// The spec's `info.version` (the API version).
    pub api_version: String,
}

fn read(root: &Path, path: &str) -> Result<String, String> {
    std::fs::read_to_string(root.join(path)).map_err(|e| format!("{path}: cannot read: {e}"))
}

fn parse_version(text: &str, place: &str) -> Result<semver::Version, String> {
    semver::Version::parse(text.trim())
        .map_err(|e| format!("{place}: `{}` is not a semver version: {e}", text.trim()))
}

/// The version the workspace manifest holds.
fn manifest_version(manifest: &str) -> Result<semver::Version, String> {
    parse_version(
        &manifest::version(VERSION_MANIFEST, manifest)?,
        VERSION_MANIFEST,
    )
}

/// Compares versions as Cargo does: build metadata does not count.
fn core(version: &semver::Version) -> semver::Version {
    semver::Version {
        build: semver::BuildMetadata::EMPTY,
        ..version.clone()
    }
}

pub fn status(root: &Path) -> Result<Status, String> {
    let spec_path = root.join(DEFAULT_SPEC).display().to_string();
    let (_, spec) = read_spec_version(&spec_path)?;
    let api_version = spec["info"]["version"].as_str().unwrap_or("").to_string();
    let committed = manifest_version(&read(root, VERSION_MANIFEST)?)?;
    if !root.join(BASELINE_SPEC).exists() {
        return Ok(Status {
            released: None,
            required: core(&committed),
            bump: "first release",
            committed,
            changes: Vec::new(),
            api_version,
        });
    }
    let released = parse_version(&read(root, BASELINE_VERSION)?, BASELINE_VERSION)?;
    let (_, baseline) = read_spec_version(&root.join(BASELINE_SPEC).display().to_string())?;
    let changes = diff::diff(&baseline, &spec).map_err(|e| {
        format!("cannot judge the spec changes since release {released} ({BASELINE_SPEC}): {e}")
    })?;
    let (required, bump) = diff::next_version(&released.to_string(), &changes);
    let required = parse_version(&required, "the required version")?;
    Ok(Status {
        released: Some(released),
        committed,
        changes,
        required,
        bump,
        api_version,
    })
}

/// `release --check`: the committed version is at least what the changes since the release require.
pub fn check(root: &Path) -> Result<String, String> {
    let status = status(root)?;
    let Some(released) = &status.released else {
        return Ok(format!(
            "no release yet ({BASELINE_SPEC} is absent): {} will be the first",
            status.committed
        ));
    };
    let counts = summary(&status.changes);
    if core(&status.committed) < status.required {
        return Err(format!(
            "{VERSION_MANIFEST}: version {} is too low: the spec changes since release {released} ({counts}) \
             require at least {} ({}); run `cargo xtask release` to set it, or raise it by hand",
            status.committed, status.required, status.bump
        ));
    }
    Ok(format!(
        "version {} is enough: changes since release {released}: {counts}; they require {} ({})",
        status.committed, status.required, status.bump
    ))
}

fn summary(changes: &[Change]) -> String {
    let count = |s: Severity| changes.iter().filter(|c| c.severity == s).count();
    format!(
        "{} breaking, {} compatible, {} documentation",
        count(Severity::Breaking),
        count(Severity::Compatible),
        count(Severity::Docs)
    )
}

/// The changes as changelog lines: breaking first, then compatible, then documentation.
fn change_sections(changes: &[Change]) -> String {
    let mut out = String::new();
    for (severity, title) in [
        (Severity::Breaking, "Breaking"),
        (Severity::Compatible, "Added and compatible"),
        (Severity::Docs, "Documentation"),
    ] {
        let group: Vec<_> = changes.iter().filter(|c| c.severity == severity).collect();
        if !group.is_empty() {
            out.push_str(&format!("\n### {title}\n\n"));
            for change in group {
                // Backticks are already in the change text; keep the line as diff prints it.
                out.push_str(&format!("- {change}\n"));
            }
        }
    }
    out
}

/// The "Unreleased" section for `status`.
fn unreleased(status: &Status) -> String {
    let Some(released) = &status.released else {
        return format!(
            "{UNRELEASED}\n\nNot released yet: `cargo xtask release` makes the first release.\n"
        );
    };
    if status.changes.is_empty() {
        return format!("{UNRELEASED}\n\nNo spec changes since {released}.\n");
    }
    format!(
        "{UNRELEASED}\n\nSpec changes since {released} ({}); the next release is at least {} ({}).\n{}",
        summary(&status.changes),
        status.required,
        status.bump,
        change_sections(&status.changes)
    )
}

/// The released sections of the changelog on disk (everything after "Unreleased"); "" when there is no
/// changelog yet. A changelog without the "Unreleased" heading was edited by hand: rewriting it would drop
/// what it holds, so that is an error.
fn released_sections(text: &str) -> Result<&str, String> {
    if text.trim().is_empty() {
        return Ok("");
    }
    let at = text.find(UNRELEASED).ok_or(format!(
        "{CHANGELOG}: no `{UNRELEASED}` heading, so it was not written by `cargo xtask changelog`; \
         restore it (git checkout {CHANGELOG}) or remove the file"
    ))?;
    let after = &text[at + UNRELEASED.len()..];
    Ok(after.find("\n## ").map_or("", |at| &after[at + 1..]))
}

fn assemble(unreleased: &str, released: &str) -> String {
    let released = if released.is_empty() {
        String::new()
    } else {
        format!("\n{released}")
    };
    format!("{CHANGELOG_HEAD}\n{unreleased}{released}")
}

/// `changelog [--check]`: CHANGELOG.md's "Unreleased" section from the changes since the last release.
pub fn changelog(root: &Path, check: bool) -> Result<Outcome, String> {
    let status = status(root)?;
    let current = std::fs::read_to_string(root.join(CHANGELOG)).unwrap_or_default();
    let text = assemble(&unreleased(&status), released_sections(&current)?);
    finish(root, &[(CHANGELOG, current, text)], check)
}

/// `release`: the version the changes require (or the committed one, if higher), the changelog section of
/// the release, the new baseline, and the manifest stamped with the version.
pub fn release(root: &Path) -> Result<Outcome, String> {
    let status = status(root)?;
    let version = core(&status.committed).max(status.required.clone());
    if status.released.as_ref().is_some_and(|r| core(r) == version) {
        return Err(format!(
            "nothing to release: neither the spec nor the version changed since {version}; to release \
             changes to the hand-written code, raise `version` in {VERSION_MANIFEST} first"
        ));
    }
    let manifest = read(root, VERSION_MANIFEST)?;
    let stamped = generate::stamp_version(
        VERSION_MANIFEST,
        &manifest,
        &status.api_version,
        Some(&version.to_string()),
    )?;
    let full = manifest_version(&stamped)?;
    let body = match &status.released {
        None => {
            let (_, doc) = read_spec_version(&root.join(DEFAULT_SPEC).display().to_string())?;
            let operations = diff::operations(&doc).len();
            let schemas = doc["components"]["schemas"]
                .as_object()
                .map_or(0, |s| s.len());
            format!("First release: {operations} operations, {schemas} schemas.\n")
        }
        Some(released) => format!(
            "Since {released}: {} ({}).\n{}",
            summary(&status.changes),
            status.bump,
            change_sections(&status.changes)
        ),
    };
    let section = format!("## {full} (API {})\n\n{body}", status.api_version);
    let current = std::fs::read_to_string(root.join(CHANGELOG)).unwrap_or_default();
    let released = released_sections(&current)?;
    let released = if released.is_empty() {
        section
    } else {
        format!("{section}\n{released}")
    };
    let after = Status {
        released: Some(full.clone()),
        changes: Vec::new(),
        required: version.clone(),
        committed: full.clone(),
        bump: "none",
        api_version: status.api_version.clone(),
    };
    let changelog = assemble(&unreleased(&after), &released);
    let read_or_empty = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_default();
    let files = [
        (VERSION_MANIFEST, manifest, stamped),
        (CHANGELOG, current, changelog),
        (
            BASELINE_SPEC,
            read_or_empty(BASELINE_SPEC),
            read(root, DEFAULT_SPEC)?,
        ),
        (
            BASELINE_VERSION,
            read_or_empty(BASELINE_VERSION),
            format!("{full}\n"),
        ),
    ];
    finish(root, &files, false)
}

/// Compares (`check`) or writes each (path, current text, new text). Every new text is computed before
/// anything is written, and each file is replaced atomically.
fn finish(root: &Path, files: &[(&str, String, String)], check: bool) -> Result<Outcome, String> {
    let stale: Vec<_> = files.iter().filter(|(_, old, new)| old != new).collect();
    if stale.is_empty() {
        return Ok(Outcome::Unchanged);
    }
    if check {
        let diff = stale
            .iter()
            .map(|(path, old, new)| crate::unified_diff(old, new, path, "expected"))
            .collect();
        return Ok(Outcome::Stale(diff));
    }
    let mut written = Vec::new();
    for (path, _, new) in stale {
        write::write_if_changed(&root.join(path), new)
            .map_err(|e| format!("{path}: cannot write: {e}"))?;
        written.push(path.to_string());
    }
    Ok(Outcome::Written(written))
}

#[cfg(test)]
mod tests {
    use super::released_sections;

    #[test]
    fn a_changelog_edited_out_of_shape_is_refused_not_overwritten() {
        assert_eq!(released_sections(""), Ok(""));
        let written =
            "# Changelog\n\n## Unreleased\n\nNo spec changes.\n\n## 0.1.0 (API 1)\n\nFirst.\n";
        assert_eq!(
            released_sections(written),
            Ok("## 0.1.0 (API 1)\n\nFirst.\n")
        );
        let by_hand = "# Changelog\n\n## 0.1.0\n\nFirst.\n";
        assert!(
            released_sections(by_hand)
                .unwrap_err()
                .contains("no `## Unreleased` heading")
        );
    }
}
