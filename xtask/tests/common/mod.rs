//! Helpers shared by the tests that run the README's loop on a copy of the workspace.

use std::path::Path;
use std::process::{Command, Output};

/// A command's stdout and stderr, for failure messages.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The tracked files of the workspace `from`, copied to `to` (what a fresh clone has, with the working
/// tree's contents).
pub fn copy_workspace(from: &Path, to: &Path) {
    let listed = Command::new("git")
        .current_dir(from)
        .args(["ls-files", "-z"])
        .output()
        .unwrap();
    assert!(listed.status.success(), "git ls-files: {}", text(&listed));
    for file in listed.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let file = Path::new(std::str::from_utf8(file).unwrap());
        let target = to.join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        // A file deleted in the working tree but still tracked is skipped.
        let _ = std::fs::copy(from.join(file), target);
    }
}
