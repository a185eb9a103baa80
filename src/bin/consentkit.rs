//! The `consentkit` command-line tool: checks an app's manifest against its rule pack.
//!
//! Exit codes: 0 ok, 1 lint errors, 2 usage or I/O error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use consentkit::error::ManifestError;
use consentkit::manifest::parse_manifest;
use consentkit::rules::{lint, Severity};

/// ConsentKit: prove that an app's consent manifest obeys its rule pack.
#[derive(Parser)]
#[command(name = "consentkit", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lints a manifest: compiler-style diagnostics; exit 1 on any error.
    Lint {
        /// The manifest JSON file.
        manifest: PathBuf,
    },
    /// Prints the manifest JSON Schema.
    Schema,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint { manifest } => run_lint(&manifest),
        Command::Schema => {
            print!("{}", consentkit::manifest::manifest_json_schema());
            ExitCode::SUCCESS
        }
    }
}

fn run_lint(path: &PathBuf) -> ExitCode {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: error: cannot read: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let manifest = match parse_manifest(&bytes) {
        Ok(m) => m,
        Err(e) => {
            let at = match &e {
                ManifestError::Syntax { path, .. } | ManifestError::LimitExceeded { path, .. } => path.clone(),
                ManifestError::UnknownFields { paths } => paths.join(","),
                _ => String::new(),
            };
            println!("{}:{at}: error[parse]: {e}", path.display());
            return ExitCode::from(1);
        }
    };
    let diagnostics = lint(&manifest);
    for d in &diagnostics {
        let sev = if d.severity == Severity::Error { "error" } else { "warning" };
        println!("{}:{}: {sev}[{}]: {}\n    fix: {}", path.display(), d.path, d.code, d.message, d.fix);
    }
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    println!("{}: {} error(s), {} warning(s)", path.display(), errors, diagnostics.len() - errors);
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
