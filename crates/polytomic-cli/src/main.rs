//! `polytomic`, the command-line client: everything is in the crate's library (`src/lib.rs`).

fn main() -> std::process::ExitCode {
    polytomic_cli::run()
}
