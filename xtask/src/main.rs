//! `cargo xtask`: the workspace's own tooling (matklad's xtask convention; the alias is in .cargo/config.toml).

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::{DEFAULT_SPEC, Outcome, workspace_root};

const USAGE: &str = "\
usage: cargo xtask generate [--check] [--spec PATH] [--out-dir DIR]

  generate        regenerate the client, its mock helpers and its CLI from the spec:
                    crates/polytomic/src/generated.rs
                    crates/polytomic-httpmock/src/generated.rs
                    crates/polytomic-cli/src/generated.rs
                  (each written only when its content changed)
  --check         write nothing; exit 1 with a diff when a committed file is stale
  --spec PATH     read this spec instead of openapi/polytomic.yaml
  --out-dir DIR   write (or check) the files under DIR instead of the workspace root";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => generate(&args[1..]),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => usage_error(&format!("unknown command `{other}`")),
        None => usage_error("no command given"),
    }
}

fn generate(args: &[String]) -> ExitCode {
    let root = workspace_root();
    let (mut spec, mut out_dir, mut check) = (root.join(DEFAULT_SPEC), root.clone(), false);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--spec" | "--out-dir" => {
                let Some(value) = args.next() else {
                    return usage_error(&format!("`{arg}` needs a path"));
                };
                let target = if arg == "--spec" {
                    &mut spec
                } else {
                    &mut out_dir
                };
                *target = PathBuf::from(value);
            }
            other => return usage_error(&format!("unknown argument `{other}`")),
        }
    }
    match xtask::generate(&spec, &out_dir, check) {
        Ok(Outcome::Written(paths)) => {
            for path in paths {
                eprintln!("wrote {path}");
            }
            ExitCode::SUCCESS
        }
        Ok(Outcome::Unchanged) => {
            eprintln!("generated files are up to date");
            ExitCode::SUCCESS
        }
        Ok(Outcome::Stale(diff)) => {
            print!("{diff}");
            eprintln!(
                "error: generated files are stale; run `cargo xtask generate` and commit the result"
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
