//! The composition root: parses the command line, builds the real effects
//! (disk, environment, clock, network, terminal), runs the pure pipeline and
//! maps outcomes to the exit codes of `spec/cli.md`. The only module that
//! prints.

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::api::client::{CHINA_ENDPOINT, Endpoint, HttpTransport, INTERNATIONAL_ENDPOINT};
use crate::api::credentials::Credentials;
use crate::cli::{
    Cli, Command, DebugSignArgs, EmulatorArgs, ManifestArgs, Output, RunArgs, SchemaDraft,
};
use crate::diag::{self, Diagnostics};
use crate::emulator::{self, EmulatorConfig, SeedCertificate};
use crate::manifest::load::{Loaded, load};
use crate::reconcile::{self, CertificateReport, Mode, Outcome, StopReason};
use crate::render;
use crate::report;
use crate::schema::{Draft, schema_text};
use crate::system::Environment as _;
use crate::system::{ProcessEnvironment, RealFileSystem};
use crate::validate::{self as validation, Validated, validate_with};

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
        Command::Plan(args) => with_runtime(|| run_reconcile(&args, Mode::Plan)),
        Command::Apply(args) => with_runtime(|| run_reconcile(&args, Mode::Apply)),
        Command::Emulator(args) => with_runtime(|| run_emulator(args)),
        Command::DebugSign(args) => run_debug_sign(&args),
    }
}

/// Loads and validates; the shared first half of every manifest command.
pub fn load_and_validate(args: &ManifestArgs) -> (Loaded, Validated, Diagnostics) {
    let mut loaded = load(&args.paths, &RealFileSystem, &ProcessEnvironment);
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    let options = validation::Options {
        default_api: args.api.map(Into::into),
    };
    let validated = if diagnostics.has_errors() {
        // Loading failed somewhere: still check what did load, so the user
        // sees every problem in one run.
        let _ = validate_with(&loaded, options, &mut diagnostics);
        Validated::default()
    } else {
        validate_with(&loaded, options, &mut diagnostics)
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

/// Runs an async command on a small runtime: two worker threads match the
/// machines this runs on, and the work is waiting on the network anyway.
fn with_runtime<F, Fut>(f: F) -> u8
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = u8>,
{
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(f()),
        Err(error) => {
            print_stderr(&format!("error: cannot start the async runtime: {error}\n"));
            EXIT_FAILURE
        }
    }
}

fn fail(message: &str) -> u8 {
    print_stderr(&format!("error: {message}\n"));
    EXIT_FAILURE
}

/// `plan` and `apply`.
async fn run_reconcile(args: &RunArgs, mode: Mode) -> u8 {
    if !(args.rate.is_finite() && args.rate > 0.0) {
        return fail("--rate must be a positive number of requests a second");
    }
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return fail("--timeout must be a positive number of seconds");
    }
    let (loaded, validated, diagnostics) = load_and_validate(&args.manifests);
    if diagnostics.has_errors() {
        if args.manifests.output == Output::Json {
            let report =
                serde_json::json!({ "diagnostics": diag::to_json(&loaded.files, &diagnostics) });
            print_stdout(&format!("{report:#}\n"));
        } else {
            report_diagnostics(&loaded, &diagnostics);
        }
        return EXIT_FAILURE;
    }
    report_diagnostics(&loaded, &diagnostics);
    let environment = ProcessEnvironment;
    let certificates: Vec<(crate::model::Certificate, PathBuf)> = validated
        .certificates
        .into_iter()
        .map(|c| {
            let file = loaded.files.path(c.file).to_path_buf();
            (c, file)
        })
        .collect();

    // Where to send, and as whom: the emulator, or the real API.
    let mut running_emulator = None;
    let (endpoint, credentials) = if args.emulator {
        let (secret_id, secret_key) = emulator::generate_credentials();
        let config = EmulatorConfig {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            credentials: vec![(secret_id.clone(), secret_key.clone())],
            seed: certificates
                .iter()
                .map(|(c, _)| SeedCertificate {
                    certificate_id: c.certificate_id.value.clone(),
                    domain: c.domain.value.clone(),
                })
                .collect(),
            ..EmulatorConfig::default()
        };
        let started = match emulator::start(config).await {
            Ok(started) => started,
            Err(error) => return fail(&format!("cannot start the built-in emulator: {error}")),
        };
        let url = started.url();
        print_stderr(&format!(
            "using the built-in emulator at {url} (no account needed; nothing leaves this machine)\n"
        ));
        running_emulator = Some(started);
        let credentials = Credentials {
            secret_id,
            secret_key: crate::secret::Secret::new(secret_key),
            token: None,
        };
        (url, credentials)
    } else {
        let credentials = match Credentials::from_environment(&environment) {
            Ok(credentials) => credentials,
            Err(missing) => return fail(&missing.to_string()),
        };
        let endpoint = args
            .endpoint
            .clone()
            .or_else(|| {
                if args.china {
                    Some(CHINA_ENDPOINT.to_string())
                } else {
                    None
                }
            })
            .or_else(|| environment.var("TCCERT_ENDPOINT").filter(|v| !v.is_empty()))
            .unwrap_or_else(|| INTERNATIONAL_ENDPOINT.to_string());
        (endpoint, credentials)
    };
    let endpoint = match Endpoint::parse(&endpoint) {
        Ok(endpoint) => endpoint,
        Err(message) => return fail(&message),
    };
    let region = args
        .region
        .clone()
        .or_else(|| environment.var("TENCENTCLOUD_REGION"))
        .filter(|r| !r.is_empty());
    let transport = match HttpTransport::new(
        endpoint,
        credentials,
        region,
        Duration::from_secs_f64(args.timeout),
    ) {
        Ok(transport) => Arc::new(transport),
        Err(message) => return fail(&message),
    };
    let options = reconcile::Options {
        mode,
        commit_all: args.commit,
        write_rate: args.rate,
        ..reconcile::Options::default()
    };
    let run = reconcile::Run::new(transport, options);

    let output = args.manifests.output;
    let total = certificates.len() as u64;
    let progress = (output == Output::Text && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg} [{bar:30}] {pos}/{len} certificates, {elapsed}, about {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(if mode == Mode::Plan {
            "planning"
        } else {
            "applying"
        });
        bar
    });
    let on_done: reconcile::OnDone = match (&progress, output) {
        (Some(bar), _) => {
            let bar = bar.clone();
            Arc::new(move |report: &CertificateReport| {
                if report.outcome == Outcome::Failed {
                    bar.println(report::line(report));
                }
                bar.inc(1);
            })
        }
        (None, Output::Text) => Arc::new(|report: &CertificateReport| {
            print_stdout(&format!("{}\n", report::line(report)))
        }),
        (None, Output::Json) => Arc::new(|_: &CertificateReport| {}),
    };

    // SIGINT/SIGTERM: stop sending, let what is in flight settle, report.
    let interrupt = {
        let run = Arc::clone(&run);
        tokio::spawn(async move {
            wait_for_signal().await;
            run.stop(StopReason::Interrupted);
        })
    };
    let reports = reconcile::run(Arc::clone(&run), certificates, on_done).await;
    interrupt.abort();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if let Some(running) = running_emulator {
        running.shutdown().await;
    }

    let stop = run.stop_reason();
    match output {
        Output::Json => print_stdout(&format!("{:#}\n", report::to_json(&reports, stop.as_ref()))),
        Output::Text => {
            if !reports.is_empty() {
                print_stdout("\n");
            }
            print_stdout(&report::table(mode, &reports, stop.as_ref()));
        }
    }
    for warning in reports.iter().filter(|r| r.outcome == Outcome::Skipped) {
        tracing::warn!(certificate = %warning.name, "skipped: {}", warning.notes.join("; "));
    }
    exit_code(mode, args.detailed_exitcode, &reports, stop.as_ref())
}

/// The exit codes of spec/cli.md.
pub fn exit_code(
    mode: Mode,
    detailed: bool,
    reports: &[CertificateReport],
    stop: Option<&StopReason>,
) -> u8 {
    if matches!(stop, Some(StopReason::Interrupted)) {
        return EXIT_INTERRUPTED;
    }
    let any = |outcome: Outcome| reports.iter().any(|r| r.outcome == outcome);
    if stop.is_some() || any(Outcome::Failed) {
        return EXIT_FAILURE;
    }
    match mode {
        Mode::Apply if any(Outcome::Drift) => EXIT_FAILURE,
        Mode::Plan if detailed && (any(Outcome::Planned) || any(Outcome::Drift)) => EXIT_CHANGES,
        _ => EXIT_OK,
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `tccert emulator`.
async fn run_emulator(args: EmulatorArgs) -> u8 {
    let environment = ProcessEnvironment;
    let mut seed = Vec::new();
    if !args.seed.is_empty() {
        let manifest_args = ManifestArgs {
            paths: args.seed.clone(),
            output: Output::Text,
            api: None,
        };
        let (loaded, validated, diagnostics) = load_and_validate(&manifest_args);
        report_diagnostics(&loaded, &diagnostics);
        if diagnostics.has_errors() {
            return EXIT_FAILURE;
        }
        seed.extend(validated.certificates.iter().map(|c| SeedCertificate {
            certificate_id: c.certificate_id.value.clone(),
            domain: c.domain.value.clone(),
        }));
    }
    for pair in &args.seed_id {
        match pair.split_once('=') {
            Some((id, domain)) if !id.is_empty() && !domain.is_empty() => {
                seed.push(SeedCertificate {
                    certificate_id: id.to_string(),
                    domain: domain.to_string(),
                });
            }
            _ => return fail(&format!("--seed-id takes ID=DOMAIN, not `{pair}`")),
        }
    }
    let mut faults = Vec::new();
    for spec in &args.fault {
        match emulator::parse_fault(spec) {
            Ok(rule) => faults.push(rule),
            Err(message) => return fail(&format!("--fault {spec}: {message}")),
        }
    }
    let credentials = match (
        environment.var("TENCENTCLOUD_SECRET_ID"),
        environment.var("TENCENTCLOUD_SECRET_KEY"),
    ) {
        (Some(id), Some(key)) if !id.is_empty() && !key.is_empty() => vec![(id, key)],
        _ => Vec::new(),
    };
    let config = EmulatorConfig {
        listen: args.listen,
        credentials,
        seed,
        state_file: args.state,
        faults,
        fault_seed: args.fault_seed,
        latency: Duration::from_millis(args.latency_ms),
        rate_per_second: args.rate,
        clock_offset_seconds: args.clock_offset,
    };
    match emulator::run_cli(config).await {
        Ok(()) => EXIT_OK,
        Err(error) => fail(&format!("emulator: {error}")),
    }
}

/// `tccert debug-sign` (hidden): the headers tccert sends for a body on stdin.
fn run_debug_sign(args: &DebugSignArgs) -> u8 {
    use std::io::Read as _;
    let credentials = match Credentials::from_environment(&ProcessEnvironment) {
        Ok(credentials) => credentials,
        Err(missing) => return fail(&missing.to_string()),
    };
    let mut body = String::new();
    if let Err(error) = std::io::stdin().read_to_string(&mut body) {
        return fail(&format!("cannot read the body from stdin: {error}"));
    }
    let signed = crate::api::sign::debug_sign(
        &credentials.secret_id,
        credentials.secret_key.expose(),
        &args.host,
        &args.action,
        &args.version,
        args.timestamp,
        &body,
    );
    print_stdout(&format!("{signed}\n"));
    EXIT_OK
}
