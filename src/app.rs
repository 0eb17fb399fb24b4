//! The composition root: parses the command line, builds the real effects
//! (disk, environment, clock, network, terminal), runs the pure pipeline and
//! maps outcomes to the exit codes of `spec/cli.md`. The only module that
//! prints.

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command, ManifestArgs, Output, SchemaDraft};
use crate::diag::{self, Diagnostics};
use crate::manifest::load::{Loaded, load};
use crate::render;
use crate::schema::{Draft, schema_text};
use crate::system::{ProcessEnvironment, RealFileSystem};
use crate::validate::{Validated, validate};

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Invalid input, an error, a failed or drifted certificate.
pub const EXIT_FAILURE: u8 = 1;
/// `plan --detailed-exitcode`: something to submit or drifted.
pub const EXIT_CHANGES: u8 = 2;
/// Interrupted by SIGINT or SIGTERM.
pub const EXIT_INTERRUPTED: u8 = 130;

pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // Usage errors exit 1, not clap's 2: for `plan --detailed-exitcode`
            // 2 means "changes", and a typo must not read as that.
            return ExitCode::from(if error.use_stderr() {
                EXIT_FAILURE
            } else {
                EXIT_OK
            });
        }
    };
    init_logging(cli.verbose, cli.quiet);
    ExitCode::from(run(cli))
}

fn init_logging(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    // Our crate at the chosen level; dependencies one step quieter, so -vvv
    // is about tccert, not hyper's connection pool.
    let filter = format!("warn,tccert={level}");
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_target(false)
        .try_init();
}

fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Validate(args) => run_validate(&args),
        Command::Render(args) => run_render(&args),
        Command::Schema(args) => {
            let draft = match args.draft {
                SchemaDraft::Draft2020_12 => Draft::Draft2020_12,
                SchemaDraft::Draft07 => Draft::Draft07,
            };
            print_stdout(&schema_text(draft));
            EXIT_OK
        }
        Command::Plan(_) | Command::Apply(_) | Command::Emulator(_) | Command::DebugSign(_) => {
            eprintln!("error: this command is not available in this build yet");
            EXIT_FAILURE
        }
    }
}

/// Loads and validates; the shared first half of every manifest command.
pub fn load_and_validate(args: &ManifestArgs) -> (Loaded, Validated, Diagnostics) {
    let mut loaded = load(&args.paths, &RealFileSystem, &ProcessEnvironment);
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    let validated = if diagnostics.has_errors() {
        // Loading failed somewhere: still check what did load, so the user
        // sees every problem in one run.
        let _ = validate(&loaded, &mut diagnostics);
        Validated::default()
    } else {
        validate(&loaded, &mut diagnostics)
    };
    let validated = if diagnostics.has_errors() {
        Validated::default()
    } else {
        validated
    };
    (loaded, validated, diagnostics)
}

fn report_diagnostics(loaded: &Loaded, diagnostics: &Diagnostics) {
    if diagnostics.is_empty() {
        return;
    }
    let mut text = diag::render_text(&loaded.files, diagnostics);
    let errors = diagnostics.error_count();
    if errors > 0 {
        text.push_str(&format!(
            "error: {errors} problem{} found; nothing was sent\n",
            if errors == 1 { "" } else { "s" }
        ));
    }
    print_stderr(&text);
}

fn run_validate(args: &ManifestArgs) -> u8 {
    let (loaded, validated, diagnostics) = load_and_validate(args);
    let valid = !diagnostics.has_errors();
    match args.output {
        Output::Json => {
            let report = serde_json::json!({
                "valid": valid,
                "files": loaded.files.len(),
                "profiles": validated.profile_count,
                "certificates": validated.certificates.len(),
                "errors": diagnostics.error_count(),
                "warnings": diagnostics.warning_count(),
                "diagnostics": diag::to_json(&loaded.files, &diagnostics),
            });
            print_stdout(&format!("{report:#}\n"));
        }
        Output::Text => {
            report_diagnostics(&loaded, &diagnostics);
            if valid {
                print_stdout(&format!(
                    "valid: {} certificate{} and {} profile{} in {} file{}\n",
                    validated.certificates.len(),
                    plural(validated.certificates.len()),
                    validated.profile_count,
                    plural(validated.profile_count),
                    loaded.files.len(),
                    plural(loaded.files.len()),
                ));
            }
        }
    }
    if valid { EXIT_OK } else { EXIT_FAILURE }
}

fn run_render(args: &ManifestArgs) -> u8 {
    let (loaded, validated, diagnostics) = load_and_validate(args);
    if diagnostics.has_errors() {
        if args.output == Output::Json {
            let report =
                serde_json::json!({ "diagnostics": diag::to_json(&loaded.files, &diagnostics) });
            print_stdout(&format!("{report:#}\n"));
        } else {
            report_diagnostics(&loaded, &diagnostics);
        }
        return EXIT_FAILURE;
    }
    report_diagnostics(&loaded, &diagnostics);
    match args.output {
        Output::Text => print_stdout(&render::render_text(&loaded.files, &validated.certificates)),
        Output::Json => print_stdout(&format!(
            "{:#}\n",
            render::render_json(&loaded.files, &validated.certificates)
        )),
    }
    EXIT_OK
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Writes to stdout; a closed pipe (`tccert render | head`) is not an error.
pub fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

pub fn print_stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}
