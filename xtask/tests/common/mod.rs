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

/// Cargo's arguments selecting the three published crates: the client, its mock helpers, its CLI.
#[allow(dead_code)]
pub const PUBLISHED: [&str; 6] = [
    "-p",
    "polytomic",
    "-p",
    "polytomic-httpmock",
    "-p",
    "polytomic-cli",
];

/// The loop tests build their copies in one target folder, where Cargo gives a copy's crates the same
/// names as the original's and judges freshness by modification times: two copies built at once link each
/// other's crates (seen: a CLI built against a client from another copy). A `Scratch` holds this lock for
/// its life, so the tests of one binary take turns; cargo runs the binaries one after another.
static ONE_COPY_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A copy of the workspace in a temporary folder, to run the README's loop on. The xtask binary is given
/// the copy's paths (its defaults are the original workspace's).
pub struct Scratch {
    _turn: std::sync::MutexGuard<'static, ()>,
    dir: tempfile::TempDir,
    /// The workspace copy.
    pub ws: std::path::PathBuf,
    /// The upstream document as committed.
    pub original: serde_json::Value,
}

// Each test binary that includes this module uses a part of it.
#[allow(dead_code)]
impl Scratch {
    pub fn new() -> Scratch {
        // A test that failed while holding the lock leaves nothing shared behind: take it anyway.
        let turn = ONE_COPY_AT_A_TIME
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        copy_workspace(&xtask::workspace_root(), &ws);
        let upstream = std::fs::read_to_string(ws.join(xtask::DEFAULT_UPSTREAM)).unwrap();
        std::fs::copy(ws.join(xtask::DEFAULT_SPEC), dir.path().join("base.yaml")).unwrap();
        Scratch {
            _turn: turn,
            original: serde_json::from_str(&upstream).unwrap(),
            dir,
            ws,
        }
    }

    /// The copy's spec, `openapi/polytomic.yaml`.
    pub fn spec(&self) -> std::path::PathBuf {
        self.ws.join(xtask::DEFAULT_SPEC)
    }

    /// The committed spec, before any change: what `diff` compares with.
    pub fn base_spec(&self) -> std::path::PathBuf {
        self.dir.path().join("base.yaml")
    }

    /// A file in the temporary folder, beside the copy.
    pub fn file(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// `doc` as the upstream document, imported into the copy's spec (`cargo xtask import`).
    pub fn import(&self, doc: &serde_json::Value) {
        let upstream = self.ws.join(xtask::DEFAULT_UPSTREAM);
        std::fs::write(&upstream, serde_json::to_string(doc).unwrap()).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("import")
            .arg(&upstream)
            .arg("--overlay")
            .arg(self.ws.join(xtask::DEFAULT_OVERLAY))
            .arg("--out")
            .arg(self.spec())
            .output()
            .unwrap();
        assert!(output.status.success(), "import: {}", text(&output));
    }

    /// `cargo xtask diff --format json` from the committed spec to the copy's.
    pub fn diff(&self) -> serde_json::Value {
        let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["diff", "--format", "json", "--base"])
            .arg(self.base_spec())
            .arg("--spec")
            .arg(self.spec())
            .output()
            .unwrap();
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("diff did not print JSON ({e}): {}", text(&output)))
    }

    /// `cargo xtask generate` into the copy.
    pub fn generate(&self) {
        let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("generate")
            .arg("--spec")
            .arg(self.spec())
            .arg("--out-dir")
            .arg(&self.ws)
            .output()
            .unwrap();
        assert!(output.status.success(), "generate: {}", text(&output));
    }

    /// Every crate and target of the copy (client, mocks, CLI, tests, examples, benches) builds unedited.
    pub fn assert_everything_builds(&self, after: &str) {
        let build = self.cargo(&[
            "build",
            "-q",
            "--workspace",
            "--all-targets",
            "--exclude",
            "xtask",
        ]);
        assert!(
            build.status.success(),
            "{after}: the workspace needs an edit:\n{}",
            text(&build)
        );
    }

    /// `cargo <args>` in the copy, building in `target/walkthrough` (shared by the loop tests; the outer
    /// `cargo test` holds the main target folder).
    pub fn cargo(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO"))
            .current_dir(&self.ws)
            .env(
                "CARGO_TARGET_DIR",
                xtask::workspace_root().join("target/walkthrough"),
            )
            .env_remove("RUSTFLAGS")
            .args(args)
            .output()
            .unwrap()
    }
}
