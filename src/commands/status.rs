//! `tccert status PATH... [--wait]`: read each certificate (paced as plan's
//! reads), show its status and the domain-validation records the CA wants;
//! with `--wait`, read again every `--interval` until each is issued or can
//! no longer be by waiting (docs/cli.md, "status").

use crate::api::error::ApiError;
use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::plan_apply::{
    Pace, Runs, account_runs, emulator_state, run_connections, start_emulator, write_json_out,
};
use super::settings::{ConnectionFlags, RunAccounts, api_connections, check_json_out, region};
use super::{
    CommandError, CommandResult, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, invalid_json,
    load_and_validate, print_stderr, print_stdout, report_diagnostics, report_invalid,
    select_targets, wait_for_signal,
};
use crate::api::action::Action;
use crate::api::request::{Body, describe_body};
use crate::certificate::{Account, Certificate};
use crate::cli::{Output, ReadArgs, StatusArgs};
use crate::output::status::{self, Entry, Live};
use crate::plan::decide::needs_detail;
use crate::plan::{self, Mode, StopReason};
use crate::secret::Redactor;
use crate::system::{ProcessEnvironment, RealFileSystem};
use crate::transport::HttpTransport;

/// The documented limit of each read action (docs/api.md): 10 a second.
pub const READ_RATE: f64 = 10.0;

/// The runs of a command that only reads (`status`, `import`), one per
/// account its certificates use (the default credentials counting as one,
/// needed only when some certificate has no account), each with its own
/// transport, pacers and stop, reading at the documented rate or the
/// account's `rate` (else `--rate`) when that is lower; and the redactor
/// that masks every secret of the run in what the server sends back.
///
/// With `emulator` (status `--emulator`), the connections are those of the
/// built-in emulator, already started; no variable is read.
pub(super) fn readers(
    connections: Option<Vec<super::plan_apply::RunConnection>>,
    read: &ReadArgs,
    run_accounts: &RunAccounts<'_>,
    bodies: &[Body],
) -> Result<(Runs, Arc<Redactor>), CommandError> {
    let timeout = Duration::from_secs_f64(read.timeout);
    let connections = match connections {
        Some(connections) => connections,
        None => {
            let region = region(read.region.as_deref(), &ProcessEnvironment);
            let flags = ConnectionFlags {
                endpoint: read.endpoint.as_deref(),
                china: read.china,
                profile: read.profile.as_deref(),
                ca_cert: read.ca_cert.as_deref(),
            };
            let (default, accounts) = api_connections(
                &flags,
                read.rate,
                region.as_ref(),
                run_accounts,
                &ProcessEnvironment,
                &RealFileSystem,
            )?;
            run_connections(default, accounts, region.as_ref(), read.rate)
        }
    };
    let options = plan::Options {
        mode: Mode::Plan,
        read_rate: READ_RATE,
        timeout,
        ..plan::Options::default()
    };
    account_runs(connections, bodies, &options, Pace::Reads)
}

/// The accounts `certificates` use, among `accounts`.
fn accounts_of<'a>(
    certificates: &[(Certificate, PathBuf)],
    accounts: &'a [Account],
) -> RunAccounts<'a> {
    let chosen: Vec<Certificate> = certificates.iter().map(|(c, _)| c.clone()).collect();
    RunAccounts::of(&chosen, accounts)
}

pub async fn run(args: &StatusArgs) -> CommandResult {
    if let Some(path) = &args.read.json_out {
        check_json_out(path, &RealFileSystem)?;
    }
    let (loaded, validated, diagnostics) = load_and_validate(&args.manifests)?;
    let Some(validated) = validated else {
        report_invalid(args.manifests.output, &loaded, &diagnostics);
        let json = invalid_json(&loaded, &diagnostics);
        return write_json_out(args.read.json_out.as_deref(), &json, EXIT_FAILURE);
    };
    report_diagnostics(args.manifests.output, &loaded, &diagnostics);
    // `--target`: every manifest was validated; only these are read.
    let certificates: Vec<(Certificate, PathBuf)> =
        select_targets(&args.manifests.target, validated.certificates)?
            .into_iter()
            .map(|c| {
                let file = loaded.files.path(c.file).to_path_buf();
                (c, file)
            })
            .collect();

    // One paced run per account, as plan: each certificate is read with
    // its own account's credentials.
    let run_accounts = accounts_of(&certificates, &validated.accounts);
    let (emulated, running_emulator) = if args.emulator {
        let state = emulator_state(&args.manifests.paths, false)?;
        let region = region(args.read.region.as_deref(), &ProcessEnvironment);
        let (connections, running) = start_emulator(
            &certificates,
            &run_accounts,
            region.as_ref(),
            args.read.rate,
            state,
        )
        .await?;
        (Some(connections), Some(running))
    } else {
        (None, None)
    };
    let bodies: Vec<Body> = certificates.iter().map(|(c, _)| describe_body(c)).collect();
    let (runs, redactor) = readers(emulated, &args.read, &run_accounts, &bodies)?;
    // In a stable order (the default credentials first, then by name), for
    // the stops said at the end.
    let mut ordered: Vec<(Option<String>, Arc<plan::Run<HttpTransport>>)> = runs
        .iter()
        .map(|(k, v)| (k.clone(), Arc::clone(v)))
        .collect();
    ordered.sort_by(|a, b| a.0.cmp(&b.0));
    let ordered: Vec<Arc<plan::Run<HttpTransport>>> = ordered.into_iter().map(|(_, r)| r).collect();

    let output = args.manifests.output;
    let progress = (args.wait && output == Output::Text && std::io::stderr().is_terminal())
        .then(|| progress_bar(certificates.len()));
    let mut entries: Vec<Entry> = certificates
        .iter()
        .map(|(c, file)| Entry {
            name: c.name.clone(),
            // Read from the environment: a secret, shown as the mask.
            certificate_id: if c.certificate_id.secret {
                crate::secret::MASK.to_owned()
            } else {
                c.certificate_id.value.clone()
            },
            file: file.display().to_string(),
            account: c.account.clone(),
            live: None,
            error: None,
        })
        .collect();

    // A signal: no new read, the ones in flight cut off (nothing to settle).
    let interrupt = {
        let runs = ordered.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            runs.iter().for_each(|run| run.cut_off_now());
        })
    };
    let interval = Duration::from_secs_f64(args.interval);
    let deadline = Instant::now() + Duration::from_secs_f64(args.wait_timeout);
    let mut timed_out = false;
    // On a terminal, the records to create, shown while waiting (again
    // when they change).
    let mut records_shown = String::new();
    loop {
        let round_start = Instant::now();
        let pending: Vec<usize> = (0..entries.len()).filter(|&i| !entries[i].done()).collect();
        let reads = read_all(&runs, &certificates, &pending, &redactor, args.deep).await;
        if interrupted(&ordered) {
            break;
        }
        for (i, result) in reads {
            let before = entries[i].live.as_ref().map(|l| l.status);
            match result {
                Ok(live) => entries[i].live = Some(live),
                Err(error) => entries[i].error = Some(error),
            }
            let after = entries[i].live.as_ref().map(|l| l.status);
            if args.wait && (before != after || entries[i].error.is_some()) {
                let line = entries[i].line();
                match (&progress, output) {
                    (Some(bar), _) => bar.println(line),
                    (None, Output::Text | Output::Github) => print_stdout(&format!("{line}\n")),
                    (None, Output::Json | Output::Markdown) => print_stderr(&format!("{line}\n")),
                }
            }
        }
        if let Some(bar) = &progress {
            let records = status::records_text(&entries);
            if records != records_shown {
                // A bar indicatif hides (a terminal it does not draw on)
                // prints nothing: then plainly on stderr.
                if !records.is_empty() && bar.is_hidden() {
                    print_stderr(&records);
                } else if !records.is_empty() {
                    bar.println(records.trim_end());
                }
                records_shown = records;
            }
            bar.set_position(entries.iter().filter(|e| e.issued()).count() as u64);
        }
        // A stopped account's certificates failed their reads (done); the
        // other accounts' go on.
        if !args.wait || entries.iter().all(Entry::done) {
            break;
        }
        let next = round_start + interval;
        let wake = next.min(deadline);
        tokio::select! {
            () = tokio::time::sleep_until(wake) => {}
            () = stopped(&ordered) => break,
        }
        if wake == deadline {
            timed_out = true;
            break;
        }
    }
    interrupt.abort();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if let Some(running) = running_emulator {
        running.shutdown().await;
    }

    let stops = plan::stops(&ordered);
    let json = status::to_json(&entries);
    match output {
        Output::Json => print_stdout(&format!("{json:#}\n")),
        Output::Text | Output::Github => print_stdout(&status::text(&entries)),
        Output::Markdown => print_stdout(&status::markdown(&entries)),
    }
    if timed_out {
        print_stderr(&format!(
            "tccert: --wait-timeout {}s reached before every certificate was issued\n",
            args.wait_timeout
        ));
    }
    let interrupted = stops.iter().any(|s| s.reason == StopReason::Interrupted);
    for stop in stops.iter().filter(|s| s.reason != StopReason::Interrupted) {
        print_stderr(&format!(
            "tccert: {}\n",
            crate::output::report::stop_message(stop)
        ));
    }
    let code = if interrupted {
        EXIT_INTERRUPTED
    } else if args.wait {
        if entries.iter().all(Entry::issued) {
            EXIT_OK
        } else {
            EXIT_FAILURE
        }
    } else if entries
        .iter()
        .all(|e| e.error.is_none() && e.live.is_some())
    {
        EXIT_OK
    } else {
        EXIT_FAILURE
    };
    write_json_out(args.read.json_out.as_deref(), &json, code)
}

fn interrupted(runs: &[Arc<plan::Run<HttpTransport>>]) -> bool {
    runs.iter()
        .any(|run| matches!(run.stop_reason(), Some(StopReason::Interrupted)))
}

/// Resolves once a signal stopped the runs (an account's own stop happens
/// only during reads, and its certificates are done then).
async fn stopped(runs: &[Arc<plan::Run<HttpTransport>>]) {
    while !interrupted(runs) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

type ReadResult = Result<Live, ApiError>;

/// Reads the certificates at `which` at once, each paced by the run: the
/// bulk list first (per account, as plan; docs/cli.md "Reading a fleet in
/// bulk"), then the detail of those whose status needs it and of any the
/// list did not return; with `deep`, every certificate's detail.
async fn read_all(
    runs: &Runs,
    certificates: &[(Certificate, PathBuf)],
    which: &[usize],
    redactor: &Arc<Redactor>,
    deep: bool,
) -> Vec<(usize, ReadResult)> {
    let mut tasks = tokio::task::JoinSet::new();
    let mut results = Vec::new();
    let mut lists: HashMap<usize, Arc<plan::ListChunk>> = HashMap::new();
    if !deep {
        let mut by_account: BTreeMap<&Option<String>, Vec<usize>> = BTreeMap::new();
        for &i in which {
            by_account
                .entry(&certificates[i].0.account)
                .or_default()
                .push(i);
        }
        for indices in by_account.into_values() {
            let ids: Vec<(String, bool)> = indices
                .iter()
                .map(|&i| {
                    let id = &certificates[i].0.certificate_id;
                    (id.value.clone(), id.secret)
                })
                .collect();
            lists.extend(indices.into_iter().zip(plan::list_chunks(&ids)));
        }
    }
    for &i in which {
        let certificate = &certificates[i].0;
        // Every account a certificate names has its run (RunAccounts); a
        // miss would be a bug, said as this certificate's failure.
        let Some(run) = runs.get(&certificate.account).cloned() else {
            results.push((
                i,
                Err(ApiError::local(
                    "ClientError.NoConnection",
                    "internal error: no connection for this certificate's account",
                )),
            ));
            continue;
        };
        let body = describe_body(certificate);
        let name = certificate.name.clone();
        let id = certificate.certificate_id.value.clone();
        let list = lists.get(&i).cloned();
        let redactor = Arc::clone(redactor);
        tasks.spawn(async move {
            if let Some(list) = list {
                match list.listed(&run, &id).await {
                    plan::Listed::Found(item) if !needs_detail(item.status) => {
                        // The list's StatusMsg is masked already.
                        let live = Live {
                            status: item.status,
                            status_message: item.status_message,
                            validation: Vec::new(),
                        };
                        return (i, Ok(live));
                    }
                    plan::Listed::Stopped(error) => {
                        return (i, Err(ApiError::from(&error)));
                    }
                    _ => {}
                }
            }
            let result = run
                .read(Action::DescribeCertificateDetail, &body, &name)
                .await;
            let read = match result {
                // Text from a successful reply is printed: masked like every
                // error from the network.
                Ok(response) => Live::from_response(&response)
                    .map(|live| live.redacted(&redactor))
                    .ok_or_else(|| {
                        ApiError::local(
                            "ClientError.BadResponse",
                            "DescribeCertificateDetail answered without a Status",
                        )
                    }),
                Err(error) => Err(ApiError::from(&error)),
            };
            (i, read)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Ok(result) = joined {
            results.push(result);
        }
    }
    results.sort_by_key(|(i, _)| *i);
    results
}

fn progress_bar(total: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} waiting for issuance [{bar:30}] {pos}/{len} issued, {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
