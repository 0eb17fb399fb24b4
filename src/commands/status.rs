//! `tccert status PATH... [--wait]`: read each certificate (paced as plan's
//! reads), show its status and the domain-validation records the CA wants;
//! with `--wait`, read again every `--interval` until each is issued or can
//! no longer be by waiting (docs/cli.md, "status").

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::runner::{self, OnSignal, Runner, Runs, accounts_of, write_json_out};
use super::settings::{check_json_out, region};
use super::{
    CommandResult, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, emit, invalid_json, load_and_validate,
    print_stderr, report_diagnostics, report_invalid, select_targets,
};
use crate::api::action::Action;
use crate::api::error::ApiError;
use crate::api::request::{Body, describe_body};
use crate::certificate::Certificate;
use crate::cli::StatusArgs;
use crate::output::format::{self, Report};
use crate::output::status::{self, Entry, Live};
use crate::plan::decide::needs_detail;
use crate::plan::{self, StopReason};
use crate::secret::Redactor;
use crate::system::{ProcessEnvironment, RealFileSystem};

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
    let emulated = if args.emulator {
        let region = region(args.read.region.as_deref(), &ProcessEnvironment);
        Some(
            runner::open_emulator(
                &args.manifests.paths,
                false,
                &certificates,
                &run_accounts,
                region.as_ref(),
                args.read.rate,
            )
            .await?,
        )
    } else {
        None
    };
    let bodies: Vec<Body> = certificates.iter().map(|(c, _)| describe_body(c)).collect();
    let mut runner = Runner::open_readers(emulated, &args.read, &run_accounts, &bodies)?;

    let output = args.manifests.output;
    let progress =
        (args.wait && format::of(output).draws_progress() && std::io::stderr().is_terminal())
            .then(|| progress_bar(certificates.len()));
    let mut entries: Vec<Entry> = certificates
        .iter()
        .map(|(c, file)| Entry {
            name: c.name.clone(),
            // Read from the environment: a secret, shown as the mask.
            certificate_id: match c.id_or_placeholder() {
                (_, true) => crate::secret::MASK.to_owned(),
                (id, false) => id.to_owned(),
            },
            file: file.display().to_string(),
            account: c.account.clone(),
            live: None,
            error: None,
        })
        .collect();

    // A signal: no new read, the ones in flight cut off (nothing to settle).
    runner.handle_signals(OnSignal::CutOff);
    let interval = Duration::from_secs_f64(args.interval);
    let deadline = Instant::now() + Duration::from_secs_f64(args.wait_timeout);
    let mut timed_out = false;
    // On a terminal, the records to create, shown while waiting (again
    // when they change).
    let mut records_shown = String::new();
    loop {
        let round_start = Instant::now();
        let pending: Vec<usize> = (0..entries.len()).filter(|&i| !entries[i].done()).collect();
        let reads = read_all(
            runner.runs(),
            &certificates,
            &pending,
            runner.redactor(),
            args.deep,
        )
        .await;
        if runner.interrupted() {
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
                match &progress {
                    Some(bar) => bar.println(line),
                    None => emit(output, &Report::StatusLine(&line)),
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
            () = runner.until_interrupted() => break,
        }
        if wake == deadline {
            timed_out = true;
            break;
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let stops = runner.close().await;
    let json = status::to_json(&entries);
    emit(output, &Report::Status { entries: &entries });
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
                    let (id, secret) = certificates[i].0.id_or_placeholder();
                    (id.to_owned(), secret)
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
        let id = certificate.id_or_placeholder().0.to_owned();
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
