//! `cargo xtask`: the workspace's own tooling (matklad's xtask convention; the alias is in .cargo/config.toml).

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::{DEFAULT_OUT, DEFAULT_SPEC, Outcome, workspace_root};

const USAGE: &str = "\
usage: cargo xtask generate [--check] [--spec PATH] [--out PATH]

  generate        regenerate the client from the spec (writes only when the output changed)
  --check         write nothing; exit 1 with a diff when the committed file is stale
  --spec PATH     read this spec instead of openapi/polytomic.yaml
  --out PATH      write (or check) this file instead of crates/polytomic/src/generated.rs";

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
    let (mut spec, mut out, mut check) = (root.join(DEFAULT_SPEC), root.join(DEFAULT_OUT), false);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--spec" | "--out" => {
                let Some(value) = args.next() else {
                    return usage_error(&format!("`{arg}` needs a path"));
                };
                let target = if arg == "--spec" { &mut spec } else { &mut out };
                *target = PathBuf::from(value);
            }
            other => return usage_error(&format!("unknown argument `{other}`")),
        }
    }
    match xtask::generate(&spec, &out, check) {
        Ok(Outcome::Written) => {
            eprintln!("wrote {}", out.display());
            ExitCode::SUCCESS
        }
        Ok(Outcome::Unchanged) => {
            eprintln!("{} is up to date", out.display());
            ExitCode::SUCCESS
        }
        Ok(Outcome::Stale(diff)) => {
            print!("{diff}");
            eprintln!(
                "error: {} is stale; run `cargo xtask generate` and commit the result",
                out.display()
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
