//! The `consentkit` command-line tool (feature `cli`); the logic lives in `consentkit::cli` (docs/cli.md).
//!
//! Exit codes: 0 ok, 1 lint errors or a broken ledger, 2 usage or I/O error.

fn main() -> std::process::ExitCode {
    consentkit::cli::main()
}
