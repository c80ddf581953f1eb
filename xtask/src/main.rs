//! `cargo xtask`: the workspace's own tooling (matklad's xtask convention; the alias is in .cargo/config.toml).

// progenitor, syn and prettyplease allocate heavily; mimalloc halves generation time (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::{DEFAULT_OVERLAY, DEFAULT_SPEC, DEFAULT_UPSTREAM, Outcome, workspace_root};

const USAGE: &str = "\
usage: cargo xtask generate [--check] [--spec PATH] [--out-dir DIR]

  generate        regenerate the client, its mock helpers and its CLI from the spec:
                    crates/polytomic/src/generated.rs (and its parts, generated/)
                    crates/polytomic-httpmock/src/generated.rs
                    crates/polytomic-cli/src/generated.rs
                  (each written only when its content changed)
  --check         write nothing; exit 1 with a diff when a committed file is stale
  --spec PATH     read this spec instead of openapi/polytomic.yaml
  --out-dir DIR   write (or check) the files under DIR instead of the workspace root

usage: cargo xtask import [UPSTREAM] [--overlay PATH] [--out PATH] [--check]

  import          turn Polytomic's OpenAPI document (3.1 or 3.0, JSON or YAML; default
                  openapi/upstream/polytomic-2025-09-18.json) into openapi/polytomic.yaml: down-convert to 3.0, keep the
                  overlay's x-keep-paths, apply the overlay's actions (default openapi/overlay.yaml)
  --check         write nothing; exit 1 with a diff when openapi/polytomic.yaml differs

usage: cargo xtask diff [--base REV_OR_PATH] [--spec REV_OR_PATH] [--format text|json] [--fail-on-breaking]

  diff            list every change between two versions of the spec as the public Rust items it changes
                  in the client generated for each side, classified breaking / compatible / documentation
                  for callers of the Rust client, and the version bump the client crate needs. Defaults: --base HEAD (git), --spec the working tree's
                  openapi/polytomic.yaml
  --fail-on-breaking  exit 1 when any change is breaking

usage: cargo xtask changelog [--check] [--root DIR]

  changelog       rewrite CHANGELOG.md's \"Unreleased\" section from the spec changes since the last release
                  (openapi/released/), breaking ones first
  --check         write nothing; exit 1 with a diff when CHANGELOG.md is stale

usage: cargo xtask release [--check] [--root DIR]

  release         cut a release: set the crates' version to what the spec changes since the last release
                  require (or keep the committed one if higher), turn \"Unreleased\" into the release's
                  CHANGELOG.md section, and make the current spec the new baseline (openapi/released/)
  --check         write nothing; exit 1 when the committed version is lower than the changes require
  --root DIR      the workspace to work on (default: this one)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => generate(&args[1..]),
        Some("import") => import(&args[1..]),
        Some("diff") => diff(&args[1..]),
        Some("changelog") => changelog(&args[1..]),
        Some("release") => release(&args[1..]),
        // For BENCHMARKS.md: `cargo xtask synth-spec 1000 > /tmp/synth-1000.yaml`.
        Some("synth-spec") => match args.get(1).and_then(|n| n.parse().ok()) {
            Some(n) => match xtask::synthetic_spec(n) {
                Ok(yaml) => {
                    print!("{yaml}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            },
            None => usage_error("synth-spec needs a number of operations"),
        },
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => usage_error(&format!("unknown command `{other}`")),
        None => usage_error("no command given"),
    }
}

/// A command's arguments: `--name VALUE` options, `--name` switches, and at most one positional argument.
struct Args {
    values: std::collections::HashMap<String, String>,
    switches: Vec<String>,
    positional: Option<String>,
}

impl Args {
    /// Parses `args` against what the command accepts; anything else is a usage error.
    fn parse(
        args: &[String],
        options: &[&str],
        switches: &[&str],
        positional: bool,
    ) -> Result<Args, String> {
        let mut parsed = Args {
            values: Default::default(),
            switches: Vec::new(),
            positional: None,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            if options.contains(&arg.as_str()) {
                let value = args
                    .next()
                    .ok_or_else(|| format!("`{arg}` needs a value"))?;
                parsed.values.insert(arg.clone(), value.clone());
            } else if switches.contains(&arg.as_str()) {
                parsed.switches.push(arg.clone());
            } else if positional && !arg.starts_with('-') && parsed.positional.is_none() {
                parsed.positional = Some(arg.clone());
            } else {
                return Err(format!("unknown argument `{arg}`"));
            }
        }
        Ok(parsed)
    }

    fn path(&self, option: &str, default: PathBuf) -> PathBuf {
        self.values
            .get(option)
            .map(PathBuf::from)
            .unwrap_or(default)
    }

    fn has(&self, switch: &str) -> bool {
        self.switches.iter().any(|s| s == switch)
    }
}

fn generate(args: &[String]) -> ExitCode {
    let args = match Args::parse(args, &["--spec", "--out-dir"], &["--check"], false) {
        Ok(args) => args,
        Err(problem) => return usage_error(&problem),
    };
    let root = workspace_root();
    let spec = args.path("--spec", root.join(DEFAULT_SPEC));
    let out_dir = args.path("--out-dir", root);
    report(
        xtask::generate(&spec, &out_dir, args.has("--check")),
        "cargo xtask generate",
    )
}

fn import(args: &[String]) -> ExitCode {
    let args = match Args::parse(args, &["--overlay", "--out"], &["--check"], true) {
        Ok(args) => args,
        Err(problem) => return usage_error(&problem),
    };
    let root = workspace_root();
    let upstream = args
        .positional
        .as_ref()
        .map(PathBuf::from)
        .unwrap_or(root.join(DEFAULT_UPSTREAM));
    let overlay = args.path("--overlay", root.join(DEFAULT_OVERLAY));
    let out = args.path("--out", root.join(DEFAULT_SPEC));
    report(
        xtask::import(&upstream, &overlay, &out, args.has("--check")),
        "cargo xtask import",
    )
}

fn diff(args: &[String]) -> ExitCode {
    let args = match Args::parse(
        args,
        &["--base", "--spec", "--format"],
        &["--fail-on-breaking"],
        false,
    ) {
        Ok(args) => args,
        Err(problem) => return usage_error(&problem),
    };
    let default_spec = workspace_root().join(DEFAULT_SPEC).display().to_string();
    let base = args
        .values
        .get("--base")
        .cloned()
        .unwrap_or_else(|| "HEAD".into());
    let spec = args.values.get("--spec").cloned().unwrap_or(default_spec);
    let json = match args.values.get("--format").map(String::as_str) {
        None | Some("text") => false,
        Some("json") => true,
        Some(other) => return usage_error(&format!("unknown format `{other}` (text or json)")),
    };
    let fail = args.has("--fail-on-breaking");
    match xtask::diff_report(&base, &spec, json) {
        Ok((report, breaking)) => {
            print!("{report}");
            if breaking && fail {
                eprintln!("error: the spec change is breaking (--fail-on-breaking)");
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn changelog(args: &[String]) -> ExitCode {
    let args = match Args::parse(args, &["--root"], &["--check"], false) {
        Ok(args) => args,
        Err(problem) => return usage_error(&problem),
    };
    let root = args.path("--root", workspace_root());
    report(
        xtask::release::changelog(&root, args.has("--check")),
        "cargo xtask changelog",
    )
}

fn release(args: &[String]) -> ExitCode {
    let args = match Args::parse(args, &["--root"], &["--check"], false) {
        Ok(args) => args,
        Err(problem) => return usage_error(&problem),
    };
    let root = args.path("--root", workspace_root());
    if !args.has("--check") {
        return report(xtask::release::release(&root), "cargo xtask release");
    }
    match xtask::release::check(&root) {
        Ok(message) => {
            eprintln!("{message}");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// Prints what a command did and turns it into the exit status.
fn report(outcome: Result<Outcome, String>, command: &str) -> ExitCode {
    match outcome {
        Ok(Outcome::Written(paths)) => {
            for path in paths {
                eprintln!("wrote {path}");
            }
            ExitCode::SUCCESS
        }
        Ok(Outcome::Unchanged) => {
            eprintln!("up to date");
            ExitCode::SUCCESS
        }
        Ok(Outcome::Stale(diff)) => {
            print!("{diff}");
            eprintln!(
                "error: the committed files are stale; run `{command}` and commit the result"
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage_error(problem: &str) -> ExitCode {
    eprintln!("error: {problem}\n\n{USAGE}");
    ExitCode::from(2)
}
