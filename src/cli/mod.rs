//! The `consentkit` command-line tool (feature `cli`): lint a manifest, render the transparency lists, inspect and
//! verify a consent database, print consent receipts, generate typed constants, print the schema or a rule pack's
//! facts, run the demo.
//!
//! Exit codes (docs/cli.md): 0 ok; 1 the input is readable but fails — lint errors, a broken or damaged ledger;
//! 2 usage or I/O error (bad arguments, missing or unreadable file, not a ConsentKit database).
//! `src/bin/consentkit.rs` only calls [`main`].

mod codegen;
mod declarations;
mod demo;
mod diff;
mod ledger;
mod lint;
mod lists;
mod receipts;
mod rules;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::ManifestError;
use crate::manifest::Manifest;
use crate::valid::ValidManifest;
use crate::rules::RulePack;
use crate::store::inspect::InspectError;

const EXIT_CODES: &str = "Exit codes: 0 ok; 1 lint errors, or a broken or damaged ledger; 2 usage or I/O error.";

/// ConsentKit: prove that an app's consent manifest obeys its rule pack, render what users must be told, and
/// inspect the consent stored on a device.
#[derive(Debug, Parser)]
#[command(name = "consentkit", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Text for people or JSON for tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// JSON (one document on stdout).
    Json,
}

/// Output formats of the lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
enum ListFormat {
    /// Markdown tables.
    #[default]
    Md,
    /// One self-contained HTML page (inline CSS, no scripts or external assets; readable on a phone).
    Html,
    /// JSON with every field (both Chinese and English texts).
    Json,
}

/// Output formats of a rule pack's facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
enum PackFormat {
    /// Markdown (the text of docs/rule-packs/<id>.md).
    #[default]
    Md,
    /// JSON: the pack as embedded, plus `no_pi_categories`.
    Json,
}

/// Language of the lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
enum LangArg {
    /// Simplified Chinese.
    Zh,
    /// English.
    #[default]
    En,
}

/// Target language of codegen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CodeLang {
    /// Kotlin (Android): an object with enums, in `--package`.
    Kotlin,
    /// Swift (iOS): a namespace enum with enums, named `<prefix>ConsentIds`.
    Swift,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint a manifest against its rule pack: compiler-style diagnostics with fix-its; exit 1 on any error.
    #[command(after_help = EXIT_CODES)]
    Lint {
        /// The manifest JSON file.
        manifest: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Render the personal-information collection list and the third-party sharing list (with real counts and
    /// last collection times from a consent database when `--db` is given).
    #[command(after_help = EXIT_CODES)]
    Lists {
        /// The manifest JSON file.
        manifest: PathBuf,
        /// A consent database (opened read-only) whose access log gives real figures.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: ListFormat,
        /// Language of the Markdown and HTML renderings.
        #[arg(long, value_enum, default_value_t)]
        lang: LangArg,
    },
    /// Inspect the consent ledger of a database (read-only: never migrates, repairs or moves the file).
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Print consent receipts (JSON, fields after ISO/IEC TS 27560) for every consent given in a database.
    #[command(after_help = EXIT_CODES)]
    Receipts {
        /// The consent database (opened read-only).
        db: PathBuf,
        /// The app's manifest: adds controller, policy URL and per purpose data types, recipients, region and
        /// retention.
        #[arg(long)]
        manifest: Option<PathBuf>,
    },
    /// Print the manifest JSON Schema.
    Schema,
    /// Print a rule pack's facts: constants, filing rules, the app categories with their necessary data types and
    /// verification marks, and the data-type vocabulary with sensitivity.
    #[command(after_help = EXIT_CODES)]
    Rules {
        /// The rule pack.
        #[arg(long, default_value = "cn-2021", value_parser = clap::builder::PossibleValuesParser::new(RulePack::IDS))]
        pack: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: PackFormat,
    },
    /// Generate typed constants (ids and the core's integer handles) for Kotlin or Swift app code.
    #[command(after_help = EXIT_CODES)]
    Codegen {
        /// The manifest JSON file.
        manifest: PathBuf,
        /// Target language.
        #[arg(long, value_enum)]
        lang: CodeLang,
        /// Kotlin package (default: the app id + `.consent`).
        #[arg(long)]
        package: Option<String>,
        /// Prefix of the generated namespace type (`<prefix>ConsentIds`).
        #[arg(long)]
        prefix: Option<String>,
    },
    /// A narrated walk through the ride-hailing example on a fresh database, with a simulated clock (no network).
    #[command(after_help = EXIT_CODES)]
    Demo {
        /// Where to create the database (must not exist); default: a fresh temporary directory.
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Before a release: what lapses, for users who consented under OLD, when NEW ships; exit 1 if anything does.
    #[command(after_help = diff::EXIT_CODES)]
    Diff {
        /// The manifest users consented under (the shipped release).
        old: PathBuf,
        /// The manifest about to ship.
        new: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Render an app-store declaration from the manifest: Apple's privacy manifest or Play's Data safety answers.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Start a manifest from an app-store declaration: a draft with TODO markers that `lint` then guides.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Check the privacy manifests of the SDKs under PATH... (an app's Pods/, SwiftPM checkouts) against the
    /// manifest: unconsented collection, undeclared tracking, unknown SDKs; exit 1 on any error.
    #[command(name = "check-sdks", after_help = EXIT_CODES)]
    CheckSdks {
        /// The manifest JSON file.
        manifest: PathBuf,
        /// Folders to search for PrivacyInfo.xcprivacy files (or such files themselves).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Apple's privacy manifest (PrivacyInfo.xcprivacy, XML property list) on stdout.
    #[command(name = "apple-privacy", after_help = EXIT_CODES)]
    ApplePrivacy {
        /// The manifest JSON file.
        manifest: PathBuf,
    },
    /// Google Play's Data safety answers, by the form's sections (not the Console's CSV: see docs/cli.md).
    #[command(name = "play-data-safety", after_help = EXIT_CODES)]
    PlayDataSafety {
        /// The manifest JSON file.
        manifest: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: declarations::SheetFormat,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// A draft manifest from a PrivacyInfo.xcprivacy (XML or binary) on stdout.
    #[command(name = "apple-privacy", after_help = EXIT_CODES)]
    ApplePrivacy {
        /// The privacy manifest.
        file: PathBuf,
        /// The app's category in the rule pack (e.g. ride_hailing).
        #[arg(long)]
        category: Option<String>,
        /// The rule pack.
        #[arg(long, default_value = "cn-2021", value_parser = clap::builder::PossibleValuesParser::new(RulePack::IDS))]
        pack: String,
        /// The app's home region (default: the pack's, CN for cn-2021).
        #[arg(long)]
        region: Option<String>,
        /// The app id (bundle id / package name).
        #[arg(long)]
        app_id: Option<String>,
        /// The app's name.
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum LedgerCommand {
    /// Walk the hash chain and report the first broken row; exit 1 if broken or damaged.
    #[command(after_help = EXIT_CODES)]
    Verify {
        /// The consent database.
        db: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Print the ledger's events and the consent state they replay to.
    #[command(after_help = EXIT_CODES)]
    Show {
        /// The consent database.
        db: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// Why a command stopped: the exit code and what to say on stderr.
#[derive(Debug)]
pub(crate) struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    /// Exit 1: the input was read and fails a check.
    pub(crate) fn failed(message: impl Into<String>) -> Failure {
        Failure { code: 1, message: message.into() }
    }
    /// Exit 2: bad arguments or a file that cannot be read.
    pub(crate) fn usage(message: impl Into<String>) -> Failure {
        Failure { code: 2, message: message.into() }
    }
    /// stdout was closed by the reader (`| head`): stop quietly.
    fn closed() -> Failure {
        Failure { code: 0, message: String::new() }
    }
}

impl From<InspectError> for Failure {
    fn from(e: InspectError) -> Failure {
        match e {
            // Opened, but reading failed half-way: the file is damaged.
            InspectError::Read { .. } => Failure::failed(format!("error: {e}")),
            _ => Failure::usage(format!("error: {e}")),
        }
    }
}

type CmdResult = Result<u8, Failure>;

/// Writes to stdout; a closed pipe stops the command quietly.
pub(crate) fn emit(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure::closed()),
        Err(e) => Err(Failure::usage(format!("error: cannot write output: {e}"))),
    }
}

/// Reads a file, or exit 2 naming it.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::usage(format!("{}: error: cannot read: {e}", path.display())))
}

/// One line per diagnostic: `file:path: error[CK003]: message` + fix.
pub(crate) fn diagnostic_lines(file: &Path, diagnostics: &[crate::rules::Diagnostic]) -> String {
    let mut s = String::new();
    for d in diagnostics {
        let sev = if d.severity == crate::rules::Severity::Error { "error" } else { "warning" };
        s.push_str(&format!("{}:{}: {sev}[{}]: {}\n    fix: {}\n", file.display(), d.path, d.code, d.message, d.fix));
    }
    s
}

/// A parse error as a one-line diagnostic: `(json path, message)`.
pub(crate) fn parse_error_at(e: &ManifestError) -> String {
    match e {
        ManifestError::Syntax { path, .. } | ManifestError::LimitExceeded { path, .. } => path.clone(),
        ManifestError::UnknownFields { paths } => paths.join(","),
        _ => String::new(),
    }
}

/// Reads and validates a manifest for commands that need a loadable one; lint errors exit 1 with the diagnostics.
pub(crate) fn load_manifest(path: &Path) -> Result<(Vec<u8>, ValidManifest), Failure> {
    let bytes = read_file(path)?;
    match Manifest::load(&bytes) {
        Ok(valid) => Ok((bytes, valid)),
        Err(ManifestError::Lint { diagnostics }) => {
            let errors = diagnostics.iter().filter(|d| d.severity == crate::rules::Severity::Error).count();
            Err(Failure::failed(format!(
                "{}{}: error: the manifest has {errors} lint error(s); ConsentKit would refuse it (see `consentkit lint`)",
                diagnostic_lines(path, &diagnostics),
                path.display()
            )))
        }
        Err(e) => Err(Failure::failed(format!("{}:{}: error[parse]: {e}", path.display(), parse_error_at(&e)))),
    }
}

fn run(cli: Cli) -> CmdResult {
    match cli.command {
        Command::Lint { manifest, format } => lint::run(&manifest, format),
        Command::Lists { manifest, db, format, lang } => lists::run(&manifest, db.as_deref(), format, lang),
        Command::Ledger(LedgerCommand::Verify { db, format }) => ledger::verify(&db, format),
        Command::Ledger(LedgerCommand::Show { db, format }) => ledger::show(&db, format),
        Command::Receipts { db, manifest } => receipts::run(&db, manifest.as_deref()),
        Command::Schema => {
            emit(&crate::manifest::manifest_json_schema())?;
            Ok(0)
        }
        Command::Rules { pack, format } => rules::run(&pack, format),
        Command::Codegen { manifest, lang, package, prefix } => codegen::run(&manifest, lang, package, prefix),
        Command::Demo { db } => demo::run(db.as_deref()),
        Command::Diff { old, new, format } => diff::run(&old, &new, format),
        Command::Export(ExportCommand::ApplePrivacy { manifest }) => declarations::export_apple(&manifest),
        Command::Export(ExportCommand::PlayDataSafety { manifest, format }) => declarations::export_play(&manifest, format),
        Command::Import(ImportCommand::ApplePrivacy { file, category, pack, region, app_id, name }) => {
            declarations::import_apple(declarations::ImportArgs { file, category, pack, region, app_id, name })
        }
        Command::CheckSdks { manifest, paths, format } => declarations::check_sdks(&manifest, &paths, format),
    }
}

/// Runs the CLI with these arguments (the first is the program name) and returns the exit code.
pub fn run_with_args<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; usage errors print to stderr and exit 2.
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(f) => {
            if !f.message.is_empty() {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "{}", f.message.trim_end());
            }
            f.code
        }
    }
}

/// The entry point of the `consentkit` binary.
pub fn main() -> ExitCode {
    ExitCode::from(run_with_args(std::env::args_os()))
}
