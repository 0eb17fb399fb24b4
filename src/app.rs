//! The composition root: parses the command line, builds the real effects
//! (disk, environment, clock, network, terminal), runs the pure pipeline and
//! maps outcomes to the exit codes of `docs/cli.md`. The only module that
//! prints.

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::api::client::{Endpoint, HttpTransport, TransportConfig, choose_endpoint, run_secrets};
use crate::api::credentials::Credentials;
use crate::api::proxy::choose_proxy;
use crate::cli::man_and_completions;
use crate::cli::{
    Cli, Command, CompletionsArgs, CsrCommand, CsrInspectArgs, CsrNewArgs, DebugSignArgs,
    EmulatorArgs, InitArgs, InspectOutput, KeyTypeArg, ManArgs, ManifestArgs, Output, RunArgs,
    SchemaDraft,
};
use crate::csr;
use crate::csr::keygen::{self, KeyType};
use crate::diag::Diagnostics;
use crate::emulator::{self, EmulatorConfig, SeedCertificate};
use crate::manifest::load::Loaded;
use crate::manifest::schema::{Draft, schema_text};
use crate::outfile::{self, NewFile};
use crate::output::{diagnostics as diag_output, github, markdown, render, report};
use crate::pipeline::{self, Valid};
use crate::plan::{self as reconcile, CertificateReport, Mode, Outcome, StopReason};
use crate::starter;
use crate::system::Environment as _;
use crate::system::FileSystem as _;
use crate::system::{ProcessEnvironment, RealFileSystem};
use crate::validate as validation;

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
    // Colour only for a person at a terminal: CI logs and files get plain
    // text, and NO_COLOR (no-color.org) turns it off everywhere.
    let colour = std::io::stderr().is_terminal()
        && ProcessEnvironment
            .var("NO_COLOR")
            .is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_ansi(colour)
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
        Command::Csr(CsrCommand::New(args)) => run_csr_new(&args),
        Command::Csr(CsrCommand::Inspect(args)) => run_csr_inspect(&args),
        Command::Init(args) => run_init(&args),
        Command::Completions(args) => run_completions(&args),
        Command::Man(args) => run_man(&args),
    }
}

/// Loads and validates through the pipeline's front door, on disk and the
/// process environment; the shared first half of every manifest command.
fn load_and_validate(args: &ManifestArgs) -> (Loaded, Option<Valid>, Diagnostics) {
    let options = validation::Options {
        default_api: args.api.map(Into::into),
    };
    let checked = pipeline::load_and_validate(
        &args.paths,
        &RealFileSystem,
        &ProcessEnvironment,
        args.budget(),
        options,
    );
    let (loaded, diagnostics, valid) = checked.into_parts();
    (loaded, valid, diagnostics)
}

/// Shows diagnostics the way `output` asks; JSON callers print their own
/// object and get the text on stderr here.
fn report_diagnostics(output: Output, loaded: &Loaded, diagnostics: &Diagnostics) {
    if diagnostics.is_empty() {
        return;
    }
    match output {
        Output::Text | Output::Json => report_diagnostics_text(loaded, diagnostics),
        Output::Github => {
            report_diagnostics_text(loaded, diagnostics);
            print_stdout(&github::github_diagnostics(&loaded.files, diagnostics));
            if diagnostics.has_errors() {
                append_step_summary(&markdown::markdown_diagnostics(&loaded.files, diagnostics));
            }
        }
        Output::Markdown => {
            print_stdout(&markdown::markdown_diagnostics(&loaded.files, diagnostics))
        }
    }
}

/// When invalid input stops a command: the JSON object, or the diagnostics.
fn report_invalid(output: Output, loaded: &Loaded, diagnostics: &Diagnostics) {
    if output == Output::Json {
        let report =
            serde_json::json!({ "diagnostics": diag_output::to_json(&loaded.files, diagnostics) });
        print_stdout(&format!("{report:#}\n"));
    } else {
        report_diagnostics(output, loaded, diagnostics);
    }
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

fn report_diagnostics_text(loaded: &Loaded, diagnostics: &Diagnostics) {
    let mut text = diag_output::render_text(&loaded.files, diagnostics);
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
    let valid = validated.is_some();
    match args.output {
        Output::Json => {
            // What was read, valid or not: an invalid run still says what
            // it looked at.
            let (profiles, certificates) =
                loaded
                    .documents
                    .iter()
                    .fold((0, 0), |(p, c), (_, document)| match document {
                        crate::manifest::raw::RawDocument::Profile(_) => (p + 1, c),
                        crate::manifest::raw::RawDocument::Certificate(_) => (p, c + 1),
                    });
            let report = serde_json::json!({
                "valid": valid,
                "files": loaded.files.len(),
                "profiles": profiles,
                "certificates": certificates,
                "errors": diagnostics.error_count(),
                "warnings": diagnostics.warning_count(),
                "diagnostics": diag_output::to_json(&loaded.files, &diagnostics),
            });
            print_stdout(&format!("{report:#}\n"));
        }
        Output::Text | Output::Github | Output::Markdown => {
            report_diagnostics(args.output, &loaded, &diagnostics);
            if let Some(validated) = &validated {
                let counts = format!(
                    "valid: {} certificate{} and {} profile{} in {} file{}\n",
                    validated.certificates.len(),
                    plural(validated.certificates.len()),
                    validated.profile_count,
                    plural(validated.profile_count),
                    loaded.files.len(),
                    plural(loaded.files.len()),
                );
                // In Markdown, a headline of its own, or a line after the
                // warnings' list.
                let lead = match (args.output, diagnostics.is_empty()) {
                    (Output::Markdown, true) => "### tccert: ",
                    (Output::Markdown, false) => "\ntccert: ",
                    _ => "",
                };
                print_stdout(&format!("{lead}{counts}"));
            }
        }
    }
    if valid { EXIT_OK } else { EXIT_FAILURE }
}

fn run_render(args: &ManifestArgs) -> u8 {
    let (loaded, validated, diagnostics) = load_and_validate(args);
    let Some(validated) = validated else {
        report_invalid(args.output, &loaded, &diagnostics);
        return EXIT_FAILURE;
    };
    report_diagnostics(args.output, &loaded, &diagnostics);
    match args.output {
        Output::Text | Output::Github => {
            print_stdout(&render::render_text(&loaded.files, &validated.certificates))
        }
        Output::Markdown => print_stdout(&format!(
            "```text\n{}```\n",
            render::render_text(&loaded.files, &validated.certificates)
        )),
        Output::Json => print_stdout(&format!(
            "{:#}\n",
            render::render_json(&loaded.files, &validated.certificates)
        )),
    }
    EXIT_OK
}

pub use crate::output::report::plural;

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
    // --rate and --timeout are in range already (numbers.rs, at parsing).
    if mode == Mode::Apply && args.detailed_exitcode {
        return fail(
            "--detailed-exitcode is for plan; apply exits 1 when anything failed or drifted",
        );
    }
    let (loaded, validated, diagnostics) = load_and_validate(&args.manifests);
    let Some(validated) = validated else {
        report_invalid(args.manifests.output, &loaded, &diagnostics);
        return EXIT_FAILURE;
    };
    report_diagnostics(args.manifests.output, &loaded, &diagnostics);
    let resubmit = match crate::select::select(
        &args.resubmit,
        validated.certificates.iter().map(|c| c.name.as_str()),
    ) {
        Ok(names) => names,
        Err(unmatched) => {
            return fail(&format!(
                "--resubmit {}: no certificate has {}",
                unmatched.join(", --resubmit "),
                if unmatched.len() == 1 {
                    "that name"
                } else {
                    "those names"
                }
            ));
        }
    };
    let environment = ProcessEnvironment;
    let certificates: Vec<(crate::certificate::Certificate, PathBuf)> = validated
        .certificates
        .into_iter()
        .map(|c| {
            let file = loaded.files.path(c.file).to_path_buf();
            (c, file)
        })
        .collect();

    // Where to send, and as whom: the emulator, or the real API.
    let mut running_emulator = None;
    let (endpoint, endpoint_source, credentials) = if args.emulator {
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
        (url, "--emulator", credentials)
    } else {
        let credentials =
            match Credentials::find(args.profile.as_deref(), &environment, &RealFileSystem) {
                Ok((credentials, source)) => {
                    tracing::info!("credentials from {source}");
                    credentials
                }
                Err(error) => return fail(&error.to_string()),
            };
        let (endpoint, source) = choose_endpoint(
            args.endpoint.as_deref(),
            args.china,
            environment.var("TCCERT_ENDPOINT"),
        );
        (endpoint, source, credentials)
    };
    let endpoint = match Endpoint::parse(&endpoint) {
        Ok(endpoint) => endpoint,
        Err(message) => return fail(&message),
    };
    tracing::info!("endpoint {} (chosen by {endpoint_source})", endpoint.url);
    // The emulator is on loopback, which never uses a proxy anyway; it is not
    // even asked, so no proxy variable can stop an emulator run.
    let proxy = if args.emulator {
        None
    } else {
        match choose_proxy(&endpoint, &environment) {
            Ok(proxy) => proxy,
            Err(message) => return fail(&message),
        }
    };
    match &proxy {
        Some(proxy) => tracing::info!("proxy {proxy}"),
        None => tracing::info!("no proxy: connecting directly"),
    }
    let bodies: Vec<crate::api::request::Body> = certificates
        .iter()
        .flat_map(|(c, _)| {
            [
                crate::api::request::submit_body(c),
                crate::api::request::order_body(c),
            ]
        })
        .collect();
    let redactor = Arc::new(crate::secret::Redactor::new(run_secrets(
        &credentials,
        proxy.as_ref(),
        &bodies,
    )));
    let region = args
        .region
        .clone()
        .or_else(|| environment.var("TENCENTCLOUD_REGION"))
        .filter(|r| !r.is_empty());
    let transport = match HttpTransport::new(TransportConfig {
        endpoint,
        credentials,
        region,
        timeout: Duration::from_secs_f64(args.timeout),
        proxy,
        redactor,
    }) {
        Ok(transport) => Arc::new(transport),
        Err(message) => return fail(&message),
    };
    let options = reconcile::Options {
        mode,
        commit_all: args.commit,
        write_rate: args.rate,
        timeout: Duration::from_secs_f64(args.timeout),
        resubmit,
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
        (None, Output::Text | Output::Github) => Arc::new(|report: &CertificateReport| {
            print_stdout(&format!("{}\n", report::line(report)))
        }),
        // stdout is the Markdown document; progress lines go to the log.
        (None, Output::Markdown) => Arc::new(|report: &CertificateReport| {
            print_stderr(&format!("{}\n", report::line(report)))
        }),
        (None, Output::Json) => Arc::new(|_: &CertificateReport| {}),
    };

    // SIGINT/SIGTERM: write nothing new, settle what is in flight (paced),
    // report. A second signal cuts everything off at once.
    let interrupt = {
        let run = Arc::clone(&run);
        tokio::spawn(async move {
            wait_for_signal().await;
            run.stop(StopReason::Interrupted);
            wait_for_signal().await;
            run.cut_off_now();
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
        Output::Text | Output::Github => {
            if !reports.is_empty() {
                print_stdout("\n");
            }
            print_stdout(&report::table(mode, &reports, stop.as_ref()));
            if output == Output::Github {
                print_stdout(&github::github_report(mode, &reports, stop.as_ref()));
                append_step_summary(&markdown::markdown_report(mode, &reports, stop.as_ref()));
            }
        }
        Output::Markdown => print_stdout(&markdown::markdown_report(mode, &reports, stop.as_ref())),
    }
    for warning in reports.iter().filter(|r| r.outcome == Outcome::Skipped) {
        tracing::warn!(certificate = %warning.name, "skipped: {}", warning.notes.join("; "));
    }
    exit_code(mode, args.detailed_exitcode, &reports, stop.as_ref())
}

/// The exit codes of docs/cli.md ("Exit codes").
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
    if stop.is_some() || any(Outcome::Failed) || any(Outcome::Unknown) || any(Outcome::Stale) {
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
        let manifest_args = ManifestArgs::new(args.seed.clone());
        let (loaded, validated, diagnostics) = load_and_validate(&manifest_args);
        report_diagnostics(Output::Text, &loaded, &diagnostics);
        let Some(validated) = validated else {
            return EXIT_FAILURE;
        };
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

/// `error: ...` for each line of `message`, exit 1.
fn fail_lines(message: &str) -> u8 {
    for line in message.lines() {
        print_stderr(&format!("error: {line}\n"));
    }
    EXIT_FAILURE
}

/// "a, b and c" for a list of paths in a message.
fn path_list(paths: &[&std::path::Path]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    match shown.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => shown.join(""),
    }
}

/// `tccert csr new`: a private key and a CSR, made here.
fn run_csr_new(args: &CsrNewArgs) -> u8 {
    // Writing the CSR over the key would lose the key.
    if outfile::same_destination(&args.key_out, &args.csr_out) {
        return fail("--key-out and --csr-out name the same file");
    }
    // The cheap checks first: a typo or a file in the way must not cost a
    // key generation (seconds for RSA 4096).
    if let Err(error) = keygen::subject_names(&args.domain, &args.san) {
        return fail_lines(&error.to_string());
    }
    if !args.force {
        let taken = outfile::existing([args.key_out.as_path(), args.csr_out.as_path()]);
        if !taken.is_empty() {
            return fail(&format!(
                "{} already exist{}; nothing was written (--force replaces)",
                path_list(&taken),
                if taken.len() == 1 { "s" } else { "" }
            ));
        }
    }
    let key_type = match args.key_type {
        KeyTypeArg::EcdsaP256 => KeyType::EcdsaP256,
        KeyTypeArg::Rsa2048 => KeyType::Rsa2048,
        KeyTypeArg::Rsa4096 => KeyType::Rsa4096,
    };
    tracing::info!(domain = %args.domain, key = key_type.describe(), "generating a private key and a CSR");
    let generated = match keygen::generate(&args.domain, &args.san, key_type) {
        Ok(generated) => generated,
        Err(error) => return fail_lines(&error.to_string()),
    };
    let files = [
        NewFile {
            path: &args.key_out,
            contents: generated.key_pem.expose().as_bytes(),
            private: true,
        },
        NewFile {
            path: &args.csr_out,
            contents: generated.csr_pem.as_bytes(),
            private: false,
        },
    ];
    if let Err(error) = outfile::write_all(&files, args.force) {
        return fail(&error.to_string());
    }
    let mode = if cfg!(unix) { ", mode 0600" } else { "" };
    let csr_path = args.csr_out.display().to_string();
    print_stdout(&format!(
        "wrote {}: the private key ({}, PKCS#8 PEM{mode}); keep it secret, never commit it\n\
         wrote {csr_path}: the CSR, CN={}, signed with SHA-256\n\
         names (SAN): {}\n\n\
         For the certificate's manifest (`file` is read relative to the manifest file; the path below is relative to where you ran this, so adjust it if the manifest is in another folder):\n\n{}",
        args.key_out.display(),
        key_type.describe(),
        args.domain,
        generated.names.join(", "),
        keygen::manifest_snippet(&generated.names, &csr_path),
    ));
    EXIT_OK
}

/// `tccert csr inspect`: what a CSR holds, and whether its signature verifies.
fn run_csr_inspect(args: &CsrInspectArgs) -> u8 {
    let path = args.file.display();
    let bytes = match RealFileSystem.read(&args.file, crate::manifest::load::MAX_CSR_BYTES) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::FileTooLarge => {
            return fail(&format!(
                "{path} is larger than {} KiB: not a CSR",
                crate::manifest::load::MAX_CSR_BYTES >> 10
            ));
        }
        Err(error) => return fail(&format!("cannot read {path}: {error}")),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return fail(&format!(
            "{path} is not a PEM CSR: it is binary (a DER CSR? `openssl req -inform DER -in {path} -out csr.pem` converts it)"
        ));
    };
    let info = match csr::inspect(&text) {
        Ok(info) => info,
        Err(why) => return fail(&format!("{path} is {why}")),
    };
    match args.output {
        InspectOutput::Text => print_stdout(&format!("file:       {path}\n{}", info.render_text())),
        InspectOutput::Json => {
            let mut report = serde_json::json!({ "file": path.to_string() });
            if let (Some(object), serde_json::Value::Object(facts)) =
                (report.as_object_mut(), info.to_json())
            {
                object.extend(facts);
            }
            print_stdout(&format!("{report:#}\n"));
        }
    }
    match info.signature {
        csr::Signature::Valid => EXIT_OK,
        csr::Signature::Invalid => fail(&format!(
            "{path}: the signature does not verify: the CSR was altered after it was signed, or is corrupt"
        )),
        csr::Signature::WeakKey => fail(&format!(
            "{path}: an RSA key under 2048 bits: CAs refuse it, and its signature cannot be verified"
        )),
        csr::Signature::Unsupported => fail(&format!(
            "{path}: cannot verify a {} signature",
            info.signature_algorithm
        )),
    }
}

/// `tccert init DIR`: the starter tree.
fn run_init(args: &InitArgs) -> u8 {
    let files = starter::starter_files();
    let paths: Vec<PathBuf> = files.iter().map(|f| args.dir.join(f.path)).collect();
    if !args.force {
        let taken = outfile::existing(paths.iter().map(PathBuf::as_path));
        if !taken.is_empty() {
            for path in &taken {
                print_stderr(&format!("error: {} already exists\n", path.display()));
            }
            return fail("nothing was written (--force replaces these files)");
        }
    }
    for path in &paths {
        if let Some(parent) = path.parent()
            && let Err(error) = std::fs::create_dir_all(parent)
        {
            return fail(&format!("cannot create {}: {error}", parent.display()));
        }
    }
    let new_files: Vec<NewFile<'_>> = files
        .iter()
        .zip(&paths)
        .map(|(file, path)| NewFile {
            path,
            contents: file.contents.as_bytes(),
            private: false,
        })
        .collect();
    if let Err(error) = outfile::write_all(&new_files, args.force) {
        return fail(&error.to_string());
    }
    let dir = args.dir.display();
    let mut text = format!("wrote a starter tree in {dir}:\n");
    for path in &paths {
        text.push_str(&format!("  {}\n", path.display()));
    }
    text.push_str(&format!(
        "\nnext: put your details in the profile and your certificate id in the certificate, then\n  \
         tccert validate {dir}\n  tccert plan {dir} --emulator\n"
    ));
    print_stdout(&text);
    EXIT_OK
}

/// `tccert completions SHELL`.
fn run_completions(args: &CompletionsArgs) -> u8 {
    print_stdout(&String::from_utf8_lossy(&man_and_completions::completions(
        args.shell,
    )));
    EXIT_OK
}

/// `tccert man [--out-dir DIR]`. Pages in DIR are replaced: they are made
/// from this binary, and packaging scripts run this again on each build.
fn run_man(args: &ManArgs) -> u8 {
    let Some(dir) = &args.out_dir else {
        return match man_and_completions::man_page() {
            Ok(page) => {
                print_stdout(&String::from_utf8_lossy(&page));
                EXIT_OK
            }
            Err(error) => fail(&format!("cannot render the man page: {error}")),
        };
    };
    let pages = match man_and_completions::man_pages() {
        Ok(pages) => pages,
        Err(error) => return fail(&format!("cannot render the man pages: {error}")),
    };
    if let Err(error) = std::fs::create_dir_all(dir) {
        return fail(&format!("cannot create {}: {error}", dir.display()));
    }
    let paths: Vec<PathBuf> = pages.iter().map(|(name, _)| dir.join(name)).collect();
    let files: Vec<NewFile<'_>> = pages
        .iter()
        .zip(&paths)
        .map(|((_, page), path)| NewFile {
            path,
            contents: page,
            private: false,
        })
        .collect();
    if let Err(error) = outfile::write_all(&files, true) {
        return fail(&error.to_string());
    }
    let listed: String = paths.iter().map(|p| format!("{}\n", p.display())).collect();
    print_stdout(&listed);
    EXIT_OK
}
