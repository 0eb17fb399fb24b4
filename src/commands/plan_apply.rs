//! `tccert plan` and `tccert apply`: validate, settle the run's settings,
//! reconcile every certificate against the API (or the built-in emulator),
//! show progress and the report, and exit as docs/cli.md says.

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::settings::{Connection, RunAccounts, RunFlags, RunSettings, Target, log_proxy};
use super::{
    CommandError, CommandResult, EXIT_CHANGES, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK,
    append_step_summary, invalid_json, load_and_validate, print_stderr, print_stdout,
    report_diagnostics, report_invalid, wait_for_signal,
};
use crate::api::client::{Endpoint, HttpTransport, TransportConfig, run_secrets};
use crate::api::credentials::Credentials;
use crate::api::request::{Body, order_body, submit_body};
use crate::certificate::{Account, Certificate};
use crate::cli::{Output, RunArgs};
use crate::emulator::{self, EmulatorAccount, EmulatorConfig, RunningEmulator, SeedCertificate};
use crate::outfile::{self, NewFile};
use crate::output::{github, markdown, report};
use crate::plan::{self, CertificateReport, Mode, Outcome, Stop, StopReason};
use crate::secret::{Redactor, Secret};
use crate::select::select;
use crate::system::{ProcessEnvironment, RealFileSystem};

pub async fn run(args: &RunArgs, mode: Mode) -> CommandResult {
    RunFlags::check(args, mode, &RealFileSystem)?;
    let (loaded, validated, diagnostics) = load_and_validate(&args.manifests);
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
    let run_accounts = RunAccounts::of(&validated.certificates, &validated.accounts);
    let settings = RunSettings::resolve(
        args,
        mode,
        &run_accounts,
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

    // Where to send, and as whom: the emulator, or the real API; one
    // connection per account (the default credentials counting as one).
    let (connections, running_emulator) = match settings.target {
        Target::Emulator => {
            let (connections, running) =
                start_emulator(&certificates, &run_accounts, &settings).await?;
            (connections, Some(running))
        }
        Target::Api { default, accounts } => {
            let mut connections: Vec<RunConnection> = Vec::new();
            if let Some(default) = default {
                connections.push(RunConnection {
                    account: None,
                    connection: *default,
                    region: settings.region.clone(),
                    write_rate: settings.write_rate,
                });
            }
            connections.extend(accounts.into_iter().map(|a| RunConnection {
                account: Some(a.name),
                connection: a.connection,
                region: a.region,
                write_rate: a.write_rate,
            }));
            (connections, None)
        }
    };
    let bodies: Vec<Body> = certificates
        .iter()
        .flat_map(|(c, _)| [submit_body(c), order_body(c)])
        .collect();
    let options = plan::Options {
        mode,
        commit_all: settings.commit_all,
        timeout: settings.timeout,
        resubmit,
        ..plan::Options::default()
    };
    let runs = account_runs(connections, &bodies, &options)?;
    let mut work = Vec::with_capacity(certificates.len());
    for (certificate, file) in certificates {
        let run =
            runs.get(&certificate.account)
                .cloned()
                .ok_or_else(|| CommandError::Connection {
                    message: format!(
                        "internal error: no connection for the account of certificate `{}`",
                        certificate.name
                    ),
                })?;
        work.push((run, certificate, file));
    }
    // In a stable order (the default credentials first, then by name), for
    // the stops of the report.
    let mut runs: Vec<(Option<String>, Arc<plan::Run<HttpTransport>>)> = runs.into_iter().collect();
    runs.sort_by(|a, b| a.0.cmp(&b.0));
    let runs: Vec<Arc<plan::Run<HttpTransport>>> = runs.into_iter().map(|(_, r)| r).collect();

    let output = settings.output;
    let progress = settings.progress.then(|| progress_bar(mode, work.len()));
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
    // Every account's run stops at once.
    let interrupt = {
        let runs = runs.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            runs.iter()
                .for_each(|run| run.stop(StopReason::Interrupted));
            wait_for_signal().await;
            runs.iter().for_each(|run| run.cut_off_now());
        })
    };
    let reports = plan::run_all(work, on_done).await;
    interrupt.abort();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if let Some(running) = running_emulator {
        running.shutdown().await;
    }

    let stops = plan::stops(&runs);
    let json = report::to_json(&reports, &stops);
    match output {
        Output::Json => print_stdout(&format!("{json:#}\n")),
        Output::Text | Output::Github => {
            if !reports.is_empty() {
                print_stdout("\n");
            }
            print_stdout(&report::table(mode, &reports, &stops));
            if output == Output::Github {
                print_stdout(&github::github_report(mode, &reports, &stops));
                append_step_summary(&markdown::markdown_report(mode, &reports, &stops));
            }
        }
        Output::Markdown => print_stdout(&markdown::markdown_report(mode, &reports, &stops)),
    }
    for warning in reports.iter().filter(|r| r.outcome == Outcome::Skipped) {
        tracing::warn!(certificate = %warning.name, "skipped: {}", warning.notes.join("; "));
    }
    let code = exit_code(mode, settings.detailed_exitcode, &reports, &stops);
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

/// One [`plan::Run`] per connection (account), by account name (`None`: the
/// default credentials), with `options` and the account's rate: each with
/// its own transport, pacers and stop, and
/// one redactor for all, so that whatever comes back from the network is
/// masked for every credential of the run.
fn account_runs(
    connections: Vec<RunConnection>,
    bodies: &[Body],
    options: &plan::Options,
) -> Result<HashMap<Option<String>, Arc<plan::Run<HttpTransport>>>, CommandError> {
    let mut secrets: Vec<String> = connections
        .iter()
        .flat_map(|c| {
            run_secrets(
                &c.connection.credentials,
                c.connection.proxy.as_ref(),
                bodies,
            )
        })
        .collect();
    secrets.sort();
    secrets.dedup();
    let redactor = Arc::new(Redactor::new(secrets));
    let mut runs = HashMap::new();
    for c in connections {
        let transport = HttpTransport::new(TransportConfig {
            endpoint: c.connection.endpoint,
            credentials: c.connection.credentials,
            region: c.region,
            timeout: options.timeout,
            proxy: c.connection.proxy,
            redactor: Arc::clone(&redactor),
        })
        .map_err(|message| CommandError::Connection { message })?;
        let options = plan::Options {
            write_rate: c.write_rate,
            account: c.account.clone(),
            ..options.clone()
        };
        runs.insert(c.account, plan::Run::new(Arc::new(transport), options));
    }
    Ok(runs)
}

/// One set of credentials of a run and where it sends.
struct RunConnection {
    /// `None`: the default credentials.
    account: Option<String>,
    connection: Connection,
    region: Option<String>,
    write_rate: f64,
}

/// Starts the built-in emulator on loopback, seeded with the run's
/// certificates, each owned by its account, and fresh credentials for the
/// default and for each account (made here and handed over in-process: no
/// account's variables are read). The connections to it use no proxy
/// (loopback never does, and no proxy variable is even read).
async fn start_emulator(
    certificates: &[(Certificate, PathBuf)],
    run_accounts: &RunAccounts<'_>,
    settings: &RunSettings,
) -> Result<(Vec<RunConnection>, RunningEmulator), CommandError> {
    let (secret_id, secret_key) = emulator::generate_credentials();
    let accounts: Vec<(&Account, EmulatorAccount)> = run_accounts
        .accounts
        .iter()
        .map(|account| {
            let (secret_id, secret_key) = emulator::generate_credentials();
            let emulated = EmulatorAccount {
                name: account.name.clone(),
                secret_id,
                secret_key,
            };
            (*account, emulated)
        })
        .collect();
    let config = EmulatorConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        credentials: vec![(secret_id.clone(), secret_key.clone())],
        accounts: accounts.iter().map(|(_, a)| a.clone()).collect(),
        seed: certificates
            .iter()
            .map(|(c, _)| SeedCertificate {
                certificate_id: c.certificate_id.value.clone(),
                domain: c.domain.value.clone(),
                owner: c.account.clone(),
            })
            .collect(),
        ..EmulatorConfig::default()
    };
    let started = emulator::start(config)
        .await
        .map_err(|source| CommandError::EmulatorStart { source })?;
    let url = started.url();
    print_stderr(&format!(
        "using the built-in emulator at {url} (no account needed; nothing leaves this machine)\n"
    ));
    let endpoint = Endpoint::parse(&url).map_err(|message| CommandError::Connection { message })?;
    tracing::info!("endpoint {} (chosen by --emulator)", endpoint.url);
    log_proxy(None);
    let connection = |secret_id: String, secret_key: String| Connection {
        endpoint: endpoint.clone(),
        endpoint_chosen_by: "--emulator",
        credentials: Credentials {
            secret_id,
            secret_key: Secret::new(secret_key),
            token: None,
        },
        proxy: None,
    };
    let mut connections = Vec::new();
    if run_accounts.needs_default {
        connections.push(RunConnection {
            account: None,
            connection: connection(secret_id, secret_key),
            region: settings.region.clone(),
            write_rate: settings.write_rate,
        });
    }
    for (account, emulated) in accounts {
        connections.push(RunConnection {
            account: Some(emulated.name),
            connection: connection(emulated.secret_id, emulated.secret_key),
            region: account.region.clone().or_else(|| settings.region.clone()),
            write_rate: account.rate.unwrap_or(settings.write_rate),
        });
    }
    Ok((connections, started))
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
pub fn exit_code(mode: Mode, detailed: bool, reports: &[CertificateReport], stops: &[Stop]) -> u8 {
    if stops.iter().any(|s| s.reason == StopReason::Interrupted) {
        return EXIT_INTERRUPTED;
    }
    let any = |outcome: Outcome| reports.iter().any(|r| r.outcome == outcome);
    if !stops.is_empty() || any(Outcome::Failed) || any(Outcome::Unknown) || any(Outcome::Stale) {
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
        assert_eq!(exit_code(Mode::Plan, false, &planned, &[]), EXIT_OK);
        assert_eq!(exit_code(Mode::Plan, true, &planned, &[]), EXIT_CHANGES);
        let drift = reports(&[Outcome::Drift]);
        assert_eq!(exit_code(Mode::Plan, true, &drift, &[]), EXIT_CHANGES);
        assert_eq!(exit_code(Mode::Apply, false, &drift, &[]), EXIT_FAILURE);
        for bad in [Outcome::Failed, Outcome::Unknown, Outcome::Stale] {
            let run = reports(&[Outcome::Submitted, bad]);
            assert_eq!(exit_code(Mode::Apply, false, &run, &[]), EXIT_FAILURE);
            assert_eq!(exit_code(Mode::Plan, true, &run, &[]), EXIT_FAILURE);
        }
        let committed = reports(&[Outcome::Committed, Outcome::Skipped]);
        assert_eq!(exit_code(Mode::Apply, false, &committed, &[]), EXIT_OK);
    }

    #[test]
    fn a_stop_fails_the_run_and_an_interrupt_is_130_whatever_happened() {
        let fine = reports(&[Outcome::Submitted]);
        let refused = StopReason::AuthFailure {
            code: "AuthFailure.SignatureFailure".into(),
            message: "m".into(),
        };
        assert_eq!(
            exit_code(Mode::Apply, false, &fine, &[Stop::run(refused)]),
            EXIT_FAILURE
        );
        let failed = reports(&[Outcome::Failed]);
        assert_eq!(
            exit_code(
                Mode::Apply,
                false,
                &failed,
                &[Stop::run(StopReason::Interrupted)]
            ),
            EXIT_INTERRUPTED
        );
    }
}
