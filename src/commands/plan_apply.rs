//! `tccert plan` and `tccert apply`: validate, settle the run's settings,
//! reconcile every certificate against the API (or the built-in emulator),
//! show progress and the report, and exit as docs/cli.md says.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::emulator::{self as commands_emulator, TreeState};
use super::settings::{Connection, RunFlags, RunSettings, Target, log_proxy};
use super::{
    CommandError, CommandResult, EXIT_CHANGES, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK,
    append_step_summary, invalid_json, load_and_validate, print_stderr, print_stdout,
    report_diagnostics, report_invalid, wait_for_signal,
};
use crate::api::client::{Endpoint, HttpTransport, TransportConfig, run_secrets};
use crate::api::credentials::Credentials;
use crate::api::request::{Body, order_body, submit_body};
use crate::certificate::Certificate;
use crate::cli::{Output, RunArgs};
use crate::emulator::{self, EmulatorConfig, RunningEmulator, SeedCertificate};
use crate::outfile::{self, NewFile};
use crate::output::{github, markdown, report};
use crate::plan::{self, CertificateReport, Mode, Outcome, StopReason};
use crate::secret::{Redactor, Secret};
use crate::select::select;
use crate::system::{ProcessEnvironment, RealFileSystem};

pub async fn run(args: &RunArgs, mode: Mode) -> CommandResult {
    RunFlags::check(args, mode, &RealFileSystem)?;
    let (loaded, validated, diagnostics) = load_and_validate(&args.manifests)?;
    let Some(validated) = validated else {
        report_invalid(args.manifests.output, &loaded, &diagnostics);
        let json = invalid_json(&loaded, &diagnostics);
        return write_json_out(args.json_out.as_deref(), &json, EXIT_FAILURE);
    };
    report_diagnostics(args.manifests.output, &loaded, &diagnostics);
    let resubmit = select(
        &args.resubmit,
        validated.certificates.iter().map(|c| c.name.as_str()),
    )
    .map_err(|names| CommandError::UnknownResubmit { names })?;
    let settings = RunSettings::resolve(
        args,
        mode,
        &ProcessEnvironment,
        &RealFileSystem,
        std::io::stderr().is_terminal(),
    )?;
    let certificates: Vec<(Certificate, PathBuf)> = validated
        .certificates
        .into_iter()
        .map(|c| {
            let file = loaded.files.path(c.file).to_path_buf();
            (c, file)
        })
        .collect();

    // Where to send, and as whom: the emulator, or the real API.
    let (connection, running_emulator) = match settings.target {
        Target::Emulator => {
            let state = emulator_state(&args.manifests.paths, args.emulator_reset)?;
            let (connection, running) = start_emulator(&certificates, state).await?;
            (connection, Some(running))
        }
        Target::Api(connection) => (*connection, None),
    };
    let bodies: Vec<Body> = certificates
        .iter()
        .flat_map(|(c, _)| [submit_body(c), order_body(c)])
        .collect();
    let redactor = Arc::new(Redactor::new(run_secrets(
        &connection.credentials,
        connection.proxy.as_ref(),
        &bodies,
    )));
    let transport = HttpTransport::new(TransportConfig {
        endpoint: connection.endpoint,
        credentials: connection.credentials,
        region: settings.region,
        timeout: settings.timeout,
        proxy: connection.proxy,
        redactor,
        extra_roots: connection.ca_cert,
    })
    .map_err(|message| CommandError::Connection { message })?;
    let options = plan::Options {
        mode,
        commit_all: settings.commit_all,
        write_rate: settings.write_rate,
        timeout: settings.timeout,
        resubmit,
        ..plan::Options::default()
    };
    let run = plan::Run::new(Arc::new(transport), options);

    let output = settings.output;
    let progress = settings
        .progress
        .then(|| progress_bar(mode, certificates.len()));
    let on_done: plan::OnDone = match (&progress, output) {
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
    let reports = plan::run(Arc::clone(&run), certificates, on_done).await;
    interrupt.abort();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if let Some(running) = running_emulator {
        running.shutdown().await;
    }

    let stop = run.stop_reason();
    let json = report::to_json(&reports, stop.as_ref());
    match output {
        Output::Json => print_stdout(&format!("{json:#}\n")),
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
    let code = exit_code(mode, settings.detailed_exitcode, &reports, stop.as_ref());
    write_json_out(settings.json_out.as_deref(), &json, code)
}

/// Writes the JSON report to `--json-out FILE`: the bytes `--output json`
/// prints, in a temporary file beside FILE renamed over it, so a reader never
/// sees half a report. The run's own exit code stands unless the report
/// cannot be written ([`CommandError::JsonOut`]).
fn write_json_out(path: Option<&Path>, json: &serde_json::Value, code: u8) -> CommandResult {
    let Some(path) = path else {
        return Ok(code);
    };
    let text = format!("{json:#}\n");
    let file = NewFile {
        path,
        contents: text.as_bytes(),
        private: false,
    };
    outfile::write_all(&[file], true).map_err(|error| CommandError::JsonOut {
        error,
        run_code: code,
    })?;
    Ok(code)
}

/// Starts the built-in emulator on loopback, seeded with the run's
/// certificates and fresh credentials; the connection to it uses no proxy
/// (loopback never does, and no proxy variable is even read).
async fn start_emulator(
    certificates: &[(Certificate, PathBuf)],
    state_file: Option<PathBuf>,
) -> Result<(Connection, RunningEmulator), CommandError> {
    let (secret_id, secret_key) = emulator::generate_credentials();
    let config = EmulatorConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        credentials: vec![(secret_id.clone(), secret_key.clone())],
        state_file,
        seed: certificates
            .iter()
            .map(|(c, _)| SeedCertificate {
                certificate_id: c.certificate_id.value.clone(),
                domain: c.domain.value.clone(),
            })
            .collect(),
        ..EmulatorConfig::default()
    };
    let started = emulator::start(config).await.map_err(|source| {
        // An unreadable state file is the one start failure a user can fix.
        let source = if source.kind() == std::io::ErrorKind::InvalidData {
            std::io::Error::new(
                source.kind(),
                format!("{source} (--emulator-reset starts this tree's state afresh)"),
            )
        } else {
            source
        };
        CommandError::EmulatorStart { source }
    })?;
    let url = started.url();
    print_stderr(&format!(
        "using the built-in emulator at {url} (no account needed; nothing leaves this machine)\n"
    ));
    let endpoint = Endpoint::parse(&url).map_err(|message| CommandError::Connection { message })?;
    tracing::info!("endpoint {} (chosen by --emulator)", endpoint.url);
    log_proxy(None);
    let connection = Connection {
        endpoint,
        endpoint_chosen_by: "--emulator",
        credentials: Credentials {
            secret_id,
            secret_key: Secret::new(secret_key),
            token: None,
        },
        proxy: None,
        ca_cert: None,
    };
    Ok((connection, started))
}

/// Settles the state file of `--emulator` for these PATHs (docs/cli.md,
/// "The emulator's state") and says on stderr which one is used (one line,
/// whatever `--output` is). `--emulator-reset` removes it first.
fn emulator_state(paths: &[PathBuf], reset: bool) -> Result<Option<PathBuf>, CommandError> {
    match commands_emulator::tree_state(paths, &ProcessEnvironment)? {
        TreeState::File(path) => {
            if reset {
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                    Err(source) => return Err(CommandError::EmulatorState { path, source }),
                }
            }
            let how = if reset {
                "started afresh (--emulator-reset)"
            } else {
                "kept between runs on these PATHs; --emulator-reset starts afresh"
            };
            print_stderr(&format!("emulator state: {} ({how})\n", path.display()));
            Ok(Some(path))
        }
        TreeState::NotKept(why) => {
            print_stderr(&format!(
                "emulator state: not kept, this run only ({why})\n"
            ));
            Ok(None)
        }
    }
}

fn progress_bar(mode: Mode, total: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total as u64);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn reports(outcomes: &[Outcome]) -> Vec<CertificateReport> {
        outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| CertificateReport::example(&format!("c{i}"), *o))
            .collect()
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        let planned = reports(&[Outcome::InSync, Outcome::Planned]);
        assert_eq!(exit_code(Mode::Plan, false, &planned, None), EXIT_OK);
        assert_eq!(exit_code(Mode::Plan, true, &planned, None), EXIT_CHANGES);
        let drift = reports(&[Outcome::Drift]);
        assert_eq!(exit_code(Mode::Plan, true, &drift, None), EXIT_CHANGES);
        assert_eq!(exit_code(Mode::Apply, false, &drift, None), EXIT_FAILURE);
        for bad in [Outcome::Failed, Outcome::Unknown, Outcome::Stale] {
            let run = reports(&[Outcome::Submitted, bad]);
            assert_eq!(exit_code(Mode::Apply, false, &run, None), EXIT_FAILURE);
            assert_eq!(exit_code(Mode::Plan, true, &run, None), EXIT_FAILURE);
        }
        let committed = reports(&[Outcome::Committed, Outcome::Skipped]);
        assert_eq!(exit_code(Mode::Apply, false, &committed, None), EXIT_OK);
    }

    #[test]
    fn a_stop_fails_the_run_and_an_interrupt_is_130_whatever_happened() {
        let fine = reports(&[Outcome::Submitted]);
        let refused = StopReason::AuthFailure {
            code: "AuthFailure.SignatureFailure".into(),
            message: "m".into(),
        };
        assert_eq!(
            exit_code(Mode::Apply, false, &fine, Some(&refused)),
            EXIT_FAILURE
        );
        let failed = reports(&[Outcome::Failed]);
        assert_eq!(
            exit_code(Mode::Apply, false, &failed, Some(&StopReason::Interrupted)),
            EXIT_INTERRUPTED
        );
    }
}
