//! Cargo manifests, read and edited with toml_edit, which keeps their comments and layout.

use toml_edit::{DocumentMut, Item, Value};

/// Where a manifest sets its own version: the workspace's, else the package's.
const VERSION_AT: [&[&str]; 2] = [
    &["workspace", "package", "version"],
    &["package", "version"],
];

/// `text`, the manifest `name`, as a TOML document; errors give the line and column.
pub(crate) fn parse(name: &str, text: &str) -> Result<DocumentMut, String> {
    text.parse().map_err(|e: toml_edit::TomlError| {
        let at = e
            .span()
            .and_then(|span| text.get(..span.start))
            .map(|before| {
                let line = before.matches('\n').count() + 1;
                let column = before.chars().rev().take_while(|&c| c != '\n').count() + 1;
                format!("line {line}, column {column}: ")
            })
            .unwrap_or_default();
        format!("{name}: {at}not valid TOML: {}", e.message().trim())
    })
}

fn missing_version(name: &str) -> String {
    format!("{name}: no `version = \"...\"` in `[workspace.package]` or `[package]`")
}

/// The version `text` (the manifest `name`) sets, build metadata included.
pub(crate) fn version(name: &str, text: &str) -> Result<String, String> {
    let doc = parse(name, text)?;
    VERSION_AT
        .iter()
        .find_map(|path| get(doc.as_item(), path)?.as_str())
        .map(str::to_string)
        .ok_or_else(|| missing_version(name))
}

/// Whether `doc` sets a version of its own (a bare `[workspace]` manifest does not).
pub(crate) fn has_version(doc: &DocumentMut) -> bool {
    VERSION_AT
        .iter()
        .any(|path| get(doc.as_item(), path).and_then(Item::as_str).is_some())
}

/// The version `doc` (the manifest `name`) sets, to edit.
pub(crate) fn version_mut<'a>(
    doc: &'a mut DocumentMut,
    name: &str,
) -> Result<&'a mut Value, String> {
    let path = VERSION_AT
        .iter()
        .find(|path| get(doc.as_item(), path).and_then(Item::as_str).is_some())
        .ok_or_else(|| missing_version(name))?;
    path.iter()
        .try_fold(doc.as_item_mut(), |item, key| item.get_mut(key))
        .and_then(Item::as_value_mut)
        .ok_or_else(|| missing_version(name))
}

fn get<'a>(item: &'a Item, path: &[&str]) -> Option<&'a Item> {
    path.iter().try_fold(item, |item, key| item.get(key))
}

/// Sets a string value, keeping the comments and spacing around it; an equal value is left as written.
pub(crate) fn set_str(value: &mut Value, new: &str) {
    if value.as_str() != Some(new) {
        let decor = value.decor().clone();
        *value = Value::from(new);
        *value.decor_mut() = decor;
    }
}

/// Whether `doc` lists `krate` in its `[dependencies]`.
pub(crate) fn depends_on(doc: &DocumentMut, krate: &str) -> bool {
    get(doc.as_item(), &["dependencies", krate]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_workspace_version_else_the_package_version() {
        let workspace =
            "[package]\nversion.workspace = true\n[workspace.package]\nversion = \"1.2.3+x\"\n";
        assert_eq!(version("Cargo.toml", workspace).unwrap(), "1.2.3+x");
        assert_eq!(
            version("a/Cargo.toml", "[package]\nversion = \"0.1.0\"\n").unwrap(),
            "0.1.0"
        );
        // Inherited, not set here: no version of its own.
        let error = version("a/Cargo.toml", "[package]\nversion.workspace = true\n").unwrap_err();
        assert_eq!(
            error,
            "a/Cargo.toml: no `version = \"...\"` in `[workspace.package]` or `[package]`"
        );
    }

    #[test]
    fn a_bare_workspace_sets_no_version() {
        let bare = parse("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n").unwrap();
        assert!(!has_version(&bare));
        let package = parse(
            "Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\n",
        )
        .unwrap();
        assert!(has_version(&package));
        let inherited = parse("Cargo.toml", "[package]\nversion.workspace = true\n").unwrap();
        assert!(!has_version(&inherited));
    }

    #[test]
    fn bad_toml_is_an_error_with_its_place() {
        let error =
            parse("Cargo.toml", "[package]\nname = \"x\"\nversion = 0.1.0\"\n").unwrap_err();
        assert!(error.starts_with("Cargo.toml: line 3, column "), "{error}");
        assert!(error.contains("not valid TOML"), "{error}");
    }

    #[test]
    fn setting_a_value_keeps_its_comment() {
        let mut doc = parse("m", "[package]\nversion = \"0.1.0\"  # the one version\n").unwrap();
        set_str(version_mut(&mut doc, "m").unwrap(), "0.2.0");
        assert_eq!(
            doc.to_string(),
            "[package]\nversion = \"0.2.0\"  # the one version\n"
        );
    }
}
