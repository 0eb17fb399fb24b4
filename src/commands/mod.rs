//! One file per command: the glue between the library and the real effects
//! (disk, environment, network, terminal, signals). Each command returns
//! its exit code, or a [`CommandError`] that [`crate::app`] prints; problems
//! in manifests are not errors here but diagnostics, shown in the chosen
//! output. A command is a short script over the shared layer, and imports
//! no other command (tests/integration/layout.rs checks it):
//!
//! - this file: loading and validating through the front door, [`emit`]
//!   (a report in the chosen format, `crate::output::format`), printing;
//! - [`runner`]: the run layer (open the runs for a target, the one
//!   interrupt handler and its signals, close);
//! - [`reads`]: the status reads `status` and `download` share;
//! - [`settings`]: what a run uses, from flags, environment and files;
//! - [`error`]: the one [`CommandError`].

pub mod csr;
pub mod debug_sign;
pub mod download;
pub mod emulator;
pub mod error;
pub mod import;
pub mod init;
pub mod man;
pub mod plan_apply;
pub mod reads;
pub mod render;
pub mod runner;
pub mod schema;
pub mod settings;
pub mod status;
pub mod validate;

use std::io::{Read as _, Write as _};
use std::path::PathBuf;

pub use error::CommandError;

use crate::certificate::Certificate;
use crate::cli::{ManifestArgs, Output};
use crate::diag::Diagnostics;
use crate::manifest::load::{Budget, Loaded, MAX_MANIFEST_BYTES};
use crate::output::format::{self, Report};
use crate::pipeline::{self, Valid};
use crate::system::{
    Environment as _, ProcessEnvironment, RealFileSystem, STDIN_NAME, STDIN_PATH, WithStdin,
};
use crate::validate::Options;

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Invalid input, an error, a failed or drifted certificate.
pub const EXIT_FAILURE: u8 = 1;
/// `plan --detailed-exitcode`: something to submit or drifted.
pub const EXIT_CHANGES: u8 = 2;
/// Interrupted by SIGINT or SIGTERM.
pub const EXIT_INTERRUPTED: u8 = 130;

/// A command's exit code, or the error that stopped it.
pub type CommandResult = Result<u8, CommandError>;

/// Loads and validates through the pipeline's front door, on disk and the
/// process environment; the shared first half of every manifest command.
fn load_and_validate(
    args: &ManifestArgs,
) -> Result<(Loaded, Option<Valid>, Diagnostics), CommandError> {
    let input = ManifestInput::read(&args.paths, args.budget())?;
    let options = Options {
        default_api: args.api.map(Into::into),
        trust: trust(&args.trust, &input.paths)?,
    };
    let checked = pipeline::load_and_validate(
        &input.paths,
        &input.file_system(),
        &ProcessEnvironment,
        args.budget(),
        options,
    );
    let (loaded, mut diagnostics, mut valid) = checked.into_parts();
    // `--strict`: warnings found before anything is sent are errors, so
    // the run is invalid and nothing is sent (docs/cli.md, "--strict").
    if args.strict && diagnostics.make_warnings_errors() {
        valid = None;
    }
    Ok((loaded, valid, diagnostics))
}

/// What the operator lets manifests reach: `--allow-endpoint`,
/// `--env-allow`, and the roots for files (the current directory, each PATH
/// given, a file's directory, `--allow-path`), canonicalised.
pub(crate) fn trust(
    args: &crate::cli::TrustArgs,
    paths: &[PathBuf],
) -> Result<crate::manifest::trust::Trust, CommandError> {
    let mut roots = vec![PathBuf::from(".")];
    for path in paths {
        if path.as_os_str() == STDIN_NAME {
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => roots.push(path.clone()),
            _ => roots.push(match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                _ => PathBuf::from("."),
            }),
        }
    }
    roots.extend(args.allow_path.iter().cloned());
    let allow_endpoints: Vec<String> = args
        .allow_endpoint
        .iter()
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .collect();
    let env_allow: Vec<String> = args
        .env_allow
        .iter()
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .collect();
    Ok(crate::manifest::trust::Trust {
        allow_endpoints,
        env_allow: (!args.env_allow.is_empty()).then_some(env_allow),
        roots: None,
    }
    .with_roots(&RealFileSystem, &roots))
}

/// The PATHs of a manifest command, with `-` (standard input, as
/// `kubectl -f -`) read up front and renamed `<stdin>` for diagnostics.
struct ManifestInput {
    paths: Vec<PathBuf>,
    stdin: Option<Vec<u8>>,
}

impl ManifestInput {
    /// Reads standard input when `-` is among `paths`: no more than the
    /// loader may accept of one manifest within `budget`, plus one byte so
    /// that the loader sees that too much was sent. `-` twice is a usage
    /// error (the second would read an empty, already-consumed stream).
    fn read(paths: &[PathBuf], budget: Budget) -> Result<Self, CommandError> {
        let dashes = paths.iter().filter(|p| p.as_os_str() == STDIN_PATH).count();
        if dashes > 1 {
            return Err(CommandError::Usage {
                message: "`-` (standard input) may be given once among the PATHs".into(),
            });
        }
        if dashes == 0 {
            return Ok(Self {
                paths: paths.to_vec(),
                stdin: None,
            });
        }
        let limit = MAX_MANIFEST_BYTES.min(budget.max_bytes);
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|source| CommandError::Stdin { source })?;
        let paths = paths
            .iter()
            .map(|p| {
                if p.as_os_str() == STDIN_PATH {
                    PathBuf::from(STDIN_NAME)
                } else {
                    p.clone()
                }
            })
            .collect();
        Ok(Self {
            paths,
            stdin: Some(bytes),
        })
    }

    fn file_system(&self) -> WithStdin<'static> {
        WithStdin {
            disk: &RealFileSystem,
            stdin: self.stdin.clone().unwrap_or_default(),
        }
    }
}

/// `--target`: the certificates whose name matches a pattern, in their
/// order (all of them when no pattern is given). Every manifest has been
/// loaded and validated already; a pattern that matches nothing is an error,
/// so a typo cannot quietly select nothing.
fn select_targets(
    targets: &[String],
    certificates: Vec<Certificate>,
) -> Result<Vec<Certificate>, CommandError> {
    if targets.is_empty() {
        return Ok(certificates);
    }
    let chosen = crate::select::select(targets, certificates.iter().map(|c| c.name.as_str()))
        .map_err(|names| CommandError::UnknownTarget { names })?;
    Ok(certificates
        .into_iter()
        .filter(|c| chosen.contains(&c.name))
        .collect())
}

/// Shows a report in the format `output` names (`crate::output::format`,
/// the one home of the formats): what it renders for stderr, then for
/// stdout, then for GitHub's step summary.
pub fn emit(output: Output, report: &Report<'_>) {
    let rendered = format::of(output).render(report);
    if !rendered.stderr.is_empty() {
        print_stderr(&rendered.stderr);
    }
    if !rendered.stdout.is_empty() {
        print_stdout(&rendered.stdout);
    }
    if let Some(summary) = rendered.step_summary {
        append_step_summary(&summary);
    }
}

/// Shows diagnostics the way `output` asks (nothing when there are none);
/// JSON callers print their own object and get the text on stderr here.
fn report_diagnostics(output: Output, loaded: &Loaded, diagnostics: &Diagnostics) {
    emit(
        output,
        &Report::Diagnostics {
            files: &loaded.files,
            diagnostics,
        },
    );
}

/// The JSON object of a command stopped by invalid input.
fn invalid_json(loaded: &Loaded, diagnostics: &Diagnostics) -> serde_json::Value {
    format::invalid_json(&loaded.files, diagnostics)
}

/// When invalid input stops a command: the JSON object, or the diagnostics.
fn report_invalid(output: Output, loaded: &Loaded, diagnostics: &Diagnostics) {
    emit(
        output,
        &Report::Invalid {
            files: &loaded.files,
            diagnostics,
        },
    );
}

/// GitHub Actions shows this file's Markdown on the run's summary page.
fn append_step_summary(markdown: &str) {
    let Some(path) = ProcessEnvironment
        .var("GITHUB_STEP_SUMMARY")
        .filter(|p| !p.is_empty())
    else {
        return;
    };
    let written = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut file| file.write_all(format!("{markdown}\n").as_bytes()));
    if let Err(error) = written {
        tracing::warn!("cannot append to GITHUB_STEP_SUMMARY ({path}): {error}");
    }
}

/// Writes to stdout; a closed pipe (`tccert render | head`) is not an error.
/// Prints to standard output. Bidi controls are written as escapes
/// whatever the format (a JSON document keeps its meaning: `\u202e` is
/// the same string); the formats escape the other control characters.
pub fn print_stdout(text: &str) {
    let text = crate::source::without_bidi(text);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// `-q`: only errors on stderr; notes ([`print_note`]) are left out.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// A line on stderr that is neither an error nor the report (where the
/// emulator's state is, where a plan was saved): left out under `-q`.
pub fn print_note(text: &str) {
    if !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
        print_stderr(text);
    }
}

pub fn print_stderr(text: &str) {
    let text = crate::source::without_bidi(text);
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}

/// Runs an async command on a small runtime: two worker threads match the
/// machines this runs on, and the work is waiting on the network anyway.
pub fn with_runtime<F, Fut>(f: F) -> CommandResult
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = CommandResult>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| CommandError::Runtime { source })?;
    runtime.block_on(f())
}
